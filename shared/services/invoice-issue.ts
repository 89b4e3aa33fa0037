/**
 * invoice-issue (the invoice-issue queue's consumer): the PDF made (shared/domain/invoice-pdf.ts),
 * stored in S3, the invoice marked issued and pushed. Apart from shared/services/invoices.ts so that
 * the query functions do not carry pdf-lib.
 */
import { randomBytes } from 'node:crypto';
import { logger, MetricUnit, metrics } from '#powertools';
import type { InvoiceIssueMessage } from '../../events/queues.ts';
import { config } from '../config.ts';
import { type InvoiceLine, renderInvoicePdf } from '../domain/invoice-pdf.ts';
import { InvoiceStat, invoiceNumber } from '../domain/invoices.ts';
import { newDelivery } from '../push/messages.ts';
import { enqueueDeliveries } from '../push/queue.ts';
import { getInvoice, markIssued } from '../store/invoices.ts';
import { deleteObject, putObject } from '../store/objects.ts';
import { getOrders, type Order } from '../store/orders.ts';
import { BUCKET, infoOf } from './invoices.ts';

const lineOf = (o: Order): InvoiceLine => {
  const b = o.bill;
  if (!b) throw new Error(`invoice: order ${o.StartChargeSeq} has no bill`);
  return {
    StartChargeSeq: o.StartChargeSeq,
    StartTime: b.StartTime,
    EndTime: b.EndTime,
    TotalPower: b.TotalPower,
    TotalElecMoney: b.TotalElecMoney,
    TotalSeviceMoney: b.TotalSeviceMoney,
    TotalMoney: b.TotalMoney,
  };
};

/** invoice-issue: make and store the PDF, mark the invoice issued, push it. Idempotent on redelivery. */
export const issueInvoice = async (m: InvoiceIssueMessage, now: Date): Promise<void> => {
  const inv = await getInvoice(m.InvoiceSeq);
  if (!inv) {
    logger.error('invoice to issue not found: dropped', { InvoiceSeq: m.InvoiceSeq });
    return;
  }
  logger.appendKeys({ InvoiceSeq: inv.InvoiceSeq, OperatorID: inv.OperatorID });
  let issued = inv;
  if (inv.stat === InvoiceStat.Applied) {
    // one strongly consistent BatchGet (an invoice lists at most 50 orders), in the invoice's order
    const orders = new Map((await getOrders(inv.StartChargeSeqs, { consistent: true })).map((o) => [o.StartChargeSeq, o]));
    const lines = inv.StartChargeSeqs.map((seq) => {
      const o = orders.get(seq);
      if (!o) throw new Error(`invoice: order ${seq} vanished`);
      return lineOf(o);
    });
    const invoiceNo = invoiceNumber(inv.InvoiceSeq, now);
    const pdf = await renderInvoicePdf({
      invoiceNo,
      InvoiceSeq: inv.InvoiceSeq,
      issuedAt: now,
      seller: { name: 'EVCS Interconnect operator', operatorId: config().OPERATOR_ID },
      buyer: { name: inv.BuyerName, taxId: inv.BuyerTaxID, operatorId: inv.OperatorID },
      lines,
      totalFen: inv.totalFen,
    });
    // one object per issue attempt (time and a random part: two attempts in the same millisecond still
    // differ): a concurrent attempt (the same message twice) never overwrites the PDF the record names
    const objectKey = `invoices/${inv.OperatorID}/${inv.InvoiceSeq}-${now.getTime()}-${randomBytes(4).toString('hex')}.pdf`;
    await putObject(BUCKET, objectKey, pdf, { contentType: 'application/pdf', metadata: { 'invoice-no': invoiceNo } });
    const issue = { issuedAt: now.toISOString(), invoiceNo, objectKey };
    if (await markIssued(inv.InvoiceSeq, issue)) {
      issued = { ...inv, ...issue, stat: InvoiceStat.Issued };
      metrics.addMetric('InvoicesIssued', MetricUnit.Count, 1);
      logger.info('invoice issued', { invoiceNo, objectKey, bytes: pdf.byteLength, orders: lines.length });
    } else {
      // a concurrent attempt issued it first: its record, number and PDF stand; this attempt's PDF goes,
      // unless the record names it (our write landed and a retry of it was refused: the PDF is the issued one)
      issued = (await getInvoice(inv.InvoiceSeq)) ?? inv;
      if (issued.objectKey !== objectKey) await deleteObject(BUCKET, objectKey);
      logger.info('invoice issued by a concurrent attempt', { invoiceNo: issued.invoiceNo });
    }
  }
  await enqueueDeliveries([
    newDelivery({
      id: `notification_invoice_info:${issued.OperatorID}:${issued.InvoiceSeq}`,
      partner: issued.OperatorID,
      iface: 'notification_invoice_info',
      data: await infoOf(issued, now),
      createdAt: now.getTime(),
    }),
  ]);
};
