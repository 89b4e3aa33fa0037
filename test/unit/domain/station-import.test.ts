/**
 * Station import (shared/domain/station-records.ts, shared/services/station-import.ts): every field validated against
 * the reference §3.1/§3.6, every problem reported with its path (JSON) or row and column (CSV),
 * all-or-nothing, and idempotent (re-importing unchanged data bumps no change time).
 * The write half runs against DynamoDB Local through the local platform (partners-only seed).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../infra/local/platform.ts';
import { CsvSyntaxError, parseCsv } from '../../../shared/domain/csv.ts';
import { CSV_COLUMNS, StationImportError, validateStations, validateStationsCsv } from '../../../shared/domain/station-records.ts';
import { importStationObjects, importStationsFile } from '../../../shared/services/station-import.ts';
import { getStationConnectors, getStationInfos, getStationMeta } from '../../../shared/store/stations.ts';
import { startTestPlatform } from '../../support/platform.ts';
import { STATIONS_SEED } from '../../support/stations.ts';

type Obj = Record<string, unknown>;
const OP = 'MA5GS8X01';
const fixture = (): Obj[] => (JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { stations: Obj[] }).stations;
const renamed = (s: Obj, n: number): Obj =>
  JSON.parse(JSON.stringify(s).replaceAll(String(s.StationID), `IM${String(n).padStart(4, '0')}`)) as Obj;

/** stations → CSV with the documented columns, one row per connector */
const toCsv = (stations: Obj[]): string => {
  const esc = (v: unknown) => {
    const s = v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const rows = [CSV_COLUMNS.join(',')];
  for (const s of stations) {
    for (const e of s.EquipmentInfos as Obj[]) {
      for (const c of e.ConnectorInfos as Obj[]) {
        const v: Obj = { ...s, ...e, ...c, EquipmentPower: e.Power, ConnectorPower: c.Power };
        v.Pictures = Array.isArray(s.Pictures) ? (s.Pictures as string[]).join('|') : undefined;
        v.PolicyInfos = Array.isArray(s.PolicyInfos)
          ? (s.PolicyInfos as Array<{ StartTime: string; ElecPrice: number; SevicePrice: number }>)
              .map((p) => `${p.StartTime}/${p.ElecPrice}/${p.SevicePrice}`)
              .join(';')
          : undefined;
        rows.push(CSV_COLUMNS.map((col) => esc(v[col])).join(','));
      }
    }
  }
  return `${rows.join('\r\n')}\r\n`;
};

describe('RFC 4180 CSV parser', () => {
  it('quoted fields with commas, doubled quotes, line breaks; CRLF and LF; BOM; no final newline', () => {
    const recs = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n1,,3');
    expect(recs).toEqual([
      { row: 1, fields: ['a', 'b', 'c'] },
      { row: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { row: 3, fields: ['1', '', '3'] },
    ]);
  });

  it('empty lines are skipped; malformed quoting is a syntax error with the row', () => {
    expect(parseCsv('a\n\nb\n').map((r) => r.fields)).toEqual([['a'], ['b']]);
    expect(() => parseCsv('a,b\n"open,x\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n"x"y,z\n')).toThrow(/row 2: text after a closing quote/);
    expect(() => parseCsv('a,b\nx"y,z\n')).toThrow(/row 2/);
  });
});

describe('validation — JSON (every problem, with its path)', () => {
  it('the fixture is valid', () => {
    const v = validateStations(fixture(), { operatorId: OP });
    expect(v.problems).toEqual([]);
    expect(v.stations).toHaveLength(4);
  });

  it('reports all problems at once: lengths, enums, 6-dp coordinates, 1-dp power, prices, our OperatorID, duplicates', () => {
    const [a, b, c] = fixture() as [Obj, Obj, Obj];
    a.StationName = '很'.repeat(51);
    a.StationLng = 121.1234567;
    a.StationType = 7;
    const eq = (a.EquipmentInfos as Obj[])[0]!;
    (eq.ConnectorInfos as Obj[])[1]!.Power = 60.25;
    (eq.ConnectorInfos as Obj[])[0]!.ConnectorType = 9;
    b.OperatorID = 'MA9999999';
    b.PolicyInfos = [{ StartTime: '080000', ElecPrice: 1, SevicePrice: 0.5 }];
    c.StationID = a.StationID;
    const { problems, stations } = validateStations([a, b, c], { operatorId: OP });
    expect(stations).toEqual([]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'stations[0].StationName: at most 50 characters',
        'stations[0].StationLng: at most 6 decimals (GCJ-02)',
        expect.stringMatching(/^stations\[0\]\.StationType: StationType: one of 1, 50/),
        'stations[0].EquipmentInfos[0].ConnectorInfos[1].Power: at most 1 decimal (kW)',
        expect.stringMatching(/^stations\[0\]\.EquipmentInfos\[0\]\.ConnectorInfos\[0\]\.ConnectorType: /),
        'stations[1].OperatorID: must be our OperatorID MA5GS8X01',
        expect.stringMatching(/^stations\[1\]\.PolicyInfos: .*must start at 000000/),
        'stations[2].StationID: duplicate FX0001 (also in stations[0])',
      ]),
    );
  });

  it('missing required fields and unknown fields are named', () => {
    const [a] = fixture() as [Obj];
    delete a.Address;
    a.Adress = 'typo';
    const { problems } = validateStations([a]);
    expect(problems).toContain('stations[0].Address: Invalid input: expected string, received undefined');
    expect(problems.some((p) => p.startsWith('stations[0]') && p.includes('Adress'))).toBe(true);
  });
});

