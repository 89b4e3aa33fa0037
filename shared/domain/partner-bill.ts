/**
 * Checking a partner's bill for one of OUR users' sessions on ITS pile (roaming out, T/CEC 102
 * §3.12 seen from the customer side). We do not trust the partner's money: we recompute every
 * ChargeDetail with OUR billing function (./billing.ts `bill`) from the partner's tariff as pulled
 * at the start of the session (query_equip_business_policy) and the partner's own energy and times,
 * and confirm only when each detail agrees within 0.01 yuan.
 *
 *   ConfirmResult 0: every detail within 1 fen of our price of its energy (DetailPower ± its 0.01 kWh
 *                    wire precision), the totals are the sums of the details (±1 fen per
 *                    detail) and Σ DetailPower = TotalPower (±0.01 kWh per detail);
 *   ConfirmResult 1: anything else — with the first reason (2 money, 3 energy: the DisputeReason
 *                    codes of §3.13) and both figures.
 *
 * An order without ChargeDetails is checked as one detail over [StartTime, EndTime] with TotalPower
 * spread evenly (our billing function splits it at the period boundaries). No I/O.
 */
import { parseDateTime } from '../tcec/time.ts';
import { type BillTotals, bill, type TariffPeriod } from './billing.ts';

interface PartnerChargeDetail {
  DetailStartTime: string;
  DetailEndTime: string;
  DetailPower: number;
  DetailElecMoney: number;
  DetailSeviceMoney: number;
}

export interface PartnerOrder extends BillTotals {
  ChargeDetails?: readonly PartnerChargeDetail[] | undefined;
}

/** One side's figures in integers: energy in 0.01 kWh, money in fen. */
export interface BillFigures {
  powerCentiKwh: number;
  elecFen: number;
  serviceFen: number;
  totalFen: number;
}

export type BillVerdict =
  | { confirm: 0; ours: BillFigures; theirs: BillFigures }
  | { confirm: 1; reason: 2 | 3; detail: string; ours: BillFigures | undefined; theirs: BillFigures };

/** Money within this many fen per detail is agreement (the issue: 0.01 yuan per detail). */
const FEN_TOLERANCE = 1;
/**
 * DetailPower travels at 0.01 kWh and the operator prices the exact Wh (our own billing apportions
 * DetailPower by largest remainder, so it is within 0.01 kWh of the priced energy): the money of
 * a detail is checked against our price of every energy the DetailPower stands for, ±10 Wh.
 */
const POWER_QUANTUM_WH = 10;

const cents = (v: number): number => Math.round(v * 100);
const yuan = (fen: number): string => (fen / 100).toFixed(2);

const theirFigures = (o: PartnerOrder): BillFigures => ({
  powerCentiKwh: cents(o.TotalPower),
  elecFen: cents(o.TotalElecMoney),
  serviceFen: cents(o.TotalSeviceMoney),
  totalFen: cents(o.TotalMoney),
});

/** Our price of `kwh` delivered evenly over [start, end] under `tariff`: elec and service fen. */
const priceSpan = (startS: string, endS: string, wh: number, tariff: readonly TariffPeriod[]): { elecFen: number; serviceFen: number } => {
  const start = parseDateTime(startS);
  const end = parseDateTime(endS);
  if (!start || !end) throw new RangeError(`not a 'yyyy-MM-dd HH:mm:ss' time: ${start ? endS : startS}`);
  // a zero-length detail is priced at the period of its instant (billing needs a positive span)
  const endMs = Math.max(end.getTime(), start.getTime() + 1000);
  const b = bill(
    [
      { at: start, energyWh: 0 },
      { at: new Date(endMs), energyWh: wh },
    ],
    tariff,
  );
  return { elecFen: b.elecFen, serviceFen: b.serviceFen };
};

/**
 * The verdict on a partner's final order. `tariff` is the partner's policy for the connector as
 * pulled at start (undefined when we never got one: then nothing can be confirmed, reason 2).
 */
