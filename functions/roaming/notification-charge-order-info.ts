/** T/CEC 102 §3.12 — customer side (roaming out): the partner's final order, checked with our billing function. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { onPartnerOrderInfo } from '../../shared/services/roaming-notifications.ts';

export const handler = tcecHandler('notification_charge_order_info', ({ partner, data, now }) => onPartnerOrderInfo(partner, data, now));
