/**
 * Failed attempts of a push that holds its queue's message group (TRY#<OperatorID>#<push id>#<createdAt>
 * in the push table). A held push is the SAME message received again after its backoff (its
 * visibility), so its body cannot carry the count; SQS's ApproximateReceiveCount cannot either: the
 * pushes behind it in its group are received (and handed back) with it, and a breaker's hold is a
 * receive too. So each failed attempt adds one here, and the deliverer parks the push in the DLQ
 * after the profile's number of REAL attempts.
 *
 *   failed attempt   1 write (ADD, the new count in the answer: no read)
 *   delivered push   0
 *
 * `createdAt` is in the key: a push replayed from the DLQ keeps its id and comes back with a fresh budget.
 */
import { UpdateCommand } from './doc.ts';
import { dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

export interface FailedAttempts {
  /** failed attempts so far, this one included */
  attempt: number;
  /** of which answered 4001/4003/4004 */
  permanent: number;
}

/** Count one failed attempt of a held push; the counts so far, this one included. */
export const countFailedAttempt = async (
  push: { partner: string; id: string; createdAt: number },
  permanent: boolean,
  now: number,
): Promise<FailedAttempts> => {
  const res = await dynamo().send(
    new UpdateCommand({
      TableName: pushTable(),
      Key: { pk: `TRY#${push.partner}#${push.id}#${push.createdAt}` },
      UpdateExpression: 'ADD attempts :one, permanent :p SET expiresAt = :exp',
      ExpressionAttributeValues: { ':one': 1, ':p': permanent ? 1 : 0, ':exp': epochSeconds(now + 30 * DAY_MS) },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return { attempt: Number(res.Attributes?.attempts ?? 1), permanent: Number(res.Attributes?.permanent ?? 0) };
};
