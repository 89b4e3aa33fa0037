/**
 * Issuing and listing coupons (卡券, ours) for the operator CLI (`npm run evcs -- coupons …`,
 * infra/cli/coupons.ts). The options are validated (shared/domain/coupon-issue.ts, then CouponSchema),
 * the partner must exist and, with `--stations`, every station must exist and be granted to it;
 * nothing is written unless all of it holds. A coupon is used by query_start_charge_coupon.
 */
import { randomBytes } from 'node:crypto';
import { logger } from '#powertools';
import { couponFromOptions, type IssueOptions } from '../domain/coupon-issue.ts';
import type { Coupon } from '../domain/coupons.ts';
import { isStationGranted } from '../domain/grants.ts';
import { listCoupons, storeIssuedCoupon } from '../store/coupons.ts';
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
