/**
 * Access tokens we issue (table `tokens`).
 *
 * Access pattern: by token hash → GetItem pk = TOKEN#<sha256(token)>. The token itself is
 * never stored or logged; expired items are removed by DynamoDB TTL (`ttl`, epoch seconds),
 * and `expiresAt` is checked on read because TTL deletion is lazy.
 * Issuing a new token does not revoke the previous one: it stays valid until its own expiry
 * (parallel or retrying partner clients keep working).
 */
import { createHash, randomBytes } from 'node:crypto';
import { config } from '../config.ts';
import { GetCommand, PutCommand } from './doc.ts';
import { dynamo } from './dynamo.ts';

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

const table = () => config().tableName('tokens');

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  availableSeconds: number;
}

/** 32 random bytes, hex: 64 characters, like DiDi's tokens. */
export const issueToken = async (operatorId: string, now = new Date()): Promise<IssuedToken> => {
  const availableSeconds = config().TOKEN_TTL_SECONDS;
  const token = randomBytes(32).toString('hex');
  const expiresAt = new Date(now.getTime() + availableSeconds * 1000);
  await dynamo().send(
    new PutCommand({
      TableName: table(),
      Item: {
        pk: `TOKEN#${hashToken(token)}`,
        operatorId,
        issuedAt: now.toISOString(),
        expiresAt: expiresAt.getTime(),
        ttl: Math.ceil(expiresAt.getTime() / 1000),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { token, expiresAt, availableSeconds };
};

interface Resolved {
  operatorId: string;
  expiresAt: number;
}

/**
 * Tokens this process has found, by hash. A token is never revoked (see above) and its item never
 * changes, so one found holds until its own `expiresAt`: every request of a partner after its first
 * skips the strongly consistent GetItem (0.5 RCU and a round trip per request). Only found tokens
 * are kept (a guessed token is looked up every time), at most RESOLVED_MAX, the longest unused out first.
 */
const resolved = new Map<string, Resolved>();
const RESOLVED_MAX = 10_000;

const remember = (hash: string, r: Resolved): void => {
  if (resolved.size >= RESOLVED_MAX) {
    const oldest = resolved.keys().next();
    if (!oldest.done) resolved.delete(oldest.value);
  }
  resolved.set(hash, r);
};

/** Forget every found token (tests: each starts with an empty process). */
export const forgetResolvedTokens = (): void => resolved.clear();

/** The OperatorID the token was issued to, if the token is known and not expired. */
export const resolveToken = async (token: string, now = new Date()): Promise<string | undefined> => {
  if (!/^[0-9A-Za-z._~+/=-]{8,512}$/.test(token)) return undefined;
  const hash = hashToken(token);
  const known = resolved.get(hash);
  if (known) {
    resolved.delete(hash);
    if (known.expiresAt <= now.getTime()) return undefined;
    resolved.set(hash, known); // to the back: the ones evicted first are the longest unused
    return known.operatorId;
  }
  // consistent: a token used right after it was issued must be found
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `TOKEN#${hash}` }, ConsistentRead: true }));
  const item = res.Item as { operatorId?: string; expiresAt?: number } | undefined;
  if (!item?.operatorId || typeof item.expiresAt !== 'number' || item.expiresAt <= now.getTime()) return undefined;
  remember(hash, { operatorId: item.operatorId, expiresAt: item.expiresAt });
  return item.operatorId;
};
