/**
 * The charging service: applies the rules of shared/domain/charging.ts with the order store, the
 * connector view of baseinfo, the bus and the billing function. The Lambda handlers in
 * functions/charging/ are thin wrappers around these functions.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import type { DetailOf } from '../../events/define.ts';
import { OrderFinished, type OrderProgress, OrderStarted } from '../../events/orders.ts';
import { PileCommandRequested, type StopCause } from '../../events/piles.ts';
import { ChargingTimeoutsQueue, type TimeoutMessage } from '../../events/queues.ts';
import { publish } from '../bus/publish.ts';
import { send } from '../bus/send.ts';
import { config } from '../config.ts';
import {
  addReservationFee,
  capTotal,
  closeRunningBill,
  bill as computeBill,
  discountService,
  foldSample,
  type OrderTotals,
  type RunningBill,
  roomForReservationFee,
  startRunningBill,
  toOrderTotals,
} from '../domain/billing.ts';
import {
  AuthFail,
  authDecision,
  ConnectorState,
  checkStartChargeSeq,
  type FinishEvent,
  isFailedStart,
  OrderStatus,
  refusalText,
  repeatedStartConfirmation,
  SEQ_STAT_UNKNOWN,
  STOP_REASON_PILE_SILENT,
  STOP_REASON_START_FAILED,
  StartFail,
  StopFail,
  startDecision,
  stopReasonOf,
} from '../domain/charging.ts';
import { CouponFail, couponDiscountFen, couponProblem } from '../domain/coupons.ts';
import { isStationGranted } from '../domain/grants.ts';
import { progressDue } from '../domain/metering.ts';
import { chargeInfoOf, chargeStatusOf, type OrderFacts } from '../domain/order-views.ts';
import { prepayFields, prepayReached, STOP_REASON_PREPAY_EXHAUSTED, settlePrepay, yuanToFen } from '../domain/prepay.ts';
import { byHour, type ProcessSample, selectSamples } from '../domain/process-samples.ts';
import { statusForStart } from '../domain/reservation.ts';
import { minStrandedSeconds, type StrandedCause, type StrandedPolicy, strandedVerdict } from '../domain/stranded.ts';
import { pushConfig } from '../push/config.ts';
import { enqueueDeliveries } from '../push/queue.ts';
import { type ConnectorView, getConnectorView } from '../store/connector-view.ts';
import {
  chargingSince,
  createOrder,
  finishOrder,
  getCoupon,
  getOrder,
  getOrders,
  getRefusal,
  markCharging,
  markFinishPublished,
  markStopping,
  type Order,
  type OrderCar,
  type OrderCoupon,
  type OrderReservation,
  type Refusal,
  recordLateStop,
  recordRefusal,
  recordSample,
  requestStopWhileStarting,
} from '../store/orders.ts';
import type { Partner } from '../store/partners.ts';
import { appendSamples, type SampleBatch } from '../store/process-samples.ts';
import { getReservation, getReservationHold } from '../store/reservations.ts';
import { getConnectorStatuses } from '../store/stations.ts';
import type { RequestData, ResponseData } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';
import { formatDateTime } from '../tcec/time.ts';
import { giveBackUnusedCoupon } from './coupons.ts';
import { extensionEnabled } from './extensions.ts';
import { planProgress, planStart } from './push-planning.ts';

/** The connector as this partner may see it: unknown and not-granted look the same. */
const connectorFor = async (partner: Partner, connectorId: string): Promise<ConnectorView | undefined> => {
  const c = await getConnectorView(connectorId);
  return c && isStationGranted(partner, c.StationID) ? c : undefined;
};

/** The order as this partner may see it: another partner's order looks exactly like none. */
const orderFor = async (partner: Partner, seq: string): Promise<Order | undefined> => {
  const o = await getOrder(seq);
  return o && o.OperatorID === partner.operatorId ? o : undefined;
};

// ---------------------------------------------------------------- query_equip_auth (§3.5)

export const equipAuth = async (partner: Partner, req: RequestData<'query_equip_auth'>): Promise<ResponseData<'query_equip_auth'>> => {
  const c = await connectorFor(partner, req.ConnectorID);
  const failReason = authDecision({ known: !!c, ...(c ? { status: c.status } : {}) });
  return {
    EquipAuthSeq: req.EquipAuthSeq,
    ConnectorID: req.ConnectorID,
    SuccStat: failReason === AuthFail.None ? 0 : 1,
    FailReason: failReason,
  };
};

// ---------------------------------------------------------------- query_start_charge (§3.7)

type StartAnswer = ResponseData<'query_start_charge'>;
/** the fields of a start this service reads (a refusal is remembered with them) */
type StartRequest = Pick<RequestData<'query_start_charge'>, 'StartChargeSeq' | 'ConnectorID'>;

const startAnswer = (seq: string, connectorId: string, stat: OrderStatus, failReason: number): StartAnswer => ({
  StartChargeSeq: seq,
  StartChargeSeqStat: stat,
  ConnectorID: connectorId,
  SuccStat: failReason === StartFail.None ? 0 : 1,
  FailReason: failReason,
});

/** What an extension start adds to a start: a prepayment (fen), a coupon of the partner's user. */
interface StartExtras {
  prepaidFen?: number | undefined;
  coupon?: { CouponID: string; PhoneNum?: string | undefined; UserID?: string | undefined } | undefined;
  /** plug-and-charge (ours): the car the charger reported, bound by the partner (shared/services/plug-charge.ts) */
  car?: OrderCar | undefined;
}

