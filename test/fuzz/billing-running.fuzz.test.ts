/**
 * The running form of the billing function (shared/domain/billing.ts): folding samples one at a
 * time — what an order keeps instead of its samples — gives exactly the batch bill, for every
 * valid time-ordered series, span options and tariff (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bill,
  closeRunningBill,
  foldSample,
  type MeterSample,
  type RunningBill,
  startRunningBill,
  type TariffPeriod,
} from '../../shared/domain/billing.ts';

const pad2 = (n: number): string => String(n).padStart(2, '0');
const hhmmss = (sec: number): string => `${pad2(Math.floor(sec / 3600))}${pad2(Math.floor(sec / 60) % 60)}${pad2(sec % 60)}`;
const priceArb = fc.integer({ min: 0, max: 30_000 }).map((u) => u / 10_000);
const tariffArb = (maxPeriods: number): fc.Arbitrary<TariffPeriod[]> =>
  fc.uniqueArray(fc.integer({ min: 1, max: 86_399 }), { maxLength: maxPeriods - 1 }).chain((starts) => {
    const secs = [0, ...starts.sort((a, b) => a - b)];
    return fc.tuple(...secs.map((s) => fc.record({ startTime: fc.constant(hhmmss(s)), elecPrice: priceArb, servicePrice: priceArb })));
  });

/** a monotonic series of raw (not always integer) readings; steps of 0 s – 6 h, increments 0–20 kWh */
const samplesArb = (maxLen: number): fc.Arbitrary<MeterSample[]> =>
  fc
    .record({
      t0: fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2026, 0, 1) }),
      e0: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10_000_000, noNaN: true })),
      steps: fc.array(
        fc.record({
          dt: fc.oneof(
            fc.integer({ min: 0, max: 60_000 }),
            fc.integer({ min: 0, max: 900_000 }),
            fc.integer({ min: 0, max: 6 * 3_600_000 }),
          ),
          de: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 20_000, noNaN: true })),
        }),
        { maxLength: maxLen },
      ),
    })
    .map(({ t0, e0, steps }) => {
      const out: MeterSample[] = [{ at: new Date(t0), energyWh: e0 }];
      let t = t0;
      let e = e0;
      for (const s of steps) {
        t += s.dt;
        e += s.de;
        out.push({ at: new Date(t), energyWh: e });
      }
      return out;
    });

fc.configureGlobal({ interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true });

/** fold through JSON, as the order item stores it between samples */
const foldAll = (samples: readonly MeterSample[], tariff: readonly TariffPeriod[], start?: Date): RunningBill => {
  let rb = startRunningBill(samples[0] as MeterSample, tariff, start ? { start } : undefined);
  for (const s of samples.slice(1)) rb = JSON.parse(JSON.stringify(foldSample(rb, s, tariff))) as RunningBill;
  return rb;
};

describe('running bill ≡ batch bill', () => {
  it('folding samples one by one, then closing, equals bill() over all of them (≤ 8 periods, ≤ 40 samples)', () => {
    fc.assert(
      fc.property(
        tariffArb(8),
        samplesArb(40),
        fc.integer({ min: 0, max: 7_200_000 }),
        fc.integer({ min: 0, max: 7_200_000 }),
        (tariff, samples, lead, tail) => {
          const first = (samples[0] as MeterSample).at.getTime();
          const last = (samples.at(-1) as MeterSample).at.getTime();
          const start = new Date(first - lead);
          const end = new Date(last + tail);
          expect(closeRunningBill(foldAll(samples, tariff), tariff)).toEqual(bill(samples, tariff));
          expect(closeRunningBill(foldAll(samples, tariff, start), tariff, { end })).toEqual(bill(samples, tariff, { start, end }));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('every prefix: the running bill after k samples is the batch bill of those k (32-period tariffs, the cap included)', () => {
    fc.assert(
      fc.property(tariffArb(32), samplesArb(30), (tariff, samples) => {
        let rb = startRunningBill(samples[0] as MeterSample, tariff);
        for (let k = 1; k < samples.length; k++) {
          rb = foldSample(rb, samples[k] as MeterSample, tariff);
          expect(closeRunningBill(rb, tariff)).toEqual(bill(samples.slice(0, k + 1), tariff));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a sample before the last one or a reading below it is refused, and the state is unchanged', () => {
    const tariff = [{ startTime: '000000', elecPrice: 1, servicePrice: 0.5 }];
    const rb = foldSample(
      startRunningBill({ at: new Date(1_000_000), energyWh: 0 }, tariff),
      { at: new Date(1_060_000), energyWh: 500 },
      tariff,
    );
    const copy = structuredClone(rb);
    expect(() => foldSample(rb, { at: new Date(1_030_000), energyWh: 600 }, tariff)).toThrow(/out of order/);
    expect(() => foldSample(rb, { at: new Date(1_090_000), energyWh: 400 }, tariff)).toThrow(/decreased/);
    expect(rb).toEqual(copy);
    // the state's size follows the periods crossed, not the samples folded
    let long = rb;
    for (let i = 1; i <= 480; i++) long = foldSample(long, { at: new Date(1_060_000 + i * 15_000), energyWh: 500 + i * 100 }, tariff);
    expect(long.n).toBe(482);
    expect(long.d).toHaveLength(1);
    expect(closeRunningBill(long, tariff).energyWh).toBe(48_500);
  });
});
