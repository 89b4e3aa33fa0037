/**
 * The request pipeline (shared/middleware/tcec-gateway.ts) against the local runtime: every
 * malformed request gets its Ret and a clear Msg over HTTP 200, and leaves nothing written.
 */

import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { rotateInbound } from '../../shared/services/onboarding.ts';
import { DocumentClient, ScanCommand } from '../../shared/store/doc.ts';
import { getPartnerSecrets, resetSecretsProvider } from '../../shared/store/secrets.ts';
import { getStationMetaRecent } from '../../shared/store/stations.ts';
import { encryptData, signRequest, signResponse } from '../../shared/tcec/crypto.ts';
import { decodeResponse, encodeRequest } from '../../shared/tcec/envelope.ts';
import { chinaTimeStamp } from '../../shared/tcec/time.ts';
import { eventually } from '../support/eventually.ts';
import { callAs, envelopeFor, postRaw, startTestPlatform, tokenFor } from '../support/platform.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { TIMESTAMP_WINDOW_SECONDS: '600', MAX_BODY_BYTES: '4096', SECRETS_CACHE_SECONDS: '1' } });
});
afterAll(async () => platform?.stop());

const demo = () => platform.seed.partners[0]!;
const countTokens = async () => {
  const doc = new DocumentClient(new DynamoDBClient({}));
  return (await doc.send(new ScanCommand({ TableName: process.env.TABLE_TOKENS, Select: 'COUNT' }))).Count ?? 0;
};
const tokenData = () => ({ OperatorID: demo().operatorId, OperatorSecret: demo().inbound.operatorSecret });

describe('envelope shape → Ret 4003 (reference §1.4, §1.6)', () => {
  it('a body that is not JSON → HTTP 200, Ret 4003, unsigned (no caller to sign for)', async () => {
    const before = await countTokens();
    const r = await postRaw(platform.apiUrl, 'query_token', 'this is not json');
    expect(r.status).toBe(200);
    expect(r.json.Ret).toBe(4003);
    expect(r.json.Msg).toMatch(/JSON/i);
    expect(r.json.Data).toBe('');
    expect(await countTokens()).toBe(before);
  });

  for (const key of ['OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig'] as const) {
    it(`missing ${key} → Ret 4003 naming ${key}`, async () => {
      const env: Record<string, unknown> = { ...envelopeFor(demo(), tokenData()) };
      delete env[key];
      const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(env));
      expect(r.status).toBe(200);
      expect(r.json.Ret).toBe(4003);
      expect(r.json.Msg).toContain(key);
    });
  }

  it('a key of the wrong type (TimeStamp as a number) → Ret 4003', async () => {
    const env = { ...envelopeFor(demo(), tokenData()), TimeStamp: 20240101120000 };
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(env));
    expect(r.json.Ret).toBe(4003);
    expect(r.json.Msg).toContain('TimeStamp');
  });

  it('an oversized body → Ret 4003 before any parsing', async () => {
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify({ pad: 'x'.repeat(10_000) }));
    expect(r.json.Ret).toBe(4003);
    expect(r.json.Msg).toMatch(/exceeds/);
  });

  it('an unknown OperatorID → Ret 4003', async () => {
    const env = encodeRequest({
      operatorId: 'ZZ0000000',
      data: tokenData(),
      secrets: demo().inbound,
      timeStamp: chinaTimeStamp(),
      seq: '0001',
    });
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(env));
    expect(r.json.Ret).toBe(4003);
    expect(r.json.Msg).toContain('ZZ0000000');
  });
});

describe('signature → Ret 4001 (reference §2.4, §2.5)', () => {
  it('a Sig made with the wrong SigSecret → Ret 4001, signed with the partner inbound set, Data ""', async () => {
    const before = await countTokens();
    const env = encodeRequest({
      operatorId: demo().operatorId,
      data: tokenData(),
      secrets: { ...demo().inbound, sigSecret: 'wrong-sig-secret' },
      timeStamp: chinaTimeStamp(),
      seq: '0001',
    });
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(env));
    expect(r.json.Ret).toBe(4001);
    expect(r.json.Data).toBe('');
    expect(r.json.Sig).toBe(signResponse(4001, r.json.Msg, '', demo().inbound.sigSecret));
    expect(await countTokens()).toBe(before);
  });

  it('a lower-case Sig is accepted (reference §6.9)', async () => {
    const env = envelopeFor(demo(), tokenData());
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify({ ...env, Sig: env.Sig.toLowerCase() }));
    expect(r.json.Ret).toBe(0);
  });
});

