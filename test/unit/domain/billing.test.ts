import { describe, expect, it } from 'vitest';
import {
  type Bill,
  type BillDetail,
  bill,
  capDetails,
  closeRunningBill,
  detailPowerCentiKwh,
  foldSample,
  type MeterSample,
  sanitizeSamples,
  startRunningBill,
  type TariffPeriod,
  toChargeDetails,
  toOrderTotals,
  validateTariff,
} from '../../../shared/domain/billing.ts';
import { parseHHmmss, toPolicyInfos, yuanToPriceUnits } from '../../../shared/domain/tariff.ts';
import { formatDateTime } from '../../../shared/tcec/time.ts';
import { PEAK_VALLEY, SEVEN } from '../../fixtures/tariffs.ts';

/** China local time → Date */
const cst = (s: string): Date => new Date(`${s.replace(' ', 'T')}+08:00`);
const S = (at: string, energyWh: number): MeterSample => ({ at: cst(at), energyWh });

/** valley 00–08, peak 08–22, valley 22–24 */
const brief = (b: Bill) =>
  b.details.map((d) => ({
    start: formatDateTime(d.start),
    end: formatDateTime(d.end),
    e: d.elecPriceUnits,
    s: d.servicePriceUnits,
    wh: d.energyWh,
    ef: d.elecFen,
    sf: d.serviceFen,
  }));

