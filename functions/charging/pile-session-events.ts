/**
 * Pile session events (SQS, sent by emitPileEvents) → orders: started, meter values, stopped.
 *
 * A batch is grouped by order (StartChargeSeq): each order's events are applied as started → meter
 * readings (all of them folded with ONE order write) → stopped, whatever order the queue delivered
 * them in, one order after the other (each order's log lines carry its keys). The charge-status
 * pushes the readings made due (OrderProgress) are planned here (the push planner's own code) and
 * leave together, straight to the push lanes, after every order's readings and before any order's
 * stop (so an order's last progress is queued before its end is even planned). Partial batch responses: a record that is not a session
 * event fails alone (then the DLQ); when a step of an order fails, that step's records and its later
 * steps' fail and are redelivered (every step is idempotent), the earlier ones are done; when the
 * progress send fails, the readings that made a push due are redelivered (and send it again:
 * shared/services/charging.ts onPileMeters), with their orders' stops.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#powertools';
import { ChargingPileEventsQueue, type PileSessionMessage } from '../../events/queues.ts';
import {
  type MeterReading,
  onPileMeters,
  onPileStarted,
  onPileStopped,
  type Progress,
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
 * Steps `from`..`to` of one order's events; returns the message ids that must be redelivered (a
 * failed step's and every later step's, up to the end) and the progress its readings made due.
 */
const applySteps = async (
  seq: string,
  records: readonly Received[],
  from: number,
  to: number,
): Promise<{ retry: string[]; progress?: Progress }> => {
  keysOf(seq, records);
  let progress: Progress | undefined;
  for (let i = from; i <= to; i++) {
    const step = STEPS[i] as Step;
    const mine = records.filter((r) => r.event.type === step);
    if (mine.length === 0) continue;
    // the pile's answer as the order sees it (the trace's step; these events travel by queue, not the
    // bus); a reading, every 50 s of every session, is a DEBUG line (issue 9 §2: logs per step)
    if (step === 'PileMeterValues') logger.debug(`${step} received`, { records: mine.length });
    else logger.info(`${step} received`, { records: mine.length });
    try {
      if (step === 'PileMeterValues') progress = await onPileMeters(mine.map((r) => r.event.detail as MeterReading));
      else
        for (const r of mine) {
          if (r.event.type === 'PileSessionStarted') await onPileStarted(r.event.detail);
          else if (r.event.type === 'PileSessionStopped') await onPileStopped(r.event.detail);
        }
    } catch (err) {
      const retry = records.filter((r) => STEPS.indexOf(r.event.type) >= i).map((r) => r.messageId);
      logger.error(`${step}: failed; ${retry.length} record(s) retried`, { error: err as Error, messageIds: retry });
      return { retry };
    }
  }
  return progress ? { retry: [], progress } : { retry: [] };
};

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
  // 1. every order's start and readings
  const due = new Map<string, Progress>();
  const stopsOf = new Map<string, Received[]>();
  for (const [seq, records] of byOrder) {
    const r = await applySteps(seq, records, 0, METERS);
    if (r.retry.length > 0) failed.push(...r.retry);
    else stopsOf.set(seq, records);
    if (r.progress) due.set(seq, r.progress);
  }
  // 2. the due charge-status pushes, together
  if (due.size > 0) {
    logger.resetKeys();
    try {
      await sendProgress([...due.values()]);
    } catch (err) {
      const retry = [...due.keys()].flatMap((seq) =>
        (byOrder.get(seq) ?? []).filter((r) => STEPS.indexOf(r.event.type) >= METERS).map((r) => r.messageId),
      );
      for (const seq of due.keys()) stopsOf.delete(seq);
      logger.error(`OrderProgress send failed; ${retry.length} record(s) retried`, {
        error: err as Error,
        StartChargeSeqs: [...due.keys()],
      });
      failed.push(...retry);
    }
  }
  // 3. every order's stop
  for (const [seq, records] of stopsOf) failed.push(...(await applySteps(seq, records, STOPPED, STOPPED)).retry);
  logger.resetKeys();
  return { batchItemFailures: [...new Set(failed)].map((itemIdentifier) => ({ itemIdentifier })) };
};