describe('validation — CSV (one row per connector; problems by row and column)', () => {
  it('the fixture as CSV validates to exactly the JSON stations', () => {
    const json = validateStations(fixture(), { operatorId: OP });
    const csv = validateStationsCsv(toCsv(fixture()), { operatorId: OP });
    expect(csv.problems).toEqual([]);
    expect(csv.stations).toEqual(json.stations);
  });

  it('field problems point at the row and the CSV column', () => {
    const lines = toCsv(fixture()).split('\r\n');
    const cols = lines[0]!.split(',');
    const set = (row: number, col: string, value: string) => {
      const f = parseCsv(lines[row - 1]!)[0]!.fields.slice();
      f[cols.indexOf(col)] = value;
      lines[row - 1] = f.map((x) => (/[",]/.test(x) ? `"${x.replaceAll('"', '""')}"` : x)).join(',');
    };
    set(3, 'ConnectorPower', '60.25'); // FX0001, second connector of its DC pile
    set(6, 'VoltageUpperLimits', 'high'); // FX0002, the second connector of its DC pile
    set(10, 'EquipmentPower', '0'); // FX0003's AC pile (one connector, so one row)
    const { problems } = validateStationsCsv(lines.join('\r\n'), { operatorId: OP });
    expect(problems).toEqual(
      expect.arrayContaining([
        'row 3, field ConnectorPower: at most 1 decimal (kW)',
        'row 6, field VoltageUpperLimits: must be a number',
        'row 10, field EquipmentPower: must be > 0',
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("station columns must agree across a station's rows; unknown and missing columns are reported", () => {
    const lines = toCsv(fixture()).split('\r\n');
    lines[2] = lines[2]!.replace('测试站·上海虹桥', '别的名字');
    expect(validateStationsCsv(lines.join('\n')).problems).toEqual(['row 3, field StationName: differs from row 2 of station FX0001']);
    expect(validateStationsCsv('StationID,Colour\nA,red\n').problems).toEqual([
      'row 1, column 2: unknown column "Colour"',
      'row 1: required column EquipmentID is missing',
      'row 1: required column ConnectorID is missing',
    ]);
  });
});

describe('import into DynamoDB — all-or-nothing and idempotent', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startTestPlatform({ simulator: false });
  });
  afterAll(async () => platform?.stop());

  it('first import creates; an identical re-import writes nothing and bumps no change time', async () => {
    const stations = fixture().map((s, i) => renamed(s, i + 1));
    const first = await importStationObjects('a.json', stations, { operatorId: OP, now: new Date('2026-11-01T00:00:00Z') });
    expect(first).toMatchObject({ stations: 4, created: 4, changed: 0, unchanged: 0 });
    const metaBefore = await getStationMeta('IM0001');
    expect(metaBefore).toMatchObject({ changedAt: Date.parse('2026-11-01T00:00:00Z'), effChangedAt: Date.parse('2026-11-01T00:00:00Z') });

    const again = await importStationObjects('a.json', stations, { operatorId: OP, now: new Date('2026-11-02T00:00:00Z') });
    expect(again).toMatchObject({ created: 0, changed: 0, unchanged: 4, equipmentChanged: 0, connectorsChanged: 0 });
    expect(await getStationMeta('IM0001')).toEqual(metaBefore);

    // a connector change bumps that station's effective change time, not its own station-level time
    ((stations[0]!.EquipmentInfos as Obj[])[0]!.ConnectorInfos as Obj[])[0]!.Current = 200;
    const third = await importStationObjects('a.json', stations, { operatorId: OP, now: new Date('2026-11-03T00:00:00Z') });
    expect(third).toMatchObject({ changed: 1, unchanged: 3, connectorsChanged: 1, equipmentChanged: 0 });
    expect(await getStationMeta('IM0001')).toMatchObject({
      changedAt: Date.parse('2026-11-01T00:00:00Z'),
      effChangedAt: Date.parse('2026-11-03T00:00:00Z'),
    });
    expect(await getStationMeta('IM0002')).toEqual(expect.objectContaining({ effChangedAt: Date.parse('2026-11-01T00:00:00Z') }));
  });

  it('one bad station → StationImportError listing it, and NOTHING of the file is written', async () => {
    const stations = fixture().map((s, i) => renamed(s, 100 + i));
    stations[2]!.StationLat = 95;
    const err = await importStationObjects('b.json', stations, { operatorId: OP }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StationImportError);
    expect((err as StationImportError).problems).toEqual(['stations[2].StationLat: must be within -90…90']);
    expect((err as Error).message).toMatch(/^b\.json: 1 problem\(s\), nothing imported/);
    for (const id of ['IM0100', 'IM0101', 'IM0102', 'IM0103']) expect(await getStationMeta(id)).toBeUndefined();
  });

  it('a ConnectorID that belongs to another stored station is refused before anything is written', async () => {
    const s = renamed(fixture()[0]!, 200);
    ((s.EquipmentInfos as Obj[])[1]!.ConnectorInfos as Obj[])[0]!.ConnectorID = 'IM0002E01C1'; // owned by IM0002
    const err = await importStationObjects('c.json', [s], { operatorId: OP }).catch((e: unknown) => e);
    expect((err as StationImportError).problems).toEqual([
      'station IM0200, ConnectorID IM0002E01C1: already belongs to station IM0002 (ConnectorIDs are unique per operator)',
    ]);
    expect(await getStationMeta('IM0200')).toBeUndefined();
  });

  it('a CSV file imports the same stations as the JSON; removed connectors disappear from the station', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcs-import-'));
    const stations = fixture().map((s, i) => renamed(s, 300 + i));
    const file = join(dir, 'stations.csv');
    writeFileSync(file, toCsv(stations));
    expect(await importStationsFile(file, { operatorId: OP })).toMatchObject({ created: 4 });
    const [info] = await getStationInfos(['IM0300']);
    const { PolicyInfos: _p, ...expected } = validateStations([stations[0]!]).stations[0]!;
    expect(info).toEqual(expected);
    expect((await getStationConnectors('IM0300')).map((c) => c.connectorId)).toEqual(['IM0300E01C1', 'IM0300E01C2', 'IM0300E02C1']);

    (stations[0]!.EquipmentInfos as Obj[])[0]!.ConnectorInfos = [((stations[0]!.EquipmentInfos as Obj[])[0]!.ConnectorInfos as Obj[])[0]];
    writeFileSync(file, toCsv(stations));
    expect(await importStationsFile(file, { operatorId: OP })).toMatchObject({ changed: 1, unchanged: 3 });
    expect((await getStationConnectors('IM0300')).map((c) => c.connectorId)).toEqual(['IM0300E01C1', 'IM0300E02C1']);
  });
});
