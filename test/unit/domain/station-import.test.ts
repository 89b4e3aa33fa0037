/**
 * Station import validation (shared/domain/station-records.ts, csv.ts): every field validated against
 * the reference §3.1/§3.6, every problem reported with its path (JSON) or row and column (CSV).
 * Pure: the DynamoDB half (all-or-nothing, idempotent writes) is test/integration/station-import.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '../../../shared/domain/csv.ts';
import { validateStations, validateStationsCsv } from '../../../shared/domain/station-records.ts';
import { fixture, type Obj, OP, toCsv } from '../../fixtures/stations.ts';

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
