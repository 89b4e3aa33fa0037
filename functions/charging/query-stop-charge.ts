/** T/CEC 102 §3.10 query_stop_charge — stop an order the partner created. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { stopCharge } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_stop_charge', ({ partner, data, now }) => stopCharge(partner, data, now));
