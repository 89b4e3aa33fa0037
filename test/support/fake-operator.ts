/**
 * A scripted partner platform on the operator side of T/CEC 102, for the app API's fault tests:
 * a real HTTP server speaking the real envelope (shared/tcec/envelope.ts: decrypt, sign), whose
 * answers to query_start_charge / query_equip_charge_status / … a test chooses per call (and whose
 * catalog, query_stations_info, a test fills) — refuse,
 * drop the connection after (or before) taking the order, answer Ret 4002, be down. It records
 * every call, so a test can prove a start was sent exactly once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { decodeRequestData, encodeResponse, parseRequestEnvelope } from '../../shared/tcec/envelope.ts';

/** What the fake does with a start: accept (charging), refuse, take it and lose the answer, lose it before taking it, 4002. */
export type StartScript = 'accept' | 'refuse' | 'drop-after' | 'drop-before' | 'token-error';

export interface FakeOperator {
  baseUrl: string;
  /** interface → the Data of every call, in arrival order */
  calls: Map<string, Record<string, unknown>[]>;
  /** the orders it has taken: StartChargeSeq → StartChargeSeqStat */
  orders: Map<string, number>;
  /** `downAfterStart`: go down right after taking a start (its answer lost, then nothing answers) */
  script: { start: StartScript; down: boolean; authRefused: boolean; downAfterStart: boolean };
  /**
   * its station catalog, served by query_stations_info page by page; `changedAt` ('yyyy-MM-dd
   * HH:mm:ss', the protocol's time) decides what an incremental pull (LastQueryTime) returns
   */
  stations: { info: Record<string, unknown>; changedAt: string }[];
  count(iface: string): number;
  close(): Promise<void>;
}

const STATUS = (seq: string, connectorId: string, stat: number) => ({
  StartChargeSeq: seq,
  StartChargeSeqStat: stat,
  ConnectorID: connectorId,
  ConnectorStatus: stat === 2 ? 3 : 2,
  CurrentA: 100,
  VoltageA: 380,
  Soc: 30,
  StartTime: '2026-11-23 07:10:00',
  EndTime: '2026-11-23 07:12:00',
  TotalPower: 1.2,
  ElecMoney: 1.26,
  SeviceMoney: 0.96,
  TotalMoney: 2.22,
});

/** `secrets`: the set the customer side calls this operator with (its outbound set for this partner). */
export const startFakeOperator = async (secrets: SecretSet): Promise<FakeOperator> => {
  const calls = new Map<string, Record<string, unknown>[]>();
  const orders = new Map<string, number>();
  const stations: FakeOperator['stations'] = [];
  const connectors = new Map<string, string>();
  const script: FakeOperator['script'] = { start: 'accept', down: false, authRefused: false, downAfterStart: false };
  let tokenN = 0;
  /** tokens refused from now on (a 4002 test) */
  const revoked = new Set<string>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (script.down) {
        res.writeHead(503).end();
        return;
      }
      const iface = (req.url ?? '').split('/').pop() ?? '';
      const env = parseRequestEnvelope(Buffer.concat(chunks).toString('utf8'));
      const data = decodeRequestData(env, secrets) as Record<string, unknown>;
      calls.set(iface, [...(calls.get(iface) ?? []), data]);
      const answer = (ret: number, d?: unknown, msg = '') => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(encodeResponse({ ret, msg, data: d, secrets })));
      };
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (iface === 'query_token') {
        tokenN++;
        return answer(0, {
          OperatorID: env.OperatorID,
          SuccStat: 0,
          AccessToken: `fake-token-${tokenN}`,
          TokenAvailableTime: 7200,
          FailReason: 0,
        });
      }
      if (!token || revoked.has(token)) return answer(4002, undefined, 'token error');
      const seq = String(data.StartChargeSeq ?? '');
      switch (iface) {
        case 'query_equip_auth':
          return answer(0, {
            EquipAuthSeq: data.EquipAuthSeq,
            ConnectorID: data.ConnectorID,
            SuccStat: script.authRefused ? 1 : 0,
            FailReason: script.authRefused ? 1 : 0,
          });
        case 'query_equip_business_policy':
          return answer(0, {
            EquipBizSeq: data.EquipBizSeq,
            ConnectorID: data.ConnectorID,
            SuccStat: 0,
            FailReason: 0,
            SumPeriod: 1,
            PolicyInfos: [{ StartTime: '000000', ElecPrice: 1.05, SevicePrice: 0.8 }],
          });
        case 'query_stations_info': {
          const since = typeof data.LastQueryTime === 'string' ? data.LastQueryTime : undefined;
          const list = stations.filter((st) => !since || st.changedAt >= since);
          const size = Number(data.PageSize ?? 10);
          const pageNo = Number(data.PageNo ?? 1);
          return answer(0, {
            PageNo: pageNo,
            PageCount: Math.max(1, Math.ceil(list.length / size)),
            ItemSize: list.length,
            StationInfos: list.slice((pageNo - 1) * size, pageNo * size).map((st) => st.info),
          });
        }
        case 'query_start_charge': {
          const connectorId = String(data.ConnectorID);
          switch (script.start) {
            case 'refuse':
              return answer(0, { StartChargeSeq: seq, StartChargeSeqStat: 4, ConnectorID: connectorId, SuccStat: 1, FailReason: 3 });
            case 'token-error':
              revoked.add(token); // this token is gone: the next call must come with a fresh one
              orders.set(seq, 2); // … but the start did arrive
              connectors.set(seq, connectorId);
              return answer(4002, undefined, 'token error');
            case 'drop-before':
              req.socket.destroy();
              return;
            case 'drop-after':
              orders.set(seq, 2);
              connectors.set(seq, connectorId);
              if (script.downAfterStart) script.down = true;
              req.socket.destroy();
              return;
            default:
              orders.set(seq, 2);
              connectors.set(seq, connectorId);
              return answer(0, { StartChargeSeq: seq, StartChargeSeqStat: 2, ConnectorID: connectorId, SuccStat: 0, FailReason: 0 });
          }
        }
        case 'query_equip_charge_status': {
          const stat = orders.get(seq);
          if (stat === undefined) return answer(4004, undefined, 'StartChargeSeq: no such order');
          return answer(0, STATUS(seq, connectors.get(seq) ?? '', stat));
        }
        case 'query_stop_charge': {
          if (!orders.has(seq)) return answer(0, { StartChargeSeq: seq, StartChargeSeqStat: 5, SuccStat: 1, FailReason: 1 });
          orders.set(seq, 3);
          return answer(0, { StartChargeSeq: seq, StartChargeSeqStat: 3, SuccStat: 0, FailReason: 0 });
        }
        default:
          return answer(4004, undefined, `not served: ${iface}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/evcs/v1/`,
    calls,
    orders,
    stations,
    script,
    count: (iface) => calls.get(iface)?.length ?? 0,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
