import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bill, bill, discountService } from '../../../shared/domain/billing.ts';
import { type Coupon, CouponFail, couponDiscountFen, couponProblem, couponSchema } from '../../../shared/domain/coupons.ts';

const c: Coupon = {
  couponId: 'CPN-0001',
  operatorId: 'MA01H3BQ2',
  phone: '13800000000',
  kind: 'fixed',
  offFen: 500,
  validFrom: '2026-11-01T00:00:00Z',
  validTo: '2026-12-01T00:00:00Z',
  stations: ['FX0001'],
};
const use = { operatorId: 'MA01H3BQ2', phone: '13800000000', stationId: 'FX0001', at: new Date('2026-11-30T00:00:00Z') };
const TARIFF = [
  { startTime: '000000', elecPrice: 0.35, servicePrice: 0.8 },
  { startTime: '080000', elecPrice: 1.05, servicePrice: 0.8 },
  { startTime: '120000', elecPrice: 0.68, servicePrice: 0.4 },
];

describe('coupons (shared/domain/coupons.ts)', () => {
  it('validates the issued coupon: a holder, the kind’s amount, a validity window', () => {
    expect(couponSchema().safeParse(c).success).toBe(true);
    expect(couponSchema().safeParse({ ...c, phone: undefined }).success).toBe(false);
    expect(couponSchema().safeParse({ ...c, offFen: undefined }).success).toBe(false);
    expect(couponSchema().safeParse({ ...c, kind: 'percent' }).success).toBe(false);
    expect(couponSchema().safeParse({ ...c, validTo: c.validFrom }).success).toBe(false);
  });

  it('who may use it where and when', () => {
    expect(couponProblem(c, use)).toBeUndefined();
    expect(couponProblem({ ...c, phone: undefined, userId: 'u1' }, { ...use, phone: undefined, userId: 'u1' })).toBeUndefined();
    expect(couponProblem(undefined, use)).toBe(CouponFail.Unknown);
    expect(couponProblem(c, { ...use, operatorId: 'MA02XJ7K3' })).toBe(CouponFail.Unknown);
    expect(couponProblem(c, { ...use, phone: '13900000000' })).toBe(CouponFail.Unknown);
    expect(couponProblem(c, { ...use, at: new Date('2026-12-01T00:00:00Z') })).toBe(CouponFail.NotValid);
    expect(couponProblem(c, { ...use, at: new Date('2026-10-31T23:59:59Z') })).toBe(CouponFail.NotValid);
    expect(couponProblem(c, { ...use, stationId: 'FX0002' })).toBe(CouponFail.NotValid);
  });

  it('the discount: fixed, percent floored, capped, never more than the service fee', () => {
    expect(couponDiscountFen(c, 1_000)).toBe(500);
    expect(couponDiscountFen(c, 300)).toBe(300);
    expect(couponDiscountFen({ kind: 'percent', percent: 30 }, 999)).toBe(299);
    expect(couponDiscountFen({ kind: 'percent', percent: 50, capFen: 200 }, 999)).toBe(200);
    expect(couponDiscountFen({ kind: 'fixed', offFen: 800, capFen: 200 }, 999)).toBe(200);
  });
});

describe('discountService (shared/domain/billing.ts)', () => {
  const sessions = fc.record({
    startMin: fc.integer({ min: 0, max: 60 * 24 * 2 }),
    minutes: fc.integer({ min: 1, max: 60 * 30 }),
    kw: fc.integer({ min: 1, max: 120 }),
    off: fc.integer({ min: 0, max: 50_000 }),
  });
  const billOf = (s: { startMin: number; minutes: number; kw: number }): Bill => {
    const t0 = Date.UTC(2026, 10, 30) + s.startMin * 60_000;
    const samples = Array.from({ length: 6 }, (_, i) => ({
      at: new Date(t0 + (i * s.minutes * 60_000) / 5),
      energyWh: (i * s.kw * 1000 * s.minutes) / 300,
    }));
    return bill(samples, TARIFF);
  };

  it('takes exactly min(discount, service fee) off the service fee, spread over the details, electricity untouched', () => {
    fc.assert(
      fc.property(sessions, (s) => {
        const b = billOf(s);
        const d = discountService(b, s.off);
        const off = Math.min(s.off, b.serviceFen);
        expect(d.serviceFen).toBe(b.serviceFen - off);
        expect(d.details.reduce((a, x) => a + x.serviceFen, 0)).toBe(d.serviceFen);
        expect(d.totalFen).toBe(d.elecFen + d.serviceFen);
        expect(d.elecFen).toBe(b.elecFen);
        d.details.forEach((x, i) => {
          expect(x.serviceFen).toBeGreaterThanOrEqual(0);
          expect(x.serviceFen).toBeLessThanOrEqual(b.details[i]!.serviceFen);
          expect(x.elecFen).toBe(b.details[i]!.elecFen);
        });
      }),
    );
  });

  it('refuses a discount that is not fen', () => {
    const b = billOf({ startMin: 0, minutes: 60, kw: 30 });
    expect(() => discountService(b, -1)).toThrow(RangeError);
    expect(() => discountService(b, 1.5)).toThrow(RangeError);
  });
});
