/**
 * The platform's metering rules (issue 9 §2, shared/domain/metering.ts): when a reading makes a
 * charge-status push due, what the charge points are told to sample, where aligned readings fall.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedIntervalFor, meteringConfiguration, nextAligned, progressDue } from '../../../shared/domain/metering.ts';
import { checkAnswer, checkOurCall } from '../../../shared/ocpp/schemas.ts';

const INTERVAL = 50_000;

/** the push times a pile's readings cause, folded one by one as the order's write decides them */
const pushesOf = (readings: readonly number[]): number[] => {
  const out: number[] = [];
  for (const t of readings) if (progressDue(out.at(-1), t, INTERVAL)) out.push(t);
  return out;
};

describe('progressDue: a charge-status push per 50 s of sample time', () => {
  it('the first reading is due; then one 40 s or more after the last push', () => {
    expect(progressDue(undefined, 0, INTERVAL)).toBe(true);
    expect(progressDue(0, 39_999, INTERVAL)).toBe(false);
    expect(progressDue(0, 40_000, INTERVAL)).toBe(true);
    expect(progressDue(0, 49_900, INTERVAL)).toBe(true);
  });

  it('a pile reading every 50 s ± 5 s jitter: every reading is a push (a strict 50 s would skip every other one)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 2, maxLength: 60 }), (jitter) => {
        const readings = jitter.map((j, i) => (i + 1) * INTERVAL + j);
        expect(pushesOf(readings)).toEqual(readings);
      }),
    );
    // the case a strict rule gets wrong: 49.9 s after the last push
    expect(pushesOf([50_000, 99_900, 150_000, 199_900])).toEqual([50_000, 99_900, 150_000, 199_900]);
  });

  it('any sampling: pushes never closer than 40 s, never further apart than 40 s plus one sampling interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 60_000 }), fc.integer({ min: 2, max: 200 }), (every, n) => {
        const readings = Array.from({ length: n }, (_, i) => (i + 1) * every);
        const pushes = pushesOf(readings);
        for (let i = 1; i < pushes.length; i++) {
          const gap = (pushes[i] as number) - (pushes[i - 1] as number);
          expect(gap).toBeGreaterThanOrEqual(40_000);
          expect(gap).toBeLessThan(40_000 + every);
        }
      }),
    );
  });

  it('a pile sampling every 15 s pushes every 45 s; one aligned reading between 50 s samples moves nothing but its own slot', () => {
    expect(pushesOf([15, 30, 45, 60, 75, 90, 105, 120].map((s) => s * 1000))).toEqual([15_000, 60_000, 105_000]);
    // samples at 50, 100, 150 s; a clock-aligned reading at 120 s
    expect(pushesOf([50_000, 100_000, 120_000, 150_000, 200_000])).toEqual([50_000, 100_000, 150_000, 200_000]);
  });
});

describe('the metering a charge point is told (ChangeConfiguration after its boot)', () => {
  it('the two intervals and the measurands the platform reads', () => {
    expect(meteringConfiguration({ sampleSeconds: 50, alignedSeconds: 1800 })).toEqual([
      { key: 'MeterValueSampleInterval', value: '50' },
      { key: 'ClockAlignedDataInterval', value: '1800' },
      { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC' },
      { key: 'MeterValuesAlignedData', value: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC' },
    ]);
  });

  it('each call is a valid ChangeConfiguration.req, and the answers are checked against its .conf', () => {
    for (const call of meteringConfiguration({ sampleSeconds: 50, alignedSeconds: 1800 }))
      expect(checkOurCall('ChangeConfiguration', call)).toBeUndefined();
    expect(checkAnswer('ChangeConfiguration', { status: 'RebootRequired' })).toBeUndefined();
    expect(checkAnswer('ChangeConfiguration', { status: 'Fine' })?.code).toBe('PropertyConstraintViolation');
    expect(checkAnswer('ChangeConfiguration', {})?.code).toBe('OccurenceConstraintViolation');
  });

  it('alignedIntervalFor: the largest interval ≤ 30 min whose readings land on every period start', () => {
    expect(alignedIntervalFor(['000000', '080000', '120000', '173000', '230000'])).toBe(1800);
    expect(alignedIntervalFor(['000000', '081500', '083000'])).toBe(900);
    expect(alignedIntervalFor(['000000'])).toBe(1800);
    expect(alignedIntervalFor(['000000', '080000'], 3600)).toBe(3600);
    expect(alignedIntervalFor(['000000', '080020'])).toBe(20);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 86_399 }), { maxLength: 8 }), (secs) => {
        const starts = secs.map((x) =>
          [Math.floor(x / 3600), Math.floor((x % 3600) / 60), x % 60].map((v) => String(v).padStart(2, '0')).join(''),
        );
        const d = alignedIntervalFor(starts);
        expect(d).toBeLessThanOrEqual(1800);
        for (const x of secs) expect(x % d).toBe(0);
      }),
    );
  });

  it('nextAligned: the next multiple of the interval since China-time midnight', () => {
    const at = Date.parse('2026-11-20T03:59:10.000Z'); // 11:59:10 China time
    expect(new Date(nextAligned(at, 1_800_000)).toISOString()).toBe('2026-11-20T04:00:00.000Z');
    expect(new Date(nextAligned(Date.parse('2026-11-20T04:00:00.000Z'), 1_800_000)).toISOString()).toBe('2026-11-20T04:30:00.000Z');
    // 7 hours: counted from China-time midnight (08:00 → 14:00 China time), and the day's last interval ends at midnight
    expect(new Date(nextAligned(Date.parse('2026-11-20T00:00:00.000Z'), 7 * 3_600_000)).toISOString()).toBe('2026-11-20T06:00:00.000Z');
    expect(new Date(nextAligned(Date.parse('2026-11-20T13:30:00.000Z'), 7 * 3_600_000)).toISOString()).toBe('2026-11-20T16:00:00.000Z');
  });
});
