/**
 * query_token — T/CEC 102 §3.0 (reference §3.0, token lifecycle §2.6), over HTTP against the
 * local runtime: real DynamoDB Local, real AWS SDK, the same handler module as in AWS.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { DocumentClient, ScanCommand } from '../../shared/store/doc.ts';
import { hashToken } from '../../shared/store/tokens.ts';
import { callAs, startTestPlatform } from '../support/platform.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { TOKEN_TTL_SECONDS: '3600' } });
});
afterAll(async () => platform?.stop());

const demo = () => platform.seed.partners[0]!;

describe('query_token — T/CEC 102 §3.0', () => {
  it('§3.0: issues a token with SuccStat 0, FailReason 0 and the configured TokenAvailableTime, in a signed response', async () => {
    const p = demo();
    const r = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
    expect(r.raw.status).toBe(200);
    expect(r.ret).toBe(0);
    expect(r.sigVerified).toBe(true);
    const d = r.data as Record<string, unknown>;
    expect(d).toMatchObject({ OperatorID: p.operatorId, SuccStat: 0, FailReason: 0, TokenAvailableTime: 3600 });
    expect(d.AccessToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('§2.6: tokens are random, stored only as SHA-256 hashes with a TTL attribute', async () => {
    const p = demo();
    const a = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
    const b = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
    const ta = (a.data as { AccessToken: string }).AccessToken;
    const tb = (b.data as { AccessToken: string }).AccessToken;
    expect(ta).not.toBe(tb);

    const doc = new DocumentClient(new DynamoDBClient({}));
    const items = (await doc.send(new ScanCommand({ TableName: process.env.TABLE_TOKENS }))).Items ?? [];
    const stored = JSON.stringify(items);
    expect(stored).not.toContain(ta);
    expect(stored).not.toContain(tb);
    const item = items.find((i) => i.pk === `TOKEN#${hashToken(ta)}`);
    expect(item).toBeDefined();
    expect(item!.operatorId).toBe(p.operatorId);
    const nowS = Date.now() / 1000;
    expect(item!.ttl).toBeGreaterThan(nowS + 3500);
    expect(item!.ttl).toBeLessThan(nowS + 3700);
  });

  it('§3.0 FailReason 2: wrong OperatorSecret → Ret 0, SuccStat 1, no token', async () => {
    const p = demo();
    const r = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: 'not-the-secret!!' });
    expect(r.ret).toBe(0);
    expect(r.sigVerified).toBe(true);
    expect(r.data).toMatchObject({ SuccStat: 1, FailReason: 2, AccessToken: '' });
  });

  it('§3.0 FailReason 1: Data names an operator other than the caller → SuccStat 1, FailReason 1', async () => {
    const p = demo();
    const r = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: 'ZZ9999999', OperatorSecret: p.inbound.operatorSecret });
    expect(r.ret).toBe(0);
    expect(r.data).toMatchObject({ SuccStat: 1, FailReason: 1 });
  });

  it('§3.0: missing OperatorSecret in Data → Ret 4004 naming the field', async () => {
    const p = demo();
    const r = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/OperatorSecret/);
    expect(r.sigVerified).toBe(true);
    expect(r.raw.json.Data).toBe('');
  });

  it('§5.1 dialect: the xiaoju partner gets its token the same way', async () => {
    const p = platform.seed.partners[1]!;
    const r = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
    expect(r.ret).toBe(0);
    expect(r.data).toMatchObject({ SuccStat: 0, OperatorID: p.operatorId });
  });
});