describe('Data → Ret 4003 / 4004', () => {
  const signed = (data: string, at = new Date()) => {
    const ts = chinaTimeStamp(at);
    return {
      OperatorID: demo().operatorId,
      Data: data,
      TimeStamp: ts,
      Seq: '0001',
      Sig: signRequest(demo().operatorId, data, ts, '0001', demo().inbound.sigSecret),
    };
  };

  it('bad Base64 (correctly signed) → Ret 4003', async () => {
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(signed('@@@not-base64@@@')));
    expect(r.json.Ret).toBe(4003);
    expect(decodeResponse(r.body, demo().inbound).sigVerified).toBe(true);
  });

  it('ciphertext with a wrong PKCS#7 padding (encrypted with another key) → Ret 4003', async () => {
    const data = encryptData(JSON.stringify(tokenData()), 'otherkey16bytes!', demo().inbound.dataSecretIV);
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(signed(data)));
    expect(r.json.Ret).toBe(4003);
  });

  it('Data that decrypts to something that is not JSON → Ret 4003', async () => {
    const data = encryptData('{"OperatorID": oops', demo().inbound.dataSecret, demo().inbound.dataSecretIV);
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(signed(data)));
    expect(r.json.Ret).toBe(4003);
  });

  it('Data of the wrong type (OperatorSecret as an object) → Ret 4004 naming the field', async () => {
    const r = await callAs(platform.apiUrl, demo(), 'query_token', { OperatorID: demo().operatorId, OperatorSecret: { a: 1 } });
    expect(r.ret).toBe(4004);
    expect(r.msg).toContain('OperatorSecret');
  });

  it('a TimeStamp 11 minutes off → Ret 4003 (window ±10 min)', async () => {
    const data = encryptData(JSON.stringify(tokenData()), demo().inbound.dataSecret, demo().inbound.dataSecretIV);
    const r = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(signed(data, new Date(Date.now() - 11 * 60_000))));
    expect(r.json.Ret).toBe(4003);
    expect(r.json.Msg).toMatch(/TimeStamp/);
    const ok = await postRaw(platform.apiUrl, 'query_token', JSON.stringify(signed(data, new Date(Date.now() - 9 * 60_000))));
    expect(ok.json.Ret).toBe(0);
  });
});

describe('routing', () => {
  it('an unknown interface → HTTP 404', async () => {
    const r = await postRaw(platform.apiUrl, 'query_no_such_thing', JSON.stringify(envelopeFor(demo(), {})));
    expect(r.status).toBe(404);
  });

  it('GET /health → 200 once ready', async () => {
    const res = await fetch(`${platform.apiUrl}/health`);
    expect(res.status).toBe(200);
  });
});

/** The token check and the 500 path, through the same pipeline, with a test-only business function. */
describe('Bearer token → Ret 4002, unexpected errors → signed Ret 500', () => {
  const event = (body: string, token?: string): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'POST /evcs/v1/query_station_status',
      rawPath: '/evcs/v1/query_station_status',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      requestContext: { requestId: 'test', http: { method: 'POST', path: '/evcs/v1/query_station_status' } },
      body,
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;
  const ctx = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
  const ok = tcecHandler('query_station_status', async () => ({ Total: 0, StationStatusInfos: [] }));
  const boom = tcecHandler('query_station_status', async () => {
    throw new Error('database exploded');
  });
  const body = () => JSON.stringify(envelopeFor(demo(), { StationIDs: ['ST0001'] }));
  const call = async (h: typeof ok, token?: string) => {
    const res = (await h(event(body(), token), ctx)) as { statusCode: number; body: string };
    return { status: res.statusCode, ...decodeResponse(res.body, demo().inbound), json: JSON.parse(res.body) as { Data: string } };
  };

  it('no Authorization header → Ret 4002', async () => {
    const r = await call(ok);
    expect(r.status).toBe(200);
    expect(r.ret).toBe(4002);
    expect(r.sigVerified).toBe(true);
  });

  it('an unknown token → Ret 4002', async () => {
    expect((await call(ok, 'f'.repeat(64))).ret).toBe(4002);
  });

  it("another partner's token → Ret 4002", async () => {
    const other = await tokenFor(platform.apiUrl, platform.seed.partners[1]!);
    expect((await call(ok, other)).ret).toBe(4002);
  });

  it('a valid token → Ret 0; the previous token stays valid after a new one is issued (reference §2.6)', async () => {
    const first = await tokenFor(platform.apiUrl, demo());
    const second = await tokenFor(platform.apiUrl, demo());
    expect((await call(ok, first)).ret).toBe(0);
    expect((await call(ok, second)).ret).toBe(0);
  });

  it('an exception in the business function → signed Ret 500 with a generic Msg (no cause leaked)', async () => {
    const token = await tokenFor(platform.apiUrl, demo());
    const r = await call(boom, token);
    expect(r.status).toBe(200);
    expect(r.ret).toBe(500);
    expect(r.sigVerified).toBe(true);
    expect(r.msg).not.toContain('exploded');
    expect(r.json.Data).toBe('');
  });
});

