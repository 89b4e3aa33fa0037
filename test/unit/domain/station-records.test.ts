/**
 * One schema family for StationInfo: what the import accepts (shared/domain/station-records.ts) is
 * always a valid §3.1 StationInfo for the protocol schema (shared/tcec/schemas.ts), and the import
 * is stricter exactly where it says so (CountryCode, AreaCode, IDs, PolicyInfos StartTime).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stationParts, validateStations } from '../../../shared/domain/station-records.ts';
import { policyInfoSchema, stationInfoSchema } from '../../../shared/tcec/schemas.ts';
import { STATIONS_SEED } from '../../support/stations.ts';

type Obj = Record<string, unknown>;
const fixture = (): Obj[] => (JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { stations: Obj[] }).stations;
const demo = (): Obj[] =>
  (JSON.parse(readFileSync(new URL('../../../infra/local/seed/demo-seed.json', import.meta.url), 'utf8')) as { stations: Obj[] }).stations;

describe('imported stations are protocol StationInfo', () => {
  it.each([
    ['the test fixture', fixture],
    ['the demo seed', demo],
  ])('%s: every imported station parses unchanged with StationInfoSchema, its policy with PolicyInfoSchema', (_name, load) => {
    const v = validateStations(load());
    expect(v.problems).toEqual([]);
    expect(v.stations.length).toBeGreaterThan(0);
    for (const s of v.stations) {
      const { info, policy } = stationParts(s);
      const wire = stationInfoSchema().safeParse(info);
      expect(wire.error?.issues ?? []).toEqual([]);
      expect(wire.data).toEqual(info);
      for (const p of policy) expect(policyInfoSchema().parse(p)).toEqual(p);
    }
  });
});

describe('the import is stricter than the wire, never looser', () => {
  const withField = (field: string, value: unknown) => {
    const [s] = fixture() as [Obj];
    return { ...s, [field]: value };
  };
  const importOk = (field: string, value: unknown) => validateStations([withField(field, value)]).problems.length === 0;
  const wireOk = (field: string, value: unknown) => {
    const { PolicyInfos: _p, ...station } = withField(field, value);
    return stationInfoSchema().safeParse(station).success;
  };

  it.each([
    ['CountryCode', 'CN', true, true],
    ['CountryCode', 'cn', false, true],
    ['CountryCode', 'CHN', false, false],
    ['AreaCode', '310112', true, true],
    ['AreaCode', '3101', false, true],
    ['AreaCode', '310112000000000000000', false, false],
    ['StationID', 'ST 01', false, true],
    ['Pictures', [`https://img.example/${'x'.repeat(600)}.jpg`], false, false],
  ] as const)('%s %j: import %s, wire %s', (field, value, byImport, byWire) => {
    expect(importOk(field, value)).toBe(byImport);
    expect(wireOk(field, value)).toBe(byWire);
  });

  it('a PolicyInfos StartTime must be a real HHmmss, as on the wire', () => {
    const bad = withField('PolicyInfos', [{ StartTime: '250000', ElecPrice: 1, SevicePrice: 0.5 }]);
    expect(validateStations([bad]).problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/PolicyInfos\[0\]\.StartTime: must be HHmmss/)]),
    );
    expect(policyInfoSchema().safeParse({ StartTime: '250000', ElecPrice: 1, SevicePrice: 0.5 }).success).toBe(false);
  });
});

describe('extension settings of a station (ReservationPolicy)', () => {
  it('are validated with their path, kept beside StationInfo (never in it), and change the extensions hash only', () => {
    const [s] = fixture() as [Obj];
    const bad = validateStations([{ ...s, ReservationPolicy: { MaxMinutes: 0 } }]);
    expect(bad.problems).toEqual(['stations[0].ReservationPolicy.MaxMinutes: must be ≥ 1']);
    const plain = stationParts(validateStations([s]).stations[0]!);
    const v = validateStations([{ ...s, ReservationPolicy: { MaxMinutes: 30, Fee: 2 } }]);
    expect(v.problems).toEqual([]);
    const parts = stationParts(v.stations[0]!);
    expect(parts.extensions).toEqual({ ReservationPolicy: { MaxMinutes: 30, Fee: 2 } });
    expect(parts.info).not.toHaveProperty('ReservationPolicy');
    expect(parts.stationHash).toBe(plain.stationHash);
    expect(parts.extensionsHash).not.toBe(plain.extensionsHash);
  });
});
