/** notification_equip_charge_status throttle (THROTTLE#<StartChargeSeq> in the push table): the last status push enqueued per order. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

/** True (and recorded) when no status push of this order was enqueued within intervalMs before `sampleAt`. */
export const claimStatusSlot = (seq: string, sampleAt: number, intervalMs: number): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: { pk: `THROTTLE#${seq}` },
      UpdateExpression: 'SET lastAt = :t, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :limit',
      ExpressionAttributeValues: { ':t': sampleAt, ':limit': sampleAt - intervalMs, ':exp': epochSeconds(sampleAt + 2 * DAY_MS) },
    }),
  );
