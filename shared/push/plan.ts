/**
 * Pure: platform events → the pushes they cause (canonical T/CEC Data, per partner). No AWS here.
 *
 *   ConnectorStatusChanged → notification_stationStatus to EVERY partner granted the station (§3.3)
 *   OrderStarted           → notification_start_charge_result to the order's partner (§3.8)
 *   OrderProgress          → notification_equip_charge_status, throttled by the caller (§3.9)
 *   OrderFinished          → notification_start_charge_result (the start it carries: the order pushed no charge status),
 *                            last notification_equip_charge_status (if it charged),
 *                            notification_stop_charge_result (if the partner stopped it, §3.11),
 *                            notification_charge_order_info (if it charged, §3.12),
 *                            notification_order_settlement (a pay-after order: payable; ours)
 *   OrderPaid              → notification_order_settlement (paid; ours, shared/domain/pay-after.ts)
 */

import type { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import type { OrderFinished, OrderPaid, OrderProgress, OrderStarted } from '../../events/orders.ts';
import { OrderStatus } from '../domain/charging.ts';
import { isStationGranted, pushable } from '../domain/grants.ts';
import { chargeOrderOf, chargeStatusOf, type OrderFacts } from '../domain/order-views.ts';
import type { Partner } from '../domain/partners.ts';
import { settlementOf } from '../domain/pay-after.ts';
import { parseDateTime } from '../tcec/time.ts';
import { type Delivery, newDelivery } from './messages.ts';

export const stationStatusPushes = (e: DetailOf<typeof ConnectorStatusChanged>, partners: readonly Partner[], now: number): Delivery[] =>
  partners
    .filter((p) => pushable(p) && isStationGranted(p, e.StationID))
    .map((p) =>
      newDelivery({
        id: `notification_stationStatus:${p.operatorId}:${e.ConnectorID}:${e.version}`,
        partner: p.operatorId,
        iface: 'notification_stationStatus',
        data: { ConnectorStatusInfo: { ConnectorID: e.ConnectorID, Status: e.status, ParkStatus: e.parkStatus, LockStatus: e.lockStatus } },
        gate: { key: `CONNECTOR#${e.ConnectorID}`, version: e.version },
        createdAt: now,
      }),
    );

/** The car of a plug-and-charge order (ours) as push facts: a profile may add Vin / PlateNum (`fn: fact`; oem-example). */
export const carFacts = (e: { Vin?: string | undefined; PlateNum?: string | undefined }): { facts?: Record<string, string> } =>
  e.Vin ? { facts: { Vin: e.Vin, ...(e.PlateNum ? { PlateNum: e.PlateNum } : {}) } } : {};

/**
 * The start result is the lowest version of its order's gate: it goes ahead of the order's first
 * charge status (the charging consumer sends the two together: shared/services/charging.ts
 * sendProgress) or, for an order that pushed none, ahead of its end pushes (finishPushes: the start
 * OrderFinished carries); a copy planned later (the push planner's, from OrderStarted, beyond the
 * FIFO queue's 5-minute deduplication) is stale once a charge status was attempted — never after
 * one — and once another copy of it was attempted: one start result per order (shared/push/deliver.ts gateCopyOf).
 */
export const startResultGate = (seq: string): NonNullable<Delivery['gate']> => ({ key: `ORDER#${seq}`, version: 0 });

export const startResultPush = (e: DetailOf<typeof OrderStarted>, now: number): Delivery =>
  newDelivery({
    ...carFacts(e),
    id: `notification_start_charge_result:${e.OperatorID}:${e.StartChargeSeq}`,
    partner: e.OperatorID,
    iface: 'notification_start_charge_result',
    data: {
      StartChargeSeq: e.StartChargeSeq,
      StartChargeSeqStat: e.StartChargeSeqStat,
      ConnectorID: e.ConnectorID,
      StartTime: e.StartTime,
    },
    gate: startResultGate(e.StartChargeSeq),
    createdAt: now,
  });

/** ordering version of a charge status sample: its time (ms); the final push outranks every sample */
const sampleVersion = (endTime: string): number => parseDateTime(endTime)?.getTime() ?? 0;
const FINAL_VERSION = Number.MAX_SAFE_INTEGER;

export const equipStatusPush = (e: DetailOf<typeof OrderProgress>, now: number): Delivery => {
  const { StationID: _s, OperatorID, previousAt: _p, ...data } = e;
  return newDelivery({
    id: `notification_equip_charge_status:${OperatorID}:${e.StartChargeSeq}:${e.EndTime}`,
    partner: OperatorID,
    iface: 'notification_equip_charge_status',
    data,
    gate: { key: `ORDER#${e.StartChargeSeq}`, version: sampleVersion(e.EndTime) },
    createdAt: now,
  });
};

/** The facts of a finished order, as its OrderFinished event carries them (shared/domain/order-views.ts builds the shapes). */
const finishedFacts = (e: DetailOf<typeof OrderFinished>): OrderFacts & { stopReason: number } => ({
  StartChargeSeq: e.StartChargeSeq,
  ConnectorID: e.ConnectorID,
  status: OrderStatus.Finished,
  stopReason: e.StopReason,
  soc: e.finalSoc,
  bill: e.bill,
});

/** The OrderStarted an OrderFinished carries (`start`: the order never pushed a charge status), as it was published. */
export const startCarried = (e: DetailOf<typeof OrderFinished>): DetailOf<typeof OrderStarted> | undefined =>
  e.start && {
    StartChargeSeq: e.StartChargeSeq,
    ConnectorID: e.ConnectorID,
    StationID: e.StationID,
    OperatorID: e.OperatorID,
    ...(e.Vin ? { Vin: e.Vin, ...(e.PlateNum ? { PlateNum: e.PlateNum } : {}) } : {}),
    succeeded: e.start.StartChargeSeqStat === OrderStatus.Charging,
    StartChargeSeqStat: e.start.StartChargeSeqStat,
    StartTime: e.start.StartTime,
  };

/**
 * An order's end pushes, in T/CEC's order, in the order's FIFO group. When the order never pushed a
 * charge status, its OrderFinished carries the start result (`start`): sent first, so the partner
 * never gets a stop result or an order before it, whatever order OrderStarted and OrderFinished
 * reach the planner in (a failed start publishes both at once; a standard queue reorders them).
 * It is a copy with the start result's id: dropped by SQS deduplication within 5 minutes of the
 * planner's OrderStarted copy, and beyond them stale at its gate (one start result per order);
 * the copy that goes first holds the group until it is delivered or parked (startResultGate).
 * Alone (a failed start nobody asked to stop) it is left out: OrderStarted tells it, nothing follows.
 */
export const finishPushes = (e: DetailOf<typeof OrderFinished>, now: number): Delivery[] => {
  const out: Delivery[] = [];
  const facts = finishedFacts(e);
  if (e.charged) {
    out.push(
      newDelivery({
        id: `notification_equip_charge_status:${e.OperatorID}:${e.StartChargeSeq}:final`,
        partner: e.OperatorID,
        iface: 'notification_equip_charge_status',
        data: chargeStatusOf(facts),
        gate: { key: `ORDER#${e.StartChargeSeq}`, version: FINAL_VERSION },
        createdAt: now,
      }),
    );
  }
  if (e.stoppedByPartner) {
    out.push(
      newDelivery({
        id: `notification_stop_charge_result:${e.OperatorID}:${e.StartChargeSeq}`,
        partner: e.OperatorID,
        iface: 'notification_stop_charge_result',
        data: { StartChargeSeq: e.StartChargeSeq, StartChargeSeqStat: 4, ConnectorID: e.ConnectorID, SuccStat: 0, FailReason: 0 },
        createdAt: now,
      }),
    );
  }
  if (e.charged) {
    out.push(
      newDelivery({
        id: `notification_charge_order_info:${e.OperatorID}:${e.StartChargeSeq}`,
        partner: e.OperatorID,
        iface: 'notification_charge_order_info',
        data: chargeOrderOf(facts),
        ...carFacts(e),
        createdAt: now,
      }),
    );
  }
  if (e.bill.PayableMoney !== undefined) {
    const data = settlementOf({
      StartChargeSeq: e.StartChargeSeq,
      ConnectorID: e.ConnectorID,
      finished: true,
      totalFen: Math.round(e.bill.PayableMoney * 100),
    });
    out.push(settlementPush(e.OperatorID, data, 'payable', now));
  }
  // only ahead of a push of the order's group (the settlement has its own): alone it would order nothing
  const start = startCarried(e);
  return start && out.some((d) => d.iface !== 'notification_order_settlement') ? [startResultPush(start, now), ...out] : out;
};

/** notification_order_settlement (ours): one push per order and settlement status. */
const settlementPush = (partner: string, data: ReturnType<typeof settlementOf>, what: 'payable' | 'paid', now: number): Delivery =>
  newDelivery({
    id: `notification_order_settlement:${partner}:${data.StartChargeSeq}:${what}`,
    partner,
    iface: 'notification_order_settlement',
    data,
    // a partner never receives "payable" after "paid"
    gate: { key: `SETTLE#${data.StartChargeSeq}`, version: data.SettleStatus },
    createdAt: now,
  });

export const paidPush = (e: DetailOf<typeof OrderPaid>, now: number): Delivery => {
  const { StationID: _s, OperatorID, ...data } = e;
  return settlementPush(OperatorID, data, 'paid', now);
};
