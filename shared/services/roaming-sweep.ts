/**
 * The roaming session sweep (schedule, issue 12): sessions of OUR users on PARTNERS' piles move
 * forward without the app reading them.
 *
 *   - the orders to look at come from the sparse byGroup index (`OPEN`: no final order yet and not
 *     failed, or a dispute whose event is pending) — one Query, never a Scan;
 *   - an unresolved start (its answer lost) or an open session whose newest figures are stale is
 *     refreshed exactly as `GET /app/v1/sessions/{id}` does it (app-sessions.ts
 *     refreshRoamingSession: query_equip_charge_status through the same client and the same rules:
 *     4004 → failed, the partner's state → ours);
 *   - a disputed bill whose OrderDisputed failed to publish is published (roaming-notifications.ts);
 *   - a session without the partner's final order ROAMING_FINAL_ORDER_HOURS after it started is
 *     counted in the `RoamingFinalOrderOverdue` metric (alarm) and logged with its StartChargeSeq.
 *
 * Each session on its own (at most SWEEP_CONCURRENCY at once): a partner that is down leaves its
 * sessions as they are until the next run, and never stops the others.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { config } from '../config.ts';
import { roamingSessionState } from '../domain/app-session.ts';
import { getRoamingOrder, listSweepableOrderSeqs, type RoamingOrder } from '../store/roaming.ts';
import { refreshRoamingSession } from './app-sessions.ts';
import { publishPendingDispute } from './roaming-notifications.ts';

const SWEEP_CONCURRENCY = 8;

export interface SweepSummary {
  /** orders looked at */
  open: number;
  /** orders whose app state changed in this run */
  moved: number;
  /** pending disputes published */
  disputesPublished: number;
  /** sessions without a final order after ROAMING_FINAL_ORDER_HOURS */
  overdue: number;
  /** orders whose sweep failed (logged; looked at again next run) */
  failed: number;
}

const sweepOne = async (seq: string, now: Date, overdueBefore: number, s: SweepSummary): Promise<void> => {
  const order: RoamingOrder | undefined = await getRoamingOrder(seq);
  if (!order) return;
  s.open++;
  if (order.final) {
    if (await publishPendingDispute(order)) s.disputesPublished++;
    return;
  }
  const before = roamingSessionState(order);
  const after = await refreshRoamingSession(order, now);
  const state = roamingSessionState(after);
  if (state !== before) {
    s.moved++;
    logger.info('roaming session moved by the sweep', { StartChargeSeq: seq, OperatorID: order.OperatorID, from: before, to: state });
  }
  if (!after.final && state !== 'failed' && Date.parse(order.createdAt) < overdueBefore) {
    s.overdue++;
    logger.warn('roaming session: no final order from the partner', {
      StartChargeSeq: seq,
      OperatorID: order.OperatorID,
      ConnectorID: order.ConnectorID,
      state,
      createdAt: order.createdAt,
    });
  }
};

export const sweepRoamingSessions = async (now: Date): Promise<SweepSummary> => {
  const seqs = await listSweepableOrderSeqs();
  const overdueBefore = now.getTime() - config().ROAMING_FINAL_ORDER_HOURS * 3_600_000;
  const s: SweepSummary = { open: 0, moved: 0, disputesPublished: 0, overdue: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < seqs.length) {
      const seq = seqs[next++] as string;
      try {
        await sweepOne(seq, now, overdueBefore, s);
      } catch (err) {
        s.failed++;
        logger.error('roaming session sweep failed for one order', { StartChargeSeq: seq, error: err as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, seqs.length) }, worker));
  metrics.addMetric('RoamingSessionsOpen', MetricUnit.Count, s.open);
  metrics.addMetric('RoamingFinalOrderOverdue', MetricUnit.Count, s.overdue);
  logger.info('roaming session sweep', { ...s });
  return s;
};