describe('bill — hand-computed sessions', () => {
  it('21:30–23:30 across the 22:00 peak→valley boundary, samples on the boundary', () => {
    // 20 kW constant, a sample every 15 min → 5000 Wh per sample
    const samples = ['21:30', '21:45', '22:00', '22:15', '22:30', '22:45', '23:00', '23:15', '23:30'].map((t, i) =>
      S(`2024-03-15 ${t}:00`, i * 5000),
    );
    const b = bill(samples, PEAK_VALLEY);
    // peak 10000 Wh × 0.8123 = 812.3 fen → 812; × 0.4 = 400
    // valley 30000 Wh × 0.3123 = 936.9 fen → 937; × 0.4 = 1200
    expect(brief(b)).toEqual([
      { start: '2024-03-15 21:30:00', end: '2024-03-15 22:00:00', e: 8123, s: 4000, wh: 10000, ef: 812, sf: 400 },
      { start: '2024-03-15 22:00:00', end: '2024-03-15 23:30:00', e: 3123, s: 4000, wh: 30000, ef: 937, sf: 1200 },
    ]);
    expect(b).toMatchObject({ energyWh: 40000, elecFen: 1749, serviceFen: 1600, totalFen: 3349 });
    expect(b.start).toEqual(cst('2024-03-15 21:30:00'));
    expect(b.end).toEqual(cst('2024-03-15 23:30:00'));
  });

  it('a sample interval straddling 22:00 is split by time, the carry keeps every Wh', () => {
    const samples = [
      S('2024-03-15 21:30:00', 0),
      S('2024-03-15 21:50:00', 7000),
      S('2024-03-15 22:10:00', 14001),
      S('2024-03-15 23:30:00', 40001),
    ];
    // interval 21:50–22:10 (7001 Wh) is half before 22:00: ⌊7001·600/1200⌋ = 3500 → peak 10500, valley 3501 + 26000
    const b = bill(samples, PEAK_VALLEY);
    // peak: 10500 × 8123 / 1e5 = 852.915 → 853; 10500 × 0.4 = 420
    // valley: 29501 × 3123 / 1e5 = 921.31623 → 921; 29501 × 4000 / 1e5 = 1180.04 → 1180
    expect(brief(b)).toEqual([
      { start: '2024-03-15 21:30:00', end: '2024-03-15 22:00:00', e: 8123, s: 4000, wh: 10500, ef: 853, sf: 420 },
      { start: '2024-03-15 22:00:00', end: '2024-03-15 23:30:00', e: 3123, s: 4000, wh: 29501, ef: 921, sf: 1180 },
    ]);
    expect(b).toMatchObject({ energyWh: 40001, elecFen: 1774, serviceFen: 1600, totalFen: 3374 });
  });

  it('a session crossing midnight: same prices on both sides, still two details (two periods, two days)', () => {
    // 12 kW; the 23:40–00:20 interval straddles midnight, 4000 Wh each side
    const samples = [
      S('2024-03-15 23:00:00', 0),
      S('2024-03-15 23:40:00', 8000),
      S('2024-03-16 00:20:00', 16000),
      S('2024-03-16 01:00:00', 24000),
    ];
    const b = bill(samples, PEAK_VALLEY);
    // 12000 × 3123 / 1e5 = 374.76 → 375; 12000 × 0.4 = 480
    expect(brief(b)).toEqual([
      { start: '2024-03-15 23:00:00', end: '2024-03-16 00:00:00', e: 3123, s: 4000, wh: 12000, ef: 375, sf: 480 },
      { start: '2024-03-16 00:00:00', end: '2024-03-16 01:00:00', e: 3123, s: 4000, wh: 12000, ef: 375, sf: 480 },
    ]);
    expect(b.totalFen).toBe(1710);
  });

  it('one 6-hour interval crossing two boundaries (three periods), from a non-zero meter start value', () => {
    const samples = [S('2024-03-15 09:30:00', 1_000_000), S('2024-03-15 15:30:00', 1_060_001)];
    // boundaries at 1/12 and 11/12 of the interval: ⌊60001/12⌋ = 5000, ⌊60001·11/12⌋ = 55000 → 5000, 50000, 5001
    const b = bill(samples, SEVEN);
    // 5000 × 6123/1e5 = 306.15 → 306, svc 400; 50000 × 10456/1e5 = 5228, svc 4000; 5001 × 6123/1e5 = 306.21 → 306, svc 400.08 → 400
    expect(brief(b)).toEqual([
      { start: '2024-03-15 09:30:00', end: '2024-03-15 10:00:00', e: 6123, s: 8000, wh: 5000, ef: 306, sf: 400 },
      { start: '2024-03-15 10:00:00', end: '2024-03-15 15:00:00', e: 10456, s: 8000, wh: 50000, ef: 5228, sf: 4000 },
      { start: '2024-03-15 15:00:00', end: '2024-03-15 15:30:00', e: 6123, s: 8000, wh: 5001, ef: 306, sf: 400 },
    ]);
    expect(b).toMatchObject({ energyWh: 60001, elecFen: 5840, serviceFen: 4800, totalFen: 10640 });
  });

  it('rounds half a fen up (exact rational, rounded once per detail)', () => {
    // 10 Wh × 0.5 yuan/kWh = 0.005 yuan = 0.5 fen → 1; 10 Wh × 0.0001 = 0.0001 fen → 0
    const b = bill(
      [S('2024-03-15 12:00:00', 0), S('2024-03-15 12:01:00', 10)],
      [{ startTime: '000000', elecPrice: 0.5, servicePrice: 0.0001 }],
    );
    expect(b).toMatchObject({ energyWh: 10, elecFen: 1, serviceFen: 0, totalFen: 1 });
  });

  it('a session longer than 24 h is cut at every boundary of every day', () => {
    const samples = [S('2024-03-15 21:00:00', 0), S('2024-03-16 23:00:00', 26_000)];
    const b = bill(samples, PEAK_VALLEY);
    expect(b.details.map((d) => formatDateTime(d.start))).toEqual([
      '2024-03-15 21:00:00',
      '2024-03-15 22:00:00',
      '2024-03-16 00:00:00',
      '2024-03-16 08:00:00',
      '2024-03-16 22:00:00',
    ]);
    // 26 h at 1000 Wh/h: 1000, 2000, 8000, 14000, 1000
    expect(b.details.map((d) => d.energyWh)).toEqual([1000, 2000, 8000, 14000, 1000]);
    expect(b.energyWh).toBe(26_000);
  });

  it('fractional readings are quantised to the Wh once; the difference loses < 1 Wh', () => {
    const b = bill([S('2024-03-15 12:00:00', 0.4), S('2024-03-15 12:30:00', 12345.6)], PEAK_VALLEY);
    expect(b.energyWh).toBe(12346 - 0);
  });

  it('sample gaps with no energy still produce contiguous zero-energy details', () => {
    const b = bill([S('2024-03-15 07:00:00', 500), S('2024-03-15 09:00:00', 500)], PEAK_VALLEY);
    expect(brief(b)).toEqual([
      { start: '2024-03-15 07:00:00', end: '2024-03-15 08:00:00', e: 3123, s: 4000, wh: 0, ef: 0, sf: 0 },
      { start: '2024-03-15 08:00:00', end: '2024-03-15 09:00:00', e: 8123, s: 4000, wh: 0, ef: 0, sf: 0 },
    ]);
  });
});

