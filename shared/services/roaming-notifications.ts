/**
 * The customer side of T/CEC 102 (roaming out): the notifications a partner sends us about OUR
 * users' sessions on ITS piles, and its connector status pushes. Every notification is read →
 * pure rule (shared/domain/roaming-order.ts) → conditional write on the order's version; a lost
 * race re-reads and re-applies (at-least-once, any order, duplicates: same result).
 *
 * A notification for an order we never started (or that belongs to another partner) → Ret 4004
 * "StartChargeSeq: no such order", logged with the StartChargeSeq. A partner that does not roam out
 * (its `roaming.out` is false) is refused the customer-side interfaces with 4004.
 */
import { createHash } from 'node:crypto';
import { logger } from '#powertools';
import { OrderDisputed } from '../../events/disputes.ts';
import { publish } from '../bus/publish.ts';
import { verifyPartnerBill } from '../domain/partner-bill.ts';
import { roamingOf } from '../domain/partners.ts';
import {
  type Change,
  chargeStatusSample,
  type FinalOrder,
  onChargeStatus,
  onOrderInfo,
  onStartResult,
  onStopResult,
  type RoamingOrderState,
  type SeqStat,
  verdictOn,
} from '../domain/roaming-order.ts';
import type { Partner } from '../store/partners.ts';
import { getRoamingOrder, putPartnerConnectorStatus, type RoamingOrder, saveRoamingOrder } from '../store/roaming.ts';
import type { RequestData, ResponseInput } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

const MAX_ATTEMPTS = 5;

const requireRoamOut = (partner: Partner): void => {
  if (!roamingOf(partner).out) throw new TcecError(Ret.BizError, `OperatorID ${partner.operatorId} does not roam out with us`);
};

/** Read the partner's order, apply `rule`, write it if it changed; retried on a lost race. */
const applyToOrder = async (
  partner: Partner,
  seq: string,
  rule: (o: RoamingOrder) => Change<RoamingOrderState>,
): Promise<{ order: RoamingOrder; changed: boolean }> => {
  requireRoamOut(partner);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await getRoamingOrder(seq);
    if (!order || order.OperatorID !== partner.operatorId) {
      logger.warn('notification for an unknown roaming order', { StartChargeSeq: seq, OperatorID: partner.operatorId });
      throw new TcecError(Ret.BizError, 'StartChargeSeq: no such order');
    }
    const r = rule(order);
    if (!r.changed) return { order, changed: false };
    const updated: RoamingOrder = { ...order, ...r.state, version: order.version + 1 };
    if (await saveRoamingOrder({ ...order, ...r.state }, order.version)) return { order: updated, changed: true };
  }
  throw new Error(`roaming order ${seq}: too many concurrent updates`);
};

/** a live snapshot taken from a push (the app API tells push figures from polled ones) */
const pushed = (r: Change<RoamingOrderState>): Change<RoamingOrderState> =>
  r.changed ? { changed: true, state: { ...r.state, liveSource: 'push' } } : r;

const ack = (seq: string) => ({ StartChargeSeq: seq, SuccStat: 0 as const, FailReason: 0 });

export const onPartnerStartResult = async (
  partner: Partner,
  d: RequestData<'notification_start_charge_result'>,
): Promise<ResponseInput<'notification_start_charge_result'>> => {
  await applyToOrder(partner, d.StartChargeSeq, (o) =>
    onStartResult(o, { StartChargeSeqStat: d.StartChargeSeqStat as SeqStat, StartTime: d.StartTime }),
  );
  return ack(d.StartChargeSeq);
};

export const onPartnerChargeStatus = async (
  partner: Partner,
  d: RequestData<'notification_equip_charge_status'>,
): Promise<ResponseInput<'notification_equip_charge_status'>> => {
  await applyToOrder(partner, d.StartChargeSeq, (o) => pushed(onChargeStatus(o, chargeStatusSample(d))));
  return ack(d.StartChargeSeq);
};

export const onPartnerStopResult = async (
  partner: Partner,
  d: RequestData<'notification_stop_charge_result'>,
): Promise<ResponseInput<'notification_stop_charge_result'>> => {
  await applyToOrder(partner, d.StartChargeSeq, (o) =>
    onStopResult(o, { StartChargeSeqStat: d.StartChargeSeqStat as SeqStat, SuccStat: d.SuccStat, FailReason: d.FailReason }),
  );
  return ack(d.StartChargeSeq);
};

