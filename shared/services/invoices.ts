/**
 * The invoice extension (开票, ours): query_invoice_apply, query_invoice_info and the asynchronous
 * issue (invoice-issue, from the invoice-issue queue) that makes the PDF, stores it in the exports
 * bucket under invoices/<OperatorID>/<InvoiceSeq>-<ms>-<rand>.pdf and pushes notification_invoice_info.
 * Rules and the PDF: shared/domain/invoices.ts; records: shared/store/invoices.ts.
 *
 * Nothing is half-written: the invoice and the marks on its orders are ONE conditional transaction;
 * the issue message is sent after it, and a repeat of the same InvoiceSeq (the partner's retry after
 * a 500) sends it again while the invoice is still applied. The issue is idempotent: the PDF's key
 * is fixed, `markIssued` is conditional, the push has a stable id.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { InvoiceIssueQueue } from '../../events/queues.ts';
import { send } from '../bus/send.ts';
import { billedOrderFacts } from '../domain/charging.ts';
import { checkInvoiceSeq, type InvoiceOrderFacts, InvoiceStat, invoiceDecision } from '../domain/invoices.ts';
import { createInvoice, getInvoice, type Invoice } from '../store/invoices.ts';
import { presignedGetUrl } from '../store/object-links.ts';
import { getOrders } from '../store/orders.ts';
import type { Partner } from '../store/partners.ts';
import type { RequestData, ResponseData, ResponseInput } from '../tcec/interfaces.ts';
import { fenToYuan } from '../tcec/money.ts';
import { Ret, TcecError } from '../tcec/ret.ts';
import { formatDateTime } from '../tcec/time.ts';

/** the bucket the PDFs live in (the exports bucket keeps generated documents) */
export const BUCKET = 'exports';
/** how long a DownloadUrl is valid */
const LINK_SECONDS = 3600;

type ApplyAnswer = ResponseInput<'query_invoice_apply'>;

/** the listed orders as the rules see them: one strongly consistent BatchGet per 100 (a request lists at most 50) */
const readOrders = async (seqs: readonly string[]): Promise<Map<string, InvoiceOrderFacts>> => {
  const found = await getOrders([...new Set(seqs)], { consistent: true });
  return new Map(found.map((o) => [o.StartChargeSeq, billedOrderFacts(o)]));
};

const sameRequest = (a: Invoice, partner: Partner, req: RequestData<'query_invoice_apply'>): boolean =>
  a.OperatorID === partner.operatorId &&
  a.StartChargeSeqs.join(',') === req.StartChargeSeqs.join(',') &&
  a.BuyerName === req.BuyerName &&
  a.BuyerTaxID === req.BuyerTaxID;

const accepted = async (inv: Invoice): Promise<ApplyAnswer> => {
  // (also on a repeat: the issue message of a request whose first send failed is not lost)
  if (inv.stat === InvoiceStat.Applied) await send(InvoiceIssueQueue, { InvoiceSeq: inv.InvoiceSeq });
  return { InvoiceSeq: inv.InvoiceSeq, SuccStat: 0, FailReason: 0, InvoiceStat: inv.stat };
};

/** query_invoice_apply. */
export const applyInvoice = async (partner: Partner, req: RequestData<'query_invoice_apply'>, now: Date): Promise<ApplyAnswer> => {
  const seqProblem = checkInvoiceSeq(req.InvoiceSeq, partner.operatorId);
  if (seqProblem) throw new TcecError(Ret.BizError, seqProblem);
  logger.appendKeys({ InvoiceSeq: req.InvoiceSeq });
  const before = await getInvoice(req.InvoiceSeq);
  if (before) {
    if (!sameRequest(before, partner, req)) throw new TcecError(Ret.BizError, 'InvoiceSeq: already used for another request');
    return accepted(before);
  }
  for (let attempt = 1; ; attempt++) {
    const d = invoiceDecision(partner.operatorId, req.StartChargeSeqs, await readOrders(req.StartChargeSeqs), req.InvoiceSeq);
    if (!d.ok) {
      metrics.addMetric('InvoicesRefused', MetricUnit.Count, 1);
      logger.info('invoice refused', { FailReason: d.failReason, StartChargeSeq: d.seq });
      return { InvoiceSeq: req.InvoiceSeq, SuccStat: 1, FailReason: d.failReason, FailStartChargeSeq: d.seq };
    }
    const inv: Invoice = {
      InvoiceSeq: req.InvoiceSeq,
      OperatorID: partner.operatorId,
      StartChargeSeqs: [...req.StartChargeSeqs],
      BuyerName: req.BuyerName,
      BuyerTaxID: req.BuyerTaxID,
      ...(req.BuyerEmail ? { BuyerEmail: req.BuyerEmail } : {}),
      totalFen: d.totalFen,
      stat: InvoiceStat.Applied,
      appliedAt: now.toISOString(),
    };
    if ((await createInvoice(inv)) === 'created') {
      metrics.addMetric('InvoicesApplied', MetricUnit.Count, 1);
      logger.info('invoice applied', { orders: inv.StartChargeSeqs.length, totalFen: inv.totalFen });
      return accepted(inv);
    }
    // a condition failed: the same InvoiceSeq raced in, or an order changed meanwhile — decide again
    const raced = await getInvoice(req.InvoiceSeq);
    if (raced) {
      if (!sameRequest(raced, partner, req)) throw new TcecError(Ret.BizError, 'InvoiceSeq: already used for another request');
      return accepted(raced);
    }
    if (attempt >= 3) throw new Error('invoice: the transaction kept conflicting');
  }
};

/** The invoice as query_invoice_info answers it (and notification_invoice_info pushes it). */
export const infoOf = async (inv: Invoice, now: Date): Promise<ResponseData<'query_invoice_info'>> => ({
  InvoiceSeq: inv.InvoiceSeq,
  InvoiceStat: inv.stat,
  StartChargeSeqs: inv.StartChargeSeqs,
  BuyerName: inv.BuyerName,
  BuyerTaxID: inv.BuyerTaxID,
  TotalMoney: fenToYuan(inv.totalFen),
  ...(inv.stat === InvoiceStat.Issued && inv.objectKey && inv.invoiceNo && inv.issuedAt
    ? {
        InvoiceNo: inv.invoiceNo,
        IssueTime: formatDateTime(new Date(inv.issuedAt)),
        DownloadUrl: await presignedGetUrl(BUCKET, inv.objectKey, LINK_SECONDS),
        UrlExpireTime: formatDateTime(new Date(now.getTime() + LINK_SECONDS * 1000)),
      }
    : {}),
});

/** query_invoice_info: another partner's invoice looks like none. */
export const invoiceInfo = async (partner: Partner, seq: string, now: Date): Promise<ResponseData<'query_invoice_info'>> => {
  const inv = await getInvoice(seq);
  if (!inv || inv.OperatorID !== partner.operatorId) throw new TcecError(Ret.BizError, 'InvoiceSeq: no such invoice');
  return infoOf(inv, now);
};