export const startCharge = async (partner: Partner, req: StartRequest, now: Date, extras: StartExtras = {}): Promise<StartAnswer> => {
  const { prepaidFen } = extras;
  const seqProblem = checkStartChargeSeq(req.StartChargeSeq, partner.operatorId);
  if (seqProblem) throw new TcecError(Ret.BizError, seqProblem);

  // a repeat of a StartChargeSeq: the same answer, never a second command — also for a refusal
  const existing = await getOrder(req.StartChargeSeq);
  if (existing) return repeatedStart(existing, req.ConnectorID, prepaidFen);
  const refusedBefore = await getRefusal(req.StartChargeSeq);
  if (refusedBefore) return repeatedRefusal(refusedBefore, req.ConnectorID);

  const c = await connectorFor(partner, req.ConnectorID);
  // a reserved connector (extension): startable by the reserving partner only; a lapsed reservation holds nothing
  const hold = c?.status === ConnectorState.Reserved ? await getReservationHold(c.ConnectorID, now) : undefined;
  const status = c ? statusForStart(c.status, !hold || hold.OperatorID === partner.operatorId) : undefined;
  const decision = startDecision({ known: !!c, ...(c ? { status, priced: c.tariff.length > 0 } : {}) });
  if (!c || decision !== StartFail.None) {
    logger.info('start refused', { FailReason: decision, connectorStatus: c?.status });
    return refuse(partner, req, decision, now);
  }
  let coupon: OrderCoupon | undefined;
  if (extras.coupon) {
    const stored = await getCoupon(extras.coupon.CouponID);
    const problem =
      couponProblem(stored, {
        operatorId: partner.operatorId,
        phone: extras.coupon.PhoneNum,
        userId: extras.coupon.UserID,
        stationId: c.StationID,
        at: now,
      }) ?? (stored?.usedBy ? CouponFail.Used : undefined);
    if (problem !== undefined || !stored) {
      metrics.addMetric('CouponsRefused', MetricUnit.Count, 1);
      logger.info('start refused: coupon', { FailReason: problem, CouponID: extras.coupon.CouponID });
      return refuse(partner, req, problem ?? CouponFail.Unknown, now);
    }
    coupon = { couponId: stored.couponId, kind: stored.kind, offFen: stored.offFen, percent: stored.percent, capFen: stored.capFen };
  }

  // the timeout is scheduled BEFORE the order exists: whatever fails or crashes after this line,
  // the order cannot stay in starting and the connector cannot stay locked (an order that does
  // not exist, or is no longer starting, makes the timeout a no-op)
  await send(
    ChargingTimeoutsQueue,
    { kind: 'start', StartChargeSeq: req.StartChargeSeq },
    { delaySeconds: config().START_TIMEOUT_SECONDS },
  );
  const fields = {
    StartChargeSeq: req.StartChargeSeq,
    ConnectorID: c.ConnectorID,
    StationID: c.StationID,
    EquipmentID: c.EquipmentID,
    OperatorID: partner.operatorId,
    tariff: c.tariff,
    ...(prepaidFen !== undefined ? { prepaidFen } : {}),
    // pay after charging (shared/services/pay-after.ts): a prepaid order is settled by its prepayment instead
    ...(prepaidFen === undefined && extensionEnabled(partner, 'query_order_settlement') ? { payAfter: true } : {}),
    ...(coupon ? { coupon: JSON.parse(JSON.stringify(coupon)) as OrderCoupon } : {}),
    ...(extras.car ? { car: extras.car } : {}),
  };
  let reserveSeq = hold?.OperatorID === partner.operatorId ? hold.ReserveSeq : undefined;
  let created = await createOrder({ ...fields, ...(await reservationOf(reserveSeq)) }, now, reserveSeq);
  if (created.outcome === 'busy' && !reserveSeq && created.reservedBy?.OperatorID === partner.operatorId) {
    // the partner's own reservation, not yet reported by the pile: the start takes it
    reserveSeq = created.reservedBy.ReserveSeq;
    created = await createOrder({ ...fields, ...(await reservationOf(reserveSeq)) }, now, reserveSeq);
  }
  if (created.outcome === 'duplicate') return repeatedStart(created.order, req.ConnectorID, prepaidFen);
  if (created.outcome === 'created' && coupon) metrics.addMetric('CouponsUsed', MetricUnit.Count, 1);
  if (created.outcome === 'busy') {
    logger.info('start refused: connector busy', { holder: created.holder });
    return refuse(partner, req, StartFail.Busy, now);
  }
  if (created.outcome === 'coupon-used') {
    metrics.addMetric('CouponsRefused', MetricUnit.Count, 1);
    logger.info('start refused: coupon used meanwhile', { usedBy: created.by });
    return refuse(partner, req, CouponFail.Used, now);
  }

  try {
    await publish(PileCommandRequested, {
      command: 'start',
      StartChargeSeq: req.StartChargeSeq,
      ConnectorID: c.ConnectorID,
      requestedAt: now.toISOString(),
      ...(created.outcome === 'created' && reserveSeq ? { ReserveSeq: reserveSeq } : {}),
    });
  } catch (err) {
    // the command did not leave: close the order at once so the connector is not held
    await finish(created.order, {
      event: 'start-not-sent',
      endedAt: now,
      stopReason: STOP_REASON_START_FAILED,
      finishReason: START_NOT_SENT,
      charged: false,
    });
    throw err;
  }
  logger.info('start command sent');
  return startAnswer(req.StartChargeSeq, req.ConnectorID, OrderStatus.Starting, StartFail.None);
};

/** The reservation a start takes over, with the fee its order bills (extension: shared/domain/billing.ts addReservationFee). */
const reservationOf = async (reserveSeq: string | undefined): Promise<{ reservation?: OrderReservation }> => {
  const r = reserveSeq ? await getReservation(reserveSeq) : undefined;
  return r ? { reservation: { ReserveSeq: r.ReserveSeq, feeFen: r.feeFen, reservedAt: r.createdAt } } : {};
};

/** Refuse a start and remember it, so the same StartChargeSeq always gets the same answer. */
const refuse = async (partner: Partner, req: StartRequest, failReason: number, now: Date): Promise<StartAnswer> => {
  const r = await recordRefusal({
    StartChargeSeq: req.StartChargeSeq,
    ConnectorID: req.ConnectorID,
    OperatorID: partner.operatorId,
    failReason,
    at: now.toISOString(),
  });
  return repeatedRefusal(r, req.ConnectorID);
};

const repeatedRefusal = (r: Refusal, connectorId: string): StartAnswer => {
  if (r.ConnectorID !== connectorId) throw new TcecError(Ret.BizError, `StartChargeSeq: already used for another ConnectorID`);
  return startAnswer(r.StartChargeSeq, r.ConnectorID, OrderStatus.Finished, r.failReason);
};

const repeatedStart = (o: Order, connectorId: string, prepaidFen?: number): StartAnswer => {
  if (o.ConnectorID !== connectorId) {
    throw new TcecError(Ret.BizError, `StartChargeSeq: already used for another ConnectorID`);
  }
  if (o.prepaidFen !== prepaidFen) throw new TcecError(Ret.BizError, 'StartChargeSeq: already used with another PrepayMoney');
  logger.info('repeated start: same answer, no second command', { status: o.status });
  return startAnswer(o.StartChargeSeq, o.ConnectorID, o.status, StartFail.None);
};

/**
 * query_start_charge_prepay (ours, 预支付): a start holding the user's prepayment (shared/domain/prepay.ts);
 * the same start, its order carries `prepaidFen`, the meter fold stops it when the bill reaches it.
 */
