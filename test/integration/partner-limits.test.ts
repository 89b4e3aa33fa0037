/**
 * One partner's flood or replay must not hurt the others (issue 17): over HTTP against the local
 * runtime, a partner over its budget gets Ret -1 (busy), signed, with nothing done, while another
 * partner's calls all succeed; a replayed envelope gets a signed 4003 — of a state-changing interface
 * also once the process has forgotten it (the durable mark in the tokens table, shared/store/replay.ts).
 *
 * Deterministic on a loaded machine: the flooder's budget refills one request per 100 s, so however
 * slowly the machine serves the flood, at most burst + 1 of its requests can be within budget.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { replayMarkKey } from '../../shared/domain/replay.ts';
import { resetPartnerGuards } from '../../shared/middleware/partner-guards.ts';
import { DocumentClient, GetCommand, ScanCommand } from '../../shared/store/doc.ts';
import { markEnvelopeAccepted } from '../../shared/store/replay.ts';
import { decodeResponse } from '../../shared/tcec/envelope.ts';
import { parseTimeStamp } from '../../shared/tcec/time.ts';
import { callAs, DEMO_SEED, envelopeFor, postRaw, startTestPlatform, tokenFor } from '../support/platform.ts';

const FLOOD_LIMIT = { rps: 0.01, burst: 5 };
const FLOOD = 30;

let platform: Platform;
beforeAll(async () => {
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { partners: Record<string, unknown>[] };
  seed.partners[1] = { ...seed.partners[1], rateLimit: FLOOD_LIMIT };
  const seedFile = join(mkdtempSync(join(tmpdir(), 'evcs-limits-')), 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  platform = await startTestPlatform({ seedFile });
});
afterAll(async () => platform?.stop());

const good = () => platform.seed.partners[0]!;
const flooder = () => platform.seed.partners[1]!;
const doc = () => new DocumentClient(new DynamoDBClient({}));
/** tokens issued (the table also holds the replay marks, REPLAY#…) */
const countTokens = async () =>
  (
    await doc().send(
      new ScanCommand({
        TableName: process.env.TABLE_TOKENS,
        Select: 'COUNT',
        FilterExpression: 'begins_with(pk, :t)',
        ExpressionAttributeValues: { ':t': 'TOKEN#' },
      }),
    )
  ).Count ?? 0;
const markOf = async (env: { OperatorID: string; TimeStamp: string; Seq: string; Sig: string }) =>
  (await doc().send(new GetCommand({ TableName: process.env.TABLE_TOKENS, Key: { pk: replayMarkKey(env) }, ConsistentRead: true }))).Item as
    | { until: number; ttl: number }
    | undefined;

/** The platform runs in this process: shift its `Date` (the gateway's clock) by `offsetMs` while `fn` runs. */
const RealDate = Date;
const withClockShifted = async <T>(offsetMs: number, fn: () => Promise<T>): Promise<T> => {
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
};

describe('per-partner rate limit (issue 17)', () => {
  it('a flooding partner is refused with a signed Ret -1 while the other partner’s calls all succeed', async () => {
    const goodToken = await tokenFor(platform.apiUrl, good());
    const floodToken = await tokenFor(platform.apiUrl, flooder()); // 1 of the flooder's 5
    const query = { LastQueryTime: '', PageNo: 1, PageSize: 10 };

    const [flood, others] = await Promise.all([
      Promise.all(Array.from({ length: FLOOD }, () => callAs(platform.apiUrl, flooder(), 'query_stations_info', query, floodToken))),
      Promise.all(Array.from({ length: FLOOD }, () => callAs(platform.apiUrl, good(), 'query_stations_info', query, goodToken))),
    ]);

    expect(others.map((r) => r.ret)).toEqual(Array(FLOOD).fill(0));
    const busy = flood.filter((r) => r.ret === -1);
    const ok = flood.filter((r) => r.ret === 0);
    expect(ok.length + busy.length).toBe(FLOOD);
    expect(ok.length).toBeLessThanOrEqual(FLOOD_LIMIT.burst); // 4 left after the token, +1 refill at most
    for (const r of busy) {
      expect(r.raw.status).toBe(200);
      expect(r.sigVerified).toBe(true);
      expect(r.raw.json.Data).toBe('');
      expect(r.msg).toMatch(new RegExp(`${flooder().operatorId} is over its rate limit of 0.01 requests/s \\(burst 5\\); retry in \\d+ s`));
    }
  });

  it('over budget, nothing else happens: a query_token refused with -1 issues no token', async () => {
    const before = await countTokens();
    const r = await callAs(platform.apiUrl, flooder(), 'query_token', {
      OperatorID: flooder().operatorId,
      OperatorSecret: flooder().inbound.operatorSecret,
    });
    expect(r.ret).toBe(-1);
    expect(await countTokens()).toBe(before);
  });
});

