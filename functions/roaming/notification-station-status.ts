/** T/CEC 102 §3.3 — customer side (roaming out): a partner connector's status push. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { onPartnerStationStatus } from '../../shared/services/roaming-notifications.ts';

export const handler = tcecHandler('notification_stationStatus', ({ partner, data, now }) => onPartnerStationStatus(partner, data, now));
