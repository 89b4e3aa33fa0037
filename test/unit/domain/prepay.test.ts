import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepayFields, prepayReached, settlePrepay, yuanToFen } from '../../../shared/domain/prepay.ts';

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
