/**
 * One partner's flood or replay must not hurt the others (issue 17): over HTTP against the local
 * runtime, a partner over its budget gets Ret -1 (busy), signed, with nothing done, while another
 * partner's calls all succeed; a replayed envelope gets a signed 4003.
 *
 * Deterministic on a loaded machine: the flooder's budget refills one request per 100 s, so however
 * slowly the machine serves the flood, at most burst + 1 of its requests can be within budget.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { decodeResponse } from '../../shared/tcec/envelope.ts';
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
const countTokens = async () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return (await doc.send(new ScanCommand({ TableName: process.env.TABLE_TOKENS, Select: 'COUNT' }))).Count ?? 0;
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
