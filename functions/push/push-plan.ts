/**
 * Platform events (SQS, from the EventBridge rules) → one delivery message per partner and push on
 * `push-deliveries` (the rules: shared/services/push-planning.ts, shared/push/plan.ts). The
 * deliveries of the whole batch leave together (SendMessageBatch of 10 across events).
 * A failure to plan or enqueue fails the record: SQS redelivers the event (duplicates are harmless:
 * the ordering gate drops a status already delivered, partners key orders on StartChargeSeq).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PushEventsQueue } from '../../events/queues.ts';
import { planAndEnqueue } from '../../shared/services/push-planning.ts';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await planAndEnqueue(event.Records.map((r) => () => PushEventsQueue.parse(r.body)));
  return { batchItemFailures: failed.map((i) => ({ itemIdentifier: event.Records[i]?.messageId ?? '' })) };
};
