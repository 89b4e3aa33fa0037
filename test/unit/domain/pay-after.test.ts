import { describe, expect, it } from 'vitest';
import { PayFail, payDecision, SettleStatus, settlementOf } from '../../../shared/domain/pay-after.ts';

const base = { StartChargeSeq: 'MA01H3BQ2202611300800000001', ConnectorID: 'FX0001E01C1', finished: true, totalFen: 1_497 };
const paid = { paySeq: 'PAY1', paidFen: 1_497, paidAt: '2026-11-30T02:00:00.000Z' };

describe('pay after charging (shared/domain/pay-after.ts)', () => {
  it('settlement: running → nothing payable; finished → TotalMoney payable; paid → paid, with the payment', () => {
    expect(settlementOf({ ...base, finished: false })).toMatchObject({ SettleStatus: SettleStatus.NotBilled, PayableMoney: 0 });
    expect(settlementOf(base)).toEqual({
      StartChargeSeq: base.StartChargeSeq,
      ConnectorID: base.ConnectorID,
      SettleStatus: 1,
      PayableMoney: 14.97,
    });
    expect(settlementOf({ ...base, paid })).toMatchObject({
      SettleStatus: 2,
      PaidMoney: 14.97,
      PaySeq: 'PAY1',
      PaidTime: '2026-11-30 10:00:00',
    });
  });

  it('a payment: the exact amount of a finished order; the same payment again; nothing else', () => {
    expect(payDecision(undefined, 'PAY1', 1_497)).toBe(PayFail.NotFound);
    expect(payDecision({ ...base, finished: false }, 'PAY1', 1_497)).toBe(PayFail.NotPayable);
    expect(payDecision(base, 'PAY1', 1_496)).toBe(PayFail.AmountDiffers);
    expect(payDecision(base, 'PAY1', 1_497)).toBe(PayFail.None);
    expect(payDecision({ ...base, paid }, 'PAY1', 1_497)).toBe(PayFail.None);
    expect(payDecision({ ...base, paid }, 'PAY2', 1_497)).toBe(PayFail.PaidOtherwise);
    expect(payDecision({ ...base, paid }, 'PAY1', 1_000)).toBe(PayFail.PaidOtherwise);
  });
});
