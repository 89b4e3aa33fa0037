/**
 * The HTTP fuzz of issue 17, shared by the in-process test (`test/integration/http-fuzz.test.ts`), the
 * test against a spawned `npm start` (`http-fuzz-process.test.ts`) and the 10,000-request bench
 * against one (`bench/fuzz.bench.ts`): a corpus of malformed or hostile requests — arbitrary and
 * hostile bodies (Unicode, invalid UTF-8, nested JSON, huge numbers, prototype-pollution keys,
 * envelopes of known partners around hostile encrypted Data), odd methods, paths and headers,
 * oversized bodies, raw garbage request lines, slow bodies and aborted uploads — and a runner that
 * sends it over real sockets and checks every answer: no HTTP 5xx, and every T/CEC answer (HTTP 200)
 * to a body naming a known partner's OperatorID signed with that partner's inbound SigSecret (except
 * a body over the size limit, refused before it is read).
 *
 * The corpus comes from fast-check with fixed seeds, so a failure names a reproducible request.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import type { SeedPartner } from '../../shared/seed.ts';
import { encryptData, type SecretSet, signRequest } from '../../shared/tcec/crypto.ts';
import { decodeResponse } from '../../shared/tcec/envelope.ts';
import { chinaTimeStamp } from '../../shared/tcec/time.ts';

/** where the fuzz goes and what it may know: the partners' secrets (to sign and to check), a token */
export interface FuzzTarget {
  port: number;
  partners: readonly (Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet })[];
  /** a valid bearer token of the first partner (the signed hostile envelopes carry it) */
  token: string;
  /** the gateway's body limit (MAX_BODY_BYTES): bodies over it are generated, and not checked for a Sig */
  maxBodyBytes: number;
}

export interface FuzzResult {
  /** one line per broken rule (5xx, unsigned answer to a known partner, no answer within 60 s) */
  failures: string[];
  /** how many answers had each HTTP status (0: the server closed without an answer) */
  statuses: Map<number, number>;
}

interface Req {
  kind: 'http';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}
interface RawReq {
  kind: 'raw';
  bytes: Buffer;
}
interface SlowReq {
  kind: 'slow';
  path: string;
  body: Buffer;
  abort: boolean;
}
export type AnyReq = Req | RawReq | SlowReq;

const IFACES = ['query_token', 'query_stations_info', 'query_station_status', 'query_start_charge', 'query_equip_charge_status'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const deepNest = (depth: number, open: string, close: string): string => open.repeat(depth) + close.repeat(depth);

/** hostile JSON values: huge/odd numbers, pollution keys, deep nesting, Unicode */
const hostileJsonText = fc.oneof(
  fc.integer({ min: 1, max: 20_000 }).map((d) => deepNest(d, '[', ']')),
  fc.integer({ min: 1, max: 5_000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '0.0000000000000000000000001', 'NaN', 'Infinity', '-0'),
  fc.constantFrom(...POLLUTION_KEYS).map((k) => `{"${k}":{"polluted":true,"Ret":0},"OperatorID":"MA01H3BQ2"}`),
  fc.constant('{"constructor":{"prototype":{"polluted":true}}}'),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => JSON.stringify({ OperatorID: s, Data: s, TimeStamp: s, Seq: s, Sig: s })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
);

const bodyBytes = (ids: readonly string[], maxBodyBytes: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s, 'utf8')) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) }, // invalid UTF-8 too
    { weight: 3, arbitrary: hostileJsonText.map((s) => Buffer.from(s, 'utf8')) },
    {
      weight: 3,
      // envelope-shaped with a known OperatorID and hostile fields
      arbitrary: fc
        .record({
          OperatorID: fc.constantFrom(...ids),
          Data: fc.oneof(fc.base64String({ maxLength: 80 }), fc.jsonValue({ maxDepth: 2 })),
          TimeStamp: fc.oneof(fc.stringMatching(/^\d{14}$/), fc.jsonValue({ maxDepth: 1 })),
          Seq: fc.oneof(fc.stringMatching(/^\d{4}$/), fc.jsonValue({ maxDepth: 1 })),
          Sig: fc.oneof(fc.stringMatching(/^[0-9A-F]{32}$/), fc.jsonValue({ maxDepth: 1 })),
          pollute: fc.constantFrom(...POLLUTION_KEYS),
        })
        .map(({ pollute, ...o }) => Buffer.from(`{"${pollute}":{"Ret":0,"polluted":true},${JSON.stringify(o).slice(1)}`, 'utf8')),
    },
    { weight: 1, arbitrary: fc.integer({ min: maxBodyBytes + 1, max: maxBodyBytes + 64 * 1024 }).map((n) => Buffer.alloc(n, '{')) },
    { weight: 1, arbitrary: fc.constant(Buffer.from('\uFEFF{"OperatorID":"MA01H3BQ2"}', 'utf8')) },
  );