export const startChargePrepay = async (
  partner: Partner,
  req: RequestData<'query_start_charge_prepay'>,
  now: Date,
): Promise<ResponseData<'query_start_charge_prepay'>> => ({
  ...(await startCharge(partner, req, now, { prepaidFen: yuanToFen(req.PrepayMoney) })),
  PrepayMoney: req.PrepayMoney,
});

/** query_start_charge_coupon (ours, 卡券): a start using a coupon of the partner's user (shared/domain/coupons.ts). */
export const startChargeWithCoupon = async (
  partner: Partner,
  req: RequestData<'query_start_charge_coupon'>,
  now: Date,
): Promise<ResponseData<'query_start_charge_coupon'>> => {
  if (req.PhoneNum === undefined && req.UserID === undefined) throw new TcecError(Ret.BizError, 'PhoneNum or UserID: one is required');
  return {
    ...(await startCharge(partner, req, now, { coupon: { CouponID: req.CouponID, PhoneNum: req.PhoneNum, UserID: req.UserID } })),
    CouponID: req.CouponID,
  };
};

// ---------------------------------------------------------------- query_stop_charge (§3.10)

type StopAnswer = ResponseData<'query_stop_charge'>;

const stopAnswer = (seq: string, stat: OrderStatus | typeof SEQ_STAT_UNKNOWN, failReason: number): StopAnswer => ({
  StartChargeSeq: seq,
  StartChargeSeqStat: stat,
  SuccStat: failReason === StopFail.None ? 0 : 1,
  FailReason: failReason,
});

export const stopCharge = async (partner: Partner, req: RequestData<'query_stop_charge'>, now: Date): Promise<StopAnswer> => {
  const o = await orderFor(partner, req.StartChargeSeq);
  if (!o || o.ConnectorID !== req.ConnectorID) return stopAnswer(req.StartChargeSeq, SEQ_STAT_UNKNOWN, StopFail.NotFound);
  switch (o.status) {
    case OrderStatus.Finished:
      return stopAnswer(o.StartChargeSeq, OrderStatus.Finished, StopFail.AlreadyStopped);
    case OrderStatus.Stopping:
      // a repeated stop: tell the pile again (a stop is idempotent there), answer the same
      await commandStop(o, now);
      return stopAnswer(o.StartChargeSeq, OrderStatus.Stopping, StopFail.None);
    case OrderStatus.Starting: {
      // remembered; the pile is told to stop as soon as it confirms the start (or the start times out)
      const ok = await requestStopWhileStarting(o.StartChargeSeq, now);
      if (ok) return stopAnswer(o.StartChargeSeq, OrderStatus.Stopping, StopFail.None);
      return stopCharge(partner, req, now); // it moved on meanwhile: answer from the new state
    }
    case OrderStatus.Charging: {
      const c = await getConnectorView(o.ConnectorID);
      if (c?.status === ConnectorState.Offline) return stopAnswer(o.StartChargeSeq, OrderStatus.Charging, StopFail.Offline);
      if (!(await sendStop(o, now))) return stopCharge(partner, req, now);
      return stopAnswer(o.StartChargeSeq, OrderStatus.Stopping, StopFail.None);
    }
  }
};

/**
 * charging → stopping and the stop command. The stop timeout is scheduled first, so an order can
 * never stay in stopping: if the command does not leave, the timeout closes the order on its last
 * reading. False when the order was not charging (it moved on meanwhile).
 */
const sendStop = async (
  o: Pick<Order, 'StartChargeSeq' | 'ConnectorID'>,
  now: Date,
  by: 'partner' | 'prepay' = 'partner',
): Promise<boolean> => {
  await send(ChargingTimeoutsQueue, { kind: 'stop', StartChargeSeq: o.StartChargeSeq }, { delaySeconds: config().STOP_TIMEOUT_SECONDS });
  if (!(await markStopping(o.StartChargeSeq, now, by))) return false;
  await commandStop(o, now);
  return true;
};

// ---------------------------------------------------------------- billing views

/**
 * A reading folded into an order's running bill the way sanitizeSamples() treats a noisy meter: a
 * reading below the last one is clamped to it (meter glitch). Undefined for a sample before the
 * last one (late or redelivered: the bill has moved past it; the cumulative reading of the later
 * samples already counts its energy).
 */
const fold = (o: Order, meter: RunningBill, s: { t: number; wh: number }): RunningBill | undefined => {
  if (s.t < meter.t) return undefined;
  return foldSample(meter, { at: new Date(s.t), energyWh: Math.max(s.wh, meter.raw) }, o.tariff);
};

/**
 * The running or final bill of an order — one pricing path for both: the running form of the
 * billing function (shared/domain/billing.ts), folded sample by sample since the confirmed start.
 * An order that never charged has a zero bill at its start.
 */
const billOf = (o: Order, meter: RunningBill | undefined) => billingOf(o, meter).totals;

/** The bill of billOf, and what a prepaid order's cap waived (fen). */
const billingOf = (
  o: Order,
  meter: RunningBill | undefined,
): {
  totals: OrderTotals & { CouponID?: string; DiscountMoney?: number; ReserveSeq?: string; ReserveMoney?: number };
  waivedFen: number;
} => {
  let b = meter ? closeRunningBill(meter, o.tariff) : computeBill([{ at: new Date(o.startedAt ?? o.createdAt), energyWh: 0 }], o.tariff);
  // a reservation's fee: one line of its own (≤ 32 lines with it), never discounted
  if (o.reservation) b = roomForReservationFee(b);
  // a coupon: its discount off the service fee, applied by the billing function (running and final alike)
  const off = o.coupon ? couponDiscountFen(o.coupon, b.serviceFen) : 0;
  if (o.coupon) b = discountService(b, off);
  if (o.reservation) b = addReservationFee(b, { feeFen: o.reservation.feeFen, reservedAt: new Date(o.reservation.reservedAt) });
  // a prepaid order never bills more than its prepayment (shared/domain/billing.ts capTotal: the overrun is waived off the last lines)
  let waivedFen = 0;
  if (o.prepaidFen !== undefined) ({ bill: b, waivedFen } = capTotal(b, o.prepaidFen));
  return {
    totals: {
      ...toOrderTotals(b),
      ...(o.coupon ? { CouponID: o.coupon.couponId, DiscountMoney: off / 100 } : {}),
      ...(o.reservation ? { ReserveSeq: o.reservation.ReserveSeq, ReserveMoney: o.reservation.feeFen / 100 } : {}),
    },
    waivedFen,
  };
};

