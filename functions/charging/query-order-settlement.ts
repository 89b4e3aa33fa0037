/**
 * query_order_settlement — ours (充电后支付; no public contract, reference §5.5): the settlement of a
 * pay-after order (SettleStatus 0 running, 1 payable to us, 2 paid). Enabled by the partner's profile.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { orderSettlement } from '../../shared/services/pay-after.ts';

export const handler = tcecHandler('query_order_settlement', ({ partner, data }) => {
  return orderSettlement(partner, data.StartChargeSeq);
});
