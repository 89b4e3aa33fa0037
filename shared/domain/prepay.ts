/**
 * Prepay (预支付, our extension `query_start_charge_prepay`): a partner starts a session with an
 * amount its user paid in advance; the session stops itself when the running bill reaches it, and
 * the final order settles the prepayment. Pure rules; the charging service applies them where the
 * running bill is computed (shared/services/charging.ts, onPileMeters).
 *
 * Money in fen (integer). The bill (ChargeDetails, TotalMoney) is the metered bill of the one
 * billing function (shared/domain/billing.ts) CAPPED at the prepayment (`capTotal`, applied by the
 * same function for the running and the final bill), so TotalMoney ≤ PrepayMoney always; the
 * prepayment is settled against it:
 *
 *   ConsumedMoney = min(TotalMoney, PrepayMoney)   what the prepayment pays for (= TotalMoney)
 *   RefundMoney   = PrepayMoney − ConsumedMoney     what the partner gives back to its user
 *
 * The stop is sent when the running bill first reaches the prepaid amount (≥). The pile confirms it a
 * moment later; the energy metered in between is in the bill (DetailPower, TotalPower: it was
 * delivered) but its money is waived by the operator: taken off the last ChargeDetails lines, their
 * service money first (capTotal), so Σ ChargeDetails = the totals still holds (logged as `waivedFen`,
 * metric PrepayWaivedFen).
 */

/** StopReason 7 (custom, §3.12 allows 5–99): the running bill reached the prepaid amount; the platform stopped the session. */
export const STOP_REASON_PREPAY_EXHAUSTED = 7;

/** Yuan at the edge (≤ 2 decimals, already validated) → fen: the one conversion, shared/tcec/money.ts. */
export { yuanToFen } from '../tcec/money.ts';

/** Has the running bill reached the prepayment? (the session is then stopped) */
export const prepayReached = (runningTotalFen: number, prepaidFen: number): boolean => runningTotalFen >= prepaidFen;

export interface PrepaySettlement {
  prepaidFen: number;
  consumedFen: number;
  refundFen: number;
  /** metered after the threshold, not charged to the user */
  waivedFen: number;
}

/** The final order's settlement of a prepayment against its bill. */
export const settlePrepay = (totalFen: number, prepaidFen: number): PrepaySettlement => {
  if (!Number.isSafeInteger(totalFen) || totalFen < 0) throw new RangeError(`settlePrepay: totalFen ${totalFen} is not a fen amount`);
  if (!Number.isSafeInteger(prepaidFen) || prepaidFen <= 0) throw new RangeError(`settlePrepay: prepaidFen ${prepaidFen} must be > 0 fen`);
  const consumedFen = Math.min(totalFen, prepaidFen);
  return { prepaidFen, consumedFen, refundFen: prepaidFen - consumedFen, waivedFen: totalFen - consumedFen };
};

/** The settlement as the final order carries it (yuan, 2 dp; notification_charge_order_info, query_charge_info). */
export const prepayFields = (s: PrepaySettlement) => ({
  PrepayMoney: s.prepaidFen / 100,
  ConsumedMoney: s.consumedFen / 100,
  RefundMoney: s.refundFen / 100,
});