/** The facts the protocol views of shared/domain/order-views.ts are built from: the final bill once finished, else the running one. */
const orderFacts = (o: Order): OrderFacts => ({
  StartChargeSeq: o.StartChargeSeq,
  ConnectorID: o.ConnectorID,
  status: o.status,
  stopReason: o.stopReason,
  live: o.live,
  soc: o.live?.soc,
  bill: o.status === OrderStatus.Finished && o.bill ? o.bill : billOf(o, o.meter),
});

/** query_equip_charge_status (§3.9). */
export const chargeStatus = async (partner: Partner, seq: string): Promise<ResponseData<'query_equip_charge_status'>> => {
  const o = await orderFor(partner, seq);
  if (!o) throw new TcecError(Ret.BizError, 'StartChargeSeq: no such order');
  return chargeStatusOf(orderFacts(o));
};

/** query_charge_info (extension): the order's status and the order-info fields. */
export const chargeInfo = async (partner: Partner, seq: string): Promise<ResponseData<'query_charge_info'>> => {
  const o = await orderFor(partner, seq);
  if (!o) throw new TcecError(Ret.BizError, 'StartChargeSeq: no such order');
  return chargeInfoOf(orderFacts(o));
};

// ---------------------------------------------------------------- pile events

const orderEventBase = (o: Order) => ({
  StartChargeSeq: o.StartChargeSeq,
  ConnectorID: o.ConnectorID,
  StationID: o.StationID,
  OperatorID: o.OperatorID,
});

/** the car of a plug-and-charge order (ours), on OrderStarted and OrderFinished: the pushes' Vin/PlateNum facts */
const carOf = (o: Order) => (o.car ? { Vin: o.car.Vin, ...(o.car.PlateNum ? { PlateNum: o.car.PlateNum } : {}) } : {});

interface FinishArgs {
  /** what finishes the order (the transition table says from which statuses) */
  event: FinishEvent;
  endedAt: Date;
  stopReason: number;
  finishReason: string;
  charged: boolean;
  finalSample?: { t: number; wh: number };
  /** ended by the stranded-session rule, for this cause; only if its last reading is still `ifLastReadingAt` */
  stranded?: StrandedCause;
  ifLastReadingAt?: number;
}

/**
 * A prepaid order's final bill carries its settlement (shared/domain/prepay.ts), a pay-after order's
 * what is payable to us (shared/domain/pay-after.ts); any other bill is as billed.
 */
const withPrepay = (o: Order, billed: OrderTotals): OrderTotals & Partial<ReturnType<typeof prepayFields>> & { PayableMoney?: number } => {
  if (o.payAfter) return { ...billed, PayableMoney: billed.TotalMoney };
  if (o.prepaidFen === undefined) return billed;
  const s = settlePrepay(Math.round(billed.TotalMoney * 100), o.prepaidFen);
  return { ...billed, ...prepayFields(s) };
};

/** A prepaid order settled: how many, how much given back, how much waived (fen: the bill's cap, capTotal). */
const prepayMetrics = (totals: ReturnType<typeof withPrepay>, cappedFen: number): void => {
  if (totals.PrepayMoney === undefined) return;
  const waivedFen = cappedFen + Math.round(totals.TotalMoney * 100) - Math.round((totals.ConsumedMoney ?? 0) * 100);
  if (waivedFen > 0) logger.info('prepaid order: metered after the prepayment was reached, waived', { waivedFen });
  const m = metrics.singleMetric();
  m.addMetric('PrepaidOrders', MetricUnit.Count, 1);
  m.addMetric('PrepayRefundFen', MetricUnit.Count, Math.round((totals.RefundMoney ?? 0) * 100));
  m.addMetric('PrepayWaivedFen', MetricUnit.Count, waivedFen);
};

/**
 * The running bill of a charging prepaid order reached its prepayment: stop it (StopReason 7 once
 * the pile confirms). Checked on every fold and also when a redelivered batch changes nothing, so
 * a stop that failed to leave is sent on the redelivery.
 */
const stopIfPrepayReached = async (o: Order): Promise<void> => {
  if (o.prepaidFen === undefined || o.status !== OrderStatus.Charging || !o.meter) return;
  const runningFen = Math.round(billOf(o, o.meter).TotalMoney * 100);
  if (!prepayReached(runningFen, o.prepaidFen)) return;
  logger.info('prepayment reached: stopping the session', {
    StartChargeSeq: o.StartChargeSeq,
    ConnectorID: o.ConnectorID,
    runningFen,
    prepaidFen: o.prepaidFen,
  });
  metrics.singleMetric().addMetric('PrepayReachedStops', MetricUnit.Count, 1);
  await sendStop(o, new Date(o.meter.t), 'prepay');
};

/** why an order closed at once when its start command could not be sent (the partner's query_start_charge got the error) */
const START_NOT_SENT = 'start command could not be sent';

/**
 * The start result an order's partner is told (its OrderStarted), from the order: the start the pile
 * confirmed, or a start that never began (refused, timed out); none for a start command that never
 * left (the partner's query_start_charge was answered with the error) nor for an order never started.
 */
const startOf = (o: Order): DetailOf<typeof OrderStarted> | undefined => {
  if (o.startedAt) return startedOf(o, new Date(o.startedAt));
  if (isFailedStart(o) && o.endedAt && o.finishReason !== START_NOT_SENT)
    return failedStartOf(o, new Date(o.endedAt), o.finishReason ?? '');
  return undefined;
};

/**
 * Tell the platform an order finished (from the stored order), then remember it was told. A start
 * that never began is told first (OrderStarted, failed: T/CEC's start result before the stop result
 * and order). An order that never pushed a charge status carries its start result in OrderFinished
 * too (`start`): nothing else put it in the order's push group ahead of the end pushes, and the bus
 * may hand the planner OrderFinished before OrderStarted (shared/push/plan.ts finishPushes).
 */
const publishFinished = async (o: Order): Promise<void> => {
  if (!o.bill || o.stopReason === undefined) return;
  const start = startOf(o);
  if (start && !start.succeeded) await publish(OrderStarted, start);
  await publish(OrderFinished, {
    ...orderEventBase(o),
    ...carOf(o),
    StopReason: o.stopReason,
    finishReason: o.finishReason ?? '',
    stoppedByPartner: !!o.stoppedByPartner,
    charged: !!o.charged,
    ...(o.live ? { finalSoc: o.live.soc } : {}),
    ...(start && o.lastProgressAt === undefined
      ? { start: { StartChargeSeqStat: start.StartChargeSeqStat, StartTime: start.StartTime } }
      : {}),
    bill: o.bill,
  });
  await markFinishPublished(o.StartChargeSeq);
};

