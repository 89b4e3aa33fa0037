import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, manifestKey, type OrderLine, type Period, parsePeriod } from '../../shared/domain/dxp-export.ts';
import { type ExportSource, exportPart, exportPeriod, finishDayParts, startDayInParts } from '../../shared/services/dxp-export.ts';
import { memorySource, order, sample, sha, target, text } from '../support/dxp-export.ts';
import { type LocalS3Fixture, startLocalS3 } from '../support/s3.ts';

let local: LocalS3Fixture;
beforeAll(async () => {
  local = await startLocalS3('dxp-parts');
});
afterAll(async () => local?.stop());

const period = (id: string) => parsePeriod(id) as Period;
const manifestOf = async (operatorId: string, day: Period) => {
  const t = await text(manifestKey(operatorId, day));
  return t ? (JSON.parse(t) as Manifest) : undefined;
};
/** a deterministic shuffle: parts finish in any order */
const shuffled = <T>(xs: readonly T[], seed: number): T[] => {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

/** a day's data: orders in three hours (one in Beijing: not the region's), samples across them */
const dayOfData = (day: string) => {
  const data = memorySource();
  const a = order('ST-SH-1', `${day}T00:40:00+08:00`);
  const b = order('ST-SH-2', `${day}T13:10:00+08:00`);
  const c = order('ST-SH-1', `${day}T23:59:59+08:00`);
  const bj = order('ST-BJ-1', `${day}T13:20:00+08:00`);
  data.orders.push(a, b, c, bj);
  data.samples.push(
    sample(a, `${day}T00:05:00+08:00`, 100),
    sample(a, `${day}T00:35:00+08:00`, 9000),
    sample(b, `${day}T12:55:00+08:00`, 50), // the sample of an order that ends in the next hour: its own hour's part
    sample(b, `${day}T13:05:00+08:00`, 7000),
    sample(c, `${day}T23:30:00+08:00`, 10),
    sample(bj, `${day}T13:00:00+08:00`, 10),
  );
  return { ...data, inRegion: [a, b, c] };
};

const runAll = async (
  partner: { operatorId: string; areaCodes: string[] },
  day: Period,
  source: ExportSource,
  order: (parts: string[]) => string[] = (p) => p,
) => {
  const run = await startDayInParts({ partner, day, now: new Date(), target });
  const outcomes = [];
  for (const h of order(run.parts)) {
    await exportPart({ partner, day, part: period(h), runId: run.runId, source, target });
    outcomes.push(await finishDayParts({ partner, period: day, runId: run.runId, now: new Date(), codeVersion: 'test', source, target }));
  }
  return { run, outcomes };
};

describe('the daily export in parts (one per China-time hour)', () => {
  it('parts in any order; the manifest, written when the last one is done, names every part with counts and hashes that match the bytes', async () => {
    const day = period('2026-11-20');
    const { source, inRegion: ours, samples } = dayOfData(day.id);
    const partner = { operatorId: 'SHJG00101', areaCodes: ['31'] };
    const { run, outcomes } = await runAll(partner, day, source, (p) => shuffled(p, 7));
    expect(run.parts).toHaveLength(24);
    expect(run.parts[0]).toBe('2026-11-20T00');
    // no manifest while a part is missing
    expect(outcomes.slice(0, -1).map((o) => (o.outcome === 'waiting' ? o.missing.length : -1))).toEqual(
      Array.from({ length: 23 }, (_, i) => 23 - i),
    );
    const last = outcomes.at(-1)!;
    expect(last.outcome).toBe('written');
    const m = (await manifestOf(partner.operatorId, day))!;
    expect(m).toMatchObject({ period: '2026-11-20', granularity: 'day', revision: 1, corrections: [] });
    // every part, every kind: 24 × 4 objects, each whole (hash and line count of its bytes)
    expect(m.objects).toHaveLength(24 * 4);
    expect(new Set(m.objects.map((o) => o.part))).toEqual(new Set(run.parts));
    for (const o of m.objects) {
      const body = await text(o.key);
      expect(sha(body)).toBe(o.sha256);
      expect(Buffer.byteLength(body)).toBe(o.bytes);
      expect(body.split('\n').filter(Boolean)).toHaveLength(o.count);
      expect(o.key).toContain(`/parts/${o.part}/${o.kind}-`);
    }
    const total = (kind: string) => m.objects.filter((o) => o.kind === kind).reduce((a, o) => a + o.count, 0);
    expect(total('orders')).toBe(ours.length);
    expect(total('samples')).toBe(samples.filter((s) => s.StationID !== 'ST-BJ-1').length);
    // an order is in the part of its end, a sample in the part of its own time
    const ordersOf = async (h: string) => {
      const o = m.objects.find((x) => x.kind === 'orders' && x.part === h)!;
      return (await text(o.key))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as OrderLine).StartChargeSeq);
    };
    expect(await ordersOf('2026-11-20T13')).toEqual([ours[1]!.StartChargeSeq]);
    expect(await ordersOf('2026-11-20T23')).toEqual([ours[2]!.StartChargeSeq]);
    expect(m.objects.find((x) => x.kind === 'samples' && x.part === '2026-11-20T12')?.count).toBe(1);

    // the same data exported whole: the same lines (the parts are a partition of the day)
    const whole = await exportPeriod({
      partner: { ...partner, operatorId: 'SHJG00102' },
      period: day,
      now: new Date(),
      codeVersion: 'test',
      source,
      target,
    });
    for (const kind of ['orders', 'samples', 'stations', 'statuses'])
      expect(total(kind)).toBe(whole.manifest.objects.find((o) => o.kind === kind)?.count);
  });

  it('a re-run (a new run, or a part received twice) is idempotent: same objects, same hashes, the manifest unchanged', async () => {
    const day = period('2026-11-21');
    const { source } = dayOfData(day.id);
    const partner = { operatorId: 'SHJG00103', areaCodes: ['31'] };
    const first = await runAll(partner, day, source);
    const m1 = (await manifestOf(partner.operatorId, day))!;
    const again = await runAll(partner, day, source, (p) => shuffled(p, 3));
    expect(again.run.runId).not.toBe(first.run.runId);
    expect(again.outcomes.at(-1)).toMatchObject({ outcome: 'unchanged' });
    const m2 = (await manifestOf(partner.operatorId, day))!;
    expect(m2).toEqual(m1);
    // the last part redelivered (at-least-once): nothing changes
    const h = again.run.parts[5]!;
    await exportPart({ partner, day, part: period(h), runId: again.run.runId, source, target });
    expect(
      await finishDayParts({ partner, period: day, runId: again.run.runId, now: new Date(), codeVersion: 'test', source, target }),
    ).toMatchObject({ outcome: 'unchanged', manifest: { revision: 1 } });
    // a part of the superseded first run arriving late writes no manifest
    expect(
      await finishDayParts({ partner, period: day, runId: first.run.runId, now: new Date(), codeVersion: 'test', source, target }),
    ).toEqual({ outcome: 'superseded' });
  });

  it('a part that fails leaves no manifest (the other parts are whole); its retry completes the day', async () => {
    const day = period('2026-11-22');
    const { source, failing } = dayOfData(day.id);
    const partner = { operatorId: 'SHJG00104', areaCodes: ['31'] };
    failing.add('2026-11-22T13');
    const run = await startDayInParts({ partner, day, now: new Date(), target });
    const finish = () => finishDayParts({ partner, period: day, runId: run.runId, now: new Date(), codeVersion: 'test', source, target });
    for (const h of run.parts) {
      const part = exportPart({ partner, day, part: period(h), runId: run.runId, source, target });
      if (h === '2026-11-22T13') await expect(part).rejects.toThrow(/throttled/);
      else await part;
      // every part's finish step is run (as each part's Lambda does): never a manifest without part 13
      if (h !== '2026-11-22T13') await finish();
    }
    expect(await finish()).toEqual({ outcome: 'waiting', missing: ['2026-11-22T13'] });
    expect(await manifestOf(partner.operatorId, day)).toBeUndefined();
    // SQS receives it again: it succeeds now
    failing.clear();
    await exportPart({ partner, day, part: period('2026-11-22T13'), runId: run.runId, source, target });
    const r = await finish();
    expect(r.outcome).toBe('written');
    const m = (await manifestOf(partner.operatorId, day))!;
    expect(m.objects.filter((o) => o.part === '2026-11-22T13')).toHaveLength(4);
    for (const o of m.objects) expect(sha(await text(o.key))).toBe(o.sha256);
  });

  it('an order of the previous day that arrived after its export lands in a correction object of the next day', async () => {
    const d1 = period('2026-11-24');
    const d2 = period('2026-11-25');
    const data = dayOfData(d1.id);
    const partner = { operatorId: 'SHJG00105', areaCodes: ['31'] };
    await runAll(partner, d1, data.source);
    const late = order('ST-SH-2', '2026-11-24T22:10:00+08:00');
    const next = order('ST-SH-1', '2026-11-25T08:00:00+08:00');
    data.orders.push(late, next);
    const { outcomes } = await runAll(partner, d2, data.source);
    expect(outcomes.at(-1)?.outcome).toBe('written');
    const m = (await manifestOf(partner.operatorId, d2))!;
    expect(m.corrections).toHaveLength(1);
    expect(m.corrections[0]).toMatchObject({ period: '2026-11-24', kind: 'orders', count: 1 });
    const body = await text(m.corrections[0]!.key);
    expect(sha(body)).toBe(m.corrections[0]!.sha256);
    expect(JSON.parse(body.trim()).StartChargeSeq).toBe(late.StartChargeSeq);
    expect(m.objects.filter((o) => o.kind === 'orders').reduce((a, o) => a + o.count, 0)).toBe(1);
  });

  it('samples of the previous day that arrived after its export: each part corrects its hour of that day, the manifest lists them', async () => {
    const d1 = period('2026-11-16');
    const d2 = period('2026-11-17');
    const data = dayOfData(d1.id);
    const partner = { operatorId: 'SHJG00106', areaCodes: ['31'] };
    await runAll(partner, d1, data.source);
    const a: OrderLine = data.inRegion[0]!;
    const b: OrderLine = data.inRegion[1]!;
    // filed after the day's export: two of hour 00, one of hour 13 (and one of Beijing's: not the region's)
    const lateA1 = sample(a, '2026-11-16T00:10:00+08:00', 1500);
    const lateA2 = sample(a, '2026-11-16T00:20:00+08:00', 3000);
    const lateB = sample(b, '2026-11-16T13:07:00+08:00', 7100);
    data.samples.push(lateB, lateA2, lateA1, sample(data.orders[3]!, '2026-11-16T13:01:00+08:00', 20));
    const { outcomes } = await runAll(partner, d2, data.source, (p) => shuffled(p, 7));
    expect(outcomes.at(-1)?.outcome).toBe('written');
    const m = (await manifestOf(partner.operatorId, d2))!;
    const corrections = m.corrections.filter((c) => c.kind === 'samples');
    expect(corrections.map((c) => [c.part, c.period, c.count]).sort()).toEqual([
      ['2026-11-17T00', '2026-11-16', 2],
      ['2026-11-17T13', '2026-11-16', 1],
    ]);
    const lines = [];
    for (const c of corrections) {
      const body = await text(c.key);
      expect(sha(body)).toBe(c.sha256);
      lines.push(
        ...body
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      );
    }
    expect(lines.map((l) => `${l.StartChargeSeq}@${l.Time}`).sort()).toEqual(
      [lateA1, lateA2, lateB].map((l) => `${l.StartChargeSeq}@${l.Time}`).sort(),
    );
    // nothing else was late: no order, station or status correction
    expect(m.corrections).toHaveLength(2);
  });
});
