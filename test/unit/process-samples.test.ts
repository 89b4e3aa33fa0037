/** Which meter readings become charging-process samples, and where they are filed (shared/domain/process-samples.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  byHour,
  chinaHour,
  PROCESS_SAMPLE_SHARDS,
  type ProcessSample,
  sampleShard,
  selectSamples,
} from '../../shared/domain/process-samples.ts';

const at = (iso: string) => new Date(iso).getTime();
const sample = (t: number, wh = 0): ProcessSample => [t, 400, 100, 40, 50, wh];

describe('process samples', () => {
  it('keeps one reading per resolution slot, only after the previous reading, in time order', () => {
    const t0 = at('2026-11-30T01:00:00Z');
    const readings = [15, 0, 30, 45, 60, 75, 90, 95].map((s) => sample(t0 + s * 1000));
    // the previous reading was at t0 (slot 0 of 30 s): 15 is in the same slot, 30 opens the next
    expect(selectSamples(readings, t0, 30).map((s) => (s[0] - t0) / 1000)).toEqual([30, 60, 90]);
  });

  it('a redelivered or duplicated batch keeps nothing new', () => {
    const t0 = at('2026-11-30T01:00:00Z');
    const readings = [30, 60].map((s) => sample(t0 + s * 1000));
    expect(selectSamples([...readings, ...readings], t0 + 60_000, 30)).toEqual([]);
  });

  it('never keeps two samples of one slot, whatever the readings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_600_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 300 }), (ts, res) => {
        const kept = selectSamples(
          ts.map((t) => sample(t)),
          0,
          res,
        );
        const slots = kept.map((s) => Math.floor(s[0] / (res * 1000)));
        expect(new Set(slots).size).toBe(kept.length);
        expect(kept.every((s, i) => i === 0 || s[0] > (kept[i - 1] as ProcessSample)[0])).toBe(true);
        expect(kept.every((s) => s[0] > 0)).toBe(true);
      }),
    );
  });

  it('files by China-time hour and a stable shard', () => {
    expect(chinaHour(at('2026-11-30T15:59:59Z'))).toBe('2026-11-30T23');
    expect(chinaHour(at('2026-11-30T16:00:00Z'))).toBe('2026-12-01T00');
    const groups = byHour([sample(at('2026-11-30T15:59:30Z')), sample(at('2026-11-30T16:00:10Z'))]);
    expect([...groups.keys()]).toEqual(['2026-11-30T23', '2026-12-01T00']);
    const seq = 'MA01H3BQ2202611230930450001';
    expect(sampleShard(seq)).toBe(sampleShard(seq));
    expect(sampleShard(seq)).toBeGreaterThanOrEqual(0);
    expect(sampleShard(seq)).toBeLessThan(PROCESS_SAMPLE_SHARDS);
  });
});
