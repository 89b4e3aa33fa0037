/** Issue 12 §7: the inbound check_charge_orders comparison (pure). */
import { describe, expect, it } from 'vitest';
import { compareInboundCheck } from '../../../shared/domain/inbound-check.ts';

const held = new Map([
  ['S1', { powerCentiKwh: 1234, totalFen: 2050 }],
  ['S2', { powerCentiKwh: 500, totalFen: 700 }],
  ['S3', { powerCentiKwh: 800, totalFen: 1000 }],
  ['S4', { powerCentiKwh: 100, totalFen: 100 }],
]);

describe('compareInboundCheck', () => {
  it('agreeing lists → no disputes (within 0.01)', () => {
    const r = compareInboundCheck(
      [
        { StartChargeSeq: 'S1', TotalPower: 12.34, TotalMoney: 20.5 },
        { StartChargeSeq: 'S2', TotalPower: 5.01, TotalMoney: 6.99 },
      ],
      held,
    );
    expect(r).toMatchObject({ disputes: [], TotalDisputeOrder: 0, TotalDisputePower: 0, TotalDisputeMoney: 0 });
  });

  it('reasons 1 (unknown), 2 (money), 3 (energy); our figures in the dispute; a duplicate line counts once; unlisted orders reported', () => {
    const r = compareInboundCheck(
      [
        { StartChargeSeq: 'NOPE', TotalPower: 3, TotalMoney: 4 },
        { StartChargeSeq: 'S1', TotalPower: 12.34, TotalMoney: 21.5 },
        { StartChargeSeq: 'S2', TotalPower: 6, TotalMoney: 7 },
        { StartChargeSeq: 'S2', TotalPower: 6, TotalMoney: 7 },
      ],
      held,
      ['S1', 'S2', 'S3'],
    );
    expect(r.disputes).toEqual([
      { StartChargeSeq: 'NOPE', TotalPower: 3, TotalMoney: 4, DisputeReason: 1 },
      { StartChargeSeq: 'S1', TotalPower: 12.34, TotalMoney: 20.5, DisputeReason: 2 },
      { StartChargeSeq: 'S2', TotalPower: 5, TotalMoney: 7, DisputeReason: 3 },
    ]);
    expect(r).toMatchObject({ TotalDisputeOrder: 3, TotalDisputePower: 20.34, TotalDisputeMoney: 31.5, unlisted: ['S3'] });
  });
});
