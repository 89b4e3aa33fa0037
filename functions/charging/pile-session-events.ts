/**
 * Pile session events (SQS, sent by emitPileEvents) → orders: started, meter values, stopped.
 *
 * A batch is grouped by order (StartChargeSeq): each order's events are applied as started → meter
 * readings (every order's process samples in one write, then each order's readings folded with ONE
 * order write) → stopped, whatever order the queue delivered them in (each order's log lines carry
 * its keys). The charge-status pushes the readings made due (OrderProgress) are planned here (the
 * push planner's own code) and leave together, straight to the push lanes, after every order's
 * readings and before any order's stop (so an order's last progress is queued before its end is
 * even planned). Partial batch responses: a record that is not a session event fails alone (then
 * the DLQ); when a step of an order fails, that step's records and its later steps' fail and are
 * redelivered (every step is idempotent), the earlier ones are done; when the process samples
 * cannot be kept, every order's readings and stops are redelivered; when the progress send fails,
 * the readings that made a push due are redelivered (and send it again: shared/services/charging.ts
 * onPileMeters), with their orders' stops.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#powertools';
import { ChargingPileEventsQueue, type PileSessionMessage } from '../../events/queues.ts';
import {
  type DueProgress,
  type MeterReading,
  onPileMeters,
  onPileStarted,
  onPileStopped,
  sendProgress,
} from '../../shared/services/charging.ts';

interface Received {
  messageId: string;
  event: PileSessionMessage;
}

type Step = PileSessionMessage['type'];
const STEPS = ['PileSessionStarted', 'PileMeterValues', 'PileSessionStopped'] as const satisfies readonly Step[];

const keysOf = (seq: string, records: readonly Received[]) => {
  logger.resetKeys();
  logger.appendKeys({ StartChargeSeq: seq, ConnectorID: records[0]?.event.detail.ConnectorID });
};

/**
 * Steps `from`..`to` of one order's events but its readings (start, stop); returns the message ids
 * that must be redelivered (a failed step's and every later step's, up to the end).
 */
const applySteps = async (seq: string, records: readonly Received[], from: number, to: number): Promise<string[]> => {
  keysOf(seq, records);
  for (let i = from; i <= to; i++) {
    const step = STEPS[i] as Step;
    const mine = records.filter((r) => r.event.type === step);
    if (mine.length === 0) continue;
    // the pile's answer as the order sees it (the trace's step; these events travel by queue, not the bus)
    logger.info(`${step} received`, { records: mine.length });
    try {
      for (const r of mine) {
        if (r.event.type === 'PileSessionStarted') await onPileStarted(r.event.detail);
        else if (r.event.type === 'PileSessionStopped') await onPileStopped(r.event.detail);
      }
    } catch (err) {
      return failedFrom(seq, records, i, err);
    }
  }
  return [];
};

/** a failed step: its records and every later step's are redelivered (every step is idempotent) */
const failedFrom = (seq: string, records: readonly Received[], i: number, err: unknown): string[] => {
  keysOf(seq, records);
  const retry = records.filter((r) => STEPS.indexOf(r.event.type) >= i).map((r) => r.messageId);
  logger.error(`${STEPS[i]}: failed; ${retry.length} record(s) retried`, { error: err as Error, messageIds: retry });
  return retry;
};

const STARTED = STEPS.indexOf('PileSessionStarted');
const METERS = STEPS.indexOf('PileMeterValues');
const STOPPED = STEPS.indexOf('PileSessionStopped');

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
  // 1. every order's start
  const going = new Map<string, Received[]>();
  for (const [seq, records] of byOrder) {
    const retry = await applySteps(seq, records, STARTED, STARTED);
    if (retry.length > 0) failed.push(...retry);
    else going.set(seq, records);
  }
  // 2. every order's readings: their process samples in one write, then one order write each
  const readings = new Map<string, MeterReading[]>();
  for (const [seq, records] of going) {
    const mine = records.filter((r) => r.event.type === 'PileMeterValues');
    if (mine.length > 0)
      readings.set(
        seq,
        mine.map((r) => r.event.detail as MeterReading),
      );
  }
  const due = new Map<string, DueProgress>();
  if (readings.size > 0) {
    logger.resetKeys();
    // a reading, every 50 s of every session, is one DEBUG line (issue 9 §2: logs per step)
    logger.debug('PileMeterValues received', { orders: readings.size, records: [...readings.values()].flat().length });
    for (const [seq, outcome] of await onPileMeters(readings)) {
      if (!outcome.ok) {
        failed.push(...failedFrom(seq, going.get(seq) ?? [], METERS, outcome.error));
        going.delete(seq);
      } else if (outcome.progress) due.set(seq, outcome.progress);
    }
  }
  // 3. the due charge-status pushes, together
  if (due.size > 0) {
    logger.resetKeys();
    try {
      await sendProgress([...due.values()]);
    } catch (err) {
      const retry = [...due.keys()].flatMap((seq) =>
        (byOrder.get(seq) ?? []).filter((r) => STEPS.indexOf(r.event.type) >= METERS).map((r) => r.messageId),
      );
      for (const seq of due.keys()) going.delete(seq);
      logger.error(`OrderProgress send failed; ${retry.length} record(s) retried`, {
        error: err as Error,
        StartChargeSeqs: [...due.keys()],
      });
      failed.push(...retry);
    }
  }
  // 4. every order's stop
  for (const [seq, records] of going) failed.push(...(await applySteps(seq, records, STOPPED, STOPPED)));
  logger.resetKeys();
  return { batchItemFailures: [...new Set(failed)].map((itemIdentifier) => ({ itemIdentifier })) };
};
