/**
 * Invoices (开票, ours; no public contract, reference §5.5) — the pure rules (the PDF: invoice-pdf.ts).
 *
 *   query_invoice_apply   a partner asks for ONE invoice over 1–50 of its finished orders, to a buyer
 *                         (name, tax id). Refusals (SuccStat 1, FailReason, FailStartChargeSeq): 1 an order
 *                         unknown or another partner's (the same answer: another partner's order looks like
 *                         none), 2 not finished, 3 already invoiced (by any invoice), 4 an order listed twice,
 *                         5 nothing to invoice (TotalMoney 0). The first problem in list order is answered.
 *   InvoiceStat           1 applied (the PDF is being issued), 2 issued (InvoiceNo, IssueTime, the PDF in S3)
 */
import { formatDateTime } from '../tcec/time.ts';

const InvoiceFail = { None: 0, UnknownOrder: 1, Unfinished: 2, AlreadyInvoiced: 3, Repeated: 4, NothingToInvoice: 5 } as const;
export const InvoiceStat = { Applied: 1, Issued: 2 } as const;
export type InvoiceStat = (typeof InvoiceStat)[keyof typeof InvoiceStat];

/** What the rules need of an order (undefined: no such order). */
export interface InvoiceOrderFacts {
  StartChargeSeq: string;
  OperatorID: string;
  finished: boolean;
  totalFen: number;
  invoiceSeq?: string | undefined;
}

export type InvoiceDecision = { ok: true; totalFen: number } | { ok: false; failReason: number; seq: string };

/** May `operatorId` invoice these orders (in the order the partner listed them)? */
export const invoiceDecision = (
  operatorId: string,
  seqs: readonly string[],
  orders: ReadonlyMap<string, InvoiceOrderFacts>,
  invoiceSeq: string,
): InvoiceDecision => {
  const seen = new Set<string>();
  let totalFen = 0;
  for (const seq of seqs) {
    if (seen.has(seq)) return { ok: false, failReason: InvoiceFail.Repeated, seq };
    seen.add(seq);
    const o = orders.get(seq);
    if (!o || o.OperatorID !== operatorId) return { ok: false, failReason: InvoiceFail.UnknownOrder, seq };
    if (!o.finished) return { ok: false, failReason: InvoiceFail.Unfinished, seq };
    if (o.invoiceSeq !== undefined && o.invoiceSeq !== invoiceSeq) return { ok: false, failReason: InvoiceFail.AlreadyInvoiced, seq };
    totalFen += o.totalFen;
  }
  if (totalFen === 0) return { ok: false, failReason: InvoiceFail.NothingToInvoice, seq: seqs[0] as string };
  return { ok: true, totalFen };
};

const SEQ_LENGTH = 27;

/** An InvoiceSeq we accept: like StartChargeSeq, 27 letters/digits starting with the caller's OperatorID. */
export const checkInvoiceSeq = (seq: string, operatorId: string): string | undefined => {
  if (seq.length !== SEQ_LENGTH) return `InvoiceSeq: must be ${SEQ_LENGTH} characters (got ${seq.length})`;
  if (!seq.startsWith(operatorId)) return `InvoiceSeq: must start with the caller's OperatorID ${operatorId}`;
  if (!/^[0-9A-Za-z]+$/.test(seq)) return 'InvoiceSeq: letters and digits only';
  return undefined;
};

/** Our invoice number: INV + the China-time date and time + the InvoiceSeq's last 6 (≤ 32 characters). */
export const invoiceNumber = (invoiceSeq: string, issuedAt: Date): string =>
  `INV${formatDateTime(issuedAt).replace(/\D/g, '')}${invoiceSeq.slice(-6)}`;