/** header values Node's client can send: printable Latin-1 */
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x20-\x7E]{0,200}$/),
  fc.constantFrom('Bearer ', `Bearer ${'x'.repeat(4000)}`, 'Bearer \u00ff\u00fe', 'Basic Zm9vOmJhcg==', 'bearer a b c'),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json;charset=utf-8',
  'application/json; charset=gbk',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
);

const httpReq = (ids: readonly string[], maxBodyBytes: number): fc.Arbitrary<Req> =>
  fc.record({
    kind: fc.constant('http' as const),
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD') },
    ),
    path: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...IFACES).map((i) => `/evcs/v1/${i}`) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/evcs/v1/',
          '/evcs/v1/query_token?x=%ZZ',
          '/evcs/v1/%E0%A4%A',
          '/local/sim/connectors/%E0%A4%A',
          '/local/sim/connectors/%ZZ',
          '/evcs/v1/../../etc/passwd',
          '/evcs/v1/query_token/',
          '/EVCS/V1/QUERY_TOKEN',
          '//[',
          '/evcs/v1/%E6%9F%A5%E8%AF%A2',
          '/health?%',
          `/${'a'.repeat(4000)}`,
        ),
      },
    ),
    headers: fc.record(
      {
        'content-type': contentType,
        authorization: headerValue,
        'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity'),
        'x-forwarded-for': headerValue,
        'accept-charset': fc.constantFrom('gbk', 'utf-8', '*'),
      },
      { requiredKeys: [] },
    ),
    body: bodyBytes(ids, maxBodyBytes),
  });

