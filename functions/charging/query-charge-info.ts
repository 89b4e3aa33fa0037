/**
 * query_charge_info — extension (reference §3.14; not in the 2016 standard): the order detail by
 * StartChargeSeq, with the fields of notification_charge_order_info and the order's status.
 * Enabled per partner (`features.queryChargeInfo`).
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { chargeInfo } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_charge_info', ({ partner, data }) => chargeInfo(partner, data.StartChargeSeq), {
  feature: 'queryChargeInfo',
});
