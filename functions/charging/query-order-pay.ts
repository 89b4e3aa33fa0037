/**
 * query_order_pay — ours (充电后支付; no public contract, reference §5.5): the partner reports it paid
 * a payable order (PaySeq, PayMoney = PayableMoney); recorded once, pushed as
 * notification_order_settlement (paid). Enabled, like query_order_settlement, by the partner's profile's `extensions`.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { payOrder } from '../../shared/services/pay-after.ts';

export const handler = tcecHandler('query_order_pay', ({ partner, data, now }) => {
  return payOrder(partner, data, now);
});
