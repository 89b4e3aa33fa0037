/**
 * TcecClient against a real T/CEC partner: a node:http server on 127.0.0.1 (port 0) built with our
 * own codec, which issues tokens, checks Bearer tokens and answers signed envelopes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clampTokenSeconds,
  joinUrl,
  TcecClient,
  TcecTokenError,
  TcecTransportError,
  type TokenCache,
} from '../../../shared/tcec/client.ts';
import { decodeRequestData, encodeResponse, parseRequestEnvelope, verifyRequestSig } from '../../../shared/tcec/envelope.ts';
import { TcecError } from '../../../shared/tcec/ret.ts';
import { eventually } from '../../support/eventually.ts';

const OUR_ID = 'MA59J8YL8';
const secrets = {
  operatorSecret: 'Op5Ec7Rt9Yu1Io3P',
  dataSecret: '4Rf8Yk2Lp9Wq6Zs1',
  dataSecretIV: 'Iv7Xc3Nb5Mv8Hq2T',
  sigSecret: 'Sg9Kd4Jh6Fa1Pe3R',
};

interface Seen {
  path: string;
  iface: string;
  authorization: string | undefined;
  contentType: string | undefined;
  seq: string;
  data: unknown;
}

/** Per-test behaviour of the fake partner. */
interface Behaviour {
  tokenSeconds: number | string;
  /** the token answer waits for this (a token request held in flight) */
  tokenGate?: Promise<void>;
  succStat: number;
  failReason: number;
  /** Override the answer to one interface: return true when handled. */
  special?: (iface: string, res: ServerResponse, seenCount: number) => boolean;
}

const partner = {
  server: undefined as Server | undefined,
  baseUrl: '',
  seen: [] as Seen[],
  validTokens: new Set<string>(),
  issued: 0,
  behaviour: {} as Behaviour,
  reset() {
    this.seen = [];
    this.validTokens.clear();
    this.issued = 0;
    this.behaviour = { tokenSeconds: 7200, succStat: 0, failReason: 0 };
  },
  count(iface: string) {
    return this.seen.filter((s) => s.iface === iface).length;
  },
};

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8' });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const path = req.url ?? '';
  const iface = path.split('/').pop() ?? '';
  let data: unknown;
  let seq = '';
  try {
    const env = parseRequestEnvelope(body);
    seq = env.Seq;
    if (!verifyRequestSig(env, secrets.sigSecret)) throw new TcecError(4001, 'Sig error');
    data = decodeRequestData(env, secrets);
  } catch (e) {
    const err = e as TcecError;
    send(res, 200, JSON.stringify(encodeResponse({ ret: err.ret, msg: err.msg, secrets })));
    return;
  }
  partner.seen.push({ path, iface, authorization: req.headers.authorization, contentType: req.headers['content-type'], seq, data });
  const b = partner.behaviour;
  if (b.special?.(iface, res, partner.count(iface))) return;

  if (iface === 'query_token') {
    if (b.tokenGate) await b.tokenGate;
    const d = data as { OperatorID?: string; OperatorSecret?: string };
    const good = d.OperatorID === OUR_ID && d.OperatorSecret === secrets.operatorSecret;
    const token = `tok-${++partner.issued}`;
    if (good && b.succStat === 0) partner.validTokens.add(token);
    const reply =
      good && b.succStat === 0
        ? { OperatorID: OUR_ID, SuccStat: 0, AccessToken: token, TokenAvailableTime: b.tokenSeconds, FailReason: 0 }
        : { OperatorID: OUR_ID, SuccStat: 1, AccessToken: '', TokenAvailableTime: 0, FailReason: good ? b.failReason : 2 };
    send(res, 200, JSON.stringify(encodeResponse({ ret: 0, data: reply, secrets })));
    return;
  }
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token || !partner.validTokens.has(token)) {
    send(res, 200, JSON.stringify(encodeResponse({ ret: 4002, msg: 'Token错误', secrets })));
    return;
  }
  send(res, 200, JSON.stringify(encodeResponse({ ret: 0, data: { iface, echo: data, token }, secrets })));
}

