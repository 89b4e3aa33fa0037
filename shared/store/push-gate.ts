/**
 * Ordering gate (GATE#<OperatorID>#<key> in the push table): so a partner never receives an older
 * version of a key (a connector, an order) after a newer one.
 *
 * ONE conditional write is the gate (issue 9): the claim records the version as `attempted` and
 * takes a lease for the attempt's worst-case duration, only when nothing newer or equal was
 * delivered, nothing newer was ever attempted (an attempt whose answer was lost may still have
 * reached the partner) and no other push of the key is in flight. A claim that loses gets the
 * item back from the same call (ReturnValuesOnConditionCheckFailure), so stale vs busy costs no
 * read, and no pre-read of supersession is needed.
 *
 * The lease of a successful push is NOT released when the key is quiet (steady state: one write per
 * push); it simply expires. Only a key that is hot — claimed again within one lease — gets a
 * release write after success, so a burst of versions of one connector is not held for a whole
 * lease each. The claim keeps the previous claim's time (`prevClaimedAt`), so a waiter sees from the
 * same item whether the holder will release (retry in a second) or let the lease expire (retry at
 * its end). A failed attempt always releases its lease.
 *
 *   claim (quiet)          1 write             steady state (charge-status pushes of an order, 50 s apart)
 *   claim (hot) + release  2 writes            a burst of versions of one key, and every connector
 *                                              status push (claimed with alwaysRelease: a status that
 *                                              follows within a lease must not wait for it)
 *   stale / busy           1 failed write      the returned item decides
 */
import { randomUUID } from 'node:crypto';
import { ReturnValuesOnConditionCheckFailure } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { conditionalWrite, dynamo, isConditionalFailure } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

export type GateResult =
  | { outcome: 'acquired'; owner: string; release: boolean }
  | { outcome: 'stale' }
  | { outcome: 'busy'; retryInMs: number };

const gateKey = (partner: string, key: string) => ({ pk: `GATE#${partner}#${key}` });

type GateItem = {
  delivered?: number;
  attempted?: number;
  leaseVersion?: number;
  leaseUntil?: number;
  claimedAt?: number;
  prevClaimedAt?: number;
  /** the holder releases after success whatever the key's rhythm (connector status: latency first) */
  rel?: boolean;
};

/** a claim within one lease of the previous one: the key is hot and its holder releases after the push */
const isHot = (claimedAt: number, prevClaimedAt: number | undefined, leaseMs: number): boolean =>
  prevClaimedAt !== undefined && prevClaimedAt > 0 && claimedAt - prevClaimedAt < leaseMs;

const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);

/** Why a claim of `version` lost, from the item as it was: stale (superseded) or busy (wait, then try again). */
const lostClaim = (i: GateItem, version: number, now: number): GateResult => {
  if ((i.delivered ?? -1) >= version) return { outcome: 'stale' };
  // a NEWER version was attempted: it may have reached the partner, so this one must not follow it
  if ((i.attempted ?? -1) > version) return { outcome: 'stale' };
  const leaseUntil = i.leaseUntil ?? 0;
  // a NEWER version in flight supersedes this one (if that push fails it is retried, and it is newer)
  if (leaseUntil >= now && (i.leaseVersion ?? -1) > version) return { outcome: 'stale' };
  const claimedAt = i.claimedAt ?? 0;
  const releases = i.rel === true || isHot(claimedAt, i.prevClaimedAt, leaseUntil - claimedAt);
  return { outcome: 'busy', retryInMs: releases ? 1000 : Math.max(1000, leaseUntil - now + 1) };
};

/**
 * Claim (partner, key) to push `version` — see the header. `alwaysRelease`: the holder releases after
 * success even on a quiet key (2 writes), and waiters know it — for keys whose next version may follow
 * within a lease and must not wait for it (a connector's status: plugged, then charging seconds later).
 */
export const claimGate = async (
  partner: string,
  key: string,
  version: number,
  now: number,
  leaseMs: number,
  alwaysRelease = false,
): Promise<GateResult> => {
  const owner = randomUUID();
  try {
    const res = await dynamo().send(
      new UpdateCommand({
        TableName: pushTable(),
        Key: gateKey(partner, key),
        // the right-hand side reads the item as it was: prevClaimedAt is the last claim's time
        UpdateExpression:
          'SET prevClaimedAt = if_not_exists(claimedAt, :zero), leaseOwner = :o, leaseUntil = :lu, leaseVersion = :v, attempted = :v, claimedAt = :now, expiresAt = :exp, rel = :rel',
        ConditionExpression:
          '(attribute_not_exists(delivered) OR delivered < :v) AND (attribute_not_exists(attempted) OR attempted <= :v) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: {
          ':o': owner,
          ':lu': now + leaseMs,
          ':v': version,
          ':now': now,
          ':exp': epochSeconds(now + 30 * DAY_MS),
          ':zero': 0,
          ':rel': alwaysRelease,
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure.ALL_OLD,
      }),
    );
    return { outcome: 'acquired', owner, release: alwaysRelease || isHot(now, num(res.Attributes?.claimedAt), leaseMs) };
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
    const raw = (err as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    const item = raw ? (unmarshall(raw) as GateItem) : {};
    return lostClaim(item, version, now);
  }
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
