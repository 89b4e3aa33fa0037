/**
 * `npm run evcs -- coupons …`: coupons (卡券, ours) issued to a partner's user (issue 15 §6).
 *
 *   coupons issue --partner ID --user PHONE|ID --kind fixed|percent --value V [--cap YUAN]
 *                 [--valid-from WHEN] [--valid-until WHEN] [--stations ST1,ST2] [--coupon-id ID]
 *   coupons list --partner ID [--json]
 *
 * The rules of the options: shared/domain/coupon-issue.ts. A coupon is used by the partner's
 * query_start_charge_coupon (CouponID + the user's PhoneNum or UserID).
 */
import { setLogSink } from '#powertools';
import { couponState, type IssueOptions } from '../../shared/domain/coupon-issue.ts';
import type { Coupon } from '../../shared/domain/coupons.ts';
import { issueCoupon, partnerCoupons } from '../../shared/services/coupons.ts';

export const COUPONS_USAGE = `  npm run evcs -- coupons issue --partner ID --user PHONE|USERID --kind fixed|percent --value YUAN|PERCENT [--cap YUAN]
                               [--valid-from WHEN] [--valid-until WHEN (ISO instant or China day YYYY-MM-DD; default 30 days)] [--stations ST1,ST2] [--coupon-id ID]
  npm run evcs -- coupons list --partner ID [--json]`;

const yuan = (fen: number) => (fen / 100).toFixed(2);
const rule = (c: Coupon): string =>
  `${c.kind === 'fixed' ? `${yuan(c.offFen ?? 0)} yuan off` : `${c.percent}% off`} the service fee${c.capFen ? `, at most ${yuan(c.capFen)} yuan` : ''}`;

/** exit code: 0 done, 1 refused (the reasons printed), 2 usage */
export const couponsCommand = async (
  verb: string | undefined,
  o: IssueOptions & { json?: boolean | undefined },
  print: (line: string) => void,
  now = new Date(),
): Promise<number> => {
  setLogSink((line) => process.stderr.write(`${line}\n`));
  if (verb === 'issue') {
    const r = await issueCoupon(o, now);
    if (!r.ok) {
      for (const e of r.errors) print(`refused: ${e}`);
      return 1;
    }
    const c = r.coupon;
    print(`coupon ${c.couponId} issued to ${c.phone ?? c.userId} of partner ${c.operatorId}: ${rule(c)}`);
    print(`  valid ${c.validFrom} → ${c.validTo}${c.stations ? `, at ${c.stations.join(',')}` : ''}`);
    return 0;
  }
  if (verb === 'list' && o.partner) {
    const coupons = await partnerCoupons(o.partner);
    if (o.json) {
      print(JSON.stringify(coupons, null, 2));
      return 0;
    }
    for (const c of coupons)
      print(`${c.couponId}  ${(c.phone ?? c.userId ?? '').padEnd(14)} ${rule(c)}  until ${c.validTo}  ${couponState(c, now)}`);
    print(`${coupons.length} coupon(s) of partner ${o.partner}`);
    return 0;
  }
  return 2;
};
