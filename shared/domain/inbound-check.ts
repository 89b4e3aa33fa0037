/**
 * Inbound reconciliation (T/CEC 102 §3.13 served on the customer side): the partner lists the
 * orders of OUR users on ITS piles for a period; we compare each with the roaming order we hold.
 * Pure: the caller reads the orders and stores the run.
 *
 *   DisputeReason 1  we hold no such order (for this partner)
 *                 2  the money differs by more than 0.01 yuan
 *                 3  the energy differs by more than 0.01 kWh (checked after money: one reason per order)
 *
 * Our figures of an order are the ones we computed from the partner's bill with our billing function
 * (`ours` of the final order), else the partner's bill as pushed, else the last live snapshot.
 * The disputed entries carry OUR figures where we have them (the partner's for reason 1).
 * The orders we hold for the period that the partner did not list are returned too (`unlisted`):
 * the protocol has no reason code for them, so they are stored with the run, not answered.
 */

export interface CheckItem {
  StartChargeSeq: string;
  TotalPower: number;
  TotalMoney: number;
}

/** Our figures of one order: energy in 0.01 kWh, money in fen. */
export interface HeldOrder {
  powerCentiKwh: number;
  totalFen: number;
}

interface DisputeOrder extends CheckItem {
  DisputeReason: 1 | 2 | 3;
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
  listed: readonly CheckItem[],
  held: ReadonlyMap<string, HeldOrder>,
  heldInPeriod: readonly string[] = [],
): InboundCheckResult {
  const disputes: DisputeOrder[] = [];
  const seen = new Set<string>();
  for (const item of listed) {
    if (seen.has(item.StartChargeSeq)) continue; // a duplicate line is one order
    seen.add(item.StartChargeSeq);
    const ours = held.get(item.StartChargeSeq);
    if (!ours) {
      disputes.push({ ...item, DisputeReason: 1 });
      continue;
    }
    const mine = { StartChargeSeq: item.StartChargeSeq, TotalPower: ours.powerCentiKwh / 100, TotalMoney: ours.totalFen / 100 };
    if (Math.abs(cents(item.TotalMoney) - ours.totalFen) > 1) disputes.push({ ...mine, DisputeReason: 2 });
    else if (Math.abs(cents(item.TotalPower) - ours.powerCentiKwh) > 1) disputes.push({ ...mine, DisputeReason: 3 });
  }
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
