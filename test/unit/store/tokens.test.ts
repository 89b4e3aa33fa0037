/**
 * Access tokens (shared/store/tokens.ts): a token found is kept by the process until its own
 * expiry (tokens are never revoked), so a partner's requests after its first read no token item;
 * a token not found, or found expired, is looked up again every time.
 */

import { afterAll, beforeEach, expect, it } from 'vitest';
import { GetCommand } from '../../../shared/store/doc.ts';
import { forgetResolvedTokens, hashToken, resolveToken } from '../../../shared/store/tokens.ts';
import { stubDocumentClient } from '../../support/doc-stub.ts';

const ddb = stubDocumentClient();
const NOW = new Date('2026-12-01T08:00:00Z');
const LIVE = 'a'.repeat(64);
const DUE = 'b'.repeat(64);
const UNKNOWN = 'c'.repeat(64);

beforeEach(() => {
  process.env.TABLE_TOKENS = 'test-tokens';
  ddb.reset();
  forgetResolvedTokens();
  ddb.on(GetCommand).resolves({});
  ddb
    .on(GetCommand, { Key: { pk: `TOKEN#${hashToken(LIVE)}` } })
    .resolves({ Item: { operatorId: 'MA0000001', expiresAt: NOW.getTime() + 60_000 } });
  ddb
    .on(GetCommand, { Key: { pk: `TOKEN#${hashToken(DUE)}` } })
    .resolves({ Item: { operatorId: 'MA0000001', expiresAt: NOW.getTime() - 1 } });
});

// the unit lane shares one module graph per worker (isolate: false): the document client is real again for the next file
afterAll(() => ddb.restore());

const reads = () => ddb.commandCalls(GetCommand).length;

it('reads a found token once, then answers from the process until its expiry', async () => {
  expect(await resolveToken(LIVE, NOW)).toBe('MA0000001');
  expect(reads()).toBe(1);
  expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
  expect(await resolveToken(LIVE, new Date(NOW.getTime() + 59_999))).toBe('MA0000001');
  expect(reads()).toBe(1);
  // at its expiry the kept token is refused, and without a read (an expired token stays expired)
  expect(await resolveToken(LIVE, new Date(NOW.getTime() + 60_000))).toBeUndefined();
  expect(reads()).toBe(1);
});

it('looks a token up every time while it is unknown or found expired', async () => {
  expect(await resolveToken(UNKNOWN, NOW)).toBeUndefined();
  expect(await resolveToken(UNKNOWN, NOW)).toBeUndefined();
  expect(await resolveToken(DUE, NOW)).toBeUndefined();
  expect(await resolveToken(DUE, NOW)).toBeUndefined();
  expect(reads()).toBe(4);
  // a token issued after a miss is found on its next use
  ddb
    .on(GetCommand, { Key: { pk: `TOKEN#${hashToken(UNKNOWN)}` } })
    .resolves({ Item: { operatorId: 'MA0000002', expiresAt: NOW.getTime() + 1 } });
  expect(await resolveToken(UNKNOWN, NOW)).toBe('MA0000002');
  expect(reads()).toBe(5);
});

it('never reads a token that is not token-shaped', async () => {
  expect(await resolveToken('short', NOW)).toBeUndefined();
  expect(await resolveToken('x'.repeat(64).concat(' '), NOW)).toBeUndefined();
  expect(reads()).toBe(0);
});
