/**
 * Invoices (extension, ours; shared/domain/invoices.ts) in the `orders` table beside the orders they
 * cover, so ONE transaction records an invoice and marks its orders:
 *
 *   INVOICE#<InvoiceSeq>  the request and its issue: partner, orders, buyer, total (fen), InvoiceStat,
 *                         once issued the invoice number, time and the PDF's object key
 *   ORDER#<StartChargeSeq> gets `invoiceSeq` — written only on the condition that the order is this
 *                         partner's, finished and not invoiced yet (an order is invoiced at most once)
 *
 * Writes: apply = TransactWrite Put INVOICE (attribute_not_exists) + one conditional Update per order
 * (≤ 51 items of the 100 DynamoDB allows): all or nothing. Issue = Update INVOICE stat 1 → 2.
 */

import { config } from '../config.ts';
import { OrderStatus } from '../domain/charging.ts';
import { InvoiceStat } from '../domain/invoices.ts';
import { GetCommand, TransactWriteCommand, UpdateCommand } from './doc.ts';
import { conditionalWrite, dynamo, isConditionalFailure, isTransactionConflict } from './dynamo.ts';

export interface Invoice {
  InvoiceSeq: string;
  OperatorID: string;
  StartChargeSeqs: string[];
  BuyerName: string;
  BuyerTaxID: string;
  BuyerEmail?: string;
  totalFen: number;
  stat: InvoiceStat;
  appliedAt: string;
  issuedAt?: string;
  invoiceNo?: string;
  /** the PDF in the exports bucket */
  objectKey?: string;
}

const table = () => config().tableName('orders');
const invoiceKey = (seq: string) => ({ pk: `INVOICE#${seq}` });

export const getInvoice = async (seq: string): Promise<Invoice | undefined> => {
  const res = await dynamo().send(new GetCommand({ TableName: table(), Key: invoiceKey(seq), ConsistentRead: true }));
  if (!res.Item) return undefined;
  const { pk: _pk, ...rest } = res.Item;
  return rest as Invoice;
};

/** Record the invoice and mark its orders, all or nothing; 'conflict' when a condition failed (nothing written). */
export const createInvoice = async (inv: Invoice): Promise<'created' | 'conflict'> => {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table(), Item: { ...invoiceKey(inv.InvoiceSeq), ...inv }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...inv.StartChargeSeqs.map((seq) => ({
            Update: {
              TableName: table(),
              Key: { pk: `ORDER#${seq}` },
              UpdateExpression: 'SET invoiceSeq = :inv',
              ConditionExpression: 'attribute_exists(pk) AND OperatorID = :op AND #s = :finished AND attribute_not_exists(invoiceSeq)',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':inv': inv.InvoiceSeq, ':op': inv.OperatorID, ':finished': OrderStatus.Finished },
            },
          })),
        ],
      }),
    );
    return 'created';
  } catch (err) {
    if (isConditionalFailure(err) || isTransactionConflict(err)) return 'conflict';
    throw err;
  }
};

/** applied → issued; false when it was issued already (a redelivery), nothing written then. */
export const markIssued = (seq: string, issue: { issuedAt: string; invoiceNo: string; objectKey: string }): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new UpdateCommand({
      TableName: table(),
      Key: invoiceKey(seq),
      UpdateExpression: 'SET stat = :issued, issuedAt = :at, invoiceNo = :no, objectKey = :key',
      ConditionExpression: 'stat = :applied',
      ExpressionAttributeValues: {
        ':issued': InvoiceStat.Issued,
        ':applied': InvoiceStat.Applied,
        ':at': issue.issuedAt,
        ':no': issue.invoiceNo,
        ':key': issue.objectKey,
      },
    }),
  );