export function verifyPartnerBill(order: PartnerOrder, tariff: readonly TariffPeriod[] | undefined): BillVerdict {
  const theirs = theirFigures(order);
  if (!tariff?.length) return { confirm: 1, reason: 2, detail: 'no tariff of the partner was pulled at start', ours: undefined, theirs };
  const [start, end] = [parseDateTime(order.StartTime), parseDateTime(order.EndTime)];
  if (!start || !end || end < start) {
    return { confirm: 1, reason: 3, detail: 'EndTime before StartTime (or not a time)', ours: undefined, theirs };
  }
  const details: PartnerChargeDetail[] = order.ChargeDetails?.length
    ? [...order.ChargeDetails]
    : [
        {
          DetailStartTime: order.StartTime,
          DetailEndTime: order.EndTime,
          DetailPower: order.TotalPower,
          DetailElecMoney: order.TotalElecMoney,
          DetailSeviceMoney: order.TotalSeviceMoney,
        },
      ];
  const ours: BillFigures = { powerCentiKwh: 0, elecFen: 0, serviceFen: 0, totalFen: 0 };
  const problems: { reason: 2 | 3; text: string }[] = [];
  let theirDetailFen = 0;
  details.forEach((d, i) => {
    let priced: { elecFen: number; serviceFen: number };
    let bounds: [number, number];
    try {
      const wh = Math.round(d.DetailPower * 1000);
      priced = priceSpan(d.DetailStartTime, d.DetailEndTime, wh, tariff);
      const low = priceSpan(d.DetailStartTime, d.DetailEndTime, Math.max(0, wh - POWER_QUANTUM_WH), tariff);
      const high = priceSpan(d.DetailStartTime, d.DetailEndTime, wh + POWER_QUANTUM_WH, tariff);
      bounds = [low.elecFen + low.serviceFen, high.elecFen + high.serviceFen];
    } catch (err) {
      problems.push({ reason: 3, text: `ChargeDetails[${i}]: ${(err as Error).message}` });
      return;
    }
    const oursFen = priced.elecFen + priced.serviceFen;
    const theirsFen = cents(d.DetailElecMoney) + cents(d.DetailSeviceMoney);
    theirDetailFen += theirsFen;
    ours.powerCentiKwh += cents(d.DetailPower);
    ours.elecFen += priced.elecFen;
    ours.serviceFen += priced.serviceFen;
    if (theirsFen < bounds[0] - FEN_TOLERANCE || theirsFen > bounds[1] + FEN_TOLERANCE) {
      problems.push({ reason: 2, text: `ChargeDetails[${i}]: theirs ${yuan(theirsFen)} yuan, ours ${yuan(oursFen)} yuan` });
    }
  });
  ours.totalFen = ours.elecFen + ours.serviceFen;
  const n = details.length;
  if (Math.abs(ours.powerCentiKwh - theirs.powerCentiKwh) > n) {
    problems.push({
      reason: 3,
      text: `TotalPower ${yuanless(theirs.powerCentiKwh)} kWh, Σ DetailPower ${yuanless(ours.powerCentiKwh)} kWh`,
    });
  }
  if (
    Math.abs(theirs.totalFen - theirDetailFen) > n * FEN_TOLERANCE ||
    Math.abs(theirs.elecFen + theirs.serviceFen - theirs.totalFen) > FEN_TOLERANCE
  ) {
    problems.push({ reason: 2, text: `TotalMoney ${yuan(theirs.totalFen)} yuan is not the sum of its parts` });
  }
  const first = problems[0];
  if (!first) return { confirm: 0, ours, theirs };
  return {
    confirm: 1,
    reason: first.reason,
    detail: problems
      .map((p) => p.text)
      .join('; ')
      .slice(0, 500),
    ours,
    theirs,
  };
}

const yuanless = (centi: number): string => (centi / 100).toFixed(2);
