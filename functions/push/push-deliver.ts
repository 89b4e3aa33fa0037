/**
 * One push per message (`push-deliveries`, and the supervision lane `push-supervision`): attempt it, then delete it (delivered, ignored, stale),
 * re-send it with a delay (retry backoff, breaker hold, ordering wait, long-wait hop) or park it.
 * The re-sent copy is written BEFORE the original is acknowledged, so a push is never outside a
 * queue; a parked copy fails on every receive (visible again at once) until maxReceiveCount moves
 * it to the DLQ with the partner's last Msg in its body.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, MetricUnit, metrics } from '#powertools';
import { QueueMessageError } from '../../events/define.ts';
import { PushDeliveriesQueue } from '../../events/queues.ts';
import { deliver } from '../../shared/push/deliver.ts';
import { deliveryLogKeys } from '../../shared/push/log-keys.ts';
import type { Delivery } from '../../shared/push/messages.ts';
import { type Lane, resend, visibleNow } from '../../shared/push/queue.ts';

export class ParkedMessage extends Error {
  override readonly name = 'ParkedMessage';
}

const record = async (r: SQSRecord, lane: Lane): Promise<void> => {
  let m: Delivery;
  try {
    m = PushDeliveriesQueue.parse(r.body);
  } catch (err) {
    if (!(err instanceof QueueMessageError)) throw err;
    // not a delivery we can ever send: keep it failing into the DLQ for a human
    logger.error('malformed delivery message', { messageId: r.messageId, issue: err.message });
    await visibleNow(r.receiptHandle, lane);
    throw new ParkedMessage('malformed delivery message');
  }
  const started = Date.now();
  const result = await deliver(m);
  logger.info('push attempt', {
    ...deliveryLogKeys(m),
    attempt: m.attempt,
    outcome: result.action === 'resend' ? result.note : result.action,
    durationMs: Date.now() - started,
    ...(result.action === 'resend' ? { detail: `again in ${result.delaySeconds} s` } : {}),
  });
  switch (result.action) {
    case 'done':
      return;
    case 'resend':
      await resend(result.message, result.delaySeconds);
      return;
    case 'park':
      logger.error('push parked for the DLQ', {
        ...deliveryLogKeys(m),
        reason: result.message.parked?.reason,
      });
      await resend(result.message, 0);
      return;
    case 'dead':
      await visibleNow(r.receiptHandle, lane);
      throw new ParkedMessage(`parked: ${m.id}`);
  }
};

/** The handler of one lane's queue (the supervision lane: functions/push/push-deliver-supervision.ts). */
export const deliveryHandler = (lane: Lane) => {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event: SQSEvent, context: Context) => {
    // one metric per batch at least: a batch whose pushes were all skipped (superseded) still publishes
    metrics.addMetric('PushRecords', MetricUnit.Count, event.Records.length);
    try {
      return await processPartialResponse(event, (r: SQSRecord) => record(r, lane), processor, {
        context,
        processInParallel: true,
        throwOnFullBatchFailure: false,
      });
    } finally {
      // in Lambda this batch's metrics are always there; in the local runtime, concurrent invocations
      // share this process's Metrics and another one may have flushed them already
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
};

export const handler = deliveryHandler('commercial');
