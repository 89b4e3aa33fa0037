/**
 * DiDi's station attributes (reference §5.1) in the station model: imported from JSON and CSV,
 * validated like every other field, kept in the stored StationInfo — and never written by a base
 * dialect (only a profile adds them).
 */
import { describe, expect, it } from 'vitest';
import { validateStations, validateStationsCsv } from '../../../shared/domain/station-records.ts';
import { toWire } from '../../../shared/tcec/dialect.ts';
import { STATION_ATTRIBUTES } from '../../../shared/tcec/schemas.ts';
import { fixture, OP, toCsv } from '../../fixtures/stations.ts';

const ATTRS = {
  HasParkingLock: 1,
  FreeParking: 0,
  SubPark: 2,
  DutyNum: 3,
  Wc: 1,
  Rainshed: 0,
  Lounge: 1,
  LightMeal: 0,
  Shop: 1,
  LimitFreeParking: 120,
};

describe('station attributes', () => {
  it('are imported from JSON and CSV into the station', () => {
    const station = { ...fixture()[0], ...ATTRS };
    const json = validateStations([station], { operatorId: OP });
    expect(json.problems).toEqual([]);
    expect(json.stations[0]).toMatchObject(ATTRS);
    const csv = validateStationsCsv(toCsv([station]), { operatorId: OP });
    expect(csv.problems).toEqual([]);
    expect(csv.stations[0]).toMatchObject(ATTRS);
  });

  it('are validated: a negative or fractional count is named', () => {
    const r = validateStations([{ ...fixture()[0], Wc: -1, DutyNum: 1.5 }], { operatorId: OP });
    expect(r.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/stations\[0\]\.Wc: must be ≥ 0/), expect.stringMatching(/stations\[0\]\.DutyNum/)]),
    );
  });

  it('are never written by the base dialects', () => {
    const { PolicyInfos: _p, ...info } = validateStations([{ ...fixture()[0], ...ATTRS }], { operatorId: OP }).stations[0] as Record<
      string,
      unknown
    >;
    for (const dialect of ['cec2016', 'xiaoju'] as const) {
      const wire = toWire('query_stations_info', 'response', { PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [info] }, dialect);
      const written = (wire.StationInfos as Record<string, unknown>[])[0] as Record<string, unknown>;
      for (const k of STATION_ATTRIBUTES) expect(written, `${dialect} ${k}`).not.toHaveProperty(k);
    }
  });
});
