/** Reconciliation rules (shared/domain/reconcile.ts): the day rule, requests, both comparisons, the run status. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartnerSchema } from '../../../shared/domain/partners.ts';
import {
  assessAnswer,
  buildRequests,
  type CheckRequest,
  chinaMinuteOfDay,
  compareOrderLists,
  dayOfEnd,
  dayWindow,
  isDay,
  isDue,
  parseRunAt,
  previousDay,
  type ReconOrder,
  runStatusOf,
} from '../../../shared/domain/reconcile.ts';

const SEQ = (i: number) => `MA01H3BQ2${String(i).padStart(18, '0')}`;
const order = (i: number, kwh = 1.23, yuan = 4.56): ReconOrder => ({ StartChargeSeq: SEQ(i), TotalPower: kwh, TotalMoney: yuan });
const check = (i: number) => `MA5GS8X01261124010000${String(i).padStart(6, '0')}`;

describe('the day rule: an order belongs to the China-time day of its EndTime', () => {
  it('a session from 23:50 to 00:20 China time belongs to the day that begins at that midnight', () => {
    expect(dayOfEnd(new Date('2026-10-04T16:20:00Z'))).toBe('2026-10-05');
    expect(dayOfEnd(new Date('2026-10-04T15:59:59Z'))).toBe('2026-10-04');
    expect(dayOfEnd(new Date('2026-10-04T16:00:00Z'))).toBe('2026-10-05');
  });

  it('the window of a day is [00:00, 24:00) China time; StartTime/EndTime as the request states them', () => {
    expect(dayWindow('2026-10-05')).toEqual({
      from: new Date('2026-10-04T16:00:00Z'),
      to: new Date('2026-10-05T16:00:00Z'),
      StartTime: '2026-10-05 00:00:00',
      EndTime: '2026-10-05 23:59:59',
    });
    // across a month and a year end
    expect(dayWindow('2026-12-31').to).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(() => dayWindow('2026-02-30')).toThrow(RangeError);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('2026-11-23')).toBe(true);
  });

  it('every instant falls in the window of its own day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const w = dayWindow(dayOfEnd(d));
        return w.from.getTime() <= d.getTime() && d.getTime() < w.to.getTime();
      }),
      { numRuns: 2000 },
    );
  });

  it('the nightly run reconciles the previous China-time day', () => {
    // 01:00 China time on 2026-10-06 = 17:00Z on the 5th
    expect(previousDay(new Date('2026-10-05T17:00:00Z'))).toBe('2026-10-05');
    expect(previousDay(new Date('2026-10-05T15:59:00Z'))).toBe('2026-10-04');
  });
});

describe('the nightly time', () => {
  it('HH:mm within 00:00–03:00 China time; anything else is refused', () => {
    expect(parseRunAt('01:00')).toBe(60);
    expect(parseRunAt('00:00')).toBe(0);
    expect(parseRunAt('03:00')).toBe(180);
    for (const bad of ['03:01', '23:00', '1:00', '01:60', 'now']) expect(() => parseRunAt(bad)).toThrow(RangeError);
  });

  it('due from the configured minute until 04:00 China time', () => {
    expect(chinaMinuteOfDay(new Date('2026-10-05T17:00:00Z'))).toBe(60);
    expect(isDue(60, new Date('2026-10-05T16:59:59Z'))).toBe(false);
    expect(isDue(60, new Date('2026-10-05T17:00:00Z'))).toBe(true);
    expect(isDue(60, new Date('2026-10-05T19:59:00Z'))).toBe(true);
    expect(isDue(60, new Date('2026-10-05T20:00:00Z'))).toBe(false);
    expect(isDue(60, new Date('2026-10-05T05:00:00Z'))).toBe(false);
  });
});

describe('buildRequests', () => {
  it('splits a day into requests of at most the maximum; each request’s totals are its own, exact to the fen and 0.01 kWh', () => {
    const orders = [order(3, 0.1, 0.1), order(1, 0.2, 0.2), order(2, 0.3, 0.7), order(4, 10.05, 1.005)];
    const reqs = buildRequests('2026-10-05', orders, 3, check);
    expect(reqs.map((r) => r.OrderCount)).toEqual([3, 1]);
    expect(reqs[0]).toMatchObject({ CheckOrderSeq: check(0), TotalOrderPower: 0.6, TotalOrderMoney: 1, StartTime: '2026-10-05 00:00:00' });
    expect(reqs[0]!.ChargeOrders.map((o) => o.StartChargeSeq)).toEqual([SEQ(1), SEQ(2), SEQ(3)]);
    expect(reqs[1]).toMatchObject({ CheckOrderSeq: check(1), TotalOrderPower: 10.05, TotalOrderMoney: 1.01 });
  });

  it('a day without orders is one request with OrderCount 0', () => {
    expect(buildRequests('2026-10-05', [], 500, check)).toEqual([
      {
        CheckOrderSeq: check(0),
        StartTime: '2026-10-05 00:00:00',
        EndTime: '2026-10-05 23:59:59',
        OrderCount: 0,
        TotalOrderPower: 0,
        TotalOrderMoney: 0,
        ChargeOrders: [],
      },
    ]);
    expect(() => buildRequests('2026-10-05', [], 0, check)).toThrow(RangeError);
  });

  it('every order is sent exactly once and the requests’ totals add up to the day’s (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (figures, max) => {
          const orders = figures.map(([p, m], i) => order(i, p / 100, m / 100));
          const reqs = buildRequests('2026-10-05', orders, max, check);
          const sent = reqs.flatMap((r) => r.ChargeOrders.map((o) => o.StartChargeSeq));
          const cents = (x: number) => Math.round(x * 100);
          return (
            reqs.every((r) => r.OrderCount <= max && r.OrderCount === r.ChargeOrders.length) &&
            sent.length === orders.length &&
            new Set(sent).size === orders.length &&
            reqs.reduce((a, r) => a + cents(r.TotalOrderMoney), 0) === figures.reduce((a, [, m]) => a + m, 0) &&
            reqs.reduce((a, r) => a + cents(r.TotalOrderPower), 0) === figures.reduce((a, [p]) => a + p, 0)
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('compareOrderLists (the receiver: their list against our records)', () => {
  it('not ours → 1; energy differs → 3; money differs → 2; equal → no dispute; ours they did not list → missing', () => {
    const ours = [order(1, 5, 6), order(2, 5, 6), order(3, 5, 6), order(4, 5, 6)];
    const theirs = [order(1, 5, 6), order(2, 5.01, 6), order(3, 5, 6.01), order(9, 1, 1)];
    expect(compareOrderLists(theirs, ours)).toEqual({
      disputes: [
        { StartChargeSeq: SEQ(2), reason: 3, ours: { TotalPower: 5, TotalMoney: 6 }, theirs: { TotalPower: 5.01, TotalMoney: 6 } },
        { StartChargeSeq: SEQ(3), reason: 2, ours: { TotalPower: 5, TotalMoney: 6 }, theirs: { TotalPower: 5, TotalMoney: 6.01 } },
        { StartChargeSeq: SEQ(9), reason: 1, theirs: { TotalPower: 1, TotalMoney: 1 } },
      ],
      missing: [SEQ(4)],
    });
  });

  it('float noise below the wire precision is not a dispute', () => {
    expect(compareOrderLists([order(1, 0.1 + 0.2, 14.969999999999999)], [order(1, 0.3, 14.97)]).disputes).toEqual([]);
  });

  it('one reason per order (energy before money); a line listed twice is one order', () => {
    const r = compareOrderLists([order(1, 6, 8), order(1, 6, 8)], [order(1, 5, 6)]);
    expect(r.disputes).toEqual([
      { StartChargeSeq: SEQ(1), reason: 3, ours: { TotalPower: 5, TotalMoney: 6 }, theirs: { TotalPower: 6, TotalMoney: 8 } },
    ]);
  });

  it('a tolerance of 1 lets figures 0.01 apart agree, and no more', () => {
    const ours = [order(1, 5, 6), order(2, 5, 6), order(3, 5, 6)];
    const theirs = [order(1, 5.01, 5.99), order(2, 5.02, 6), order(3, 5, 6.02)];
    expect(compareOrderLists(theirs, ours).disputes.map((d) => d.reason)).toEqual([3, 3, 2]);
    expect(compareOrderLists(theirs, ours, { tolerance: 1 }).disputes.map((d) => [d.StartChargeSeq, d.reason])).toEqual([
      [SEQ(2), 3],
      [SEQ(3), 2],
    ]);
  });
});

describe('assessAnswer (the sender: an answer against the request it answers)', () => {
  const sent: CheckRequest = buildRequests('2026-10-05', [order(1, 5, 6), order(2, 7, 8)], 500, check)[0]!;
  const answer = (over: Partial<Parameters<typeof assessAnswer>[1]> = {}) => ({
    CheckOrderSeq: sent.CheckOrderSeq,
    StartTime: sent.StartTime,
    EndTime: sent.EndTime,
    TotalDisputeOrder: 0,
    TotalDisputePower: 0,
    TotalDisputeMoney: 0,
    DisputeOrders: [],
    ...over,
  });

  it('no disputes: agreed', () => {
    expect(assessAnswer(sent, answer())).toEqual({ disputes: [], problems: [] });
  });

  it('a dispute carries our figures from the request and theirs from the answer; a repeated one counts once', () => {
    const d = { StartChargeSeq: SEQ(2), TotalPower: 6.5, TotalMoney: 8, DisputeReason: 3 };
    expect(assessAnswer(sent, answer({ TotalDisputeOrder: 2, DisputeOrders: [d, d] })).disputes).toEqual([
      { StartChargeSeq: SEQ(2), reason: 3, ours: { TotalPower: 7, TotalMoney: 8 }, theirs: { TotalPower: 6.5, TotalMoney: 8 } },
    ]);
  });

  it('a CheckOrderSeq that does not echo ours, disputes of orders we never sent, totals that disagree: problems', () => {
    const r = assessAnswer(
      sent,
      answer({
        CheckOrderSeq: check(77),
        TotalDisputeOrder: 3,
        DisputeOrders: [{ StartChargeSeq: SEQ(99), TotalPower: 1, TotalMoney: 1, DisputeReason: 1 }],
      }),
    );
    expect(r.disputes).toEqual([]);
    expect(r.problems).toEqual([
      expect.stringContaining('does not echo ours'),
      expect.stringContaining('never sent'),
      expect.stringContaining('TotalDisputeOrder 3 but 1'),
    ]);
  });
});

describe('runStatusOf', () => {
  it('failed beats suspicious beats disputed beats agreed', () => {
    expect(runStatusOf([{ problems: [], disputes: 0 }])).toBe('agreed');
    expect(
      runStatusOf([
        { problems: [], disputes: 0 },
        { problems: [], disputes: 2 },
      ]),
    ).toBe('disputed');
    expect(runStatusOf([{ problems: ['x'], disputes: 2 }])).toBe('suspicious');
    expect(
      runStatusOf([
        { problems: ['x'], disputes: 0 },
        { failed: 'Ret 4004', problems: [], disputes: 0 },
      ]),
    ).toBe('failed');
  });
});

describe('opting out: features.reconcile', () => {
  it('absent means reconciled; false is kept through the registry schema', () => {
    const base = { operatorId: 'MA01H3BQ2', name: 'p' };
    expect(PartnerSchema.parse(base).features.reconcile).toBeUndefined();
    expect(PartnerSchema.parse({ ...base, features: { reconcile: false } }).features).toEqual({ queryChargeInfo: false, reconcile: false });
    expect(() => PartnerSchema.parse({ ...base, features: { reconcile: 'no' } })).toThrow();
  });

  it("a partner's own minute is HH:mm within 00:00–03:00", () => {
    const base = { operatorId: 'MA01H3BQ2', name: 'p' };
    expect(PartnerSchema.parse({ ...base, features: { reconcileAt: '02:30' } }).features.reconcileAt).toBe('02:30');
    for (const bad of ['03:01', '2:30', '12:00', '24:00'])
      expect(() => PartnerSchema.parse({ ...base, features: { reconcileAt: bad } })).toThrow();
  });
});
