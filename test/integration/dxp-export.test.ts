import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChangeLine,
  hoursOf,
  type Manifest,
  manifestKey,
  type Period,
  parsePeriod,
  type SampleLine,
} from '../../shared/domain/dxp-export.ts';
import { type ExportTarget, exportPeriod } from '../../shared/services/dxp-export.ts';
import { getObject, listObjects } from '../../shared/store/objects.ts';
import { memorySource, order, sample, sha, target, text } from '../support/dxp-export.ts';
import { type LocalS3Fixture, startLocalS3 } from '../support/s3.ts';

let local: LocalS3Fixture;
beforeAll(async () => {
  local = await startLocalS3('dxp');
});
afterAll(async () => local?.stop());

const hour = (id: string) => parsePeriod(id) as Period;
const at = (iso: string) => new Date(iso);

describe('dxp exports to S3', () => {
  it('a profile’s sampleSeconds: one sample per order and slot, named in the manifest', async () => {
    const { orders, samples, source } = memorySource();
    const a = order('ST-SH-1', at('2026-11-30T12:40:00+08:00'));
    orders.push(a);
    for (const [s, wh] of [
      ['12:05:00', 100],
      ['12:05:30', 200],
      ['12:06:10', 300],
      ['12:06:40', 400],
      ['12:09:00', 500],
    ] as const)
      samples.push(sample(a, at(`2026-11-30T${s}+08:00`), wh));
    const partner = { operatorId: 'SHJG00007', areaCodes: ['31'], sampleSeconds: 60 };
    const p = hour('2026-11-30T12');
    await exportPeriod({ partner, period: p, now: at('2026-11-30T13:05:00+08:00'), codeVersion: 'test', source, target });
    const m = JSON.parse(await text(manifestKey('SHJG00007', p))) as Manifest;
    expect(m.sampleSeconds).toBe(60);
    const obj = m.objects.find((o) => o.kind === 'samples')!;
    expect(obj.count).toBe(3);
    const meters = (await text(obj.key))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).MeterWh);
    expect(meters).toEqual([100, 300, 500]);

    // late samples of that hour, at the next hour's export: one earlier in a slot already exported
    // adds nothing (one sample per order and slot across the export and its correction), one in a
    // slot not exported is corrected
    samples.push(sample(a, at('2026-11-30T12:06:05+08:00'), 250), sample(a, at('2026-11-30T12:07:20+08:00'), 450));
    const next = await exportPeriod({
      partner,
      period: hour('2026-11-30T13'),
      now: at('2026-11-30T14:05:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    const corrected = next.manifest.corrections.filter((c) => c.kind === 'samples');
    expect(corrected).toHaveLength(1);
    const lateMeters = (await text(corrected[0]!.key))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).MeterWh);
    expect(lateMeters).toEqual([450]);
  });

  it('objects hold exactly the region’s data of the period; the manifest’s counts and hashes match the bytes', async () => {
    const { orders, samples, source } = memorySource();
    const a = order('ST-SH-1', at('2026-11-30T10:20:00+08:00'));
    const b = order('ST-SH-2', at('2026-11-30T10:59:59+08:00'));
    const bj = order('ST-BJ-1', at('2026-11-30T10:30:00+08:00')); // another region
    const next = order('ST-SH-1', at('2026-11-30T11:00:00+08:00')); // the next hour
    orders.push(a, b, bj, next);
    samples.push(
      sample(a, at('2026-11-30T10:05:00+08:00'), 100),
      sample(a, at('2026-11-30T10:05:30+08:00'), 400),
      sample(bj, at('2026-11-30T10:06:00+08:00'), 50),
    );
    samples.push(sample(a, at('2026-11-30T10:05:00+08:00'), 100)); // filed twice by a redelivered batch

    const partner = { operatorId: 'SHJG00001', areaCodes: ['31'] };
    const r = await exportPeriod({
      partner,
      period: hour('2026-11-30T10'),
      now: at('2026-11-30T11:05:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    expect(r.outcome).toBe('written');
    const m = JSON.parse(await text(manifestKey('SHJG00001', hour('2026-11-30T10')))) as Manifest;
    expect(m).toMatchObject({ partner: 'SHJG00001', period: '2026-11-30T10', granularity: 'hour', revision: 1, codeVersion: 'test' });
    expect(m.from).toBe('2026-11-30T02:00:00.000Z');
    expect(m.generatedAt).toBe('2026-11-30T03:05:00.000Z');
    const byKind = Object.fromEntries(m.objects.map((o) => [o.kind, o]));
    expect(byKind.orders?.count).toBe(2);
    expect(byKind.samples?.count).toBe(2);
    for (const o of m.objects) {
      const body = await text(o.key);
      expect(sha(body)).toBe(o.sha256);
      expect(Buffer.byteLength(body)).toBe(o.bytes);
      expect(body.split('\n').filter(Boolean)).toHaveLength(o.count);
    }
    const exported = (await text(byKind.orders!.key))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).StartChargeSeq);
    expect(exported).toEqual([a.StartChargeSeq, b.StartChargeSeq]);
  });

  it('a re-run over the same data writes nothing and returns the same manifest; changed data makes a new revision with a reason', async () => {
    const { orders, source } = memorySource();
    orders.push(order('ST-SH-1', at('2026-11-29T08:10:00+08:00')));
    const partner = { operatorId: 'SHJG00002', areaCodes: ['31'] };
    const p = hour('2026-11-29T08');
    const first = await exportPeriod({ partner, period: p, now: at('2026-11-29T09:05:00+08:00'), codeVersion: 'test', source, target });
    const bytes = await text(manifestKey('SHJG00002', p));
    const keys = (await listObjects('exports', 'dxp/SHJG00002/')).map((o) => o.key);
    const again = await exportPeriod({ partner, period: p, now: at('2026-11-29T12:00:00+08:00'), codeVersion: 'test', source, target });
    expect(again.outcome).toBe('unchanged');
    expect(await text(manifestKey('SHJG00002', p))).toBe(bytes);
    expect((await listObjects('exports', 'dxp/SHJG00002/')).map((o) => o.key)).toEqual(keys);

    orders.push(order('ST-SH-2', at('2026-11-29T08:40:00+08:00')));
    const revised = await exportPeriod({ partner, period: p, now: at('2026-11-29T12:00:00+08:00'), codeVersion: 'test', source, target });
    expect(revised.outcome).toBe('revised');
    expect(revised.manifest.revision).toBe(2);
    expect(revised.manifest.reason).toMatch(/orders 1→2/);
    // the first manifest's objects are untouched (content-addressed keys)
    const old = first.manifest.objects.find((o) => o.kind === 'orders')!;
    expect(sha(await text(old.key))).toBe(old.sha256);
  });

  it('a late order of the previous hour lands in a correction object referenced from the next manifest', async () => {
    const { orders, source } = memorySource();
    const partner = { operatorId: 'SHJG00003', areaCodes: ['31'] };
    const onTime = order('ST-SH-1', at('2026-11-28T14:30:00+08:00'));
    orders.push(onTime);
    await exportPeriod({
      partner,
      period: hour('2026-11-28T14'),
      now: at('2026-11-28T15:05:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    // finished at 14:50 but reached us after the 14:00 export
    const late = order('ST-SH-2', at('2026-11-28T14:50:00+08:00'));
    const current = order('ST-SH-1', at('2026-11-28T15:10:00+08:00'));
    orders.push(late, current);
    const r = await exportPeriod({
      partner,
      period: hour('2026-11-28T15'),
      now: at('2026-11-28T16:05:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    expect(r.manifest.corrections).toHaveLength(1);
    const c = r.manifest.corrections[0]!;
    expect(c).toMatchObject({ period: '2026-11-28T14', kind: 'orders', count: 1 });
    const body = await text(c.key);
    expect(sha(body)).toBe(c.sha256);
    expect(JSON.parse(body.trim()).StartChargeSeq).toBe(late.StartChargeSeq);
    const ordersObj = r.manifest.objects.find((o) => o.kind === 'orders')!;
    expect(ordersObj.count).toBe(1);
    // the 14:00 manifest is unchanged: still revision 1 with one order
    const m14 = JSON.parse(await text(manifestKey('SHJG00003', hour('2026-11-28T14')))) as Manifest;
    expect(m14.revision).toBe(1);
    expect(m14.objects.find((o) => o.kind === 'orders')?.count).toBe(1);
  });

  it('an export failing half-way leaves no manifest; the re-run completes with every referenced object whole', async () => {
    const { orders, samples, source } = memorySource();
    const o = order('ST-SH-1', at('2026-11-27T09:15:00+08:00'));
    orders.push(o);
    samples.push(sample(o, at('2026-11-27T09:01:00+08:00'), 10));
    const partner = { operatorId: 'SHJG00004', areaCodes: ['31'] };
    const p = hour('2026-11-27T09');
    let puts = 0;
    const failing: ExportTarget = {
      get: target.get,
      put: async (key, body, type) => {
        if (++puts === 2) throw new Error('S3 unavailable');
        return target.put(key, body, type);
      },
      putStream: async (staging, chunks, keyOf, type) => {
        if (++puts === 2) throw new Error('S3 unavailable');
        return target.putStream(staging, chunks, keyOf, type);
      },
    };
    await expect(
      exportPeriod({ partner, period: p, now: at('2026-11-27T10:05:00+08:00'), codeVersion: 'test', source, target: failing }),
    ).rejects.toThrow(/S3 unavailable/);
    expect(await getObject('exports', manifestKey('SHJG00004', p))).toBeUndefined();
    const r = await exportPeriod({ partner, period: p, now: at('2026-11-27T10:10:00+08:00'), codeVersion: 'test', source, target });
    expect(r.outcome).toBe('written');
    for (const x of r.manifest.objects) expect(sha(await text(x.key))).toBe(x.sha256);
  });
  it('station and status changes are objects of their own kinds in the same manifest: the region’s, of the period, in time order', async () => {
    const { source } = memorySource();
    const t = (iso: string) => at(iso).getTime();
    const changes: ChangeLine[] = [
      { StationID: 'ST-SH-2', Created: false, Info: true, Tariff: false, EquipmentIDs: ['E9'], Time: t('2026-11-26T08:40:00+08:00') },
      { StationID: 'ST-SH-1', Created: true, Info: true, Tariff: false, EquipmentIDs: [], Time: t('2026-11-26T08:10:00+08:00') },
      { StationID: 'ST-BJ-1', Created: false, Info: false, Tariff: true, EquipmentIDs: [], Time: t('2026-11-26T08:20:00+08:00') },
      { StationID: 'ST-SH-1', Created: false, Info: false, Tariff: true, EquipmentIDs: [], Time: t('2026-11-26T09:00:00+08:00') },
      {
        ConnectorID: 'C2',
        StationID: 'ST-SH-2',
        Status: 3,
        PreviousStatus: 2,
        ParkStatus: 0,
        LockStatus: 0,
        Time: t('2026-11-26T08:30:00+08:00'),
        Version: 7,
      },
      {
        ConnectorID: 'C1',
        StationID: 'ST-SH-1',
        Status: 2,
        ParkStatus: 0,
        LockStatus: 0,
        Time: t('2026-11-26T08:30:00+08:00'),
        Version: 3,
      },
      {
        ConnectorID: 'C1',
        StationID: 'ST-SH-1',
        Status: 2,
        ParkStatus: 0,
        LockStatus: 0,
        Time: t('2026-11-26T08:30:00+08:00'),
        Version: 3,
      }, // a redelivery
    ];
    source.changes = async (kind, stations, p) =>
      changes.filter(
        (c) =>
          'ConnectorID' in c === (kind === 'statuses') &&
          stations.has(c.StationID) &&
          c.Time >= p.from.getTime() &&
          c.Time < p.to.getTime(),
      );
    const r = await exportPeriod({
      partner: { operatorId: 'SHJG00005', areaCodes: ['31'] },
      period: hour('2026-11-26T08'),
      now: at('2026-11-26T09:05:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    const byKind = Object.fromEntries(r.manifest.objects.map((o) => [o.kind, o]));
    expect(Object.keys(byKind).sort()).toEqual(['orders', 'samples', 'stations', 'statuses']);
    const lines = async (kind: string) =>
      (await text(byKind[kind]!.key))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    expect((await lines('stations')).map((l) => l.StationID)).toEqual(['ST-SH-1', 'ST-SH-2']);
    expect((await lines('statuses')).map((l) => `${l.ConnectorID}@${l.Version}`)).toEqual(['C1@3', 'C2@7']);
    for (const o of r.manifest.objects) expect(sha(await text(o.key))).toBe(o.sha256);
    expect(byKind.statuses?.count).toBe(2);
  });

  it('a day larger than one put streams through a multipart upload: counts and hash match; a failure half-way leaves nothing behind', async () => {
    const { source } = memorySource();
    const o = order('ST-SH-1', at('2026-11-25T12:00:00+08:00'));
    const day = parsePeriod('2026-11-25') as Period;
    // 3 hourly batches of 30,000 samples (≈ 5 MB each): the samples object passes the single-put size
    const batch = (h: number) =>
      Array.from({ length: 30_000 }, (_, i) => sample(o, new Date(day.from.getTime() + h * 3_600_000 + i * 100), i));
    let failAt: number | undefined;
    source.samples = async function* () {
      for (let h = 0; h < 3; h++) {
        if (h === failAt) throw new Error('DynamoDB unavailable');
        yield batch(h);
      }
    };
    const partner = { operatorId: 'SHJG00006', areaCodes: ['31'] };
    const prefix = `dxp/SHJG00006/2026-11-25/`;

    failAt = 2; // after the first part is on its way
    await expect(
      exportPeriod({ partner, period: day, now: at('2026-11-26T00:30:00+08:00'), codeVersion: 'test', source, target }),
    ).rejects.toThrow(/DynamoDB unavailable/);
    // no manifest, no samples object, nothing staged: only the complete objects written before the failure (orders),
    // content-addressed and whole, which the re-run ends on again
    const left = await listObjects('exports', prefix);
    expect(
      left.map((x) =>
        x.key
          .split('/')
          .at(-1)
          ?.replace(/-[0-9a-f]{16}\.jsonl$/, ''),
      ),
    ).toEqual(['orders']);
    expect(sha(await text(left[0]!.key)).slice(0, 16)).toBe(/-([0-9a-f]{16})\.jsonl$/.exec(left[0]!.key)?.[1]);

    failAt = undefined;
    const r = await exportPeriod({ partner, period: day, now: at('2026-11-26T00:31:00+08:00'), codeVersion: 'test', source, target });
    const samples = r.manifest.objects.find((x) => x.kind === 'samples')!;
    expect(samples.count).toBe(90_000);
    expect(samples.bytes).toBeGreaterThan(8 * 1024 * 1024);
    const body = await text(samples.key);
    expect(Buffer.byteLength(body)).toBe(samples.bytes);
    expect(sha(body)).toBe(samples.sha256);
    expect(samples.key).toContain(samples.sha256.slice(0, 16));
    // no staging object is left; the manifest is there
    const keys = (await listObjects('exports', prefix)).map((x) => x.key);
    expect(keys.filter((k) => k.includes('/staging/'))).toEqual([]);
    expect(keys).toContain(manifestKey('SHJG00006', day));
    // the re-run over the same data: the same manifest, nothing new
    const again = await exportPeriod({ partner, period: day, now: at('2026-11-26T01:00:00+08:00'), codeVersion: 'test', source, target });
    expect(again.outcome).toBe('unchanged');
    expect((await listObjects('exports', prefix)).map((x) => x.key)).toEqual(keys);
  });

  it('late samples, station and status changes of the previous hour land in correction objects of their kinds', async () => {
    const { orders, samples, source } = memorySource();
    const t = (iso: string) => at(iso).getTime();
    const changes: ChangeLine[] = [];
    source.changes = async (kind, stations, p) =>
      changes.filter(
        (c) =>
          'ConnectorID' in c === (kind === 'statuses') &&
          stations.has(c.StationID) &&
          c.Time >= p.from.getTime() &&
          c.Time < p.to.getTime(),
      );
    const partner = { operatorId: 'SHJG00007', areaCodes: ['31'] };
    const o = order('ST-SH-1', at('2026-11-24T07:50:00+08:00'));
    orders.push(o);
    samples.push(sample(o, at('2026-11-24T07:10:00+08:00'), 100));
    const station = (iso: string, id = 'ST-SH-1'): ChangeLine => ({
      StationID: id,
      Created: false,
      Info: true,
      Tariff: false,
      EquipmentIDs: [],
      Time: t(iso),
    });
    const status = (iso: string, version: number): ChangeLine => ({
      ConnectorID: 'C1',
      StationID: 'ST-SH-1',
      Status: 3,
      ParkStatus: 0,
      LockStatus: 0,
      Time: t(iso),
      Version: version,
    });
    changes.push(station('2026-11-24T07:05:00+08:00'), status('2026-11-24T07:06:00+08:00', 1));
    const p7 = hour('2026-11-24T07');
    await exportPeriod({ partner, period: p7, now: at('2026-11-24T08:05:00+08:00'), codeVersion: 'test', source, target });

    // reached us after the 07:00 export: a sample, a station change, a status change of 07:xx (and Beijing's: not the region's)
    const lateSample = sample(o, at('2026-11-24T07:40:00+08:00'), 4000);
    const bj = order('ST-BJ-1', at('2026-11-24T07:55:00+08:00'));
    samples.push(lateSample, sample(bj, at('2026-11-24T07:41:00+08:00'), 10));
    changes.push(
      station('2026-11-24T07:30:00+08:00', 'ST-SH-2'),
      station('2026-11-24T07:31:00+08:00', 'ST-BJ-1'),
      status('2026-11-24T07:45:00+08:00', 2),
    );
    // and this hour's own data
    changes.push(status('2026-11-24T08:10:00+08:00', 3));
    const r = await exportPeriod({
      partner,
      period: hour('2026-11-24T08'),
      now: at('2026-11-24T09:05:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    const byKind = Object.fromEntries(r.manifest.corrections.map((c) => [c.kind, c]));
    expect(Object.keys(byKind).sort()).toEqual(['samples', 'stations', 'statuses']);
    for (const c of r.manifest.corrections) {
      expect(c).toMatchObject({ period: '2026-11-24T07', count: 1 });
      expect(c.key).toContain('/corrections/2026-11-24T07-');
      expect(sha(await text(c.key))).toBe(c.sha256);
    }
    const line = async (kind: string) => JSON.parse((await text(byKind[kind]!.key)).trim());
    expect(await line('samples')).toMatchObject({ StartChargeSeq: o.StartChargeSeq, Time: lateSample.Time, MeterWh: 4000 });
    expect(await line('stations')).toMatchObject({ StationID: 'ST-SH-2' });
    expect(await line('statuses')).toMatchObject({ ConnectorID: 'C1', Version: 2 });
    // this hour's status change is in its own object, not a correction
    expect(r.manifest.objects.find((x) => x.kind === 'statuses')?.count).toBe(1);
    // a re-run finds the same late data: the same manifest
    const again = await exportPeriod({
      partner,
      period: hour('2026-11-24T08'),
      now: at('2026-11-24T10:00:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    expect(again.outcome).toBe('unchanged');
  });

  it('a day exported whole: its late samples of any hour, read hour by hour, land in the next day’s correction', async () => {
    const { samples, source } = memorySource();
    const o = order('ST-SH-1', at('2026-11-20T23:00:00+08:00'));
    const hourly = (h: number) => sample(o, new Date(Date.parse('2026-11-20T00:10:00+08:00') + h * 3_600_000), h * 100);
    samples.push(hourly(0), hourly(5), hourly(23));
    // the source reads one hour at a time, as DynamoDB's does
    const all = source.samples;
    source.samples = async function* (stations, p) {
      for (const h of hoursOf(p)) yield (await all(stations, hour(h))) as SampleLine[];
    };
    const partner = { operatorId: 'SHJG00008', areaCodes: ['31'] };
    const d1 = parsePeriod('2026-11-20') as Period;
    await exportPeriod({ partner, period: d1, now: at('2026-11-21T00:30:00+08:00'), codeVersion: 'test', source, target });
    const late = [sample(o, at('2026-11-20T05:40:00+08:00'), 550), sample(o, at('2026-11-20T23:50:00+08:00'), 2350)];
    samples.push(...late);
    const r = await exportPeriod({
      partner,
      period: parsePeriod('2026-11-21') as Period,
      now: at('2026-11-22T00:30:00+08:00'),
      codeVersion: 'test',
      source,
      target,
    });
    expect(r.manifest.corrections).toHaveLength(1);
    const c = r.manifest.corrections[0]!;
    expect(c).toMatchObject({ kind: 'samples', period: '2026-11-20', count: 2 });
    const body = await text(c.key);
    expect(sha(body)).toBe(c.sha256);
    expect(
      body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).Time),
    ).toEqual(late.map((l) => l.Time));
  });
});
