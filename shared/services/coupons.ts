/**
 * Issuing and listing coupons (卡券, ours) for the operator CLI (`npm run evcs -- coupons …`,
 * infra/cli/coupons.ts). The options are validated (shared/domain/coupon-issue.ts, then couponSchema),
 * the partner must exist and, with `--stations`, every station must exist and be granted to it;
 * nothing is written unless all of it holds. A coupon is used by query_start_charge_coupon, and given
 * back by the finish of an order it took nothing off (`giveBackUnusedCoupon`).
 */
import { randomBytes } from 'node:crypto';
import { logger, MetricUnit, metrics } from '#powertools';
import { couponFromOptions, type IssueOptions } from '../domain/coupon-issue.ts';
import type { Coupon } from '../domain/coupons.ts';
import { isStationGranted } from '../domain/grants.ts';
import { listCoupons, returnCoupon, storeIssuedCoupon } from '../store/coupons.ts';
import type { StoredCoupon } from '../store/orders.ts';
import { getPartner } from '../store/partners.ts';
import { getStationMeta } from '../store/stations.ts';

export type IssueOutcome = { ok: true; coupon: Coupon } | { ok: false; errors: string[] };

/** CP + 12 upper-case base-32 characters: unguessable enough that a partner cannot probe another's */
const newCouponId = (): string => `CP${randomBytes(8).readBigUInt64BE().toString(32).toUpperCase().padStart(13, '0').slice(0, 12)}`;

export const issueCoupon = async (o: IssueOptions, now: Date): Promise<IssueOutcome> => {
  const r = couponFromOptions(o, now, newCouponId);
  if (!r.ok) return r;
  const c = r.coupon;
  const partner = await getPartner(c.operatorId, { fresh: true });
  if (!partner) return { ok: false, errors: [`--partner: no partner ${c.operatorId}`] };
  const errors: string[] = [];
  for (const s of c.stations ?? []) {
    const meta = await getStationMeta(s);
    if (!meta) errors.push(`--stations: no station ${s}`);
    else if (!isStationGranted(partner, s)) errors.push(`--stations: ${s} is not granted to ${c.operatorId}`);
  }
  if (errors.length) return { ok: false, errors };
  if (!(await storeIssuedCoupon(c))) return { ok: false, errors: [`--coupon-id: ${c.couponId} exists already`] };
  logger.info('coupon issued', { CouponID: c.couponId, OperatorID: c.operatorId, kind: c.kind });
  return { ok: true, coupon: c };
};

export const partnerCoupons = (operatorId: string): Promise<StoredCoupon[]> => listCoupons(operatorId);

/**
 * The finish of an order that used a coupon (shared/services/charging.ts): a coupon that took
 * nothing off — the session never charged (refused, timed out, the command never left) or billed
 * no service fee (zero energy) — is given back to its holder, on the condition that it is still
 * this order's (a redelivered finish gives nothing back twice). A coupon that discounted the order
 * stays used.
 */
export const giveBackUnusedCoupon = async (
  o: { StartChargeSeq: string; coupon?: { couponId: string } | undefined },
  finished: { charged: boolean; DiscountMoney?: number | undefined },
  now: Date,
): Promise<boolean> => {
  if (!o.coupon || (finished.charged && (finished.DiscountMoney ?? 0) > 0)) return false;
  const returned = await returnCoupon(o.coupon.couponId, o.StartChargeSeq, now);
  if (returned) {
    metrics.singleMetric().addMetric('CouponsReturned', MetricUnit.Count, 1);
    logger.info('coupon given back: the order took nothing off', { CouponID: o.coupon.couponId, StartChargeSeq: o.StartChargeSeq });
  }
  return returned;
};
