/**
 * Push state in DynamoDB (table `push-state`, pk only, TTL on `expiresAt`):
 *
 *   TOKEN#<partner endpoint>        the partner's access token, shared by every push function
 *   BREAKER#<OperatorID>            per-partner circuit breaker (consecutive failures, openUntil, probe lease)
 *   GATE#<OperatorID>#<key>         ordering: last delivered version + a short lease while one push is in flight
 *   THROTTLE#<StartChargeSeq>       last notification_equip_charge_status enqueued (per order)
 *   SLOT#<OperatorID>#<i>           per-partner concurrency: one lease per push in flight (i < PUSH_PARTNER_CONCURRENCY)
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo, isConditionalFailure } from '../store/dynamo.ts';
import type { TokenCache } from '../tcec/client.ts';

const table = () => config().tableName('push-state');
const epochSeconds = (ms: number) => Math.floor(ms / 1000);
const DAY_MS = 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------
// tokens

/** TcecClient TokenCache over DynamoDB, with a process-local first level. */
export class DynamoTokenCache implements TokenCache {
  private readonly local = new Map<string, { token: string; expiresAt: number }>();

  async get(key: string): Promise<{ token: string; expiresAt: number } | undefined> {
    const hit = this.local.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit;
    const res = await dynamo().send(new GetCommand({ TableName: table(), Key: { pk: `TOKEN#${key}` }, ConsistentRead: true }));
    const item = res.Item;
    if (!item || typeof item.token !== 'string' || typeof item.tokenExpiresAt !== 'number') return undefined;
    const v = { token: item.token, expiresAt: item.tokenExpiresAt };
    this.local.set(key, v);
    return v;
  }

  /** a refused token leaves the local level, so the next get sees what other instances stored */
  async invalidate(key: string, token: string): Promise<void> {
    if (this.local.get(key)?.token === token) this.local.delete(key);
  }

  async set(key: string, v: { token: string; expiresAt: number }): Promise<void> {
    this.local.set(key, { ...v });
    await dynamo().send(
      new PutCommand({
        TableName: table(),
        Item: { pk: `TOKEN#${key}`, token: v.token, tokenExpiresAt: v.expiresAt, expiresAt: epochSeconds(v.expiresAt) + 3600 },
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// circuit breaker

export type BreakerView =
  | { state: 'closed'; failures: number }
  | { state: 'open'; until: number }
  | { state: 'half-open'; openUntil: number };

const breakerKey = (partner: string) => ({ pk: `BREAKER#${partner}` });

export const readBreaker = async (partner: string, now: number): Promise<BreakerView> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: breakerKey(partner), ConsistentRead: true }));
  const item = res.Item;
  const openUntil = typeof item?.openUntil === 'number' ? item.openUntil : undefined;
  if (openUntil === undefined) return { state: 'closed', failures: typeof item?.failures === 'number' ? item.failures : 0 };
  if (openUntil > now) return { state: 'open', until: openUntil };
  return { state: 'half-open', openUntil };
};

/** Half-open: exactly one caller wins the probe lease (for leaseMs); the others keep holding. */
export const acquireProbe = async (partner: string, openUntil: number, now: number, leaseMs: number): Promise<boolean> => {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: breakerKey(partner),
        UpdateExpression: 'SET probeUntil = :pu',
        ConditionExpression: 'openUntil = :ou AND (attribute_not_exists(probeUntil) OR probeUntil < :now)',
        ExpressionAttributeValues: { ':pu': now + leaseMs, ':ou': openUntil, ':now': now },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
};

/** A failed attempt: one more consecutive failure; at `threshold` the breaker (re)opens for cooldownMs. Returns true when it opened. */
export const recordFailure = async (partner: string, now: number, threshold: number, cooldownMs: number): Promise<boolean> => {
  const res = await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: breakerKey(partner),
      UpdateExpression: 'ADD failures :one SET lastFailureAt = :now, expiresAt = :exp',
      ExpressionAttributeValues: { ':one': 1, ':now': now, ':exp': epochSeconds(now + 30 * DAY_MS) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const failures = Number(res.Attributes?.failures ?? 0);
  if (failures < threshold) return false;
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: breakerKey(partner),
      UpdateExpression: 'SET openUntil = :ou REMOVE probeUntil',
      ExpressionAttributeValues: { ':ou': now + cooldownMs },
    }),
  );
  return true;
};

/** A delivered push closes the breaker (only written when it was not already clean). */
export const recordSuccess = async (partner: string, seen: BreakerView): Promise<void> => {
  if (seen.state === 'closed' && seen.failures === 0) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: breakerKey(partner),
      UpdateExpression: 'SET failures = :zero REMOVE openUntil, probeUntil',
      ExpressionAttributeValues: { ':zero': 0 },
    }),
  );
};

// ---------------------------------------------------------------------------------------------
// per-partner concurrency

/**
 * Take one of the partner's `slots` in-flight leases (expiring after leaseMs, so a crashed push
 * frees its slot). Returns the slot to release, or undefined when every slot is taken.
 */
export const acquireSlot = async (
  partner: string,
  slots: number,
  now: number,
  leaseMs: number,
): Promise<{ pk: string; owner: string } | undefined> => {
  const owner = randomUUID();
  const first = Math.floor(Math.random() * slots);
  for (let k = 0; k < slots; k++) {
    const pk = `SLOT#${partner}#${(first + k) % slots}`;
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk },
          UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :lu, expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':o': owner, ':lu': now + leaseMs, ':now': now, ':exp': epochSeconds(now + DAY_MS) },
        }),
      );
      return { pk, owner };
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
    }
  }
  return undefined;
};

