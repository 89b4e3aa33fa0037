/** T/CEC 102 — customer side (roaming out): notification_start_charge_result, about OUR user's session on the partner's pile. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { onPartnerStartResult } from '../../shared/services/roaming-notifications.ts';

export const handler = tcecHandler('notification_start_charge_result', ({ partner, data }) => onPartnerStartResult(partner, data));