describe('secret rotation keeps the old inbound set valid for the grace period', () => {
  it('old and new sets both verify during the grace period; the old one fails after it', async () => {
    const p = platform.seed.partners[1]!;
    const old = (await getPartnerSecrets(p.operatorId, true))!.inbound;
    const { inbound } = await rotateInbound(p.operatorId, 2);
    const as = (s: typeof inbound) => ({ operatorId: p.operatorId, inbound: s });
    const viaOld = await callAs(platform.apiUrl, as(old), 'query_token', { OperatorID: p.operatorId, OperatorSecret: old.operatorSecret });
    expect(viaOld.ret).toBe(0);
    expect(viaOld.data).toMatchObject({ SuccStat: 0 });
    const viaNew = await callAs(platform.apiUrl, as(inbound), 'query_token', {
      OperatorID: p.operatorId,
      OperatorSecret: inbound.operatorSecret,
    });
    expect(viaNew.ret).toBe(0);
    expect(viaNew.data).toMatchObject({ SuccStat: 0 });
    // once the 2 s grace has passed (and the 1 s secrets cache expired), the old set is refused
    const late = await eventually(
      () => callAs(platform.apiUrl, as(old), 'query_token', { OperatorID: p.operatorId, OperatorSecret: old.operatorSecret }),
      { until: (r) => r.ret !== 0, timeoutMs: 20_000, intervalMs: 200, what: 'the old set refused after the grace' },
    );
    expect(late.ret).toBe(4001);
  });
});

describe('reads shared by concurrent callers (a cold cache under a burst)', () => {
  /** every AWS SDK call of this process goes through @smithy/core's Client.send: the calls `match` picks out */
  const countCalls = async (match: (cmd: { constructor: { name: string }; input: unknown }) => boolean, run: () => Promise<unknown>) => {
    const { Client } = createRequire(import.meta.url)('@smithy/core/client') as {
      Client: {
        prototype: { send: (this: unknown, cmd: { constructor: { name: string }; input: unknown }, ...rest: unknown[]) => unknown };
      };
    };
    const send = Client.prototype.send;
    let calls = 0;
    Client.prototype.send = function (this: unknown, cmd, ...rest) {
      if (match(cmd)) calls++;
      return send.call(this, cmd, ...rest);
    };
    try {
      await run();
    } finally {
      Client.prototype.send = send;
    }
    return calls;
  };

  it("ten pushes' reads of a partner's secrets on a cold cache: one GetSecretValue; a forced fetch reads again", async () => {
    const op = demo().operatorId;
    resetSecretsProvider();
    let got: unknown[] = [];
    const calls = await countCalls(
      (cmd) => cmd.constructor.name === 'GetSecretValueCommand' && JSON.stringify(cmd.input).includes(op),
      async () => {
        got = await Promise.all(Array.from({ length: 10 }, () => getPartnerSecrets(op)));
      },
    );
    expect(calls).toBe(1);
    expect(new Set(got.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(got[0]).toMatchObject({ inbound: { operatorSecret: demo().inbound.operatorSecret } });
    // a signature mismatch forces a fetch: it never joins a read in flight
    resetSecretsProvider();
    const forced = await countCalls(
      (cmd) => cmd.constructor.name === 'GetSecretValueCommand' && JSON.stringify(cmd.input).includes(op),
      () => Promise.all([getPartnerSecrets(op), getPartnerSecrets(op, true)]),
    );
    expect(forced).toBe(2);
  });

  it("ten connectors' reports of one station: one read of its META (maxAge -1: nothing cached counts)", async () => {
    // a station no pile reports on (the lock raise of a report would share its read): its META is absent
    const station = 'SF0000NONE';
    const metaGet = (cmd: { constructor: { name: string }; input: unknown }) =>
      /^Get(Item)?Command$/.test(cmd.constructor.name) &&
      JSON.stringify(cmd.input).includes(`STATION#${station}`) &&
      JSON.stringify(cmd.input).includes('META');
    let metas: unknown[] = [];
    const calls = await countCalls(metaGet, async () => {
      metas = await Promise.all(Array.from({ length: 10 }, () => getStationMetaRecent(station, -1)));
    });
    expect(calls).toBe(1);
    expect(new Set(metas.map((m) => JSON.stringify(m))).size).toBe(1);
    // the read settled: the next caller reads again
    expect(await countCalls(metaGet, () => getStationMetaRecent(station, -1))).toBe(1);
  });
});
