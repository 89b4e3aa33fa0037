/** T/CEC 102 — customer side (roaming out): notification_equip_charge_status, about OUR user's session on the partner's pile. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { onPartnerChargeStatus } from '../../shared/services/roaming-notifications.ts';

export const handler = tcecHandler('notification_equip_charge_status', ({ partner, data }) => onPartnerChargeStatus(partner, data));
