/** T/CEC 102 §3.13 — customer side (roaming out): the partner's order list of a period, compared with our roaming orders. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { onPartnerCheckOrders } from '../../shared/services/roaming-check.ts';

export const handler = tcecHandler('check_charge_orders', ({ partner, data, now }) => onPartnerCheckOrders(partner, data, now));
