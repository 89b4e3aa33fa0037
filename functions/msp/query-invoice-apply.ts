/**
 * query_invoice_apply — ours (开票; docs/conformance.md): invoice some of the partner's finished orders.
 * Served only to partners whose profile enables it. The PDF is issued asynchronously (invoice-issue).
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { applyInvoice } from '../../shared/services/invoices.ts';

export const handler = tcecHandler('query_invoice_apply', ({ partner, data, now }) => applyInvoice(partner, data, now));
