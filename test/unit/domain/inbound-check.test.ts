/** Issue 12 §7: the inbound check_charge_orders comparison (pure). */
import { describe, expect, it } from 'vitest';
import { compareInboundCheck, endsInPeriod, roamingOrderEnd } from '../../../shared/domain/inbound-check.ts';

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

describe('the day rule for the orders we hold (roamingOrderEnd, endsInPeriod)', () => {
  const figures = { powerCentiKwh: 100, elecFen: 50, serviceFen: 50, totalFen: 100 };
  const final = (EndTime?: string) => ({
    theirs: EndTime ? { EndTime } : {},
    digest: 'd',
    theirFigures: figures,
    confirmResult: 0 as const,
    receivedAt: '2026-11-22T00:00:00Z',
  });
  const live = (EndTime: string) => ({
    ConnectorStatus: 3,
    StartTime: '2026-11-21 23:00:00',
    EndTime,
    TotalPower: 1,
    ElecMoney: 1,
    SeviceMoney: 1,
    TotalMoney: 2,
    Soc: 50,
  });
  const day = { from: new Date('2026-11-21T16:00:00Z'), to: new Date('2026-11-22T15:59:59Z') }; // the 22nd, China time

  it("a billed order ends at its bill's EndTime (China time), whatever its live figures say", () => {
    expect(roamingOrderEnd({ stat: 4, final: final('2026-11-22 00:30:00'), live: live('2026-11-21 23:59:00') })).toEqual(
      new Date('2026-11-21T16:30:00Z'),
    );
  });

  it('finished without a bill: its last figures; still running (or a bill without EndTime): no end', () => {
    expect(roamingOrderEnd({ stat: 4, live: live('2026-11-22 02:00:00') })).toEqual(new Date('2026-11-21T18:00:00Z'));
    expect(roamingOrderEnd({ stat: 2, live: live('2026-11-22 02:00:00') })).toBeUndefined();
    expect(roamingOrderEnd({ stat: 4 })).toBeUndefined();
    expect(roamingOrderEnd({ stat: 4, final: final() })).toBeUndefined();
  });

  it('in the period iff its end is, both bounds included', () => {
    expect(endsInPeriod({ stat: 4, final: final('2026-11-22 00:00:00') }, day.from, day.to)).toBe(true);
    expect(endsInPeriod({ stat: 4, final: final('2026-11-22 23:59:59') }, day.from, day.to)).toBe(true);
    expect(endsInPeriod({ stat: 4, final: final('2026-11-21 23:59:59') }, day.from, day.to)).toBe(false);
    expect(endsInPeriod({ stat: 4, final: final('2026-11-23 00:00:00') }, day.from, day.to)).toBe(false);
    expect(endsInPeriod({ stat: 2 }, day.from, day.to)).toBe(false);
  });
});
