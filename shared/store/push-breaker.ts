/**
 * Per-partner circuit breaker (BREAKER#<OperatorID> in the push table): consecutive failures,
 * openUntil, probe lease. Read through a per-process cache of a few seconds (issue 9: a push pays
 * no read for it in steady state); what this process writes (a failure, an opening, a success)
 * updates the cache at once, and another instance's opening is seen within the cache's age.
 */
import { GetCommand, UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

export type BreakerView =
  | { state: 'closed'; failures: number }
  | { state: 'open'; until: number }
  | { state: 'half-open'; openUntil: number };

const breakerKey = (partner: string) => ({ pk: `BREAKER#${partner}` });

type Seen = { failures: number; openUntil?: number; at: number };
const seen = new Map<string, Seen>();

const viewOf = (s: Omit<Seen, 'at'>, now: number): BreakerView => {
  if (s.openUntil === undefined) return { state: 'closed', failures: s.failures };
  if (s.openUntil > now) return { state: 'open', until: s.openUntil };
  return { state: 'half-open', openUntil: s.openUntil };
};

/** The breaker as this process last saw it, read again when older than maxAgeMs (0: always read). */
export const readBreaker = async (partner: string, now: number, maxAgeMs = 0): Promise<BreakerView> => {
  const hit = seen.get(partner);
  // a half-open breaker is always read again: its probe may have closed it since
  if (hit && maxAgeMs > 0 && Date.now() - hit.at < maxAgeMs && viewOf(hit, now).state !== 'half-open') return viewOf(hit, now);
  const res = await dynamo().send(new GetCommand({ TableName: pushTable(), Key: breakerKey(partner), ConsistentRead: maxAgeMs === 0 }));
  const item = res.Item;
  const s = {
    failures: typeof item?.failures === 'number' ? item.failures : 0,
    ...(typeof item?.openUntil === 'number' ? { openUntil: item.openUntil } : {}),
  };
  seen.set(partner, { ...s, at: Date.now() });
  return viewOf(s, now);
};

/** Half-open: exactly one caller wins the probe lease (for leaseMs); the others keep holding. */
export const acquireProbe = (partner: string, openUntil: number, now: number, leaseMs: number): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: breakerKey(partner),
      UpdateExpression: 'SET probeUntil = :pu',
      ConditionExpression: 'openUntil = :ou AND (attribute_not_exists(probeUntil) OR probeUntil < :now)',
      ExpressionAttributeValues: { ':pu': now + leaseMs, ':ou': openUntil, ':now': now },
    }),
  );

/** A failed attempt: one more consecutive failure; at `threshold` the breaker (re)opens for cooldownMs. Returns true when it opened. */
export const recordFailure = async (partner: string, now: number, threshold: number, cooldownMs: number): Promise<boolean> => {
  const res = await dynamo().send(
    new UpdateCommand({
      TableName: pushTable(),
      Key: breakerKey(partner),
      UpdateExpression: 'ADD failures :one SET lastFailureAt = :now, expiresAt = :exp',
      ExpressionAttributeValues: { ':one': 1, ':now': now, ':exp': epochSeconds(now + 30 * DAY_MS) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const failures = Number(res.Attributes?.failures ?? 0);
  const prev = seen.get(partner);
  seen.set(partner, { ...prev, failures, at: prev?.at ?? Date.now() });
  if (failures < threshold) return false;
  await dynamo().send(
    new UpdateCommand({
      TableName: pushTable(),
      Key: breakerKey(partner),
      UpdateExpression: 'SET openUntil = :ou REMOVE probeUntil',
      ExpressionAttributeValues: { ':ou': now + cooldownMs },
    }),
  );
  seen.set(partner, { failures, openUntil: now + cooldownMs, at: Date.now() });
  return true;
};

/** A delivered push closes the breaker (only written when it was not already clean). */
export const recordSuccess = async (partner: string, view: BreakerView): Promise<void> => {
  if (view.state === 'closed' && view.failures === 0) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: pushTable(),
      Key: breakerKey(partner),
      UpdateExpression: 'SET failures = :zero REMOVE openUntil, probeUntil',
      ExpressionAttributeValues: { ':zero': 0 },
    }),
  );
  seen.set(partner, { failures: 0, at: Date.now() });
};