describe('bill — span, empty and degenerate inputs', () => {
  it('zero samples with opts.start/end: zero-energy details covering the span', () => {
    const b = bill([], PEAK_VALLEY, { start: cst('2024-03-15 21:59:00'), end: cst('2024-03-15 22:01:00') });
    expect(brief(b)).toEqual([
      { start: '2024-03-15 21:59:00', end: '2024-03-15 22:00:00', e: 8123, s: 4000, wh: 0, ef: 0, sf: 0 },
      { start: '2024-03-15 22:00:00', end: '2024-03-15 22:01:00', e: 3123, s: 4000, wh: 0, ef: 0, sf: 0 },
    ]);
    expect(b.totalFen).toBe(0);
  });

  it('zero samples with only opts.start: a zero-length span, zero details', () => {
    const b = bill([], PEAK_VALLEY, { start: cst('2024-03-15 21:59:00') });
    expect(b).toEqual({
      start: cst('2024-03-15 21:59:00'),
      end: cst('2024-03-15 21:59:00'),
      energyWh: 0,
      elecFen: 0,
      serviceFen: 0,
      totalFen: 0,
      details: [],
    });
    expect(toOrderTotals(b)).toMatchObject({ SumPeriod: 0, ChargeDetails: [], TotalPower: 0, TotalMoney: 0 });
  });

  it('zero samples and no opts.start is a RangeError', () => {
    expect(() => bill([], PEAK_VALLEY)).toThrow(RangeError);
  });

  it('a single sample: zero energy, zero money, zero details', () => {
    const b = bill([S('2024-03-15 21:30:00', 1234)], PEAK_VALLEY);
    expect(b).toMatchObject({ energyWh: 0, elecFen: 0, serviceFen: 0, totalFen: 0, details: [] });
  });

  it('opts.start before the first sample and opts.end after the last extend the span without energy', () => {
    const samples = [S('2024-03-15 21:40:00', 0), S('2024-03-15 22:20:00', 8000)];
    const b = bill(samples, PEAK_VALLEY, { start: cst('2024-03-15 21:30:00'), end: cst('2024-03-15 22:30:00') });
    expect(brief(b)).toEqual([
      { start: '2024-03-15 21:30:00', end: '2024-03-15 22:00:00', e: 8123, s: 4000, wh: 4000, ef: 325, sf: 160 },
      { start: '2024-03-15 22:00:00', end: '2024-03-15 22:30:00', e: 3123, s: 4000, wh: 4000, ef: 125, sf: 160 },
    ]);
  });

  it('energy reported in zero time (equal timestamps) is kept, in the detail holding that instant', () => {
    const b = bill([S('2024-03-15 21:00:00', 0), S('2024-03-15 21:00:00', 100)], PEAK_VALLEY);
    expect(b.details).toHaveLength(1);
    expect(b.energyWh).toBe(100);
    const atBoundary = bill(
      [S('2024-03-15 21:00:00', 0), S('2024-03-15 22:00:00', 100), S('2024-03-15 22:00:00', 300), S('2024-03-15 22:30:00', 300)],
      PEAK_VALLEY,
    );
    expect(atBoundary.details.map((d) => d.energyWh)).toEqual([300, 0]);
  });

  it('rejects a decreasing reading, out-of-order time, a bad Date, a bad tariff and a span that cuts samples', () => {
    const ok = [S('2024-03-15 21:00:00', 0), S('2024-03-15 21:10:00', 100)];
    expect(() => bill([S('2024-03-15 21:00:00', 100), S('2024-03-15 21:10:00', 99)], PEAK_VALLEY)).toThrow(/decreased/);
    expect(() => bill([S('2024-03-15 21:10:00', 0), S('2024-03-15 21:00:00', 100)], PEAK_VALLEY)).toThrow(/out of order/);
    expect(() => bill([{ at: new Date(Number.NaN), energyWh: 0 }], PEAK_VALLEY)).toThrow(RangeError);
    expect(() => bill([S('2024-03-15 21:00:00', -1)], PEAK_VALLEY)).toThrow(RangeError);
    expect(() => bill([S('2024-03-15 21:00:00', Number.POSITIVE_INFINITY)], PEAK_VALLEY)).toThrow(RangeError);
    expect(() => bill(ok, [{ startTime: '010000', elecPrice: 1, servicePrice: 1 }])).toThrow(/000000/);
    expect(() => bill(ok, PEAK_VALLEY, { start: cst('2024-03-15 21:05:00') })).toThrow(/opts.start/);
    expect(() => bill(ok, PEAK_VALLEY, { end: cst('2024-03-15 21:05:00') })).toThrow(/opts.end/);
    expect(() => bill([], PEAK_VALLEY, { start: cst('2024-03-15 21:05:00'), end: cst('2024-03-15 21:00:00') })).toThrow(/opts.end/);
  });
});