describe('replay protection (issue 17)', () => {
  it('the same envelope again within the TimeStamp window → signed 4003; the same Data with a new Seq → accepted', async () => {
    const data = { OperatorID: good().operatorId, OperatorSecret: good().inbound.operatorSecret };
    const body = JSON.stringify(envelopeFor(good(), data));
    const first = decodeResponse((await postRaw(platform.apiUrl, 'query_token', body)).body, good().inbound);
    expect(first.ret).toBe(0);
    const tokensAfterFirst = await countTokens();
    const again = decodeResponse((await postRaw(platform.apiUrl, 'query_token', body)).body, good().inbound);
    expect(again).toMatchObject({ ret: 4003, sigVerified: true });
    expect(again.msg).toMatch(/replay refused/);
    expect(await countTokens()).toBe(tokensAfterFirst);
    expect((await callAs(platform.apiUrl, good(), 'query_token', data)).ret).toBe(0);
  });
});

describe('replay protection across instances and restarts (issue 17)', () => {
  const tokenData = () => ({ OperatorID: good().operatorId, OperatorSecret: good().inbound.operatorSecret });

  it('a state-changing interface: the process forgot the envelope (another instance, a restart) → still a signed 4003; a new Seq passes', async () => {
    const env = envelopeFor(good(), tokenData());
    const body = JSON.stringify(env);
    expect(decodeResponse((await postRaw(platform.apiUrl, 'query_token', body)).body, good().inbound).ret).toBe(0);
    // the durable mark: until the envelope's TimeStamp leaves the ±600 s window, expired by TTL then
    const until = parseTimeStamp(env.TimeStamp)!.getTime() + 600_000;
    expect(await markOf(env)).toMatchObject({ until, ttl: Math.ceil(until / 1000) });
    const tokens = await countTokens();

    resetPartnerGuards(); // what another Lambda instance, a cold start or `npm start` again knows of it
    const again = decodeResponse((await postRaw(platform.apiUrl, 'query_token', body)).body, good().inbound);
    expect(again).toMatchObject({ ret: 4003, sigVerified: true });
    expect(again.msg).toMatch(/replay refused/);
    expect(await countTokens()).toBe(tokens); // nothing issued

    const fresh = envelopeFor(good(), tokenData(), parseTimeStamp(env.TimeStamp)!, env.Seq === '9999' ? '0001' : '9999');
    expect([fresh.TimeStamp, fresh.Seq === env.Seq]).toEqual([env.TimeStamp, false]); // only the Seq differs
    expect(decodeResponse((await postRaw(platform.apiUrl, 'query_token', JSON.stringify(fresh))).body, good().inbound).ret).toBe(0);
    expect(await countTokens()).toBe(tokens + 1);
  });

  it('a read-only interface writes no mark: once the process forgot the envelope it is served again (one read)', async () => {
    const token = await tokenFor(platform.apiUrl, good());
    const env = envelopeFor(good(), { LastQueryTime: '', PageNo: 1, PageSize: 1 });
    const post = async () =>
      decodeResponse(
        (await postRaw(platform.apiUrl, 'query_stations_info', JSON.stringify(env), { authorization: `Bearer ${token}` })).body,
        good().inbound,
      );
    expect((await post()).ret).toBe(0);
    expect((await post()).ret).toBe(4003); // the same process: its cache
    expect(await markOf(env)).toBeUndefined();
    resetPartnerGuards(); // proves the reset reaches the handlers' cache: the refusal above was the memory's
    expect((await post()).ret).toBe(0);
  });

  it('expiry by the TimeStamp window (injected clock): once the mark is due the window refuses the envelope, and a due mark is replaced', async () => {
    const env = envelopeFor(good(), tokenData());
    const body = JSON.stringify(env);
    expect(decodeResponse((await postRaw(platform.apiUrl, 'query_token', body)).body, good().inbound).ret).toBe(0);
    const late = await withClockShifted(601_000, async () => {
      resetPartnerGuards();
      return decodeResponse((await postRaw(platform.apiUrl, 'query_token', body)).body, good().inbound);
    });
    expect(late).toMatchObject({ ret: 4003, sigVerified: true });
    expect(late.msg).toMatch(/TimeStamp outside the accepted window of ±600 s/);

    // the store's rule on an injected clock: a live mark refuses, a due one (TTL deletes lazily) is replaced
    const table = process.env.TABLE_TOKENS!;
    const probe = { OperatorID: good().operatorId, TimeStamp: '20261130120000', Seq: '0001', Sig: 'B'.repeat(32) };
    const t0 = RealDate.now();
    expect(await markEnvelopeAccepted(table, probe, t0 + 600_000, t0)).toBe(true);
    expect(await markEnvelopeAccepted(table, probe, t0 + 600_000, t0 + 599_999)).toBe(false);
    expect(await markEnvelopeAccepted(table, { ...probe, Sig: probe.Sig.toLowerCase() }, t0 + 600_000, t0 + 1)).toBe(false);
    expect(await markEnvelopeAccepted(table, probe, t0 + 1_200_000, t0 + 600_000)).toBe(true);
    expect(await markOf(probe)).toMatchObject({ until: t0 + 1_200_000, ttl: Math.ceil((t0 + 1_200_000) / 1000) });
  });
});
