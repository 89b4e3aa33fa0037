/**
 * One reconciliation run per message (`reconcile-runs`): check_charge_orders with one partner for
 * one China-time day. An unreachable partner's message is re-sent with a backoff delay (the copy is
 * written before the original is acknowledged); after RECONCILE_MAX_ATTEMPTS it is parked: the
 * parked copy fails on every receive until maxReceiveCount moves it to the DLQ (alarm).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { ReconcileRunsQueue } from '../../events/queues.ts';
import { send, visibleNow } from '../../shared/bus/send.ts';
import { runFromMessage } from '../../shared/services/reconcile.ts';

const processor = new BatchProcessor(EventType.SQS);

class ParkedRun extends Error {
  override readonly name = 'ParkedRun';
}

const record = async (r: SQSRecord): Promise<void> => {
  const m = ReconcileRunsQueue.parse(r.body);
  logger.appendKeys({ OperatorID: m.OperatorID, day: m.day });
  if (m.parked) {
    await visibleNow(ReconcileRunsQueue, r.receiptHandle);
    throw new ParkedRun(`parked: ${m.parked}`);
  }
  const next = await runFromMessage(m);
  switch (next.action) {
    case 'done':
      return;
    case 'retry':
      logger.warn('reconciliation retried later', {
        attempt: next.message.attempt,
        delaySeconds: next.delaySeconds,
        issue: next.message.lastError,
      });
      await send(ReconcileRunsQueue, next.message, { delaySeconds: next.delaySeconds });
      return;
    case 'park':
      logger.error('reconciliation parked for the DLQ', { attempt: next.message.attempt, reason: next.message.parked });
      await send(ReconcileRunsQueue, next.message);
      return;
  }
};

export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, record, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
