/**
 * Inbound reconciliation (T/CEC 102 §3.13 served on the customer side): the partner lists the
 * orders of OUR users on ITS piles for a period; we compare each with the roaming order we hold.
 * Pure: the caller reads the orders and stores the run.
 *
 * The comparison itself is the one of shared/domain/reconcile.ts (`compareOrderLists`: 1 no such
 * order for this partner, 3 energy, 2 money, one reason per order, a duplicate line counts once),
 * with a tolerance of 0.01 kWh / 1 fen: our figures of an order are the partner's bill as pushed
 * when we confirmed it (the bill check accepts any split across a tariff boundary the readings
 * allow), else the ones we computed from it with our billing function (`ours` of a disputed final
 * order), else the last live snapshot, and the bill check already accepts a rounding fen. What is
 * this side's own: the answer's shape (DisputeOrders carry OUR figures where we have them, the
 * partner's for reason 1), its totals, and the orders we hold for the period that the partner did
 * not list (`unlisted`): the protocol has no reason code for them, so they are stored with the run,
 * not answered.
 *
 * Which orders we hold for the partner's period follows THE DAY RULE of shared/domain/reconcile.ts:
 * an order belongs to the period its END falls in (roamingOrderEnd), not its creation — a session
 * that starts before midnight and ends after it is the next day's, as on the partner's side.
 */
import { parseDateTime } from '../tcec/time.ts';
import { compareOrderLists, type ReconOrder } from './reconcile.ts';
import type { RoamingOrderState } from './roaming-order.ts';

/**
 * How long before a check's period an order that ends in it may have been created: the orders are
 * found by creation time (the byPartner index), then kept by their end (roamingOrderEnd). A session
 * longer than this would be missed from `unlisted` (never from the answer, which judges the listed orders).
 */
export const CHECK_LOOKBACK_MS = 3 * 86_400_000;

/**
 * When a roaming order ended, for the day rule: its bill's EndTime (the partner's final order), else
 * — finished without a bill yet — the time of its last figures; undefined while it runs (or never ran).
 */
export const roamingOrderEnd = (o: RoamingOrderState): Date | undefined => {
  const billed = o.final?.theirs.EndTime;
  if (typeof billed === 'string') return parseDateTime(billed);
  if (o.final) return undefined;
  return o.stat === 4 && o.live ? parseDateTime(o.live.EndTime) : undefined;
};

/** Whether the order ended within the partner's period [from, to] (both ends as the request states them, to the second). */
export const endsInPeriod = (o: RoamingOrderState, from: Date, to: Date): boolean => {
  const end = roamingOrderEnd(o);
  return end !== undefined && end >= from && end <= to;
};

/** Our figures of one order: energy in 0.01 kWh, money in fen. */
export interface HeldOrder {
  powerCentiKwh: number;
  totalFen: number;
}

interface DisputeOrder extends ReconOrder {
  DisputeReason: number;
}

export interface InboundCheckResult {
  disputes: DisputeOrder[];
  TotalDisputeOrder: number;
  TotalDisputePower: number;
  TotalDisputeMoney: number;
  unlisted: string[];
}

const cents = (v: number): number => Math.round(v * 100);

export function compareInboundCheck(
  listed: readonly ReconOrder[],
  held: ReadonlyMap<string, HeldOrder>,
  heldInPeriod: readonly string[] = [],
): InboundCheckResult {
  const ours = [...held].map(([StartChargeSeq, h]) => ({
    StartChargeSeq,
    TotalPower: h.powerCentiKwh / 100,
    TotalMoney: h.totalFen / 100,
  }));
  const r = compareOrderLists(listed, ours, { tolerance: 1 });
  const disputes = r.disputes.map((d) => {
    // compareOrderLists gives every dispute the listed (their) figures, and ours when we hold the order
    const f = d.ours ?? d.theirs ?? { TotalPower: 0, TotalMoney: 0 };
    return { StartChargeSeq: d.StartChargeSeq, TotalPower: f.TotalPower, TotalMoney: f.TotalMoney, DisputeReason: d.reason };
  });
  const seen = new Set(listed.map((i) => i.StartChargeSeq));
  const powerC = disputes.reduce((s, d) => s + cents(d.TotalPower), 0);
  const moneyF = disputes.reduce((s, d) => s + cents(d.TotalMoney), 0);
  return {
    disputes,
    TotalDisputeOrder: disputes.length,
    TotalDisputePower: powerC / 100,
    TotalDisputeMoney: moneyF / 100,
    unlisted: heldInPeriod.filter((seq) => !seen.has(seq)),
  };
}
