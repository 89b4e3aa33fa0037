import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bill, bill, capTotal, toOrderTotals } from '../../../shared/domain/billing.ts';
import { prepayFields, prepayReached, settlePrepay, yuanToFen } from '../../../shared/domain/prepay.ts';

const TARIFF = [
  { startTime: '000000', elecPrice: 0.35, servicePrice: 0.8 },
  { startTime: '080000', elecPrice: 1.05, servicePrice: 0.8 },
  { startTime: '120000', elecPrice: 0.68, servicePrice: 0.4 },
];
const billOf = (s: { startMin: number; minutes: number; kw: number }): Bill => {
  const t0 = Date.UTC(2026, 10, 30) + s.startMin * 60_000;
  const samples = Array.from({ length: 6 }, (_, i) => ({
    at: new Date(t0 + (i * s.minutes * 60_000) / 5),
    energyWh: (i * s.kw * 1000 * s.minutes) / 300,
  }));
  return bill(samples, TARIFF);
};

describe('prepay (shared/domain/prepay.ts)', () => {
  it('is reached when the running bill is at or over the prepayment, not before', () => {
    expect(prepayReached(99, 100)).toBe(false);
    expect(prepayReached(100, 100)).toBe(true);
    expect(prepayReached(101, 100)).toBe(true);
  });

  it('settles: consumed = min(total, prepaid), refund = the rest, the overrun waived', () => {
    expect(settlePrepay(3_712, 5_000)).toEqual({ prepaidFen: 5_000, consumedFen: 3_712, refundFen: 1_288, waivedFen: 0 });
    expect(settlePrepay(5_000, 5_000)).toEqual({ prepaidFen: 5_000, consumedFen: 5_000, refundFen: 0, waivedFen: 0 });
    expect(settlePrepay(5_013, 5_000)).toEqual({ prepaidFen: 5_000, consumedFen: 5_000, refundFen: 0, waivedFen: 13 });
    expect(prepayFields(settlePrepay(3_712, 5_000))).toEqual({ PrepayMoney: 50, ConsumedMoney: 37.12, RefundMoney: 12.88 });
  });

  it('consumed + refund = prepaid and consumed + waived = total, for every amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 500_000 }), (total, prepaid) => {
        const s = settlePrepay(total, prepaid);
        return s.consumedFen + s.refundFen === prepaid && s.consumedFen + s.waivedFen === total && s.refundFen >= 0 && s.waivedFen >= 0;
      }),
    );
  });

  it('refuses a prepayment of 0 or less, and a total that is not fen', () => {
    expect(() => settlePrepay(100, 0)).toThrow(RangeError);
    expect(() => settlePrepay(100, -1)).toThrow(RangeError);
    expect(() => settlePrepay(1.5, 100)).toThrow(RangeError);
  });

  it('yuan at the edge → fen without float drift', () => {
    expect(yuanToFen(0.29)).toBe(29);
    expect(yuanToFen(4999.99)).toBe(499_999);
  });
});

describe('capTotal (shared/domain/billing.ts): a prepaid bill never exceeds its prepayment', () => {
  const cases = fc.record({
    startMin: fc.integer({ min: 0, max: 60 * 24 * 2 }),
    minutes: fc.integer({ min: 1, max: 60 * 30 }),
    kw: fc.integer({ min: 1, max: 120 }),
    capFen: fc.integer({ min: 0, max: 500_000 }),
  });

  it('TotalMoney = min(total, cap), the excess off the last lines (service first), details ≥ 0 and summing to the totals', () => {
    fc.assert(
      fc.property(cases, (s) => {
        const b = billOf(s);
        const { bill: c, waivedFen } = capTotal(b, s.capFen);
        expect(c.totalFen).toBe(Math.min(b.totalFen, s.capFen));
        expect(waivedFen).toBe(b.totalFen - c.totalFen);
        expect(c.details.reduce((a, x) => a + x.serviceFen, 0)).toBe(c.serviceFen);
        expect(c.details.reduce((a, x) => a + x.elecFen, 0)).toBe(c.elecFen);
        expect(c.totalFen).toBe(c.elecFen + c.serviceFen);
        // electricity is touched only once the whole service fee is gone
        if (waivedFen <= b.serviceFen) expect(c.elecFen).toBe(b.elecFen);
        else expect(c.serviceFen).toBe(0);
        c.details.forEach((x, i) => {
          const was = b.details[i]!;
          expect(x.serviceFen).toBeGreaterThanOrEqual(0);
          expect(x.elecFen).toBeGreaterThanOrEqual(0);
          expect(x.serviceFen).toBeLessThanOrEqual(was.serviceFen);
          expect(x.elecFen).toBeLessThanOrEqual(was.elecFen);
          expect(x.energyWh).toBe(was.energyWh);
        });
        // at the 2-dp edge too: Σ ChargeDetails = the totals, TotalMoney ≤ the cap
        const t = toOrderTotals(c);
        const fen = (x: number) => Math.round(x * 100);
        expect(fen(t.TotalMoney)).toBeLessThanOrEqual(Math.max(s.capFen, 0));
        expect(t.ChargeDetails.reduce((a, x) => a + fen(x.DetailSeviceMoney), 0)).toBe(fen(t.TotalSeviceMoney));
        expect(t.ChargeDetails.reduce((a, x) => a + fen(x.DetailElecMoney), 0)).toBe(fen(t.TotalElecMoney));
      }),
    );
  });

  it('takes the excess off the latest line first', () => {
    const b = billOf({ startMin: 23 * 60 + 30, minutes: 60, kw: 30 }); // 07:30–08:30 China time: two lines
    expect(b.details.length).toBeGreaterThanOrEqual(2);
    const { bill: c, waivedFen } = capTotal(b, b.totalFen - 3);
    expect(waivedFen).toBe(3);
    expect(c.details.at(-1)!.serviceFen).toBe(b.details.at(-1)!.serviceFen - 3);
    expect(c.details.slice(0, -1)).toEqual(b.details.slice(0, -1));
    expect(capTotal(b, b.totalFen)).toEqual({ bill: b, waivedFen: 0 });
  });

  it('refuses a cap that is not fen', () => {
    const b = billOf({ startMin: 0, minutes: 60, kw: 30 });
    expect(() => capTotal(b, -1)).toThrow(RangeError);
    expect(() => capTotal(b, 1.5)).toThrow(RangeError);
  });
});
