/**
 * Events of the charging service, for the rest of the platform (push, parking, reconciliation,
 * government reporting). Money is carried as the 2-dp canonical T/CEC values computed ONCE by the
 * billing function; consumers never re-price.
 */
import * as z from 'zod/mini';
import { defineEvent } from './define.ts';
import { CHARGING_SOURCE } from './piles.ts';

const base = () => ({
  StartChargeSeq: z.string().check(z.minLength(1), z.maxLength(64)),
  ConnectorID: z.string().check(z.minLength(1), z.maxLength(26)),
  StationID: z.string().check(z.minLength(1), z.maxLength(20)),
  /** the partner that created the order */
  OperatorID: z.string().check(z.length(9)),
});

/** plug-and-charge (ours): the car of the order, when a charger reported it (the pushes carry it as facts) */
const car = () => ({
  Vin: z.optional(z.string().check(z.length(17))),
  PlateNum: z.optional(z.string().check(z.maxLength(16))),
});

const chargeDetail = () =>
  z.object({
    DetailStartTime: z.string(),
    DetailEndTime: z.string(),
    ElecPrice: z.number(),
    SevicePrice: z.number(),
    DetailPower: z.number(),
    DetailElecMoney: z.number(),
    DetailSeviceMoney: z.number(),
  });

/** The order's bill in canonical cec2016 spelling, exactly as notification_charge_order_info carries it. */
const orderBill = () =>
  z.object({
    StartTime: z.string(),
    EndTime: z.string(),
    TotalPower: z.number(),
    TotalElecMoney: z.number(),
    TotalSeviceMoney: z.number(),
    TotalMoney: z.number(),
    SumPeriod: z.int().check(z.gte(0), z.lte(32)),
    ChargeDetails: z.array(chargeDetail()),
    /** prepaid orders only (shared/domain/prepay.ts): the prepayment settled against TotalMoney */
    PrepayMoney: z.optional(z.number()),
    ConsumedMoney: z.optional(z.number()),
    RefundMoney: z.optional(z.number()),
    /** pay-after orders only (shared/domain/pay-after.ts): what is payable to us (= TotalMoney) */
    PayableMoney: z.optional(z.number()),
    /** orders that used a coupon (shared/domain/coupons.ts): its id and the service fee it took off */
    CouponID: z.optional(z.string()),
    DiscountMoney: z.optional(z.number()),
    /** orders that used a reservation (extension): its ReserveSeq and fee, already a line of ChargeDetails and in the totals */
    ReserveSeq: z.optional(z.string()),
    ReserveMoney: z.optional(z.number()),
  });
export type OrderBill = z.infer<ReturnType<typeof orderBill>>;

