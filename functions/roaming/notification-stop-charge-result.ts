/** T/CEC 102 — customer side (roaming out): notification_stop_charge_result, about OUR user's session on the partner's pile. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { onPartnerStopResult } from '../../shared/services/roaming-notifications.ts';

export const handler = tcecHandler('notification_stop_charge_result', ({ partner, data }) => onPartnerStopResult(partner, data));
