/** Issuing a coupon from the operator CLI's options (issue 15 §6): validated, every error named by its option. */
import { describe, expect, it } from 'vitest';
import { couponFromOptions, couponState } from '../../../shared/domain/coupon-issue.ts';

const now = new Date('2026-11-23T04:00:00Z');
const id = () => 'CPTEST0001';

describe('couponFromOptions', () => {
  it('fixed: yuan → fen off, a phone number as the holder, 30 days by default', () => {
    const r = couponFromOptions({ partner: 'MA01H3BQ2', user: '13800000001', kind: 'fixed', value: '5.5' }, now, id);
    expect(r).toEqual({
      ok: true,
      coupon: {
        couponId: 'CPTEST0001',
        operatorId: 'MA01H3BQ2',
        phone: '13800000001',
        kind: 'fixed',
        offFen: 550,
        validFrom: '2026-11-23T04:00:00.000Z',
        validTo: '2026-12-23T04:00:00.000Z',
      },
    });
  });

  it('percent with a cap, a user id, a China-time day as the end (its end), stations', () => {
    const r = couponFromOptions(
      {
        partner: 'MA01H3BQ2',
        user: 'user-42',
        kind: 'percent',
        value: '20',
        cap: '3',
        validUntil: '2026-11-30',
        stations: 'FX0001, FX0002',
      },
      now,
      id,
    );
    expect(r.ok && r.coupon).toMatchObject({
      userId: 'user-42',
      percent: 20,
      capFen: 300,
      validTo: '2026-11-30T16:00:00.000Z',
      stations: ['FX0001', 'FX0002'],
    });
    expect(r.ok && 'phone' in r.coupon).toBe(false);
  });

  it('refuses bad options, naming each', () => {
    const errs = (o: Parameters<typeof couponFromOptions>[0]) => {
      const r = couponFromOptions(o, now, id);
      return r.ok ? [] : r.errors;
    };
    expect(errs({})).toEqual(
      expect.arrayContaining([expect.stringMatching(/^--partner/), expect.stringMatching(/^--user/), expect.stringMatching(/^--kind/)]),
    );
    const base = { partner: 'MA01H3BQ2', user: '13800000001' };
    expect(errs({ ...base, kind: 'fixed', value: '0' })).toEqual([expect.stringMatching(/^--value: 0 is not an amount/)]);
    expect(errs({ ...base, kind: 'fixed', value: '1.234' })).toEqual([expect.stringMatching(/^--value/)]);
    expect(errs({ ...base, kind: 'percent', value: '101' })).toEqual([expect.stringMatching(/^--value: 101 is not a whole percent/)]);
    expect(errs({ ...base, kind: 'percent', value: '12.5' })).toEqual([expect.stringMatching(/^--value/)]);
    expect(errs({ ...base, kind: 'percent', value: '10', cap: '-1' })).toEqual([expect.stringMatching(/^--cap/)]);
    expect(errs({ ...base, kind: 'percent', value: '10', validUntil: 'soon' })).toEqual([expect.stringMatching(/^--valid-until: soon/)]);
    expect(errs({ ...base, kind: 'percent', value: '10', validUntil: '2026-11-01' })).toEqual([
      expect.stringMatching(/has already passed/),
    ]);
    expect(errs({ ...base, kind: 'percent', value: '10', stations: ',' })).toEqual([expect.stringMatching(/^--stations/)]);
    // the record's own schema: a malformed OperatorID or CouponID
    expect(errs({ ...base, partner: 'BAD', kind: 'percent', value: '10' })).toEqual([expect.stringMatching(/^operatorId/)]);
    expect(errs({ ...base, kind: 'percent', value: '10', couponId: 'x' })).toEqual([expect.stringMatching(/^couponId/)]);
  });
});

describe('couponState', () => {
  const c = { validFrom: '2026-11-23T00:00:00Z', validTo: '2026-11-24T00:00:00Z' } as Parameters<typeof couponState>[0];
  it('unused, used, not yet valid, expired', () => {
    expect(couponState(c, now)).toBe('unused');
    expect(couponState({ ...c, usedBy: 'MA01H3BQ2202611230930450001' }, now)).toBe('used by MA01H3BQ2202611230930450001');
    expect(couponState(c, new Date('2026-11-22T23:00:00Z'))).toBe('not yet valid');
    expect(couponState(c, new Date('2026-11-24T00:00:00Z'))).toBe('expired');
  });
});
