/** T/CEC 102 §3.7 query_start_charge — create the order, lock the connector, command the pile; answers at once. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { startCharge } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_start_charge', ({ partner, data, now }) => startCharge(partner, data, now));
