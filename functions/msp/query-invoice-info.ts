/** query_invoice_info — ours (开票): an invoice's status and, once issued, a download link of its PDF. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { invoiceInfo } from '../../shared/services/invoices.ts';

export const handler = tcecHandler('query_invoice_info', ({ partner, data, now }) => invoiceInfo(partner, data.InvoiceSeq, now));
