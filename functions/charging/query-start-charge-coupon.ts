/**
 * query_start_charge_coupon — ours (卡券; reference §5.5): query_start_charge with a coupon issued to
 * the partner's user; the coupon is used at most once (marked in the order's creating transaction)
 * and its discount comes off the service fee by the billing function. Enabled by the partner's profile.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { startChargeWithCoupon } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_start_charge_coupon', ({ partner, data, now }) => {
  return startChargeWithCoupon(partner, data, now);
});