beforeAll(async () => {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, ''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  partner.server = server;
  partner.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/evcs/v1/`;
});

afterAll(async () => {
  partner.server?.closeAllConnections();
  await new Promise((r) => partner.server?.close(r));
});

beforeEach(() => partner.reset());

class SpyCache implements TokenCache {
  readonly sets: Array<{ key: string; token: string; expiresAt: number }> = [];
  private readonly m = new Map<string, { token: string; expiresAt: number }>();
  async get(key: string) {
    return this.m.get(key);
  }
  async set(key: string, v: { token: string; expiresAt: number }) {
    this.sets.push({ key, ...v });
    this.m.set(key, v);
  }
}

const clock = (start = Date.UTC(2024, 2, 15, 1, 30, 45)) => {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (s: number) => (t += s * 1000),
    get ms() {
      return t;
    },
  };
};

const client = (
  opts: ConstructorParameters<typeof TcecClient>[1] = {},
  endpoint: Partial<ConstructorParameters<typeof TcecClient>[0]> = {},
) => new TcecClient({ baseUrl: partner.baseUrl, ourOperatorId: OUR_ID, secrets, ...endpoint }, opts);

describe('TcecClient: token', () => {
  it('obtains a token with query_token (no Authorization) and reuses it from the cache', async () => {
    const c = client();
    const r1 = await c.call<{ token: string; echo: unknown }>('query_station_status', { StationIDs: ['ST1'] });
    const r2 = await c.call<{ token: string }>('query_station_status', { StationIDs: ['ST2'] });
    expect(r1).toMatchObject({ ret: 0, msg: '', sigVerified: true, data: { token: 'tok-1', echo: { StationIDs: ['ST1'] } } });
    expect(r2.data?.token).toBe('tok-1');
    expect(partner.count('query_token')).toBe(1);
    const [tok, q1, q2] = partner.seen;
    expect(tok).toMatchObject({
      path: '/evcs/v1/query_token',
      authorization: undefined,
      data: { OperatorID: OUR_ID, OperatorSecret: secrets.operatorSecret },
    });
    expect(q1).toMatchObject({
      path: '/evcs/v1/query_station_status',
      authorization: 'Bearer tok-1',
      contentType: 'application/json;charset=utf-8',
    });
    expect(q2?.authorization).toBe('Bearer tok-1');
  });

  it('sends an increasing Seq within one second', async () => {
    const clk = clock();
    const c = client({ now: clk.now });
    await c.call('query_station_status', {});
    await c.call('query_station_status', {});
    expect(partner.seen.map((s) => s.seq)).toEqual(['0001', '0002', '0003']);
  });

  it('refreshes early: within refreshSkewSeconds of expiry a new token is fetched', async () => {
    partner.behaviour.tokenSeconds = 120;
    const clk = clock();
    const c = client({ now: clk.now, refreshSkewSeconds: 60 });
    expect(await c.getToken()).toBe('tok-1');
    clk.advance(59); // 61 s left: still fine
    expect(await c.getToken()).toBe('tok-1');
    clk.advance(2); // 59 s left: inside the skew
    expect(await c.getToken()).toBe('tok-2');
    expect(partner.count('query_token')).toBe(2);
  });

  it('getToken(true) forces a new token', async () => {
    const c = client();
    expect(await c.getToken()).toBe('tok-1');
    expect(await c.getToken(true)).toBe('tok-2');
  });

  it('concurrent callers share one in-flight token request', async () => {
    let release = () => {};
    partner.behaviour.tokenGate = new Promise<void>((r) => (release = r));
    const c = client();
    const calls = Promise.all(Array.from({ length: 10 }, (_, i) => c.call<{ token: string }>('query_station_status', { i })));
    // the first token request is held at the partner while every caller asks for a token
    await eventually(async () => partner.count('query_token'), { what: 'the token request at the partner' });
    release();
    const results = await calls;
    expect(partner.count('query_token')).toBe(1);
    expect(new Set(results.map((r) => r.data?.token))).toEqual(new Set(['tok-1']));
  });

  it('caches under baseUrl + OperatorID with expiresAt = now + TokenAvailableTime', async () => {
    const clk = clock();
    const cache = new SpyCache();
    await client({ now: clk.now, tokenCache: cache }).getToken();
    expect(cache.sets).toEqual([{ key: ['', partner.baseUrl, OUR_ID].join('|'), token: 'tok-1', expiresAt: clk.ms + 7200_000 }]);
  });

  it('a shared cache lets a second client skip query_token', async () => {
    const cache = new SpyCache();
    await client({ tokenCache: cache }).getToken();
    await client({ tokenCache: cache }).call('query_station_status', {});
    expect(partner.count('query_token')).toBe(1);
  });

  it.each([
    ['epoch-ms expiry', 1710466245000, 300],
    ['8 days', 8 * 86400, 300],
    ['zero', 0, 300],
    ['negative', -5, 300],
    ['numeric string', '3600', 3600],
  ])('clamps absurd TokenAvailableTime (%s)', async (_label, value, expected) => {
    partner.behaviour.tokenSeconds = value;
    const clk = clock();
    const cache = new SpyCache();
    await client({ now: clk.now, tokenCache: cache }).getToken();
    expect(cache.sets[0]?.expiresAt).toBe(clk.ms + expected * 1000);
  });

  it('clampTokenSeconds keeps sane values', () => {
    expect(clampTokenSeconds(7200)).toBe(7200);
    expect(clampTokenSeconds(7 * 86400)).toBe(7 * 86400);
    expect(clampTokenSeconds(Number.NaN)).toBe(300);
    expect(clampTokenSeconds(undefined)).toBe(300);
  });

  it('SuccStat 1 → TcecTokenError naming FailReason', async () => {
    partner.behaviour.succStat = 1;
    partner.behaviour.failReason = 2;
    const err = await client()
      .getToken()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TcecTokenError);
    expect((err as TcecTokenError).message).toContain('FailReason 2');
    expect((err as TcecTokenError).failReason).toBe(2);
    expect((err as Error).message).not.toContain(secrets.operatorSecret);
  });

  it('a query_token reply whose Sig does not verify is refused', async () => {
    const err = await client({}, { secrets: { ...secrets, sigSecret: 'not-the-partner-s' } })
      .getToken()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TcecTokenError);
  });
});

describe('TcecClient: 4002 handling', () => {
  it('on Ret 4002 fetches a fresh token and retries once', async () => {
    const c = client();
    await c.getToken();
    partner.validTokens.clear(); // partner forgets tok-1
    const r = await c.call<{ token: string }>('query_station_status', {});
    expect(r).toMatchObject({ ret: 0, sigVerified: true, data: { token: 'tok-2' } });
    expect(partner.count('query_station_status')).toBe(2);
    expect(partner.count('query_token')).toBe(2);
  });

  it('after a 4002 it tells the shared cache, and uses a newer token another instance stored instead of fetching one', async () => {
    // two instances share one cache whose first level holds the token each saw first (like DynamoTokenCache)
    const shared = new SpyCache();
    const invalidated: string[] = [];
    const layered = (): TokenCache => {
      const local = new Map<string, { token: string; expiresAt: number }>();
      return {
        get: async (k) => local.get(k) ?? (await shared.get(k)),
        set: async (k, v) => {
          local.set(k, v);
          await shared.set(k, v);
        },
        invalidate: async (k, token) => {
          invalidated.push(token);
          if (local.get(k)?.token === token) local.delete(k);
        },
      };
    };
    const a = client({ tokenCache: layered() });
    const b = client({ tokenCache: layered() });
    await a.getToken(); // tok-1 in a's first level and in the shared cache
    partner.validTokens.clear(); // the partner revokes tok-1 …
    await b.getToken(true); // … and b obtains tok-2 (a re-issuing partner invalidates the old one)
    const r = await a.call<{ token: string }>('query_station_status', {});
    expect(r).toMatchObject({ ret: 0, data: { token: 'tok-2' } });
    expect(invalidated).toEqual(['tok-1']);
    expect(partner.count('query_token')).toBe(2); // a did not fetch a third token
  });

  it('retries only once: a persistent 4002 is returned to the caller', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_station_status') return false;
      send(res, 200, JSON.stringify(encodeResponse({ ret: 4002, msg: 'Token错误', secrets })));
      return true;
    };
    const r = await client().call('query_station_status', {});
    expect(r).toEqual({ ret: 4002, msg: 'Token错误', data: undefined, sigVerified: true });
    expect(partner.count('query_station_status')).toBe(2);
  });

  it.each(['query_start_charge', 'query_stop_charge'])('never retries %s automatically', async (iface) => {
    const c = client();
    await c.getToken();
    partner.validTokens.clear();
    const r = await c.call(iface, { StartChargeSeq: 'MA59J8YL8240315093045000001', ConnectorID: 'C1' });
    expect(r.ret).toBe(4002);
    expect(partner.count(iface)).toBe(1);
    expect(partner.count('query_token')).toBe(1);
  });

  it.each([401, 403])('HTTP %i without an envelope counts as 4002 and is retried once', async (status) => {
    partner.behaviour.special = (iface, res, n) => {
      if (iface !== 'query_station_status' || n > 1) return false;
      res.writeHead(status);
      res.end();
      return true;
    };
    const r = await client().call<{ token: string }>('query_station_status', {});
    expect(r).toMatchObject({ ret: 0, data: { token: 'tok-2' } });
    expect(partner.count('query_station_status')).toBe(2);
  });

  it('HTTP 401 on query_start_charge comes back as 4002, not retried', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_start_charge') return false;
      res.writeHead(401);
      res.end();
      return true;
    };
    const r = await client().call('query_start_charge', {});
    expect(r).toEqual({ ret: 4002, msg: 'HTTP 401', data: undefined, sigVerified: false });
    expect(partner.count('query_start_charge')).toBe(1);
  });
});

describe('TcecClient: response authenticity and transport errors', () => {
  it('a tampered response Sig → sigVerified false and data undefined', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_station_status') return false;
      const env = encodeResponse({ ret: 0, data: { Total: 1 }, secrets });
      const last = env.Sig.endsWith('0') ? '1' : '0';
      send(res, 200, JSON.stringify({ ...env, Sig: env.Sig.slice(0, -1) + last }));
      return true;
    };
    const r = await client().call('query_station_status', {});
    expect(r).toEqual({ ret: 0, msg: '', data: undefined, sigVerified: false });
  });

  it('Data signed with another SigSecret is not returned', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_station_status') return false;
      send(res, 200, JSON.stringify(encodeResponse({ ret: 0, data: { Total: 1 }, secrets: { ...secrets, sigSecret: 'attacker' } })));
      return true;
    };
    const r = await client().call('query_station_status', {});
    expect(r.sigVerified).toBe(false);
    expect(r.data).toBeUndefined();
  });

  it('a timeout → TcecTransportError', async () => {
    partner.behaviour.special = (iface) => iface === 'query_station_status'; // never answers
    const err = await client({}, { timeoutMs: 200 })
      .call('query_station_status', {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TcecTransportError);
    expect((err as Error).message).toMatch(/no response within 200 ms/);
  });

  it('HTTP 502 with an HTML body → TcecTransportError carrying the status', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_station_status') return false;
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>bad gateway</html>');
      return true;
    };
    const err = await client()
      .call('query_station_status', {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TcecTransportError);
    expect((err as TcecTransportError).status).toBe(502);
    expect((err as Error).message).not.toContain('bad gateway');
  });

  it('HTTP 500 that still carries an envelope is returned as that envelope', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_station_status') return false;
      send(res, 500, JSON.stringify(encodeResponse({ ret: 500, msg: '系统错误', secrets })));
      return true;
    };
    const r = await client().call('query_station_status', {});
    expect(r).toEqual({ ret: 500, msg: '系统错误', data: undefined, sigVerified: true });
  });

  it('HTTP 200 with a non-envelope body → TcecTransportError', async () => {
    partner.behaviour.special = (iface, res) => {
      if (iface !== 'query_station_status') return false;
      send(res, 200, 'OK');
      return true;
    };
    await expect(client().call('query_station_status', {})).rejects.toBeInstanceOf(TcecTransportError);
  });

  it('connection refused → TcecTransportError', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const c = new TcecClient({ baseUrl: `http://127.0.0.1:${port}/evcs/v1`, ourOperatorId: OUR_ID, secrets });
    await expect(c.call('query_station_status', {})).rejects.toBeInstanceOf(TcecTransportError);
  });
});