const digestOf = (d: unknown): string => createHash('sha256').update(JSON.stringify(d)).digest('hex').slice(0, 32);
const yuan = (fen: number) => fen / 100;

/**
 * The partner's final order: priced again with OUR billing function from the tariff pulled at
 * start; ConfirmResult 0 when it agrees, else 1 and one OrderDisputed event (a duplicate push of
 * the same bill returns the stored verdict and publishes nothing).
 */
export const onPartnerOrderInfo = async (
  partner: Partner,
  d: RequestData<'notification_charge_order_info'>,
  now: Date,
): Promise<ResponseInput<'notification_charge_order_info'>> => {
  const digest = digestOf(d);
  const { order, changed } = await applyToOrder(partner, d.StartChargeSeq, (o) => {
    if (verdictOn(o.final, digest)) return { changed: false, state: o };
    const v = verifyPartnerBill(d, o.tariff);
    const final: FinalOrder = {
      theirs: d as unknown as Record<string, unknown>,
      digest,
      theirFigures: v.theirs,
      ...(v.ours ? { ours: v.ours } : {}),
      confirmResult: v.confirm,
      ...(v.confirm === 1 ? { disputeReason: v.reason, disputeDetail: v.detail, disputePublished: false } : {}),
      receivedAt: now.toISOString(),
    };
    return onOrderInfo(o, final, d.StartTime);
  });
  const final = order.final;
  // this bill's verdict: the current one, or — an earlier bill delivered again after its correction — its own
  const verdict = verdictOn(final, digest);
  if (!final || !verdict) throw new Error(`roaming order ${d.StartChargeSeq}: final order not stored`);
  if (changed && final.confirmResult === 1) {
    logger.warn('partner bill disputed', { StartChargeSeq: d.StartChargeSeq, reason: final.disputeReason, detail: final.disputeDetail });
  }
  // a dispute whose event is still pending (this bill, or the same bill again after a failed publish)
  await publishPendingDispute(order);
  return { StartChargeSeq: d.StartChargeSeq, ConnectorID: d.ConnectorID, ConfirmResult: verdict.confirmResult };
};

/**
 * Publish the OrderDisputed event of a disputed final order whose event is still pending, then mark
 * it published (conditional on the same bill). A failed PutEvents throws and leaves the mark
 * pending: the partner's re-sent bill (our error answer makes it retry) or the session sweep
 * publishes it. Returns whether it published.
 */
export const publishPendingDispute = async (order: RoamingOrder): Promise<boolean> => {
  const final = order.final;
  if (final?.confirmResult !== 1 || final.disputePublished !== false) return false;
  const theirs = final.theirs as { ConnectorID?: string };
  await publish(OrderDisputed, {
    direction: 'in',
    OperatorID: order.OperatorID,
    StartChargeSeq: order.StartChargeSeq,
    via: 'notification_charge_order_info',
    reason: final.disputeReason ?? 2,
    ConnectorID: theirs.ConnectorID ?? order.ConnectorID,
    ...(final.ours ? { ours: { TotalPower: final.ours.powerCentiKwh / 100, TotalMoney: yuan(final.ours.totalFen) } } : {}),
    theirs: { TotalPower: final.theirFigures.powerCentiKwh / 100, TotalMoney: yuan(final.theirFigures.totalFen) },
    ...(final.disputeDetail ? { detail: final.disputeDetail } : {}),
    at: final.receivedAt,
  });
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const o = await getRoamingOrder(order.StartChargeSeq);
    if (!o?.final || o.final.digest !== final.digest || o.final.disputePublished !== false) return true;
    if (await saveRoamingOrder({ ...o, final: { ...o.final, disputePublished: true } }, o.version)) return true;
  }
  throw new Error(`roaming order ${order.StartChargeSeq}: too many concurrent updates`);
};

/** A partner connector's status push: newer than what we hold (by arrival) wins; an older poll never overwrites it. */
export const onPartnerStationStatus = async (
  partner: Partner,
  d: RequestData<'notification_stationStatus'>,
  now: Date,
): Promise<ResponseInput<'notification_stationStatus'>> => {
  requireRoamOut(partner);
  const c = d.ConnectorStatusInfo;
  await putPartnerConnectorStatus({
    OperatorID: partner.operatorId,
    ConnectorID: c.ConnectorID,
    Status: c.Status,
    at: now.getTime(),
    source: 'push',
  });
  return { Status: 0 };
};
