/**
 * Coupons (卡券, ours): issued by the operator to a partner's user (by phone number or the partner's
 * user id); a coupon reduces the SERVICE fee of one session. Pure rules; the discount is applied by
 * the billing function (shared/domain/billing.ts discountService), so it shows in ChargeDetails
 * (DetailSeviceMoney), TotalSeviceMoney and TotalMoney, running and final alike.
 *
 *   kind 'fixed'    offFen off the service fee
 *   kind 'percent'  percent % off the service fee (rounded down to the fen)
 *   capFen          at most this much off (either kind)
 *   validFrom/To    ISO 8601 instants; the coupon applies to a session STARTED within them
 *   stations        only at these StationIDs (absent: everywhere the partner may charge)
 *
 * Used at most once: the start that uses it marks it used in the same transaction that creates the
 * order (shared/store/orders.ts), on the condition that it is unused.
 */
import * as z from 'zod/mini';
import { once } from './once.ts';

/** a coupon as issued (the CLI and the seed validate it); built on first use */
export const couponSchema = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      couponId: z.string().check(z.regex(/^[A-Za-z0-9_-]{4,32}$/, 'CouponID: 4–32 letters, digits, _ or -')),
      /** the partner whose user holds it */
      operatorId: z.string().check(z.regex(/^[0-9A-Za-z]{9}$/)),
      /** the holder: the user's phone number and/or the partner's user id */
      phone: z.optional(z.string().check(z.regex(/^\+?\d{5,20}$/))),
      userId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
      kind: z.enum(['fixed', 'percent']),
      offFen: z.optional(z.int().check(z.gt(0))),
      percent: z.optional(z.int().check(z.gte(1), z.lte(100))),
      capFen: z.optional(z.int().check(z.gt(0))),
      validFrom: z.iso.datetime(),
      validTo: z.iso.datetime(),
      stations: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(20))).check(z.minLength(1))),
    })
    .check(
      z.superRefine((c, ctx) => {
        if (!c.phone && !c.userId)
          ctx.addIssue({ code: 'custom', path: ['phone'], message: 'a coupon is issued to a phone number or a user id' });
        if (c.kind === 'fixed' && c.offFen === undefined)
          ctx.addIssue({ code: 'custom', path: ['offFen'], message: "kind 'fixed' needs offFen" });
        if (c.kind === 'percent' && c.percent === undefined)
          ctx.addIssue({ code: 'custom', path: ['percent'], message: "kind 'percent' needs percent" });
        if (Date.parse(c.validTo) <= Date.parse(c.validFrom))
          ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validTo must be after validFrom' });
      }),
    ),
);
export type Coupon = z.infer<ReturnType<typeof couponSchema>>;

/** query_start_charge_coupon FailReason (custom, §3.7 allows 3–99) for a coupon that cannot be used. */
export const CouponFail = { Unknown: 10, NotValid: 11, Used: 12 } as const;

/** Why this coupon cannot be used for this start (a CouponFail), or undefined when it can. */
export const couponProblem = (
  c: Coupon | undefined,
  use: { operatorId: string; phone?: string | undefined; userId?: string | undefined; stationId: string; at: Date },
): number | undefined => {
  // a coupon of another partner, or of another of its users, looks like none
  if (!c || c.operatorId !== use.operatorId) return CouponFail.Unknown;
  const holder = (use.phone !== undefined && use.phone === c.phone) || (use.userId !== undefined && use.userId === c.userId);
  if (!holder) return CouponFail.Unknown;
  const t = use.at.getTime();
  if (t < Date.parse(c.validFrom) || t >= Date.parse(c.validTo)) return CouponFail.NotValid;
  if (c.stations && !c.stations.includes(use.stationId)) return CouponFail.NotValid;
  return undefined;
};

/** The discount, fen, of a coupon on a service fee of `serviceFen`: never more than the fee, nor the cap. */
export const couponDiscountFen = (c: Pick<Coupon, 'kind' | 'offFen' | 'percent' | 'capFen'>, serviceFen: number): number => {
  const raw = c.kind === 'fixed' ? (c.offFen ?? 0) : Math.floor((serviceFen * (c.percent ?? 0)) / 100);
  return Math.max(0, Math.min(raw, serviceFen, c.capFen ?? Number.POSITIVE_INFINITY));
};
