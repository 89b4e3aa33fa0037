/**
 * The protocol views of one order — ONE pure builder per shape, used by the query handlers (through
 * shared/services/charging.ts) and by the push planner (shared/push/plan.ts), so a partner that
 * queries and a partner that is pushed to see the same values:
 *
 *   chargeStatusOf  → query_equip_charge_status response = notification_equip_charge_status request (§3.9)
 *   chargeOrderOf   → notification_charge_order_info request (§3.12)
 *   chargeInfoOf    → query_charge_info response (our extension, §3.14: the §3.12 fields + StartChargeSeqStat)
 *
 * Input is plain data (OrderFacts: from a stored order, or from an OrderFinished event), output is the
 * canonical catalog type; no I/O. The rules for a FINISHED order (where the two former builders
 * disagreed):
 *   - ConnectorStatus (§3.9 uses the §3.2 connector codes): StopReason 4 "connector disconnected"
 *     (§3.12) → 1 idle; any other end leaves the car plugged in → 2 occupied, not charging. While the
 *     order runs: charging/stopping → 3 charging; starting/unknown → 2 occupied (a start needs a
 *     plugged-in car).
 *   - EndTime (§3.9 "this sample's time"): the final bill's end, i.e. the time of the final meter
 *     reading the session's TotalPower is from — the same EndTime as the §3.12 order. While
 *     running: the newest sample's time (the bill's end when no sample arrived yet).
 *   - StartTime: the bill's start in both shapes, so §3.9 and §3.12 of one order agree.
 *   - CurrentA/VoltageA 0 once finished (nothing flows); Soc the last reported value (0 if none).
 */
import type { OrderBill } from '../../events/orders.ts';
import type { RequestData, ResponseData } from '../tcec/interfaces.ts';
import { formatDateTime } from '../tcec/time.ts';
import { ConnectorState, OrderStatus } from './charging.ts';

/** §3.12 StopReason 4: the connector was disconnected (the car unplugged). */
const STOP_REASON_UNPLUGGED = 4;

/** What the views need to know about an order. */
export interface OrderFacts {
  StartChargeSeq: string;
  ConnectorID: string;
  status: OrderStatus;
  /** §3.12 StopReason; known once the order finished */
  stopReason?: number | undefined;
  /** the newest meter sample of the session: its time (ISO 8601) and live values */
  live?: { at: string; currentA: number; voltageA: number } | undefined;
  /** the battery's state of charge at the newest sample, % */
  soc?: number | undefined;
  /** the running bill of an open order, the final bill of a finished one */
  bill: OrderBill;
}

/** the §3.9 snapshot; ours always carries ChargeDetails (the OrderProgress event requires them) */
export type ChargeStatus = ResponseData<'query_equip_charge_status'> & { ChargeDetails: OrderBill['ChargeDetails'] };
export type ChargeOrder = RequestData<'notification_charge_order_info'>;
export type ChargeInfo = ResponseData<'query_charge_info'>;
type ConnectorStatusCode = ChargeStatus['ConnectorStatus'];

/** §3.9 ConnectorStatus of the order's connector, as far as the order knows it. */
export const connectorStatusOf = (status: OrderStatus, stopReason?: number): ConnectorStatusCode => {
  switch (status) {
    case OrderStatus.Charging:
    case OrderStatus.Stopping:
      return ConnectorState.Charging;
    case OrderStatus.Finished:
      return stopReason === STOP_REASON_UNPLUGGED ? ConnectorState.Idle : ConnectorState.Plugged;
    default:
      return ConnectorState.Plugged;
  }
};

/** query_equip_charge_status (§3.9) response = notification_equip_charge_status request. */
export const chargeStatusOf = (f: OrderFacts): ChargeStatus => {
  const finished = f.status === OrderStatus.Finished;
  const live = finished ? undefined : f.live;
  return {
    StartChargeSeq: f.StartChargeSeq,
    StartChargeSeqStat: f.status,
    ConnectorID: f.ConnectorID,
    ConnectorStatus: connectorStatusOf(f.status, f.stopReason),
    CurrentA: live?.currentA ?? 0,
    VoltageA: live?.voltageA ?? 0,
    Soc: f.soc ?? 0,
    StartTime: f.bill.StartTime,
    EndTime: live ? formatDateTime(new Date(live.at)) : f.bill.EndTime,
    TotalPower: f.bill.TotalPower,
    ElecMoney: f.bill.TotalElecMoney,
    SeviceMoney: f.bill.TotalSeviceMoney,
    TotalMoney: f.bill.TotalMoney,
    SumPeriod: f.bill.SumPeriod,
    ChargeDetails: f.bill.ChargeDetails,
  };
};

const orderFields = (f: OrderFacts) => ({
  StartChargeSeq: f.StartChargeSeq,
  ConnectorID: f.ConnectorID,
  StartTime: f.bill.StartTime,
  EndTime: f.bill.EndTime,
  TotalPower: f.bill.TotalPower,
  TotalElecMoney: f.bill.TotalElecMoney,
  TotalSeviceMoney: f.bill.TotalSeviceMoney,
  TotalMoney: f.bill.TotalMoney,
  SumPeriod: f.bill.SumPeriod,
  ChargeDetails: f.bill.ChargeDetails,
  // a prepaid order's settlement (shared/domain/prepay.ts), when the bill carries it
  ...(f.bill.PrepayMoney !== undefined
    ? { PrepayMoney: f.bill.PrepayMoney, ConsumedMoney: f.bill.ConsumedMoney, RefundMoney: f.bill.RefundMoney }
    : {}),
  // a coupon's discount (shared/domain/coupons.ts), already in ChargeDetails and the totals
  ...(f.bill.CouponID !== undefined ? { CouponID: f.bill.CouponID, DiscountMoney: f.bill.DiscountMoney } : {}),
  // a reservation's fee (shared/domain/billing.ts addReservationFee), already a line of ChargeDetails and in the totals
  ...(f.bill.ReserveSeq !== undefined ? { ReserveSeq: f.bill.ReserveSeq, ReserveMoney: f.bill.ReserveMoney } : {}),
});

/** notification_charge_order_info (§3.12): the final order of a finished session. */
export const chargeOrderOf = (f: OrderFacts & { stopReason: number }): ChargeOrder => ({
  ...orderFields(f),
  StopReason: f.stopReason,
});

/** query_charge_info (extension, §3.14): the §3.12 fields and the order's status; no StopReason while it runs. */
export const chargeInfoOf = (f: OrderFacts): ChargeInfo => ({
  ...orderFields(f),
  StartChargeSeqStat: f.status,
  ...(f.stopReason !== undefined ? { StopReason: f.stopReason } : {}),
});
