/**
 * Ordering gate (GATE#<OperatorID>#<key> in the push table): so a partner never receives an older
 * version of a key (a connector, an order's charge status, a settlement) after a newer one.
 *
 * Issue 9 §3: ONE conditional write, and no lease. Mutual exclusion — one push of a (partner, key)
 * at a time — is the FIFO queue's message group (shared/push/queue.ts): SQS never hands out a
 * group's next message while one is in flight. What a queue cannot know is supersession: the
 * planner's queue delivers events in any order, and a retried copy goes to the back of its group,
 * behind newer versions. So before pushing, the deliverer records the version as `attempted` only
 * if nothing newer was ever attempted (an attempt whose answer was lost may have reached the
 * partner, so an older one must not follow it). A re-attempt of the same version is allowed (a
 * retry). The condition is the check: no pre-read.
 *
 *   claim          1 write          every gated push, steady state and burst alike
 *   stale          1 failed write   a superseded push, or a second copy of a start result (dropped, never sent)
 */
import { UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

const gateKey = (partner: string, key: string) => ({ pk: `GATE#${partner}#${key}` });

/**
 * Record `version` as attempted for (partner, key); false when a newer version was already attempted
 * (stale). With `copy` (a push sent once per key: a start result), the same version is attempted
 * again only by the same copy — its own retries — and another copy of it is stale once one was
 * attempted (a copy planned beyond SQS's 5-minute deduplication: the planner's after the charging
 * consumer's, a redelivered event's). The same one write; a gate written before copies were named
 * takes the next copy.
 */
export const claimVersion = (partner: string, key: string, version: number, now: number, copy?: string): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: gateKey(partner, key),
      UpdateExpression: `SET attempted = :v, expiresAt = :exp${copy === undefined ? '' : ', attemptedCopy = :c'}`,
      ConditionExpression:
        copy === undefined
          ? 'attribute_not_exists(attempted) OR attempted <= :v'
          : 'attribute_not_exists(attempted) OR attempted < :v OR (attempted = :v AND (attemptedCopy = :c OR attribute_not_exists(attemptedCopy)))',
      ExpressionAttributeValues: { ':v': version, ':exp': epochSeconds(now + 30 * DAY_MS), ...(copy === undefined ? {} : { ':c': copy }) },
    }),
  );

/**
 * A copy of a start result given up on (parked in the DLQ): its claim no longer names it, so a later
 * copy of the same version — the charging consumer's, queued behind it in the order's group — may
 * still go out ahead of the charge statuses. Nothing when a newer version or another copy holds the
 * gate. One conditional write, only when a start result is parked.
 */
export const releaseCopy = (partner: string, key: string, version: number, copy: string): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: pushTable(),
      Key: gateKey(partner, key),
      UpdateExpression: 'REMOVE attemptedCopy',
      ConditionExpression: 'attempted = :v AND attemptedCopy = :c',
      ExpressionAttributeValues: { ':v': version, ':c': copy },
    }),
  );