export const releaseSlot = async (slot: { pk: string; owner: string }): Promise<void> => {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: slot.pk },
        UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :o',
        ExpressionAttributeValues: { ':o': slot.owner },
      }),
    );
  } catch (err) {
    if (!isConditionalFailure(err)) throw err; // expired and taken over: nothing to release
  }
};

// ---------------------------------------------------------------------------------------------
// ordering gate

export type GateResult = { outcome: 'acquired'; owner: string } | { outcome: 'stale'; delivered: number } | { outcome: 'busy' };

const gateKey = (partner: string, key: string) => ({ pk: `GATE#${partner}#${key}` });

/**
 * Take the (partner, key) lease to push `version`: only when nothing newer or equal was delivered,
 * nothing newer was ever ATTEMPTED (an attempt whose answer was lost may still have reached the
 * partner), and no other push of that key is in flight. So a partner never receives an older
 * version after a newer one.
 */
export const acquireGate = async (partner: string, key: string, version: number, now: number, leaseMs: number): Promise<GateResult> => {
  const owner = randomUUID();
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: gateKey(partner, key),
        UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :lu, leaseVersion = :v, attempted = :v, expiresAt = :exp',
        ConditionExpression:
          '(attribute_not_exists(delivered) OR delivered < :v) AND (attribute_not_exists(attempted) OR attempted <= :v) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: {
          ':o': owner,
          ':lu': now + leaseMs,
          ':v': version,
          ':now': now,
          ':exp': epochSeconds(now + 30 * DAY_MS),
        },
      }),
    );
    return { outcome: 'acquired', owner };
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
  }
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: gateKey(partner, key), ConsistentRead: true }));
  const delivered = typeof res.Item?.delivered === 'number' ? res.Item.delivered : -1;
  if (delivered >= version) return { outcome: 'stale', delivered };
  // a NEWER version was attempted: it may have reached the partner, so this one must not follow it
  if (typeof res.Item?.attempted === 'number' && res.Item.attempted > version) return { outcome: 'stale', delivered };
  // a NEWER version is in flight: this one is superseded (if that push fails it is retried, and it is newer)
  const leased =
    typeof res.Item?.leaseVersion === 'number' && typeof res.Item.leaseUntil === 'number' && res.Item.leaseUntil >= now
      ? res.Item.leaseVersion
      : -1;
  if (leased > version) return { outcome: 'stale', delivered };
  return { outcome: 'busy' };
};

/** Release the lease; on success record `version` as delivered. */
export const releaseGate = async (partner: string, key: string, owner: string, deliveredVersion?: number): Promise<void> => {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: gateKey(partner, key),
        UpdateExpression:
          deliveredVersion !== undefined
            ? 'SET delivered = :v REMOVE leaseOwner, leaseUntil, leaseVersion'
            : 'REMOVE leaseOwner, leaseUntil, leaseVersion',
        ConditionExpression: 'leaseOwner = :o',
        ExpressionAttributeValues: { ':o': owner, ...(deliveredVersion !== undefined ? { ':v': deliveredVersion } : {}) },
      }),
    );
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
    // the lease expired and another push took over: record the delivery only if still newest
    if (deliveredVersion !== undefined) {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: table(),
            Key: gateKey(partner, key),
            UpdateExpression: 'SET delivered = :v',
            ConditionExpression: 'attribute_not_exists(delivered) OR delivered < :v',
            ExpressionAttributeValues: { ':v': deliveredVersion },
          }),
        );
      } catch (e) {
        if (!isConditionalFailure(e)) throw e;
      }
    }
  }
};

/**
 * Is `version` already superseded for (partner, key) — something newer or equal delivered, something
 * newer attempted or in flight? A plain read, taken before any lease, so that a backlog of old
 * statuses drains cheaply.
 */
export const supersededAt = async (partner: string, key: string, version: number, now: number): Promise<boolean> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: gateKey(partner, key), ConsistentRead: true }));
  const i = res.Item;
  if (!i) return false;
  if (typeof i.delivered === 'number' && i.delivered >= version) return true;
  if (typeof i.attempted === 'number' && i.attempted > version) return true;
  return typeof i.leaseVersion === 'number' && typeof i.leaseUntil === 'number' && i.leaseUntil >= now && i.leaseVersion > version;
};

export const deliveredVersion = async (partner: string, key: string): Promise<number | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: gateKey(partner, key), ConsistentRead: true }));
  return typeof res.Item?.delivered === 'number' ? res.Item.delivered : undefined;
};

// ---------------------------------------------------------------------------------------------
// equip charge status throttle

/** True (and recorded) when no status push of this order was enqueued within intervalMs before `sampleAt`. */
export const claimStatusSlot = async (seq: string, sampleAt: number, intervalMs: number): Promise<boolean> => {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: `THROTTLE#${seq}` },
        UpdateExpression: 'SET lastAt = :t, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :limit',
        ExpressionAttributeValues: { ':t': sampleAt, ':limit': sampleAt - intervalMs, ':exp': epochSeconds(sampleAt + 2 * DAY_MS) },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
};
