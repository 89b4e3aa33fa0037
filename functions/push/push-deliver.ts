/**
 * One push per message (`push-deliveries`, and the supervision lane `push-supervision`, both FIFO):
 * attempt it, then delete it (delivered, ignored, stale), re-send a copy to the back of its group
 * (retry backoff, breaker hold, partner turn: the copy carries `notBefore`), hold it in flight while
 * it is not due (its visibility; the group waits behind it) or park it. The re-sent copy is written
 * BEFORE the original is acknowledged, so a push is never outside a queue; a parked copy fails on
 * every receive (visible again at once) until maxReceiveCount moves it to the DLQ with the
 * partner's last Msg in its body.
 *
 * A batch holds several message groups: groups run side by side, a group's records one after the
 * other in their order. A record that stays (held, parked, failed) keeps the rest of its group in
 * the queue too — reported as failures and made visible again at once, so they follow it in order
 * and are not counted against maxReceiveCount for longer than one receive.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, MetricUnit, metrics } from '#powertools';
import { QueueMessageError } from '../../events/define.ts';
import { PushDeliveriesQueue } from '../../events/queues.ts';
import { deliver } from '../../shared/push/deliver.ts';
import { deliveryLogKeys } from '../../shared/push/log-keys.ts';
import type { Delivery } from '../../shared/push/messages.ts';
import { holdFor, type Lane, resend, visibleNow } from '../../shared/push/queue.ts';

export class ParkedMessage extends Error {
  override readonly name = 'ParkedMessage';
}

/** true: done with (delete it); false: it stays in the queue (held until due) */
const record = async (r: SQSRecord, lane: Lane): Promise<boolean> => {
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
  if (result.action === 'wait') {
    await holdFor(r.receiptHandle, lane, result.seconds);
    return false;
  }
  logger.info('push attempt', {
    ...deliveryLogKeys(m),
    attempt: m.attempt,
    outcome: result.action === 'resend' ? result.note : result.action,
    durationMs: Date.now() - started,
    ...(result.action === 'resend' ? { detail: `again in ${result.delaySeconds} s` } : {}),
  });
  switch (result.action) {
    case 'done':
      return true;
    case 'resend':
      await resend(result.message, result.delaySeconds);
      return true;
    case 'park':
      logger.error('push parked for the DLQ', {
        ...deliveryLogKeys(m),
        reason: result.message.parked?.reason,
      });
      await resend(result.message, 0);
      return true;
    case 'dead':
      await visibleNow(r.receiptHandle, lane);
      throw new ParkedMessage(`parked: ${m.id}`);
  }
};

/** A group's records in order: the first that stays keeps every later one of its group in the queue. */
const runGroup = async (records: readonly SQSRecord[], lane: Lane): Promise<string[]> => {
  for (const [i, r] of records.entries()) {
    let done = false;
    try {
      done = await record(r, lane);
    } catch (err) {
      if (!(err instanceof ParkedMessage)) logger.error('push record failed', { messageId: r.messageId, error: err as Error });
    }
    if (done) continue;
    const rest = records.slice(i + 1);
    // visible again at once: the group stays locked by this record, so they wait behind it, in order
    await Promise.all(rest.map((x) => visibleNow(x.receiptHandle, lane).catch(() => undefined)));
    return [r, ...rest].map((x) => x.messageId);
  }
  return [];
};

/** The handler of one lane's queue (the supervision lane: functions/push/push-deliver-supervision.ts). */
export const deliveryHandler = (lane: Lane) => {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    // one metric per batch at least: a batch whose pushes were all skipped (superseded) still publishes
    metrics.addMetric('PushRecords', MetricUnit.Count, event.Records.length);
    try {
      const groups = new Map<string, SQSRecord[]>();
      for (const r of event.Records) {
        const g = r.attributes.MessageGroupId ?? r.messageId;
        groups.set(g, [...(groups.get(g) ?? []), r]);
      }
      const failed = await Promise.all([...groups.values()].map((rs) => runGroup(rs, lane)));
      return { batchItemFailures: failed.flat().map((itemIdentifier) => ({ itemIdentifier })) };
    } finally {
      // in Lambda this batch's metrics are always there; in the local runtime, concurrent invocations
      // share this process's Metrics and another one may have flushed them already
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
};

export const handler = deliveryHandler('commercial');