/**
 * Finish an order with its final bill, release the connector, tell the platform. False when the
 * order was not in a status this finish applies to. An order finished earlier whose OrderFinished
 * never left (the publish failed) is published now — the redelivery of the event that finished it.
 */
const finish = async (o: Order, f: FinishArgs): Promise<boolean> => (await closeOrder(o, f)) === 'finished';

/** finish, saying whether an order finished earlier was told now ('retold': its OrderFinished had never left) */
const closeOrder = async (o: Order, f: FinishArgs): Promise<'finished' | 'retold' | 'unchanged'> => {
  const meter = f.charged && o.meter ? ((f.finalSample && fold(o, o.meter, f.finalSample)) ?? o.meter) : undefined;
  const billed = billingOf(o, meter);
  const totals = withPrepay(o, billed.totals);
  const energyWh = meter ? meter.wh - meter.first : 0;
  const ok = await finishOrder(o, { ...f, bill: totals, energyWh, ...(meter ? { meter } : {}) });
  if (!ok) {
    const now = await getOrder(o.StartChargeSeq);
    if (now?.status === OrderStatus.Finished && now.finishPublished === false) {
      // the redelivery of a finish that failed before it was told: its coupon too (a no-op if given back)
      if (now.bill) await giveBackUnusedCoupon(now, { charged: !!now.charged, DiscountMoney: now.bill.DiscountMoney }, f.endedAt);
      await publishFinished(now);
      return 'retold';
    }
    return 'unchanged';
  }
  // a coupon that took nothing off is given back (shared/services/coupons.ts)
  await giveBackUnusedCoupon(o, { charged: f.charged, DiscountMoney: billed.totals.DiscountMoney }, f.endedAt);
  await publishFinished({
    ...o,
    status: OrderStatus.Finished,
    endedAt: f.endedAt.toISOString(),
    stopReason: f.stopReason,
    finishReason: f.finishReason,
    charged: f.charged,
    bill: totals,
  });
  prepayMetrics(totals, billed.waivedFen);
  // a session that ran (not a start that never began): the dashboards' sessions finished
  if (o.status !== OrderStatus.Starting) metrics.singleMetric().addMetric('SessionFinished', MetricUnit.Count, 1);
  logger.info('order finished', {
    StartChargeSeq: o.StartChargeSeq,
    ConnectorID: o.ConnectorID,
    StopReason: f.stopReason,
    finishReason: f.finishReason,
    TotalMoney: totals.TotalMoney,
  });
  return 'finished';
};

/**
 * A start that never began (the pile refused it, or never answered): finish the starting order
 * unbilled and tell the partner (notification_start_charge_result, failed) — OrderStarted (failed)
 * ahead of OrderFinished, both published by finish (publishFinished). An order that had already
 * ended as a start that never began (shared/domain/charging.ts isFailedStart) — this event's
 * redelivery, a publish having failed, or the other of refusal and timeout — is told again, from the
 * order: the same content, the same push id (deduplicated downstream, one copy per order at the
 * start result's gate). True when the order is such a start (the caller's stop command, should the
 * pile start after all, is sent again too); false when it had left Starting otherwise (the
 * transition table decides), and then nothing is published.
 */
const failStart = async (o: Order, event: 'pile-refused' | 'start-timeout', at: Date, reason: string): Promise<boolean> => {
  const closed = await closeOrder(o, { event, endedAt: at, stopReason: STOP_REASON_START_FAILED, finishReason: reason, charged: false });
  if (closed === 'finished') return true;
  const ended = await getOrder(o.StartChargeSeq);
  if (ended && isFailedStart(ended) && ended.endedAt) {
    logger.info('start that never began, told again: OrderStarted (failed) published again', { StartChargeSeq: o.StartChargeSeq, event });
    // retold: publishFinished told it just now, ahead of the order's end
    if (closed !== 'retold') await publish(OrderStarted, failedStartOf(ended, new Date(ended.endedAt), ended.finishReason ?? reason));
    return true;
  }
  return false;
};

/** Tell the pile of an order to stop (PileCommandRequested): a stop is idempotent there, so telling it again is safe. */
const commandStop = (o: Pick<Order, 'StartChargeSeq' | 'ConnectorID'>, at: Date) =>
  publish(PileCommandRequested, {
    command: 'stop',
    StartChargeSeq: o.StartChargeSeq,
    ConnectorID: o.ConnectorID,
    requestedAt: at.toISOString(),
  });

/** The OrderStarted of a start that never began, `at` when it was given up, `reason` why. */
const failedStartOf = (o: Order, at: Date, reason: string): DetailOf<typeof OrderStarted> => ({
  ...orderEventBase(o),
  ...carOf(o),
  succeeded: false,
  StartChargeSeqStat: OrderStatus.Finished,
  StartTime: formatDateTime(at),
  failReason: reason,
});

export const onPileStarted = async (d: {
  StartChargeSeq: string;
  ConnectorID: string;
  accepted: boolean;
  reason?: string;
  at: string;
}): Promise<void> => {
  const o = await getOrder(d.StartChargeSeq);
  if (!o || o.ConnectorID !== d.ConnectorID) {
    logger.warn('pile answered a start we have no order for (or for another connector): ignored', {
      StartChargeSeq: d.StartChargeSeq,
      ConnectorID: d.ConnectorID,
    });
    return;
  }
  const at = new Date(d.at);
  if (!d.accepted) {
    // only a starting order can be refused: a duplicate start command answered "busy" must not
    // close the session that is already charging
    await failStart(o, 'pile-refused', at, refusalText[d.reason ?? 'refused'] ?? 'pile refused the start');
    return;
  }
  // an order no longer starting is not written again (a redelivery costs no failed write)
  const charging =
    o.status === OrderStatus.Starting
      ? await markCharging(o.StartChargeSeq, at, startRunningBill({ at, energyWh: 0 }, o.tariff))
      : undefined;
  if (!charging) {
    // it moved on between the read and the write (a timeout, a refusal): as it is now
    const current = o.status === OrderStatus.Starting ? await getOrder(o.StartChargeSeq) : o;
    if (current) await startConfirmedAgain(current, at);
    return;
  }
  // every start path (partner, app, plug-and-charge) ends here: the dashboards' sessions started
  metrics.singleMetric().addMetric('SessionStarted', MetricUnit.Count, 1);
  // should this publish (or the stop below) fail, the confirmation is redelivered: startConfirmedAgain does both again
  await publish(OrderStarted, startedOf(o, at));
  // a stop asked for while starting (read atomically with the transition)
  if (charging.stopRequested) await sendStop(charging, at);
};

