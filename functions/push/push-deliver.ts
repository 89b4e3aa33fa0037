/**
 * One push per message (`push-deliveries`, and the supervision lane `push-supervision`, both FIFO):
 * attempt it, then delete it (delivered, ignored, stale, final), hold it (a retry's backoff, a
 * breaker hold, a partner turn: the same message kept in flight, its group waiting behind it, so an
 * order's pushes never overtake one another), re-send a copy behind newer ones (a connector status:
 * latest wins) or park it: to the lane's DLQ, sent by the deliverer after the push's real attempts
 * (shared/store/push-attempts.ts), never by SQS's receive count (maxReceiveCount is only the
 * backstop of a record that crashes its consumer). Copies are written BEFORE the original is
 * acknowledged, so a push is never outside a queue.
 *
 * A batch holds several message groups: groups run side by side, a group's records one after the
 * other in their order. A record that stays (held, failed) keeps the rest of its group in the queue
 * too — reported as failures and made visible again at once, behind it in order. A record is started
 * only while the invocation has time left for its worst case (shared/push/batch.ts): the rest of
 * its group is released at once rather than left in flight by a timed-out invocation.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, MetricUnit, metrics } from '#powertools';
import { QueueMessageError } from '../../events/define.ts';
import { PushDeliveriesQueue } from '../../events/queues.ts';
import { withPartnerMetrics } from '../../shared/observability/partner-metric.ts';
import { runBatch } from '../../shared/push/batch.ts';
import { pushConfig } from '../../shared/push/config.ts';
import { deliver } from '../../shared/push/deliver.ts';
import { deliveryLogKeys } from '../../shared/push/log-keys.ts';
import type { Delivery } from '../../shared/push/messages.ts';
import { acknowledge, holdFor, type Lane, parkInDlq, parkRawInDlq, resend, visibleNow } from '../../shared/push/queue.ts';

/** the DynamoDB and SQS calls around one push (breaker, gate, re-send, delete) */
const RECORD_MARGIN_MS = 2000;
/** the batch answers this long before the function's timeout, whatever still runs (shared/push/batch.ts) */
const DEADLINE_MARGIN_MS = 1500;
/** a record whose handling threw (a store call failed) is received again after this, not after the visibility timeout */
const FAILED_RECORD_RETRY_SECONDS = 5;

/** true: done with (delete it); false: it stays in the queue (held until due) */
const record = async (r: SQSRecord, lane: Lane): Promise<boolean> => {
  let m: Delivery;
  try {
    m = PushDeliveriesQueue.parse(r.body);
  } catch (err) {
    if (!(err instanceof QueueMessageError)) throw err;
    // not a delivery we can ever send: to the DLQ as it is, for a human
    logger.error('malformed delivery message', { messageId: r.messageId, issue: err.message });
    await parkRawInDlq({ body: r.body, messageId: r.messageId, group: r.attributes.MessageGroupId }, lane);
    return true;
  }
  const started = Date.now();
  const result = await deliver(m);
  if (result.action === 'wait' && result.note === 'due') {
    await holdFor(r.receiptHandle, lane, result.seconds);
    return false;
  }
  // the audit line of every push (`evcs trace` shows it by its keys); the push's id only where the
  // message lives on (a re-send, a hold, the DLQ): ~90 B less on every delivered push (issue 9 §2)
  const { id, ...keys } = deliveryLogKeys(m);
  logger.info('push attempt', {
    ...keys,
    ...(result.action === 'done' ? {} : { id }),
    attempt: m.attempt,
    outcome: result.action === 'resend' || result.action === 'wait' ? result.note : result.action,
    durationMs: Date.now() - started,
    ...(result.action === 'resend' ? { detail: `again in ${result.delaySeconds} s, behind newer statuses` } : {}),
    ...(result.action === 'wait' ? { detail: `again in ${result.seconds} s, holding its group` } : {}),
  });
  switch (result.action) {
    case 'done':
      return true;
    case 'resend':
      await resend(result.message, result.delaySeconds);
      return true;
    case 'wait':
      // the same message again at the head of its group after `seconds`: nothing behind it overtakes it
      await holdFor(r.receiptHandle, lane, result.seconds);
      return false;
    case 'park':
      logger.error('push parked in the DLQ', {
        ...deliveryLogKeys(m),
        reason: result.message.parked?.reason,
      });
      await parkInDlq(result.message, lane);
      return true;
  }
};

/** The handler of one lane's queue (the supervision lane: functions/push/push-deliver-supervision.ts). */
export const deliveryHandler = (lane: Lane) => {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    // one metric per batch at least: a batch whose pushes were all skipped (superseded) still publishes
    metrics.addMetric('PushRecords', MetricUnit.Count, event.Records.length);
    try {
      const { PUSH_TIMEOUT_MS } = pushConfig();
      // the per-partner counts of the batch's pushes: one EMF record per partner, not one per value
      const failed = await withPartnerMetrics(() =>
        runBatch(
          event.Records.map((r) => ({ messageId: r.messageId, group: r.attributes.MessageGroupId ?? r.messageId, r })),
          {
            run: ({ r }) => record(r, lane),
            release: ({ r }) => visibleNow(r.receiptHandle, lane),
            acknowledge: ({ r }) => acknowledge(r.receiptHandle, lane),
            retrySoon: ({ r }, err) => {
              logger.error('push record failed: received again shortly', { messageId: r.messageId, error: err as Error });
              return holdFor(r.receiptHandle, lane, FAILED_RECORD_RETRY_SECONDS);
            },
            marginMs: DEADLINE_MARGIN_MS,
            remainingMs: () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY,
            // a turn's wait (PUSH_TIMEOUT_MS), then query_token, the push, a re-token and the push again, then the queue calls
            recordBudgetMs: 5 * PUSH_TIMEOUT_MS + RECORD_MARGIN_MS,
            outOfTime: (left) =>
              logger.warn('push batch out of time: the rest of a group goes back to the queue, in order', {
                messageGroupId: left[0]?.group,
                records: left.length,
                remainingMs: context?.getRemainingTimeInMillis(),
              }),
          },
        ),
      );
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      // in Lambda this batch's metrics are always there; in the local runtime, concurrent invocations
      // share this process's Metrics and another one may have flushed them already
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
};

export const handler = deliveryHandler('commercial');
