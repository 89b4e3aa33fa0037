/**
 * The audited exports' pure rules (issue 13; shared/domain/dxp-export.ts): China-time periods, the
 * identity of a line per kind (what a re-run and the late-data check compare), sorting and
 * de-duplication (the bytes depend on the data only), and a revision's reason.
 */
import { describe, expect, it } from 'vitest';
import {
  type ChangeLine,
  daysBetween,
  hoursOf,
  lastCompletePeriod,
  lineId,
  type Manifest,
  type OrderLine,
  type Period,
  parsePeriod,
  previousPeriod,
  revisionReason,
  type SampleLine,
  sameContent,
  sortChanges,
  sortSamples,
} from '../../../shared/domain/dxp-export.ts';

const period = (id: string) => parsePeriod(id) as Period;
const sample = (seq: string, t: number, wh = 0): SampleLine => ({
  StartChargeSeq: seq,
  ConnectorID: 'C1',
  StationID: 'S1',
  Time: t,
  Voltage: 400,
  Current: 100,
  Power: 40,
  Soc: 50,
  MeterWh: wh,
});
const status = (connector: string, version: number, t: number): ChangeLine => ({
  ConnectorID: connector,
  StationID: 'S1',
  Status: 3,
  ParkStatus: 0,
  LockStatus: 0,
  Time: t,
  Version: version,
});
const station = (id: string, t: number): ChangeLine => ({
  StationID: id,
  Created: false,
  Info: true,
  Tariff: false,
  EquipmentIDs: [],
  Time: t,
});

describe('periods are China-time hours and days', () => {
  it('an hour and a day: [from, to) in UTC, their day; not a real hour or day: undefined', () => {
    expect(period('2026-11-30T00')).toMatchObject({ granularity: 'hour', day: '2026-11-30' });
    expect(period('2026-11-30T00').from.toISOString()).toBe('2026-11-29T16:00:00.000Z');
    expect(period('2026-11-30').to.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    for (const bad of ['2026-11-31', '2026-13-01', '2026-11-30T24', '2026-11-30T7', '20261130', ''])
      expect(parsePeriod(bad)).toBeUndefined();
  });

  it('the previous period crosses midnight and month ends; the last complete one at an instant', () => {
    expect(previousPeriod(period('2026-12-01T00')).id).toBe('2026-11-30T23');
    expect(previousPeriod(period('2026-03-01')).id).toBe('2026-02-28');
    // 00:30 China time on Dec 1 = 16:30 UTC on Nov 30
    const at = new Date('2026-11-30T16:30:00Z');
    expect(lastCompletePeriod(at, 'hour').id).toBe('2026-11-30T23');
    expect(lastCompletePeriod(at, 'day').id).toBe('2026-11-30');
  });

  it('a day has 24 hours; a range of days in order, a reversed or malformed range refused', () => {
    const hours = hoursOf(period('2026-11-30'));
    expect(hours).toHaveLength(24);
    expect([hours[0], hours[23]]).toEqual(['2026-11-30T00', '2026-11-30T23']);
    expect(daysBetween('2026-11-29', '2026-12-01').map((p) => p.id)).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    expect(() => daysBetween('2026-11-30', '2026-11-29')).toThrow(/2026-11-29 is before 2026-11-30/);
    expect(() => daysBetween('2026-11-30T01', '2026-12-01')).toThrow(/not days/);
  });
});

describe('a line’s identity per kind', () => {
  it('orders by StartChargeSeq, samples by order and time, changes by time and id (a status by connector and version)', () => {
    const o = { StartChargeSeq: 'SEQ1', OperatorID: 'OP', StationID: 'S1', EquipmentID: 'E1', ConnectorID: 'C1' } as OrderLine;
    expect(lineId('orders', o)).toBe(lineId('orders', { ...o, TotalPower: 9 }));
    expect(lineId('samples', sample('A', 1000, 5))).toBe(lineId('samples', sample('A', 1000, 6)));
    expect(lineId('samples', sample('A', 1000))).not.toBe(lineId('samples', sample('A', 1001)));
    expect(lineId('samples', sample('A', 1000))).not.toBe(lineId('samples', sample('B', 1000)));
    expect(lineId('statuses', status('C1', 7, 1000))).not.toBe(lineId('statuses', status('C1', 8, 1000)));
    expect(lineId('statuses', status('C1', 7, 1000))).not.toBe(lineId('statuses', status('C2', 7, 1000)));
    expect(lineId('stations', station('S1', 1000))).not.toBe(lineId('stations', station('S1', 2000)));
    expect(lineId('stations', station('S1', 1000))).toBe(lineId('stations', { ...station('S1', 1000), Tariff: true } as ChangeLine));
  });
});

describe('lines are sorted and each kept once', () => {
  it('samples by order then time; a sample two batches carried once', () => {
    const sorted = sortSamples([sample('B', 5), sample('A', 9), sample('A', 2), sample('A', 9)]);
    expect(sorted.map((s) => `${s.StartChargeSeq}@${s.Time}`)).toEqual(['A@2', 'A@9', 'B@5']);
  });

  it('changes by time then id; a redelivered change once', () => {
    const sorted = sortChanges([status('C2', 1, 50), station('S2', 10), status('C1', 4, 50), status('C1', 4, 50)]);
    expect(sorted.map((l) => ('ConnectorID' in l ? `${l.ConnectorID}#${l.Version}` : l.StationID))).toEqual(['S2', 'C1#4', 'C2#1']);
  });
});

describe('a re-run is compared by content', () => {
  const obj = (kind: 'orders' | 'samples', sha: string, count: number) => ({
    kind,
    key: `k-${sha}`,
    count,
    bytes: count * 10,
    sha256: sha,
  });
  const manifest = { objects: [obj('orders', 'a', 1), obj('samples', 'b', 4)], corrections: [] } as unknown as Manifest;

  it('the same objects in any order are the same content; another hash or correction is not', () => {
    expect(sameContent(manifest, { objects: [obj('samples', 'b', 4), obj('orders', 'a', 1)], corrections: [] })).toBe(true);
    expect(sameContent(manifest, { objects: [obj('orders', 'c', 1), obj('samples', 'b', 4)], corrections: [] })).toBe(false);
    expect(
      sameContent(manifest, {
        objects: manifest.objects,
        corrections: [{ ...obj('samples', 'd', 1), period: '2026-11-29' }],
      }),
    ).toBe(false);
  });

  it('the reason names the counts that changed', () => {
    expect(revisionReason(manifest, { objects: [obj('orders', 'c', 2), obj('samples', 'b', 4)], corrections: [] })).toBe(
      're-export found different data: orders 1→2',
    );
    expect(revisionReason(manifest, { objects: [obj('orders', 'c', 1), obj('samples', 'b', 4)], corrections: [] })).toMatch(
      /same counts, different content/,
    );
  });
});
