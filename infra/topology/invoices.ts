/**
 * Invoices (开票, ours; msp extension, L2: a failure is felt by the partner's invoicing, never by a
 * session): the two interfaces behind the profile switch and the asynchronous issue.
 *
 *   query_invoice_apply ─(one transaction: INVOICE# + its orders marked)─▶ invoice-issue queue (+DLQ)
 *     ─▶ invoice-issue: PDF (pdf-lib) ─▶ exports bucket invoices/<OperatorID>/<InvoiceSeq>-<ms>-<rand>.pdf
 *        ─▶ push-deliveries: notification_invoice_info (with a presigned GET)
 *   query_invoice_info: the status, and a fresh presigned GET once issued
 */
import { InvoiceIssueQueue, PushDeliveriesQueue } from '../../events/queues.ts';
import { tcecInterface } from './helpers.ts';
import type { FunctionDecl, QueueDecl } from './types.ts';

export const invoiceQueues: readonly QueueDecl[] = [InvoiceIssueQueue.decl];

const orders = { table: 'orders', access: 'readWrite' } as const;
const readOrders = { table: 'orders', access: 'read' } as const;
const issue = { queue: InvoiceIssueQueue.name, access: 'send' } as const;
// signing a download link needs the right to read the object
const readPdfs = { bucket: 'exports', access: 'read' } as const;

export const invoiceFunctions: readonly FunctionDecl[] = [
  tcecInterface(
    'query_invoice_apply',
    'msp',
    'L2',
    "Ours (开票): invoice the partner's finished orders (one conditional transaction), issued asynchronously",
    [orders, issue],
  ),
  tcecInterface('query_invoice_info', 'msp', 'L2', "Ours (开票): an invoice's status and a presigned link to its PDF", [
    readOrders,
    readPdfs,
  ]),
  {
    id: 'invoice-issue',
    service: 'msp',
    entry: 'functions/msp/invoice-issue.ts',
    tier: 'L2',
    description: 'An applied invoice → its PDF (pdf-lib) in S3, the invoice marked issued, notification_invoice_info pushed',
    triggers: [{ type: 'queue', queue: InvoiceIssueQueue.name, batchSize: 5, maxConcurrency: 5 }],
    grants: [orders, { bucket: 'exports', access: 'readWrite' }, { queue: PushDeliveriesQueue.name, access: 'send' }],
    timeoutSeconds: 60,
  },
];
