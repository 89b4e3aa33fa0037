/**
 * A government supervision platform on loopback (Beijing e充网, Chengdu…) as the operator meets it:
 * a real HTTP server speaking the T/CEC envelope with the secret set it issued us — its own
 * query_token (OperatorSecret checked, a Bearer token issued), our OperatorID and the request Sig
 * (HMAC-MD5) checked, Data decrypted (AES-128-CBC) and checked against the catalog's request
 * schema (through the platform's profile when given: its renamed fields undone first), answers signed and encrypted. What it answers is a script: per call, Ret 0 (the
 * interface's success Data), another Ret (signed), or HTTP 500. Every call is recorded, with the
 * path it arrived at and the wall time.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { decodeRequestData, encodeResponse, parseRequestEnvelope, verifyRequestSig } from '../../shared/tcec/envelope.ts';
import { type InterfaceName, parseRequestData, resolveInterfaceName } from '../../shared/tcec/interfaces.ts';
import { type Profile, profileFromWire } from '../../shared/tcec/profiles.ts';

export interface ReceiverCall {
  iface: InterfaceName;
  /** the URL path (a profile's layout: `/evcs/20160701/…`) */
  path: string;
  /** the decrypted, schema-checked Data, as sent (in the profile's spelling) */
  data: Record<string, unknown>;
  /** the order it is about (StartChargeSeq, whatever the profile calls it) */
  seq?: string;
  /** wall time it arrived, epoch ms */
  at: number;
  /** what it was answered: a Ret, or `http500` */
  answer: number | 'http500';
}

/** The answer to one verified call: a Ret (0 = success Data) or an HTTP 500 without an envelope. */
export type ReceiverScript = (iface: InterfaceName, data: Record<string, unknown>) => number | 'http500';

export interface SupervisionReceiver {
  /** the origin (the profile puts its interfaces under its basePath) */
  origin: string;
  calls: ReceiverCall[];
  /** the calls of one interface, optionally about one order */
  of(iface: InterfaceName, seq?: string): ReceiverCall[];
  /** refused requests (bad Sig, token, OperatorID, Data): a conforming sender causes none */
  refused: string[];
  script: ReceiverScript;
  close(): Promise<void>;
}

const successData = (iface: InterfaceName, d: Record<string, unknown>): unknown => {
  switch (iface) {
    case 'notification_stationStatus':
    case 'notification_stationInfo':
      return { Status: 0 };
    case 'notification_charge_order_info':
    case 'notification_charge_order_info_for_bonus':
      return { StartChargeSeq: d.StartChargeSeq, ConnectorID: d.ConnectorID, ConfirmResult: 0 };
    case 'check_charge_orders':
      // every order agreed
      return {
        CheckOrderSeq: d.CheckOrderSeq,
        StartTime: d.StartTime,
        EndTime: d.EndTime,
        TotalDisputeOrder: 0,
        TotalDisputePower: 0,
        TotalDisputeMoney: 0,
        DisputeOrders: [],
      };
    default:
      return { StartChargeSeq: d.StartChargeSeq, SuccStat: 0, FailReason: 0 };
  }
};

/**
 * `secrets`: the set the platform issued us (our outbound set for it); `ourOperatorId`: the OperatorID
 * our requests carry; `profile`: the platform's profile, when its Data renames fields (provincial: OrderNo).
 */
export const startSupervisionReceiver = async (
  secrets: SecretSet,
  ourOperatorId: string,
  profile?: Profile,
): Promise<SupervisionReceiver> => {
  const tokens = new Set<string>();
  const calls: ReceiverCall[] = [];
  const refused: string[] = [];
  const r = { script: (() => 0) as ReceiverScript };

  const send = (res: ServerResponse, ret: number, data?: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(encodeResponse({ ret, msg: ret === 0 ? '' : `Ret ${ret}`, ...(data !== undefined ? { data } : {}), secrets })));
  };
  const refuse = (res: ServerResponse, ret: number, why: string) => {
    refused.push(why);
    send(res, ret);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = await text(req);
    const iface = resolveInterfaceName(path.slice(path.lastIndexOf('/') + 1));
    if (!iface) return refuse(res, 4004, `unknown interface ${path}`);
    const env = parseRequestEnvelope(body);
    if (env.OperatorID !== ourOperatorId) return refuse(res, 4001, `OperatorID ${env.OperatorID}`);
    if (!verifyRequestSig(env, secrets.sigSecret)) return refuse(res, 4001, `Sig of ${iface}`);
    const data = decodeRequestData(env, secrets) as Record<string, unknown>;
    if (iface === 'query_token') {
      if (data.OperatorSecret !== secrets.operatorSecret) return refuse(res, 4004, 'OperatorSecret');
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return send(res, 0, { OperatorID: ourOperatorId, SuccStat: 0, AccessToken: token, TokenAvailableTime: 7200, FailReason: 0 });
    }
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return refuse(res, 4002, `token of ${iface}`);
    const parsed = profile ? profileFromWire(profile, iface, 'request', data) : parseRequestData(iface, data);
    if (!parsed.ok) return refuse(res, 4004, `${iface}: ${parsed.msg}`);
    const canonical = (profile ? parsed.value : data) as Record<string, unknown>;
    const answer = r.script(iface, canonical);
    const seq = typeof canonical.StartChargeSeq === 'string' ? canonical.StartChargeSeq : undefined;
    calls.push({ iface, path, data, ...(seq ? { seq } : {}), at: Date.now(), answer });
    if (answer === 'http500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
      return;
    }
    return answer === 0 ? send(res, 0, successData(iface, canonical)) : send(res, answer);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      refused.push(`internal: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    refused,
    of: (iface, seq) => calls.filter((c) => c.iface === iface && (seq === undefined || (c.seq ?? c.data.StartChargeSeq) === seq)),
    get script() {
      return r.script;
    },
    set script(s: ReceiverScript) {
      r.script = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
