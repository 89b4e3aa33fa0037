/**
 * query_start_charge_prepay — ours (预支付; no public contract, reference §5.5): query_start_charge
 * with the user's prepayment `PrepayMoney`; the session stops itself (StopReason 7) when the running
 * bill reaches it and the final order carries PrepayMoney, ConsumedMoney and RefundMoney.
 * Enabled by the partner's profile (`extensions`).
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { startChargePrepay } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_start_charge_prepay', ({ partner, data, now }) => {
  return startChargePrepay(partner, data, now);
});
