/** Per-partner circuit breaker (BREAKER#<OperatorID> in the push table): consecutive failures, openUntil, probe lease. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

export type BreakerView =
  | { state: 'closed'; failures: number }
  | { state: 'open'; until: number }
  | { state: 'half-open'; openUntil: number };

const breakerKey = (partner: string) => ({ pk: `BREAKER#${partner}` });

export const readBreaker = async (partner: string, now: number): Promise<BreakerView> => {
  const res = await dynamo().send(new GetCommand({ TableName: pushTable(), Key: breakerKey(partner), ConsistentRead: true }));
  const item = res.Item;
  const openUntil = typeof item?.openUntil === 'number' ? item.openUntil : undefined;
  if (openUntil === undefined) return { state: 'closed', failures: typeof item?.failures === 'number' ? item.failures : 0 };
  if (openUntil > now) return { state: 'open', until: openUntil };
  return { state: 'half-open', openUntil };
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
  if (failures < threshold) return false;
  await dynamo().send(
    new UpdateCommand({
      TableName: pushTable(),
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
      TableName: pushTable(),
      Key: breakerKey(partner),
      UpdateExpression: 'SET failures = :zero REMOVE openUntil, probeUntil',
      ExpressionAttributeValues: { ':zero': 0 },
    }),
  );
};