describe('bill — the platform meters the piles (issue 9 §2: readings every 50 s and on every period boundary)', () => {
  // the power changes just before 22:00 (1,500 Wh in the last 40 s of peak, 10 Wh in the first 10 s of valley)
  const sampled = [S('2024-03-15 21:58:30', 0), S('2024-03-15 21:59:20', 1000), S('2024-03-15 22:00:10', 1510)];
  const aligned = S('2024-03-15 22:00:00', 1500);
  const withAligned = [...sampled.slice(0, 2), aligned, ...sampled.slice(2)];

  it('with the clock-aligned reading ON the boundary each period bills exactly the meter difference across it, no pro rata', () => {
    const b = bill(withAligned, PEAK_VALLEY);
    expect(brief(b).map((d) => [d.start, d.end, d.wh])).toEqual([
      ['2024-03-15 21:58:30', '2024-03-15 22:00:00', 1500],
      ['2024-03-15 22:00:00', '2024-03-15 22:00:10', 10],
    ]);
    // without it the 50 s interval 21:59:20–22:00:10 (510 Wh) is split by time: 408 peak, 102 valley (92 Wh billed at the wrong price)
    expect(bill(sampled, PEAK_VALLEY).details.map((d) => d.energyWh)).toEqual([1408, 102]);
  });

  it('the running bill folds the readings in as they come (the order write) to the same exact bill', () => {
    let rb = startRunningBill(withAligned[0] as MeterSample, PEAK_VALLEY);
    for (const x of withAligned.slice(1)) rb = foldSample(rb, x, PEAK_VALLEY);
    expect(closeRunningBill(rb, PEAK_VALLEY)).toEqual(bill(withAligned, PEAK_VALLEY));
    expect(closeRunningBill(rb, PEAK_VALLEY).details.map((d) => d.energyWh)).toEqual([1500, 10]);
  });
});

describe('bill — running bill = final bill', () => {
  it('a running bill is the final bill of the same samples; earlier details never change', () => {
    const samples = [
      S('2024-03-15 21:30:00', 0),
      S('2024-03-15 21:50:00', 7000),
      S('2024-03-15 22:10:00', 14001),
      S('2024-03-15 23:30:00', 40001),
    ];
    const running = bill(samples.slice(0, 3), PEAK_VALLEY);
    const final = bill(samples, PEAK_VALLEY);
    expect(running.details[0]).toEqual(final.details[0]);
    expect(running.details[1]?.energyWh).toBe(3501);
    expect(running.totalFen).toBeLessThanOrEqual(final.totalFen);
    expect(bill(samples.slice(0, 3), PEAK_VALLEY)).toEqual(running);
  });
});

