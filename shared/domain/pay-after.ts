/**
 * Pay after charging (充电后支付, ours): the order of a partner whose profile enables
 * `query_order_settlement` is payable TO US once it finishes — its TotalMoney, from the one
 * billing function. The partner reports its payment with `query_order_pay`; the settlement status
 * is answered by `query_order_settlement` and pushed with `notification_order_settlement` (when the
 * order becomes payable, and when it is paid). Pure rules; shared/services/pay-after.ts applies them.
 *
 *   SettleStatus  0 not billed yet (the order runs), 1 payable to us, 2 paid
 *   query_order_pay FailReason  0 none, 1 no such order (or another partner's), 2 not payable yet
 *                               (the order runs), 3 PayMoney is not the payable amount,
 *                               4 already paid under another PaySeq
 * A payment repeated with the same PaySeq and amount gets the same answer (idempotent).
 */
import { formatDateTime } from '../tcec/time.ts';

export const SettleStatus = { NotBilled: 0, Payable: 1, Paid: 2 } as const;
export type SettleStatus = (typeof SettleStatus)[keyof typeof SettleStatus];

export const PayFail = { None: 0, NotFound: 1, NotPayable: 2, AmountDiffers: 3, PaidOtherwise: 4 } as const;

export interface Payment {
  paySeq: string;
  paidFen: number;
  /** ISO 8601 */
  paidAt: string;
}

/** What the settlement of a pay-after order is computed from. */
export interface PayAfterFacts {
  StartChargeSeq: string;
  ConnectorID: string;
  finished: boolean;
  /** the final bill's TotalMoney, fen (meaningful once finished) */
  totalFen: number;
  paid?: Payment | undefined;
}

/** The settlement as query_order_settlement answers it and notification_order_settlement pushes it. */
export const settlementOf = (f: PayAfterFacts) => ({
  StartChargeSeq: f.StartChargeSeq,
  ConnectorID: f.ConnectorID,
  SettleStatus: f.paid ? SettleStatus.Paid : f.finished ? SettleStatus.Payable : SettleStatus.NotBilled,
  PayableMoney: f.finished ? f.totalFen / 100 : 0,
  ...(f.paid ? { PaidMoney: f.paid.paidFen / 100, PaySeq: f.paid.paySeq, PaidTime: formatDateTime(new Date(f.paid.paidAt)) } : {}),
});

/** May this payment be recorded? PayFail.None also for a repeat of the recorded payment. */
export const payDecision = (f: PayAfterFacts | undefined, paySeq: string, payFen: number): number => {
  if (!f) return PayFail.NotFound;
  if (f.paid) return f.paid.paySeq === paySeq && f.paid.paidFen === payFen ? PayFail.None : PayFail.PaidOtherwise;
  if (!f.finished) return PayFail.NotPayable;
  return payFen === f.totalFen ? PayFail.None : PayFail.AmountDiffers;
};