/**
 * A start confirmation for an order that is no longer starting (shared/domain/charging.ts
 * repeatedStartConfirmation). The redelivery of the one that started it (the same start time) tells
 * the platform again — OrderStarted, the same content: its pushes have the same ids (SQS FIFO
 * deduplication within 5 minutes; after that the start result's gate lets one copy through per
 * order, shared/push/deliver.ts) — and sends the stop asked for while starting again, if it is still
 * asked for; its first handling may have failed after the order moved to charging. No write: the
 * order already says it all.
 */
const startConfirmedAgain = async (o: Order, at: Date): Promise<void> => {
  const keys = { StartChargeSeq: o.StartChargeSeq, status: o.status };
  switch (repeatedStartConfirmation(o, at)) {
    case 'stop-pile':
      logger.warn('pile started an order that was already closed: stopping it', keys);
      await commandStop(o, new Date());
      return;
    case 'again':
      logger.info('start confirmation redelivered: OrderStarted published again', { ...keys, stopRequested: !!o.stopRequested });
      await publish(OrderStarted, startedOf(o, at));
      if (!o.stopRequested) return;
      // the stop asked for while starting: charging → stopping and the command, or (already stopping) the command again
      if (o.status === OrderStatus.Charging) await sendStop(o, at);
      else await commandStop(o, new Date());
      return;
    case 'ignore':
      logger.info('late or duplicate start confirmation: ignored', keys);
  }
};

/** optimistic retries of a sample write that lost to a concurrent one */
const SAMPLE_ATTEMPTS = 5;

/** A meter reading of a running session (PileMeterValues). */
export interface MeterReading {
  StartChargeSeq: string;
  ConnectorID: string;
  at: string;
  energyWh: number;
  powerKw: number;
  currentA: number;
  voltageA: number;
  soc: number;
}

/** A due charge-status push: the OrderProgress the caller plans and sends to the push lanes (sendProgress). */
type Progress = DetailOf<typeof OrderProgress>;

/**
 * A due charge-status push as the caller sends it; the order's first (no previous progress, or its
 * redelivery) carries the order's start, whose start result goes ahead of it in the order's FIFO
 * group: the start result travels through the bus and the push planner, the progress straight to the
 * push lane, and a partner must not get a charge status before the start result (T/CEC §3.8, §3.9).
 */
export interface DueProgress {
  progress: Progress;
  start?: DetailOf<typeof OrderStarted>;
}

/** The OrderStarted of an order the pile started at `at` (the publication, and the start a first progress carries). */
const startedOf = (o: Order, at: Date): DetailOf<typeof OrderStarted> => ({
  ...orderEventBase(o),
  ...carOf(o),
  succeeded: true,
  StartChargeSeqStat: OrderStatus.Charging,
  StartTime: formatDateTime(at),
});

/** the start a progress of `o` carries: with its first (no previous progress) only */
const withStart = (o: Order, progress: Progress): DueProgress =>
  progress.previousAt === undefined && o.startedAt ? { progress, start: startedOf(o, new Date(o.startedAt)) } : { progress };

/** One order's readings of a batch, in time order (the fold's order). */
type Samples = { d: MeterReading; t: number; wh: number }[];

const samplesOf = (readings: readonly MeterReading[]): Samples =>
  readings.map((d) => ({ d, t: new Date(d.at).getTime(), wh: Math.round(d.energyWh) })).sort((a, b) => a.t - b.t || a.wh - b.wh);

/** What one order's readings of a batch came to: a due charge-status push, nothing, or an error (its readings are handed back). */
export type MetersOutcome = { ok: true; progress?: DueProgress } | { ok: false; error: unknown };

/**
 * The meter readings waiting in one SQS batch, by order (StartChargeSeq; any order, duplicates
 * allowed). Three steps:
 *   1. every order is read (eventually consistent, in parallel) and the readings it has not folded
 *      yet give its charging-process samples (shared/domain/process-samples.ts);
 *   2. the samples of EVERY order of the batch are appended as one process-samples item per hour
 *      (issue 9 §2: one write per batch, not one per order) — before any order write, so a failed
 *      append hands every reading back (redelivered) and no sample is lost; one repeated writes
 *      the same item, one that another batch also carried is read once (shared/store/process-samples.ts);
 *   3. each order's readings are folded into its running bill in time order with ONE conditional
 *      write (foldReadings, the orders in parallel), which also decides the progress throttle.
 * An order's failure fails its own outcome only (step 2's fails all: their samples are not kept).
 */
export const onPileMeters = async (batch: ReadonlyMap<string, readonly MeterReading[]>): Promise<Map<string, MetersOutcome>> => {
  const out = new Map<string, MetersOutcome>();
  const read = await Promise.all(
    [...batch].map(async ([seq, readings]) => {
      try {
        if (readings.some((r) => r.StartChargeSeq !== seq)) throw new RangeError('onPileMeters: readings of another order');
        return { seq, samples: samplesOf(readings), order: await getOrder(seq, false) };
      } catch (error) {
        out.set(seq, { ok: false, error });
        return undefined;
      }
    }),
  );
  const ready = read.filter((r) => r !== undefined);
  try {
    await keepProcessSamples(ready);
  } catch (error) {
    for (const r of ready) out.set(r.seq, { ok: false, error });
    return out;
  }
  // the orders' writes are independent: in parallel (the batch's handler time is Lambda's GB-s)
  await Promise.all(
    ready.map(async (r) => {
      try {
        const progress = await foldReadings(r.seq, r.samples, r.order);
        out.set(r.seq, progress ? { ok: true, progress } : { ok: true });
      } catch (error) {
        out.set(r.seq, { ok: false, error });
      }
    }),
  );
  return out;
};

/**
 * The readings of ONE order folded into its running bill in time order with ONE conditional
 * write, which also decides the progress throttle (shared/domain/metering.ts progressDue) — at most
 * one OrderProgress (→ notification_equip_charge_status) per PUSH_STATUS_INTERVAL_SECONDS of sample
 * time, with the newest reading. Returns that progress when it is due; the caller sends it
 * (sendProgress: the batch's due progresses planned and sent together) and, if the send fails,
 * hands the readings back: their redelivery folds nothing new, finds the push it decided still
 * recorded on the order (`lastProgressAt` = one of these readings) and returns it again, so a due
 * push is never lost (a duplicate is dropped by the push's id). Folding several readings at once
 * gives exactly the running bill folding them one by one would (the same fold, the same order).
 * The first attempt uses the order as step 1 read it (eventually consistent); a stale read loses
 * the write's condition and is read again, consistently (its samples are already kept: step 1
 * kept every reading newer than the older read).
 */
