/**
 * Pile session events (SQS, sent by emitPileEvents) → orders: started, meter values, stopped.
 *
 * A batch is grouped by order (StartChargeSeq): each order's events are applied as started → meter
 * readings (all of them folded with ONE order write) → stopped, whatever order the queue delivered
 * them in, one order after the other (each order's log lines carry its keys). Partial batch responses: a record that is
 * not a session event fails alone (then the DLQ); when a step of an order fails, that step's
 * records and its later steps' fail and are redelivered (every step is idempotent), the earlier
 * ones are done.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#powertools';
import { ChargingPileEventsQueue, type PileSessionMessage } from '../../events/queues.ts';
import { type MeterReading, onPileMeters, onPileStarted, onPileStopped } from '../../shared/services/charging.ts';

interface Received {
  messageId: string;
  event: PileSessionMessage;
}

const STEPS = ['PileSessionStarted', 'PileMeterValues', 'PileSessionStopped'] as const;

/** One order's events in steps; returns the message ids that must be redelivered. */
const applyOrder = async (seq: string, records: readonly Received[]): Promise<string[]> => {
  logger.resetKeys();
  logger.appendKeys({ StartChargeSeq: seq, ConnectorID: records[0]?.event.detail.ConnectorID });
  for (const [i, step] of STEPS.entries()) {
    const mine = records.filter((r) => r.event.type === step);
    if (mine.length === 0) continue;
    // the pile's answer as the order sees it (the trace's step; these events travel by queue, not the bus)
    logger.info(`${step} received`, { records: mine.length });
    try {
      if (step === 'PileMeterValues') await onPileMeters(mine.map((r) => r.event.detail as MeterReading));
      else
        for (const r of mine) {
          if (r.event.type === 'PileSessionStarted') await onPileStarted(r.event.detail);
          else if (r.event.type === 'PileSessionStopped') await onPileStopped(r.event.detail);
        }
    } catch (err) {
      const retry = records.filter((r) => STEPS.indexOf(r.event.type) >= i).map((r) => r.messageId);
      logger.error(`${step}: failed; ${retry.length} record(s) retried`, { error: err as Error, messageIds: retry });
      return retry;
    }
  }
  return [];
};

export const handler = async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
  const failed: string[] = [];
  const byOrder = new Map<string, Received[]>();
  for (const r of event.Records) {
    try {
      const e = ChargingPileEventsQueue.parse(r.body);
      const list = byOrder.get(e.detail.StartChargeSeq) ?? [];
      list.push({ messageId: r.messageId, event: e });
      byOrder.set(e.detail.StartChargeSeq, list);
    } catch (err) {
      logger.error('unreadable pile session event: retried, then the DLQ', { error: err as Error, messageId: r.messageId });
      failed.push(r.messageId);
    }
  }
  for (const [seq, records] of byOrder) failed.push(...(await applyOrder(seq, records)));
  logger.resetKeys();
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