const rawReq: fc.Arbitrary<RawReq> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 400 }).map((a) => Buffer.from(a)),
    fc
      .constantFrom(
        'POST /evcs/v1/query_token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        'POST /evcs/v1/query_token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /evcs/v1/query_token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
        'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
        'POST /evcs/v1/query_token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nX-Bad: a\u0000b\r\n\r\n{}',
        `GET /${'%'.repeat(100)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `POST /evcs/v1/query_token HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`,
        'POST /evcs/v1/query_token HTTP/9.9\r\n\r\n',
      )
      .map((s) => Buffer.from(s, 'latin1')),
  )
  .map((bytes) => ({ kind: 'raw' as const, bytes }));

const slowReq = (ids: readonly string[], maxBodyBytes: number): fc.Arbitrary<SlowReq> =>
  fc.record({
    kind: fc.constant('slow' as const),
    path: fc.constantFrom(...IFACES).map((i) => `/evcs/v1/${i}`),
    body: bodyBytes(ids, maxBodyBytes),
    abort: fc.boolean(),
  });

interface Outcome {
  status: number;
  body: string;
}

const sendHttp = (port: number, agent: Agent, r: Req): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: r.method,
        path: r.path,
        headers: { ...r.headers, 'content-length': String(r.body.length) },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // a request the server never answers is a failure, not a hung test
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.end(r.body);
  });

/** write bytes on a bare socket; the status of the first response line, 0 when the server just closed */
const sendRaw = (port: number, bytes: Buffer): Promise<Outcome> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      // one response is enough: do not wait for a keep-alive socket to close
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) s.end();
    });
    s.on('error', () => undefined);
    s.setTimeout(60_000, () => s.destroy());
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), body: text });
    });
    s.write(bytes, () => s.end());
  });

/** a body in 16-byte chunks over a bare socket, each on its own turn of the event loop; or cut off half way */
const sendSlow = (port: number, r: SlowReq): Promise<Outcome> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.setTimeout(60_000, () => s.destroy());
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), body: text.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
    s.write(
      `POST ${r.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${r.body.length}\r\n\r\n`,
    );
    const end = r.abort ? Math.floor(r.body.length / 2) : r.body.length;
    let at = 0;
    const next = () => {
      if (at >= end) {
        if (r.abort) s.destroy();
        return;
      }
      const piece = r.body.subarray(at, Math.min(end, at + 16));
      at += piece.length;
      s.write(piece, () => setImmediate(next));
    };
    next();
  });

const send = (port: number, agent: Agent, r: AnyReq): Promise<Outcome> =>
  r.kind === 'http' ? sendHttp(port, agent, r) : r.kind === 'raw' ? sendRaw(port, r.bytes) : sendSlow(port, r);

/** the OperatorID a body names, when it is a JSON object with one */
const namedOperator = (body: Buffer): string | undefined => {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    const id = v && typeof v === 'object' ? (v as { OperatorID?: unknown }).OperatorID : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

/**
 * `total` requests: of them `raw` garbage request lines and headers over a bare socket, `slow` bodies
 * trickled in small chunks or aborted half way, the rest HTTP requests (70 % arbitrary, 30 % validly
 * signed envelopes of known partners around hostile encrypted Data). Fixed seeds: the same corpus
 * every run.
 */
export const fuzzCorpus = (t: FuzzTarget, { total, raw, slow }: { total: number; raw: number; slow: number }): AnyReq[] => {
  const partners = t.partners;
  const ids = partners.map((p) => p.operatorId);
  // valid envelopes of a known partner around hostile encrypted Data (decrypts, then must be refused cleanly)
  const signedHostile = fc
    .tuple(hostileJsonText, fc.constantFrom(...IFACES), fc.integer({ min: 1, max: 9999 }))
    .map(([plain, iface, n]): Req => {
      const p = partners[n % partners.length]!;
      const Data = encryptData(plain, p.inbound.dataSecret, p.inbound.dataSecretIV);
      const TimeStamp = chinaTimeStamp(new Date());
      const Seq = String(n).padStart(4, '0');
      const Sig = signRequest(p.operatorId, Data, TimeStamp, Seq, p.inbound.sigSecret);
      return {
        kind: 'http',
        method: 'POST',
        path: `/evcs/v1/${iface}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
        body: Buffer.from(JSON.stringify({ OperatorID: p.operatorId, Data, TimeStamp, Seq, Sig })),
      };
    });
  const httpCount = total - raw - slow;
  return [
    ...fc.sample(httpReq(ids, t.maxBodyBytes), { numRuns: Math.floor(httpCount * 0.7), seed: 17 }),
    ...fc.sample(signedHostile, { numRuns: httpCount - Math.floor(httpCount * 0.7), seed: 18 }),
    ...fc.sample(rawReq, { numRuns: raw, seed: 19 }),
    ...fc.sample(slowReq(ids, t.maxBodyBytes), { numRuns: slow, seed: 20 }),
  ];
};

/** send the corpus with `concurrency` workers and check every answer (the rules in this file's head) */
export const runFuzz = async (t: FuzzTarget, corpus: readonly AnyReq[], concurrency = 16): Promise<FuzzResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < corpus.length) {
      const i = next++;
      const r = corpus[i]!;
      let out: Outcome;
      try {
        out = await send(t.port, agent, r);
      } catch (err) {
        // the client gave up (e.g. the server closed an unparseable request): not a server error
        out = { status: 0, body: String(err) };
        if (/no answer/.test(String(err))) failures.push(`#${i}: ${String(err)}`);
      }
      statuses.set(out.status, (statuses.get(out.status) ?? 0) + 1);
      const label = `#${i} ${r.kind}${r.kind === 'raw' ? '' : ` ${r.kind === 'http' ? r.method : 'POST'} ${r.path}`}`;
      if (out.status >= 500) failures.push(`${label}: HTTP ${out.status} ${out.body.slice(0, 200)}`);
      if (r.kind === 'raw' || out.status !== 200) continue;
      if (r.kind === 'slow' && r.abort) continue;
      if (!r.path.startsWith('/evcs/v1/')) continue; // not a T/CEC interface (local /health)
      const id = namedOperator(r.body);
      const p = t.partners.find((x) => x.operatorId === id);
      if (!p || r.body.length > t.maxBodyBytes) continue;
      let signed = false;
      try {
        signed = decodeResponse(out.body, p.inbound).sigVerified;
      } catch {
        signed = false;
      }
      if (!signed) failures.push(`${label}: unsigned answer to ${id}: ${out.body.slice(0, 200)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { failures, statuses };
};
