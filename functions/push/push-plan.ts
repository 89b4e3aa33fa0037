/**
 * Platform events (SQS, from the EventBridge rules) → one delivery message per partner and push on
 * `push-deliveries` (the rules: shared/services/push-planning.ts, shared/push/plan.ts).
 * A failure to enqueue fails the record: SQS redelivers the event (duplicates are harmless: the
 * ordering gate drops a status already delivered, partners key orders on StartChargeSeq).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { PushEventsQueue } from '../../events/queues.ts';
import { enqueueDeliveries } from '../../shared/push/queue.ts';
import { planPushes } from '../../shared/services/push-planning.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  const deliveries = await planPushes(PushEventsQueue.parse(r.body));
  if (deliveries.length > 0) await enqueueDeliveries(deliveries);
};

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, record, processor, { context });