const foldReadings = async (seq: string, samples: Samples, read: Order | undefined): Promise<DueProgress | undefined> => {
  const intervalMs = pushConfig().PUSH_STATUS_INTERVAL_SECONDS * 1000;
  for (let attempt = 1; attempt <= SAMPLE_ATTEMPTS; attempt++) {
    const o = attempt === 1 ? read : await getOrder(seq, true);
    if (!o || o.status === OrderStatus.Finished) return undefined; // not running
    // the orders of a batch are folded in parallel: each line names its own (not the logger's keys)
    const keys = { StartChargeSeq: seq, ConnectorID: o.ConnectorID };
    if (!o.meter) {
      logger.info('meter sample before the start confirmation: not billed', { ...keys, status: o.status, samples: samples.length });
      return undefined;
    }
    let meter = o.meter;
    let newest: Samples[number] | undefined;
    for (const s of samples) {
      if (s.d.ConnectorID !== o.ConnectorID) continue; // another connector's sample
      // only a newer sample moves the bill: a late or duplicate one changes nothing
      if (s.t < meter.t || (s.t === meter.t && s.wh <= meter.raw)) continue;
      meter = fold(o, meter, s) as RunningBill;
      newest = s;
    }
    if (!newest) {
      // nothing new: a redelivery. If one of these readings made a push due, its send may have failed after the write
      const decided = o.lastProgressAt !== undefined && samples.some((s) => s.t === o.lastProgressAt && s.d.ConnectorID === o.ConnectorID);
      if (decided && o.status === OrderStatus.Charging) {
        logger.info('charge-status push of a redelivered reading: sent again', { ...keys, lastProgressAt: o.lastProgressAt });
        return withStart(o, progressOf(o));
      }
      return undefined;
    }
    const d = newest.d;
    const live = { at: d.at, currentA: d.currentA, voltageA: d.voltageA, soc: d.soc, powerKw: d.powerKw };
    const due = progressDue(o.lastProgressAt, newest.t, intervalMs);
    const w = await recordSample(o.StartChargeSeq, o.meter, meter, live, due ? newest.t : undefined);
    if (w.outcome === 'conflict') continue;
    await stopIfPrepayReached(w.order);
    if (!due || w.order.status !== OrderStatus.Charging) return undefined;
    return withStart(w.order, { ...progressOf(w.order), ...(o.lastProgressAt === undefined ? {} : { previousAt: o.lastProgressAt }) });
  }
  throw new Error(`${seq}: meter samples lost ${SAMPLE_ATTEMPTS} concurrent writes; retried`);
};

const progressOf = (o: Order): Progress => ({ ...orderEventBase(o), ...chargeStatusOf(orderFacts(o)) });

/**
 * The due charge-status pushes of a batch, planned here (push-planning's planProgress: the same
 * planPushes push-plan runs, the partner list cached per warm Lambda) and sent straight to the push
 * lanes (FIFO `push-deliveries` / `push-supervision`, SendMessageBatch in tens, each push
 * deduplicated on its id): no push-events message, no push-plan invocation (issue 9 §2). An
 * order's first carries the order's start result just ahead of it (DueProgress). Throws when the
 * plan cannot be made or any delivery is not accepted (the caller hands the readings back).
 */
export const sendProgress = async (due: readonly DueProgress[], now = Date.now()): Promise<void> => {
  if (due.length === 0) return;
  // an order's start result (with its first progress) just ahead of that progress, on the same lane:
  // the start results first, in a call of their own: if it fails nothing of the progress left (the
  // readings come back and both are sent again), so a charge status never reaches the queue, and so
  // the order's gate, ahead of a start result that did not (which the gate would then hold stale)
  const starts = (await Promise.all(due.map((d) => (d.start ? planStart(d.start, now) : [])))).flat();
  if (starts.length > 0) await enqueueDeliveries(starts);
  const progress = (await Promise.all(due.map((d) => planProgress(d.progress, now)))).flat();
  if (progress.length > 0) await enqueueDeliveries(progress);
};

/**
 * The readings of a batch's orders kept as charging-process samples (shared/domain/process-samples.ts):
 * per order at most one per PROCESS_SAMPLE_SECONDS, newer than its last folded reading (a running
 * order's only: one not started, finished or unknown bills nothing and keeps nothing); every order's
 * in one item per China-time hour.
 */
const keepProcessSamples = async (orders: readonly { samples: Samples; order: Order | undefined }[]): Promise<void> => {
  const { PROCESS_SAMPLE_SECONDS, PROCESS_SAMPLE_TTL_DAYS } = config();
  const hours = new Map<string, Omit<SampleBatch, 'hour'>[]>();
  for (const { samples, order: o } of orders) {
    if (!o?.meter || o.status === OrderStatus.Finished) continue;
    const all: ProcessSample[] = samples
      .filter((s) => s.d.ConnectorID === o.ConnectorID)
      .map(({ d, t, wh }) => [t, d.voltageA, d.currentA, d.powerKw, d.soc, wh]);
    for (const [hour, kept] of byHour(selectSamples(all, o.meter.t, PROCESS_SAMPLE_SECONDS))) {
      const list = hours.get(hour) ?? [];
      list.push({ StartChargeSeq: o.StartChargeSeq, ConnectorID: o.ConnectorID, StationID: o.StationID, samples: kept });
      hours.set(hour, list);
    }
  }
  for (const [hour, batches] of hours) {
    const last = Math.max(...batches.flatMap((b) => b.samples.map((x) => x[0])));
    await appendSamples(hour, batches, Math.floor(last / 1000) + PROCESS_SAMPLE_TTL_DAYS * 86_400);
  }
};

/** The start is not confirmed yet but the pile reports energy: wait for the start (SQS redelivers). */
class StartNotYetConfirmed extends Error {}