export const OrderStarted = /* @__PURE__ */ defineEvent({
  source: CHARGING_SOURCE,
  detailType: 'OrderStarted',
  version: 1,
  description: 'The pile answered a start: charging (StartChargeSeqStat 2) or refused (4, with a reason)',
  detail: () =>
    z.object({
      ...base(),
      succeeded: z.boolean(),
      StartChargeSeqStat: z.int().check(z.gte(1), z.lte(5)),
      /** 'yyyy-MM-dd HH:mm:ss' China time */
      StartTime: z.string(),
      failReason: z.optional(z.string()),
      ...car(),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    StationID: 'ST0001',
    OperatorID: 'MA01H3BQ2',
    succeeded: true,
    StartChargeSeqStat: 2,
    StartTime: '2026-11-23 09:30:47',
  },
});

export const OrderProgress = /* @__PURE__ */ defineEvent({
  source: CHARGING_SOURCE,
  detailType: 'OrderProgress',
  version: 1,
  description: 'A running order after a meter sample: live values and the running bill (query_equip_charge_status shape)',
  detail: () =>
    z.object({
      ...base(),
      StartChargeSeqStat: z.int().check(z.gte(1), z.lte(5)),
      ConnectorStatus: z.int(),
      CurrentA: z.number(),
      VoltageA: z.number(),
      Soc: z.number(),
      StartTime: z.string(),
      EndTime: z.string(),
      TotalPower: z.number(),
      ElecMoney: z.number(),
      SeviceMoney: z.number(),
      TotalMoney: z.number(),
      SumPeriod: z.int(),
      ChargeDetails: z.array(chargeDetail()),
      /** the reading time (ms) of this order's previous progress, when it had one: supervision cadences count from it (not pushed) */
      previousAt: z.optional(z.number()),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    StationID: 'ST0001',
    OperatorID: 'MA01H3BQ2',
    StartChargeSeqStat: 2,
    ConnectorStatus: 3,
    CurrentA: 125.5,
    VoltageA: 380.2,
    Soc: 56.3,
    StartTime: '2026-11-23 09:30:47',
    EndTime: '2026-11-23 09:45:47',
    TotalPower: 12.35,
    ElecMoney: 10.03,
    SeviceMoney: 4.94,
    TotalMoney: 14.97,
    SumPeriod: 1,
    ChargeDetails: [
      {
        DetailStartTime: '2026-11-23 09:30:47',
        DetailEndTime: '2026-11-23 09:45:47',
        ElecPrice: 0.8123,
        SevicePrice: 0.4,
        DetailPower: 12.35,
        DetailElecMoney: 10.03,
        DetailSeviceMoney: 4.94,
      },
    ],
  },
});

/** T/CEC StopReason: 0 local stop by the driver, 1 partner's stop, 2 BMS/battery full, 3 charger fault, 4 unplugged, 5–99 custom */
const stopReason = () => z.int().check(z.gte(0), z.lte(99));

export const OrderFinished = /* @__PURE__ */ defineEvent({
  source: CHARGING_SOURCE,
  detailType: 'OrderFinished',
  version: 1,
  description: 'An order reached finished (4) with its full bill; the connector is released',
  detail: () =>
    z.object({
      ...base(),
      StopReason: stopReason(),
      /** why, in words, when the session failed or timed out (start refused, pile silent, …) */
      finishReason: z.string(),
      /** true when a partner's stop ended it (notification_stop_charge_result is due) */
      stoppedByPartner: z.boolean(),
      /** true when charging actually happened (an OrderStarted with succeeded true preceded it) */
      charged: z.boolean(),
      /** the battery's state of charge at the last meter sample, % (absent when none arrived) */
      finalSoc: z.optional(z.number().check(z.gte(0), z.lte(100))),
      /**
       * the order's start result (as its OrderStarted told it) when no charge status carried it to the
       * push lane (the order never pushed one): the planner sends it ahead of the order's other pushes
       */
      start: z.optional(z.object({ StartChargeSeqStat: z.int().check(z.gte(1), z.lte(5)), StartTime: z.string() })),
      bill: orderBill(),
      ...car(),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    StationID: 'ST0001',
    OperatorID: 'MA01H3BQ2',
    StopReason: 1,
    finishReason: 'stopped by partner',
    stoppedByPartner: true,
    charged: true,
    bill: {
      StartTime: '2026-11-23 09:30:47',
      EndTime: '2026-11-23 10:30:47',
      TotalPower: 45.21,
      TotalElecMoney: 36.72,
      TotalSeviceMoney: 18.08,
      TotalMoney: 54.8,
      SumPeriod: 1,
      ChargeDetails: [
        {
          DetailStartTime: '2026-11-23 09:30:47',
          DetailEndTime: '2026-11-23 10:30:47',
          ElecPrice: 0.8123,
          SevicePrice: 0.4,
          DetailPower: 45.21,
          DetailElecMoney: 36.72,
          DetailSeviceMoney: 18.08,
        },
      ],
    },
  },
});

export const OrderPaid = /* @__PURE__ */ defineEvent({
  source: CHARGING_SOURCE,
  detailType: 'OrderPaid',
  version: 1,
  description: 'A pay-after order was paid by its partner (query_order_pay): its settlement, as notification_order_settlement carries it',
  detail: () =>
    z.object({
      ...base(),
      SettleStatus: z.literal(2),
      PayableMoney: z.number(),
      PaidMoney: z.number(),
      PaySeq: z.string().check(z.minLength(1), z.maxLength(64)),
      PaidTime: z.string(),
    }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    StationID: 'ST0001',
    OperatorID: 'MA01H3BQ2',
    SettleStatus: 2,
    PayableMoney: 54.8,
    PaidMoney: 54.8,
    PaySeq: 'PAY20261123103100001',
    PaidTime: '2026-11-23 10:31:00',
  },
});