describe('TcecClient: URLs', () => {
  it('joins baseUrl and interface with exactly one "/"', () => {
    expect(joinUrl('http://h/evcs/v1', 'query_token')).toBe('http://h/evcs/v1/query_token');
    expect(joinUrl('http://h/evcs/v1/', 'query_token')).toBe('http://h/evcs/v1/query_token');
    expect(joinUrl('http://h/evcs/v1//', '/query_token')).toBe('http://h/evcs/v1/query_token');
  });

  it('per-interface overrides: absolute URL or path relative to baseUrl (DiDi layout)', async () => {
    const root = partner.baseUrl.replace(/\/evcs\/v1\/$/, '');
    const c = client(
      {},
      { paths: { query_token: `${root}/evcs/sdk/query_token`, notification_stationStatus: 'push/notification_stationStatus' } },
    );
    expect(c.urlFor('query_station_status')).toBe(`${root}/evcs/v1/query_station_status`);
    await c.call('notification_stationStatus', { ConnectorStatusInfo: { ConnectorID: 'C1', Status: 1 } });
    expect(partner.seen.map((s) => s.path)).toEqual(['/evcs/sdk/query_token', '/evcs/v1/push/notification_stationStatus']);
  });

  it('call("query_token") goes out without Authorization and returns the decoded reply', async () => {
    const r = await client().call<{ SuccStat: number }>('query_token', { OperatorID: OUR_ID, OperatorSecret: secrets.operatorSecret });
    expect(r).toMatchObject({ ret: 0, sigVerified: true, data: { SuccStat: 0, AccessToken: 'tok-1' } });
    expect(partner.seen[0]?.authorization).toBeUndefined();
  });
});