export const onPileStopped = async (d: {
  StartChargeSeq: string;
  ConnectorID: string;
  cause: StopCause;
  at: string;
  energyWh: number;
}): Promise<void> => {
  const o = await getOrder(d.StartChargeSeq);
  if (!o || o.ConnectorID !== d.ConnectorID) {
    logger.warn('pile stopped a session we have no order for (or for another connector): ignored', {
      StartChargeSeq: d.StartChargeSeq,
      ConnectorID: d.ConnectorID,
    });
    return;
  }
  if (o.status === OrderStatus.Finished) {
    if (o.finishPublished === false) await publishFinished(o); // its first publication failed
    if (o.stranded && !o.lateStop) await recordStrandedLateStop(o, d);
    return; // duplicate
  }
  if (o.status === OrderStatus.Starting && d.energyWh > 0) {
    // delivered before the start confirmation: billing needs the start, so let SQS redeliver this
    throw new StartNotYetConfirmed(`${d.StartChargeSeq}: stop before the start confirmation; retried`);
  }
  const at = new Date(d.at);
  const charged = o.status !== OrderStatus.Starting;
  const stopReason =
    d.cause === 'remote' && o.stoppedByPartner
      ? 1
      : d.cause === 'remote' && o.prepayExhausted
        ? STOP_REASON_PREPAY_EXHAUSTED
        : stopReasonOf(d.cause);
  await finish(o, {
    event: 'pile-stopped',
    endedAt: at,
    stopReason,
    finishReason: d.cause,
    charged,
    finalSample: { t: at.getTime(), wh: Math.round(d.energyWh) },
  });
};

/**
 * A start or stop the pile has not answered in time. `redelivered`: this message was received before
 * (SQS ApproximateReceiveCount > 1): a start it already ended as a start that never began may not
 * have been told (its OrderStarted publish failed), so it is told again; the first delivery of a
 * start timeout for an order the pile refused does nothing (no extra publish per refused start).
 */
export const onTimeout = async (m: TimeoutMessage, now: Date, { redelivered = false } = {}): Promise<void> => {
  const o = await getOrder(m.StartChargeSeq);
  if (!o) return;
  if (m.kind === 'start' && (o.status === OrderStatus.Starting || (redelivered && isFailedStart(o)))) {
    if (await failStart(o, 'start-timeout', now, `pile did not answer the start within ${config().START_TIMEOUT_SECONDS} s`)) {
      // should the pile wake up and start after all, tell it to stop
      await commandStop(o, now);
    }
    return;
  }
  if (m.kind === 'stop' && o.status === OrderStatus.Stopping) {
    await finish(o, {
      event: 'stop-timeout',
      endedAt: now,
      stopReason: o.stoppedByPartner ? 1 : o.prepayExhausted ? STOP_REASON_PREPAY_EXHAUSTED : STOP_REASON_PILE_SILENT,
      finishReason: `pile did not confirm the stop within ${config().STOP_TIMEOUT_SECONDS} s; closed on the last meter reading`,
      charged: true,
    });
  }
};

// ---------------------------------------------------------------- stranded sessions (issue 17)

const strandedPolicy = (): StrandedPolicy => {
  const c = config();
  return { offlineSeconds: c.STRANDED_OFFLINE_SECONDS, idleSeconds: c.STRANDED_IDLE_SECONDS, silentSeconds: c.STRANDED_SILENT_SECONDS };
};

/**
 * The stranded-session sweep (scheduled; `now` = the schedule's time): the orders charging since
 * before the rule's shortest quiet time (byCharging, keys only), read in batches with their
 * connectors' live status, judged by shared/domain/stranded.ts; each stranded one ends as a stop
 * does (the one billing function over its last readings, OrderFinished → the partner's
 * notification_stop_charge_result and notification_charge_order_info, the connector freed) and the
 * pile is told to stop, should it still be alive. Idempotent: the finish is a conditional write on
 * the order being charging with the same last reading, so a second sweep, a late reading or a real
 * StopTransaction racing it leaves exactly one finish.
 */
export const sweepStranded = async (now: Date): Promise<{ checked: number; ended: number }> => {
  const policy = strandedPolicy();
  let checked = 0;
  let ended = 0;
  for await (const seqs of chargingSince(new Date(now.getTime() - minStrandedSeconds(policy) * 1000))) {
    const orders = (await getOrders(seqs)).filter((o) => o.status === OrderStatus.Charging);
    const statuses = await getConnectorStatuses(orders.map((o) => ({ stationId: o.StationID, connectorId: o.ConnectorID })));
    for (const o of orders) {
      checked++;
      const c = statuses.get(o.ConnectorID);
      const lastReadingAt = o.meter?.t ?? Date.parse(o.startedAt ?? o.createdAt);
      const v = strandedVerdict(
        { status: o.status, lastReadingAt, connector: c ? { status: c.status, observedAt: Math.floor(c.version / 1000) } : undefined },
        policy,
        now.getTime(),
      );
      if (!v.stranded) continue;
      logger.appendKeys({ StartChargeSeq: o.StartChargeSeq, ConnectorID: o.ConnectorID, OperatorID: o.OperatorID });
      const done = await finish(o, {
        event: 'stranded',
        endedAt: new Date(v.endedAt),
        stopReason: v.stopReason,
        finishReason: v.reason,
        charged: true,
        stranded: v.cause,
        ifLastReadingAt: lastReadingAt,
      });
      if (done) {
        ended++;
        logger.warn('stranded session ended', { cause: v.cause, StopReason: v.stopReason, connectorStatus: c?.status });
        // should the pile be alive after all (a silent meter), it stops: nothing after the last reading is billed
        await commandStop(o, now);
      }
      logger.removeKeys(['StartChargeSeq', 'ConnectorID', 'OperatorID']);
    }
  }
  metrics.singleMetric().addMetric('StrandedSessionsEnded', MetricUnit.Count, ended);
  logger.info('stranded-session sweep', { checked, ended });
  return { checked, ended };
};

/**
 * The pile's own stop of an order the stranded rule ended (it came back and replayed it): recorded
 * on the order once, never billed — the bill stays the one the partner was pushed; the energy after
 * the last reading is logged for the operator (and the partner's reconciliation sees the bill it has).
 */
const recordStrandedLateStop = async (o: Order, d: { at: string; energyWh: number; cause: StopCause }): Promise<void> => {
  const energyWh = Math.round(d.energyWh);
  const recorded = await recordLateStop(o.StartChargeSeq, { at: d.at, energyWh, cause: d.cause, receivedAt: new Date().toISOString() });
  if (!recorded) return;
  logger.warn('late stop of a stranded order: recorded, not billed', {
    StartChargeSeq: o.StartChargeSeq,
    ConnectorID: o.ConnectorID,
    stranded: o.stranded,
    unbilledWh: Math.max(0, energyWh - (o.meter?.raw ?? energyWh)),
  });
  metrics.singleMetric().addMetric('StrandedLateStops', MetricUnit.Count, 1);
};
