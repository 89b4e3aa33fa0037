/** The roaming order's pure rules: the partner's bills of an order, judged once each, the earlier verdicts kept. */
import { describe, expect, it } from 'vitest';
import { type FinalOrder, MAX_REVISIONS, onOrderInfo, type RoamingOrderState, verdictOn } from '../../../shared/domain/roaming-order.ts';

const bill = (digest: string, confirmResult: 0 | 1, totalFen: number): FinalOrder => ({
  theirs: { TotalMoney: totalFen / 100 },
  digest,
  theirFigures: { powerCentiKwh: 1000, elecFen: totalFen - 300, serviceFen: 300, totalFen },
  confirmResult,
  ...(confirmResult === 1 ? { disputeReason: 2, disputePublished: false } : {}),
  receivedAt: `2026-11-23T0${digest.length}:00:00Z`,
});

const apply = (s: RoamingOrderState, f: FinalOrder) => onOrderInfo(s, f, '2026-11-23 07:10:00');

describe('onOrderInfo: one verdict per distinct bill, a history of the earlier ones', () => {
  it('the first bill becomes the verdict, no revisions; the same bill again changes nothing', () => {
    const r = apply({ stat: 2 }, bill('a', 1, 2050));
    expect(r).toMatchObject({
      changed: true,
      state: { stat: 4, startTime: '2026-11-23 07:10:00', final: { digest: 'a', confirmResult: 1 } },
    });
    expect(r.state.final?.revisions).toBeUndefined();
    expect(apply(r.state, bill('a', 1, 2050)).changed).toBe(false);
  });

  it('a corrected bill is judged anew; the verdict it replaces is kept (its figures, not the whole bill), oldest first', () => {
    const a = apply({ stat: 4 }, bill('a', 1, 2050)).state;
    const b = apply(a, bill('bb', 1, 2040)).state;
    const c = apply(b, bill('ccc', 0, 1850));
    expect(c.changed).toBe(true);
    expect(c.state.final).toMatchObject({ digest: 'ccc', confirmResult: 0 });
    expect(c.state.final?.revisions?.map((r) => [r.digest, r.confirmResult, r.theirFigures.totalFen])).toEqual([
      ['a', 1, 2050],
      ['bb', 1, 2040],
    ]);
    expect(c.state.final?.revisions?.[0]).not.toHaveProperty('theirs');
    expect(c.state.final?.revisions?.[0]).not.toHaveProperty('revisions');
    expect(verdictOn(c.state.final, 'a')).toMatchObject({ confirmResult: 1, disputeReason: 2 });
    expect(verdictOn(c.state.final, 'ccc')).toMatchObject({ confirmResult: 0 });
    expect(verdictOn(c.state.final, 'zzz')).toBeUndefined();
  });

  it('an earlier bill delivered again after its correction (any order) changes nothing', () => {
    const a = apply({ stat: 4 }, bill('a', 1, 2050)).state;
    const b = apply(a, bill('bb', 0, 1850)).state;
    const late = apply(b, bill('a', 1, 2050));
    expect(late.changed).toBe(false);
    expect(late.state.final?.digest).toBe('bb');
  });

  it(`keeps at most ${MAX_REVISIONS} earlier verdicts, the newest`, () => {
    let s: RoamingOrderState = { stat: 4 };
    for (let i = 0; i <= MAX_REVISIONS + 5; i++) s = apply(s, bill(`b${i}`, 1, 2000 + i)).state;
    expect(s.final?.revisions).toHaveLength(MAX_REVISIONS);
    expect(s.final?.revisions?.[0]?.digest).toBe('b5');
    expect(s.final?.revisions?.at(-1)?.digest).toBe(`b${MAX_REVISIONS + 4}`);
  });
});
