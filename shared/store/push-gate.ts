/**
 * Ordering gate (GATE#<OperatorID>#<key> in the push table): the last version delivered to a
 * partner for a key (a connector, an order), the newest version attempted, and a short lease
 * while one push of that key is in flight. So a partner never receives an older version after a
 * newer one.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

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
  const acquired = await conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
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
  if (acquired) return { outcome: 'acquired', owner };
  const res = await dynamo().send(new GetCommand({ TableName: pushTable(), Key: gateKey(partner, key), ConsistentRead: true }));
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
  const released = await conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: gateKey(partner, key),
      UpdateExpression:
        deliveredVersion !== undefined
          ? 'SET delivered = :v REMOVE leaseOwner, leaseUntil, leaseVersion'
          : 'REMOVE leaseOwner, leaseUntil, leaseVersion',
      ConditionExpression: 'leaseOwner = :o',
      ExpressionAttributeValues: { ':o': owner, ...(deliveredVersion !== undefined ? { ':v': deliveredVersion } : {}) },
    }),
  );
  if (released || deliveredVersion === undefined) return;
  // the lease expired and another push took over: record the delivery only if still newest
  await conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: gateKey(partner, key),
      UpdateExpression: 'SET delivered = :v',
      ConditionExpression: 'attribute_not_exists(delivered) OR delivered < :v',
      ExpressionAttributeValues: { ':v': deliveredVersion },
    }),
  );
};

/**
 * Is `version` already superseded for (partner, key) — something newer or equal delivered, something
 * newer attempted or in flight? A plain read, taken before any lease, so that a backlog of old
 * statuses drains cheaply.
 */
export const supersededAt = async (partner: string, key: string, version: number, now: number): Promise<boolean> => {
  const res = await dynamo().send(new GetCommand({ TableName: pushTable(), Key: gateKey(partner, key), ConsistentRead: true }));
  const i = res.Item;
  if (!i) return false;
  if (typeof i.delivered === 'number' && i.delivered >= version) return true;
  if (typeof i.attempted === 'number' && i.attempted > version) return true;
  return typeof i.leaseVersion === 'number' && typeof i.leaseUntil === 'number' && i.leaseUntil >= now && i.leaseVersion > version;
};