describe('32-detail cap', () => {
  it('merges the oldest adjacent identical-price details first (midnight valley joins)', () => {
    // PEAK_VALLEY: 22–24 and 00–08 have identical prices; 6 days → 3 per day + 1 > 32? make it 12 days
    const start = cst('2024-03-01 00:00:00');
    const samples: MeterSample[] = [];
    for (let h = 0; h <= 12 * 24; h++) samples.push({ at: new Date(start.getTime() + h * 3_600_000), energyWh: h * 1000 });
    const b = bill(samples, PEAK_VALLEY);
    // uncapped: 3 per day × 12 = 36 details; 4 oldest adjacent valley pairs merged → 32
    expect(b.details).toHaveLength(32);
    expect(formatDateTime(b.details[2]!.start)).toBe('2024-03-01 22:00:00');
    expect(formatDateTime(b.details[2]!.end)).toBe('2024-03-02 08:00:00');
    expect(b.details[2]!.energyWh).toBe(10_000);
    // contiguity survives phase A
    for (let i = 1; i < b.details.length; i++) expect(b.details[i]!.start).toEqual(b.details[i - 1]!.end);
    // per day: valley 8000 → 250 fen (249.84), peak 14000 → 1137 fen (1137.22), valley 2000 → 62 fen (62.46); svc 320 + 560 + 80;
    // a merged 22–08 line: 10000 Wh → 312 fen (312.3) = 62 + 250, so the merges happen not to move the totals here
    expect(b.details[2]!.elecFen).toBe(312);
    expect(b).toMatchObject({ energyWh: 288_000, elecFen: 12 * (250 + 1137 + 62), serviceFen: 12 * 960 });
  });

  it('falls back to absorbing the next same-price detail when no adjacent pair matches', () => {
    const tariff: TariffPeriod[] = [
      { startTime: '000000', elecPrice: 0.1, servicePrice: 0 },
      { startTime: '080000', elecPrice: 0.2, servicePrice: 0 },
      { startTime: '160000', elecPrice: 0.3, servicePrice: 0 },
    ];
    const start = cst('2024-03-01 00:00:00');
    const samples = [0, 24 * 11 + 8].map((h) => ({ at: new Date(start.getTime() + h * 3_600_000), energyWh: h * 1001 }));
    const b = bill(samples, tariff); // 34 period occurrences → 32
    expect(b.details).toHaveLength(32);
    expect(b.energyWh).toBe(272 * 1001);
    expect(b.elecFen).toBe(b.details.reduce((s, d) => s + d.elecFen, 0));
    // the oldest detail (00–08 day 1) absorbed the next two 00–08 details (days 2 and 3); the rest is untouched
    expect(b.details[0]).toMatchObject({ elecPriceUnits: 1000, start, end: cst('2024-03-03 08:00:00'), energyWh: 3 * 8 * 1001 });
    expect(b.details[1]).toMatchObject({ elecPriceUnits: 2000, start: cst('2024-03-01 08:00:00'), end: cst('2024-03-01 16:00:00') });
    expect(b.details[3]).toMatchObject({ elecPriceUnits: 2000, start: cst('2024-03-02 08:00:00') });
  });

  it('capDetails keeps the energy, rounds each merged line once, leaves ≤ 32 untouched', () => {
    // 10 Wh × 0.5 yuan/kWh = 0.5 fen → 1 fen per line; two merged lines: 20 Wh → exactly 1 fen (not 2)
    const d = (i: number, e: number): BillDetail => ({
      start: new Date(i * 1000),
      end: new Date((i + 1) * 1000),
      elecPriceUnits: e,
      servicePriceUnits: 0,
      energyWh: 10,
      elecFen: 1,
      serviceFen: 0,
    });
    const few = [d(0, 5000), d(1, 5000)];
    expect(capDetails(few)).toEqual(few);
    // 40 lines alternating 0.5 / 0.6 yuan: no adjacent pair matches, so phase B folds the oldest 0.5 lines into the first
    const many = Array.from({ length: 40 }, (_, i) => d(i, i % 2 ? 6000 : 5000));
    const capped = capDetails(many);
    expect(capped).toHaveLength(32);
    expect(capped[0]).toEqual({
      start: new Date(0),
      end: new Date(17_000),
      elecPriceUnits: 5000,
      servicePriceUnits: 0,
      energyWh: 90,
      elecFen: 5,
      serviceFen: 0,
    });
    expect(capped.reduce((s, x) => s + x.energyWh, 0)).toBe(400);
    for (const x of capped) expect(Math.abs(x.elecFen * 100_000 - x.energyWh * x.elecPriceUnits)).toBeLessThanOrEqual(50_000);
  });
});

