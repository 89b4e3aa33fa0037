/**
 * A demo partner platform on loopback: the customer side of T/CEC 102 that RECEIVES our pushes.
 * Built on our own codec with the partner's side of the secrets — the set it issued us (our
 * `outbound` set): it issues tokens (its own query_token), verifies every push (OperatorID = ours,
 * Sig, Bearer token, decryption, Data schema), logs each decrypted push, and answers per interface
 * (Status 0, SuccStat 0, ConfirmResult 0 …), and to check_charge_orders with the disputes it is
 * told to raise (`disputes`, a wrong `checkOrderSeq`, a malformed `disputeOrdersRaw`).
 *
 * For demos and tests it can be told to fail (HTTP 500, Ret 500/-1, any Ret), answer slowly,
 * refuse tokens (Ret 4002 by expiring them), or tamper with its response Sig — programmatically
 * (`partner.set({...})`) or over its admin endpoint:
 *
 *   GET  <origin>/_admin/received            every verified push (decrypted) and how it was answered
 *   POST <origin>/_admin/behaviour  {json}   e.g. {"fail":"http500"} {"delayMs":3000} {"tamperSig":true}
 *                                            {"refuseFirst":{"notification_stop_charge_result":1}} {} = healthy
 *   POST <origin>/_admin/expire-tokens       every token issued so far answers Ret 4002 from now on
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { profileOf } from '../../shared/domain/partner-profile.ts';
import type { Seed } from '../../shared/seed.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { decodeRequestData, encodeResponse, parseRequestEnvelope, verifyRequestSig } from '../../shared/tcec/envelope.ts';
import { type InterfaceName, parseRequestData, resolveInterfaceName } from '../../shared/tcec/interfaces.ts';
import { type Profile, profileFromWire, profileToWire } from '../../shared/tcec/profiles.ts';
import { Ret, TcecError } from '../../shared/tcec/ret.ts';

const BehaviourSchema = z.object({
  /** every request (query_token too) fails: HTTP 500 without an envelope, or a signed Ret 500 / -1 */
  fail: z.enum(['http500', 'ret500', 'ret-1']).optional(),
  /** pushes (not query_token) are answered with this Ret and Msg */
  ret: z.number().int().optional(),
  msg: z.string().max(200).optional(),
  /** the first n pushes of each named interface (after this behaviour is set) are answered Ret 500, a retryable failure */
  refuseFirst: z.record(z.string(), z.number().int().min(1).max(1000)).optional(),
  /** the Ret `refuseFirst` answers with (default 500; 4004 is a refusal the platform parks after a few) */
  refuseRet: z.number().int().optional(),
  /** answer after this many ms */
  delayMs: z.number().int().nonnegative().max(120_000).optional(),
  /** flip the response Sig */
  tamperSig: z.boolean().optional(),
  /** notification_stationStatus reply Status (1 = accepted and ignored) */
  stationStatus: z.union([z.literal(0), z.literal(1)]).optional(),
  /** notification_charge_order_info reply ConfirmResult (≠ 0 = dispute) */
  confirmResult: z.number().int().min(0).max(99).optional(),
  /**
   * check_charge_orders: the orders this partner disputes (listed in an answer when the request
   * carries them, or always with `always`); figures default to the request's
   */
  disputes: z
    .array(
      z.object({
        StartChargeSeq: z.string().min(1).max(64),
        DisputeReason: z.number().int().min(1).max(99),
        TotalPower: z.number().optional(),
        TotalMoney: z.number().optional(),
        always: z.boolean().optional(),
      }),
    )
    .optional(),
  /** check_charge_orders: answer with this CheckOrderSeq instead of echoing ours */
  checkOrderSeq: z.string().optional(),
  /** check_charge_orders: answer with this as DisputeOrders, verbatim (malformed lists) */
  disputeOrdersRaw: z.unknown().optional(),
});
type Behaviour = z.infer<typeof BehaviourSchema>;

export interface ReceivedPush {
  iface: InterfaceName;
  /** the decrypted, verified request Data as sent on the wire */
  data: Record<string, unknown>;
  at: number;
  /** the Ret the partner answered */
  ret: number;
  /** answered Ret 0 with an intact Sig: the push counts as delivered at the sender */
  accepted: boolean;
  /** the request envelope exactly as received (conformance tests check OperatorID, Sig) */
  envelope: { OperatorID: string; Data: string; TimeStamp: string; Seq: string; Sig: string };
  /** the Authorization header's token */
  token: string;
  /** the URL path the push arrived at (a profile's push layout may put it at the root) */
  path: string;
}

