/** Per-partner concurrency (SLOT#<OperatorID>#<i> in the push table): one lease per push in flight. */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

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
    const taken = await conditionalWrite(
      dynamo(),
      new UpdateCommand({
        TableName: pushTable(),
        Key: { pk },
        UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :lu, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
        ExpressionAttributeValues: { ':o': owner, ':lu': now + leaseMs, ':now': now, ':exp': epochSeconds(now + DAY_MS) },
      }),
    );
    if (taken) return { pk, owner };
  }
  return undefined;
};

/** Release a slot; a lease that expired and was taken over is left to its new owner. */
export const releaseSlot = async (slot: { pk: string; owner: string }): Promise<void> => {
  await conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: { pk: slot.pk },
      UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
      ConditionExpression: 'leaseOwner = :o',
      ExpressionAttributeValues: { ':o': slot.owner },
    }),
  );
};
