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
 *   - a session still without it ROAMING_ABANDON_HOURS after its last sign of life (its start, or the
 *     partner's newest figures: about its stop) is abandoned (shared/domain/app-session.ts
 *     abandonDue): marked on the order, disputed once (OrderDisputed in, via roaming_session_sweep,
 *     DisputeReason 1), out of the sweep — no more polls, no longer overdue. The mark is written
 *     first with the event pending, the event published, then marked published: a failed PutEvents
 *     leaves it in the sweep, whose next run publishes it.
 *
 * Each session on its own (at most SWEEP_CONCURRENCY at once): a partner that is down leaves its
 * sessions as they are until the next run, and never stops the others.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { OrderDisputed } from '../../events/disputes.ts';
import { publish } from '../bus/publish.ts';
import { config } from '../config.ts';
import { abandonDue, lastSignOfLife, roamingSessionState } from '../domain/app-session.ts';
import { getRoamingOrder, listSweepableOrderSeqs, type RoamingOrder, saveRoamingOrder } from '../store/roaming.ts';
import { refreshRoamingSession } from './app-sessions.ts';
import { publishPendingDispute } from './roaming-notifications.ts';

const SWEEP_CONCURRENCY = 8;
/** conditional writes lost to a concurrent update before one gives up (the next run tries again) */
const MAX_ATTEMPTS = 5;

export interface SweepSummary {
  /** orders looked at */
  open: number;
  /** orders whose app state changed in this run */
  moved: number;
  /** pending disputes published */
  disputesPublished: number;
  /** sessions without a final order after ROAMING_FINAL_ORDER_HOURS */
  overdue: number;
  /** sessions abandoned in this run (no final order ROAMING_ABANDON_HOURS after their last sign of life) */
  abandoned: number;
  /** OrderDisputed events of abandoned sessions published in this run */
  abandonedPublished: number;
  /** orders whose sweep failed (logged; looked at again next run) */
  failed: number;
}

/**
 * Mark the session abandoned (conditional on the version it was judged on; a lost race re-reads and
 * judges again): the order as stored after, or undefined when it no longer is to be abandoned.
 */
const abandon = async (order: RoamingOrder, now: Date, hours: number): Promise<RoamingOrder | undefined> => {
  let o: RoamingOrder | undefined = order;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (!o || !abandonDue(o, now, hours)) return undefined;
    const marked: RoamingOrder = {
      ...o,
      abandoned: { at: now.toISOString(), lastSignOfLife: new Date(lastSignOfLife(o)).toISOString(), published: false },
    };
    if (await saveRoamingOrder(marked, o.version)) return { ...marked, version: o.version + 1 };
    o = await getRoamingOrder(order.StartChargeSeq);
  }
  throw new Error(`roaming order ${order.StartChargeSeq}: too many concurrent updates`);
};

/**
 * Publish the OrderDisputed of an abandoned session whose event is still pending, then mark it
 * published (conditional on the same mark). Returns whether it published. A final order that came in
 * between takes over: nothing is published for it here.
 */
const publishPendingAbandonment = async (order: RoamingOrder): Promise<boolean> => {
  const a = order.abandoned;
  if (order.final || !a || a.published) return false;
  const hours = config().ROAMING_ABANDON_HOURS;
  await publish(OrderDisputed, {
    direction: 'in',
    OperatorID: order.OperatorID,
    StartChargeSeq: order.StartChargeSeq,
    via: 'roaming_session_sweep',
    reason: 1,
    ConnectorID: order.ConnectorID,
    ...(order.live ? { theirs: { TotalPower: order.live.TotalPower, TotalMoney: order.live.TotalMoney } } : {}),
    detail: `no final order (notification_charge_order_info) ${hours} h after the session's last sign of life (${a.lastSignOfLife}): abandoned`,
    at: a.at,
  });
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const o = await getRoamingOrder(order.StartChargeSeq);
    if (!o?.abandoned || o.abandoned.at !== a.at || o.abandoned.published) return true;
    if (await saveRoamingOrder({ ...o, abandoned: { ...o.abandoned, published: true } }, o.version)) return true;
  }
  throw new Error(`roaming order ${order.StartChargeSeq}: too many concurrent updates`);
};

const sweepOne = async (seq: string, now: Date, overdueBefore: number, s: SweepSummary): Promise<void> => {
  const order: RoamingOrder | undefined = await getRoamingOrder(seq);
  if (!order) return;
  s.open++;
  if (order.final) {
    if (await publishPendingDispute(order)) s.disputesPublished++;
    return;
  }
  if (order.abandoned) {
    // abandoned by an earlier run whose publish failed: no more polls, only the event
    if (await publishPendingAbandonment(order)) s.abandonedPublished++;
    return;
  }
  const hours = config().ROAMING_ABANDON_HOURS;
  const before = roamingSessionState(order);
  let after: RoamingOrder;
  try {
    after = await refreshRoamingSession(order, now);
  } catch (err) {
    // a partner gone for good must not keep its silent sessions in the sweep forever
    if (!abandonDue(order, now, hours)) throw err;
    logger.warn('roaming session: refresh failed; judged on what we hold', { StartChargeSeq: seq, error: err as Error });
    after = order;
  }
  const state = roamingSessionState(after);
  if (state !== before) {
    s.moved++;
    logger.info('roaming session moved by the sweep', { StartChargeSeq: seq, OperatorID: order.OperatorID, from: before, to: state });
  }
  const abandoned = abandonDue(after, now, hours) ? await abandon(after, now, hours) : undefined;
  if (abandoned) {
    s.abandoned++;
    logger.warn('roaming session abandoned: no final order from the partner', {
      StartChargeSeq: seq,
      OperatorID: order.OperatorID,
      ConnectorID: order.ConnectorID,
      state,
      lastSignOfLife: abandoned.abandoned?.lastSignOfLife,
    });
    if (await publishPendingAbandonment(abandoned)) s.abandonedPublished++;
    return;
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
  const s: SweepSummary = { open: 0, moved: 0, disputesPublished: 0, overdue: 0, abandoned: 0, abandonedPublished: 0, failed: 0 };
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
  metrics.addMetric('RoamingSessionsAbandoned', MetricUnit.Count, s.abandoned);
  logger.info('roaming session sweep', { ...s });
  return s;
};