interface DemoPartnerOptions {
  /** the partner's own OperatorID (labels only) */
  operatorId: string;
  /** the OperatorID the pushes must carry: ours */
  ourOperatorId: string;
  /** the set the partner issued us (our outbound set) */
  secrets: SecretSet;
  port?: number;
  /** path prefix the interfaces live under (default /evcs/v1/) */
  basePath?: string;
  /** the partner's profile: a push is read through it (its renames, like a real msp partner's server); default the catalog as is */
  profile?: Profile;
  tokenTtlSeconds?: number;
  log?: (line: string) => void;
}

export interface DemoPartner {
  readonly operatorId: string;
  readonly port: number;
  /** base URL to configure as the partner's outbound baseUrl */
  readonly baseUrl: string;
  readonly received: ReceivedPush[];
  /** pushes answered Ret 0 with an intact Sig */
  accepted(iface?: InterfaceName): ReceivedPush[];
  tokensIssued(): number;
  /** every request that reached the server (including refused ones); with `at`, those whose path ends in it */
  requests(at?: string): number;
  /** the paths query_token was called at */
  readonly tokenPaths: string[];
  behaviour(): Behaviour;
  set(b: Behaviour): void;
  expireTokens(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const startDemoPartner = async (o: DemoPartnerOptions): Promise<DemoPartner> => {
  const basePath = `/${(o.basePath ?? '/evcs/v1/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const ttl = o.tokenTtlSeconds ?? 7200;
  const tokens = new Map<string, number>();
  const received: ReceivedPush[] = [];
  const tokenPaths: string[] = [];
  let behaviour: Behaviour = {};
  /** pushes refused so far per interface under `refuseFirst` */
  const refused = new Map<string, number>();
  let issued = 0;
  let requests = 0;
  /** requests by the last segment of their path (an interface, as the caller named it) */
  const requestsAt = new Map<string, number>();
  const label = `[demo-partner ${o.operatorId}]`;

  const send = (res: ServerResponse, ret: number, msg: string, data?: unknown) => {
    const env = encodeResponse({ ret, msg, ...(data !== undefined ? { data } : {}), secrets: o.secrets });
    if (behaviour.tamperSig) env.Sig = (env.Sig.startsWith('0') ? '1' : '0') + env.Sig.slice(1);
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(env));
  };

  const answerFor = (iface: InterfaceName, d: Record<string, unknown>): unknown => {
    switch (iface) {
      case 'notification_stationStatus':
        return { Status: behaviour.stationStatus ?? 0 };
      case 'notification_charge_order_info':
        return { StartChargeSeq: d.StartChargeSeq, ConnectorID: d.ConnectorID, ConfirmResult: behaviour.confirmResult ?? 0 };
      case 'check_charge_orders':
        return checkAnswer(d);
      case 'notification_invoice_info':
        return { InvoiceSeq: d.InvoiceSeq, SuccStat: 0, FailReason: 0 };
      default:
        return { StartChargeSeq: d.StartChargeSeq, SuccStat: 0, FailReason: 0 };
    }
  };

  /** an answer in the partner's profile's spelling (a renamed ConfirmResult…), as a real msp partner writes it */
  const inProfile = (iface: InterfaceName, answer: unknown): unknown => {
    if (!o.profile?.changes(iface, 'response')) return answer;
    try {
      return profileToWire(o.profile, iface, 'response', answer, { ourOperatorId: o.operatorId, partnerOperatorId: o.ourOperatorId });
    } catch {
      return answer; // a deliberately malformed answer (disputeOrdersRaw) stays as scripted
    }
  };

  /** check_charge_orders: the scripted disputes among the request's orders */
  const checkAnswer = (d: Record<string, unknown>): unknown => {
    const sent = new Map(
      (d.ChargeOrders as Array<{ StartChargeSeq: string; TotalPower: number; TotalMoney: number }>).map((o) => [o.StartChargeSeq, o]),
    );
    const listed = (behaviour.disputes ?? [])
      .filter((x) => x.always || sent.has(x.StartChargeSeq))
      .map((x) => ({
        StartChargeSeq: x.StartChargeSeq,
        TotalPower: x.TotalPower ?? sent.get(x.StartChargeSeq)?.TotalPower ?? 0,
        TotalMoney: x.TotalMoney ?? sent.get(x.StartChargeSeq)?.TotalMoney ?? 0,
        DisputeReason: x.DisputeReason,
      }));
    const sum = (k: 'TotalPower' | 'TotalMoney') => Math.round(listed.reduce((a, x) => a + x[k] * 100, 0)) / 100;
    return {
      CheckOrderSeq: behaviour.checkOrderSeq ?? d.CheckOrderSeq,
      StartTime: d.StartTime,
      EndTime: d.EndTime,
      TotalDisputeOrder: listed.length,
      TotalDisputePower: sum('TotalPower'),
      TotalDisputeMoney: sum('TotalMoney'),
      DisputeOrders: behaviour.disputeOrdersRaw !== undefined ? behaviour.disputeOrdersRaw : listed,
    };
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/_admin/received')
      return json(200, { behaviour, tokensIssued: issued, received: received.map(({ token: _t, ...r }) => r) });
    if (req.method === 'POST' && path === '/_admin/behaviour') {
      let body: unknown;
      try {
        body = JSON.parse((await text(req)) || '{}');
      } catch {
        return json(400, { error: 'body is not JSON' });
      }
      const b = BehaviourSchema.safeParse(body);
      if (!b.success) return json(400, { error: b.error.issues[0]?.message ?? 'invalid behaviour' });
      behaviour = b.data;
      refused.clear();
      o.log?.(`${label} behaviour ${JSON.stringify(behaviour)}`);
      return json(200, { behaviour });
    }
    if (req.method === 'POST' && path === '/_admin/expire-tokens') {
      tokens.clear();
      return json(200, { expired: true });
    }
    return json(404, { error: 'unknown admin route' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/_admin/')) return admin(req, res, path);
    requests++;
    const last = path.slice(path.lastIndexOf('/') + 1);
    requestsAt.set(last, (requestsAt.get(last) ?? 0) + 1);
    const body = await text(req);
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (behaviour.fail === 'http500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
      return;
    }
    if (behaviour.fail === 'ret500') return send(res, Ret.SystemError, '系统错误');
    if (behaviour.fail === 'ret-1') return send(res, Ret.Busy, '系统繁忙');
    if (req.method !== 'POST') return send(res, Ret.ParamError, `unknown path ${path}`);
    // any layout (a profile may put the token or the notifications outside the base path): the interface is the last segment
    const iface = resolveInterfaceName(path.slice(path.lastIndexOf('/') + 1));
    if (!iface) return send(res, Ret.ParamError, `unknown interface ${path.slice(basePath.length)}`);
    let bearer = '';
    try {
      const env = parseRequestEnvelope(body);
      if (env.OperatorID !== o.ourOperatorId) throw new TcecError(Ret.SigError, `OperatorID ${env.OperatorID} unknown`);
      if (!verifyRequestSig(env, o.secrets.sigSecret)) throw new TcecError(Ret.SigError, '签名错误');
      if (iface !== 'query_token') {
        const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        const exp = auth?.[1] ? tokens.get(auth[1]) : undefined;
        if (exp === undefined || exp < Date.now()) throw new TcecError(Ret.TokenError, 'Token错误');
        bearer = auth?.[1] ?? '';
      }
      const raw = decodeRequestData(env, o.secrets);
      // a profile that omits fields of this push (oem-example: DetailSeviceMoney) sends what no catalog schema
      // requires back: its partner validates its own contract; the demo partner then checks only the profile's reading of the rest
      const omits = (o.profile?.changes(iface, 'request')?.omit.length ?? 0) > 0;
      const parsed = o.profile
        ? omits
          ? { ok: true as const }
          : profileFromWire(o.profile, iface, 'request', raw)
        : parseRequestData(iface, raw);
      if (!parsed.ok) throw new TcecError(Ret.BizError, parsed.msg);
      const data = raw as Record<string, unknown>;
      if (iface === 'query_token') {
        tokenPaths.push(path);
        if (data.OperatorSecret !== o.secrets.operatorSecret)
          return send(res, Ret.Ok, '', { OperatorID: o.ourOperatorId, SuccStat: 1, AccessToken: '', TokenAvailableTime: 0, FailReason: 2 });
        const token = randomBytes(16).toString('hex');
        tokens.set(token, Date.now() + ttl * 1000);
        issued++;
        return send(res, Ret.Ok, '', {
          OperatorID: o.ourOperatorId,
          SuccStat: 0,
          AccessToken: token,
          TokenAvailableTime: ttl,
          FailReason: 0,
        });
      }
      const refuse = (refused.get(iface) ?? 0) < (behaviour.refuseFirst?.[iface] ?? 0);
      if (refuse) refused.set(iface, (refused.get(iface) ?? 0) + 1);
      const ret = refuse ? (behaviour.refuseRet ?? Ret.SystemError) : (behaviour.ret ?? Ret.Ok);
      received.push({
        iface,
        data,
        at: Date.now(),
        ret,
        accepted: ret === Ret.Ok && !behaviour.tamperSig,
        envelope: env,
        token: bearer,
        path,
      });
      o.log?.(`${label} ← ${iface} ${JSON.stringify(data)} → Ret ${ret}${behaviour.tamperSig ? ' (Sig tampered)' : ''}`);
      if (ret !== Ret.Ok) return send(res, ret, behaviour.msg ?? `refused with Ret ${ret}`);
      return send(res, Ret.Ok, '', inProfile(iface, answerFor(iface, data)));
    } catch (err) {
      if (err instanceof TcecError) {
        o.log?.(`${label} ✗ ${iface}: Ret ${err.ret} ${err.msg}`);
        return send(res, err.ret, err.msg);
      }
      throw err;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log?.(`${label} internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    operatorId: o.operatorId,
    port,
    baseUrl: `http://127.0.0.1:${port}${basePath}`,
    received,
    tokenPaths,
    accepted: (iface) => received.filter((r) => r.accepted && (iface === undefined || r.iface === iface)),
    tokensIssued: () => issued,
    requests: (at) => (at === undefined ? requests : (requestsAt.get(at) ?? 0)),
    behaviour: () => behaviour,
    set: (b) => {
      behaviour = BehaviourSchema.parse(b);
      refused.clear();
    },
    expireTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * One demo partner per seed partner whose outbound baseUrl is on loopback, on exactly that URL —
 * only where nothing listens yet: a receiver already listening there (a partner's real test
 * server, another platform's demo partner) is left alone and keeps receiving the pushes. A
 * configured URL is never changed, except with `anyPort` (parallel test runs only): then a busy
 * port puts the demo partner on any free port and the returned seed carries its actual baseUrl.
 * The seed file itself is never touched.
 */
export const startSeedDemoPartners = async (
  seed: Seed,
  log?: (line: string) => void,
  { anyPort = false }: { anyPort?: boolean } = {},
): Promise<{ seed: Seed; partners: Map<string, DemoPartner> }> => {
  const partners = new Map<string, DemoPartner>();
  const rewritten: Seed['partners'] = [];
  try {
    for (const p of seed.partners) {
      const out = p.outbound;
      const url = out ? new URL(out.baseUrl) : undefined;
      if (!out || !url || url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
        rewritten.push(p);
        continue;
      }
      const { baseUrl: _b, paths: _p, ...secrets } = out;
      const base = {
        operatorId: p.operatorId,
        ourOperatorId: seed.operatorId,
        secrets,
        basePath: url.pathname,
        ...(p.profile ? { profile: profileOf({ dialect: p.dialect, profile: p.profile, profiles: seed.profiles }) } : {}),
        ...(log ? { log } : {}),
      };
      let demo: DemoPartner;
      try {
        demo = await startDemoPartner({ ...base, port: Number(url.port || 80) });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
        if (!anyPort) {
          log?.(`[demo-partner ${p.operatorId}] ${url.host} is taken: no demo partner started, pushes go to whatever listens there`);
          rewritten.push(p);
          continue;
        }
        demo = await startDemoPartner({ ...base, port: 0 });
      }
      partners.set(p.operatorId, demo);
      log?.(`[demo-partner ${p.operatorId}] listening on ${demo.baseUrl} (admin: http://127.0.0.1:${demo.port}/_admin/received)`);
      rewritten.push({ ...p, outbound: { ...out, baseUrl: `http://127.0.0.1:${demo.port}${url.pathname}` } });
    }
  } catch (err) {
    await Promise.all([...partners.values()].map((d) => d.close()));
    throw err;
  }
  return { seed: { ...seed, partners: rewritten }, partners };
};