describe('edge objects (§3.9/§3.12)', () => {
  it('toOrderTotals / toChargeDetails: exact output for the 22:00 session', () => {
    const samples = [
      S('2024-03-15 21:30:00', 0),
      S('2024-03-15 21:50:00', 7000),
      S('2024-03-15 22:10:00', 14001),
      S('2024-03-15 23:30:00', 40001),
    ];
    const b = bill(samples, PEAK_VALLEY);
    expect(toOrderTotals(b)).toEqual({
      StartTime: '2024-03-15 21:30:00',
      EndTime: '2024-03-15 23:30:00',
      TotalPower: 40,
      TotalElecMoney: 17.74,
      TotalSeviceMoney: 16,
      TotalMoney: 33.74,
      SumPeriod: 2,
      ChargeDetails: [
        {
          DetailStartTime: '2024-03-15 21:30:00',
          DetailEndTime: '2024-03-15 22:00:00',
          ElecPrice: 0.8123,
          SevicePrice: 0.4,
          DetailPower: 10.5,
          DetailElecMoney: 8.53,
          DetailSeviceMoney: 4.2,
        },
        {
          DetailStartTime: '2024-03-15 22:00:00',
          DetailEndTime: '2024-03-15 23:30:00',
          ElecPrice: 0.3123,
          SevicePrice: 0.4,
          DetailPower: 29.5,
          DetailElecMoney: 9.21,
          DetailSeviceMoney: 11.8,
        },
      ],
    });
    expect(toChargeDetails(b)).toEqual(toOrderTotals(b).ChargeDetails);
  });

  it('DetailPower is apportioned by largest remainder so it sums to the half-up TotalPower', () => {
    // 4995 Wh + 5005 Wh: half-up per detail would give 5.00 + 5.01 = 10.01 ≠ 10.00
    const samples = [S('2024-03-15 21:00:00', 0), S('2024-03-15 22:00:00', 4995), S('2024-03-15 23:00:00', 10000)];
    const b = bill(samples, PEAK_VALLEY);
    expect(b.details.map((d) => d.energyWh)).toEqual([4995, 5005]);
    expect(detailPowerCentiKwh(b)).toEqual([500, 500]);
    const o = toOrderTotals(b);
    expect(o.TotalPower).toBe(10);
    expect(o.ChargeDetails.map((c) => c.DetailPower)).toEqual([5, 5]);
  });

  it('cent values that are binary-inexact still print as 2 dp (14.97, 0.07)', () => {
    const b = bill(
      [S('2024-03-15 09:30:45', 0), S('2024-03-15 09:45:45', 12345)],
      [{ startTime: '000000', elecPrice: 0.8123, servicePrice: 0.4 }],
    );
    const o = toOrderTotals(b);
    // 12345 × 8123 / 1e5 = 1002.78 → 1003; 12345 × 4000 / 1e5 = 493.8 → 494
    expect(o).toMatchObject({ TotalPower: 12.35, TotalElecMoney: 10.03, TotalSeviceMoney: 4.94, TotalMoney: 14.97, SumPeriod: 1 });
    expect(JSON.stringify(o.TotalMoney)).toBe('14.97');
  });
});

