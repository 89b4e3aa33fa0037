/**
 * Issuing a coupon (卡券, ours) from the operator's words — `npm run evcs -- coupons issue --partner ID
 * --user PHONE|ID --kind fixed|percent --value … [--cap …] [--valid-until …] [--stations …]` — into the
 * Coupon record of shared/domain/coupons.ts. Pure: the id and the clock come in.
 *
 *   --user        a phone number (5–20 digits, optional +) is the user's phone; anything else the partner's user id
 *   --value       fixed: yuan off the service fee (2 dp, > 0); percent: whole percent 1–100
 *   --cap         yuan, at most this much off (2 dp, > 0)
 *   --valid-from  default now; --valid-until default 30 days after it. Either is an ISO 8601 instant or a
 *                 China-time day YYYY-MM-DD (from: its start; until: its end, i.e. the next day 00:00 +08:00)
 *   --stations    StationIDs, comma-separated (the charging service checks them at the start)
 */
import { decimalPlaces } from '../tcec/money.ts';
import { type Coupon, couponSchema } from './coupons.ts';

export interface IssueOptions {
  partner?: string | undefined;
  user?: string | undefined;
  kind?: string | undefined;
  value?: string | undefined;
  cap?: string | undefined;
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  stations?: string | undefined;
  couponId?: string | undefined;
}

export type IssueResult = { ok: true; coupon: Coupon } | { ok: false; errors: string[] };

const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;
const PHONE = /^\+?\d{5,20}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** an ISO instant, or a China-time day: its start (or, `end`, the start of the next day) */
const instant = (v: string, end: boolean): string | undefined => {
  if (DAY.test(v)) {
    const t = Date.parse(`${v}T00:00:00+08:00`);
    return Number.isFinite(t) ? new Date(t + (end ? DAY_MS : 0)).toISOString() : undefined;
  }
  const t = Date.parse(v);
  return /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(t) ? new Date(t).toISOString() : undefined;
};

/** yuan with ≤ 2 decimals, > 0 → fen */
const yuanFen = (v: string): number | undefined => {
  const x = Number(v);
  return v.trim() !== '' && Number.isFinite(x) && x > 0 && decimalPlaces(x) <= 2 ? Math.round(x * 100) : undefined;
};

export function couponFromOptions(o: IssueOptions, now: Date, newId: () => string): IssueResult {
  const errors: string[] = [];
  if (!o.partner) errors.push('--partner: the OperatorID whose user gets the coupon is required');
  if (!o.user) errors.push('--user: a phone number or the partner’s user id is required');
  if (o.kind !== 'fixed' && o.kind !== 'percent') errors.push('--kind: must be fixed or percent');
  let offFen: number | undefined;
  let percent: number | undefined;
  if (o.value === undefined) errors.push('--value is required');
  else if (o.kind === 'fixed') {
    offFen = yuanFen(o.value);
    if (offFen === undefined) errors.push(`--value: ${o.value} is not an amount in yuan (> 0, at most 2 decimals)`);
  } else if (o.kind === 'percent') {
    percent = Number(o.value);
    if (!/^\d+$/.test(o.value) || percent < 1 || percent > 100) errors.push(`--value: ${o.value} is not a whole percent 1–100`);
  }
  const capFen = o.cap === undefined ? undefined : yuanFen(o.cap);
  if (o.cap !== undefined && capFen === undefined) errors.push(`--cap: ${o.cap} is not an amount in yuan (> 0, at most 2 decimals)`);
  const validFrom = o.validFrom === undefined ? now.toISOString() : instant(o.validFrom, false);
  if (validFrom === undefined) errors.push(`--valid-from: ${o.validFrom} is not an ISO 8601 instant or a day YYYY-MM-DD`);
  const validTo =
    o.validUntil === undefined
      ? new Date(Date.parse(validFrom ?? now.toISOString()) + DEFAULT_DAYS * DAY_MS).toISOString()
      : instant(o.validUntil, true);
  if (validTo === undefined) errors.push(`--valid-until: ${o.validUntil} is not an ISO 8601 instant or a day YYYY-MM-DD`);
  else if (Date.parse(validTo) <= now.getTime()) errors.push(`--valid-until: ${o.validUntil} has already passed`);
  const stations = o.stations
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (o.stations !== undefined && !stations?.length) errors.push('--stations: at least one StationID');
  if (errors.length) return { ok: false, errors };

  const user = o.user as string;
  const candidate = {
    couponId: o.couponId ?? newId(),
    operatorId: o.partner,
    ...(PHONE.test(user) ? { phone: user } : { userId: user }),
    kind: o.kind,
    ...(offFen !== undefined ? { offFen } : {}),
    ...(percent !== undefined ? { percent } : {}),
    ...(capFen !== undefined ? { capFen } : {}),
    validFrom,
    validTo,
    ...(stations ? { stations } : {}),
  };
  const parsed = couponSchema().safeParse(candidate);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'coupon'}: ${i.message}`) };
  return { ok: true, coupon: parsed.data };
}

/** A coupon's state at `now`: unused and valid, used (by which order), not yet valid, or expired. */
export const couponState = (c: Coupon & { usedBy?: string | undefined }, now: Date): string => {
  if (c.usedBy) return `used by ${c.usedBy}`;
  const t = now.getTime();
  if (t < Date.parse(c.validFrom)) return 'not yet valid';
  if (t >= Date.parse(c.validTo)) return 'expired';
  return 'unused';
};