describe('tariff', () => {
  it('validateTariff accepts the standard shapes and names what is wrong', () => {
    expect(validateTariff(PEAK_VALLEY)).toEqual({ ok: true });
    expect(validateTariff(SEVEN)).toEqual({ ok: true });
    const bad = (t: TariffPeriod[]) => {
      const v = validateTariff(t);
      return v.ok ? 'ok' : v.msg;
    };
    const p = (startTime: string, elecPrice = 1, servicePrice = 1): TariffPeriod => ({ startTime, elecPrice, servicePrice });
    expect(bad([])).toMatch(/at least one/);
    expect(bad([p('000001')])).toMatch(/000000/);
    expect(bad([p('000000'), p('120000'), p('120000')])).toMatch(/strictly increasing/);
    expect(bad([p('000000'), p('130000'), p('120000')])).toMatch(/strictly increasing/);
    expect(bad([p('000000'), p('240000')])).toMatch(/HHmmss/);
    expect(bad([p('000000'), p('126000')])).toMatch(/HHmmss/);
    expect(bad([p('000000'), p('12:00:00')])).toMatch(/HHmmss/);
    expect(bad([p('000000', -0.1)])).toMatch(/elecPrice/);
    expect(bad([p('000000', 1, 0.00001)])).toMatch(/servicePrice/);
    expect(bad([p('000000', Number.NaN)])).toMatch(/elecPrice/);
    expect(bad(Array.from({ length: 33 }, (_, i) => p(`${String(i).padStart(2, '0')}0000`.slice(0, 6))))).toMatch(/at most 32/);
    expect(bad(Array.from({ length: 32 }, (_, i) => p(`00${String(i).padStart(2, '0')}00`)))).toBe('ok');
  });

  it('parses HHmmss and prices exactly', () => {
    expect(parseHHmmss('235959')).toBe(86_399);
    expect(parseHHmmss('000000')).toBe(0);
    expect(parseHHmmss('23595')).toBeUndefined();
    expect(yuanToPriceUnits(0.8123)).toBe(8123);
    expect(yuanToPriceUnits(1.0456)).toBe(10456);
    expect(yuanToPriceUnits(0.81235)).toBeUndefined();
  });

  it('toPolicyInfos gives the §3.6 edge form', () => {
    expect(toPolicyInfos(PEAK_VALLEY)).toEqual({
      SumPeriod: 3,
      PolicyInfos: [
        { StartTime: '000000', ElecPrice: 0.3123, SevicePrice: 0.4 },
        { StartTime: '080000', ElecPrice: 0.8123, SevicePrice: 0.4 },
        { StartTime: '220000', ElecPrice: 0.3123, SevicePrice: 0.4 },
      ],
    });
  });

  it('edge times are UTC+8 with milliseconds truncated, whatever the host time zone', () => {
    const b = bill([], PEAK_VALLEY, { start: new Date('2024-12-31T15:59:59.999Z'), end: new Date('2024-12-31T16:00:00.500Z') });
    expect(toChargeDetails(b).map((c) => [c.DetailStartTime, c.DetailEndTime])).toEqual([
      ['2024-12-31 23:59:59', '2025-01-01 00:00:00'],
      ['2025-01-01 00:00:00', '2025-01-01 00:00:00'],
    ]);
  });
});

describe('sanitizeSamples', () => {
  it('sorts, drops exact duplicates and invalid samples, clamps glitches; bill accepts the result', () => {
    const raw: MeterSample[] = [
      S('2024-03-15 21:10:00', 500),
      S('2024-03-15 21:00:00', 0),
      S('2024-03-15 21:10:00', 500),
      S('2024-03-15 21:20:00', 480), // glitch: went down
      S('2024-03-15 21:30:00', 900),
      { at: new Date(Number.NaN), energyWh: 1 },
      S('2024-03-15 21:40:00', Number.NaN),
    ];
    expect(() => bill(raw, PEAK_VALLEY)).toThrow(RangeError);
    const clean = sanitizeSamples(raw);
    expect(clean.map((s) => [formatDateTime(s.at).slice(11), s.energyWh])).toEqual([
      ['21:00:00', 0],
      ['21:10:00', 500],
      ['21:20:00', 500],
      ['21:30:00', 900],
    ]);
    expect(bill(clean, PEAK_VALLEY).energyWh).toBe(900);
    expect(sanitizeSamples(clean)).toEqual(clean);
  });
});
