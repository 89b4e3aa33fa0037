/**
 * query_stations_info — T/CEC 102 §3.1, over HTTP against the local runtime: paging (PageNo,
 * PageSize, PageCount, ItemSize), the LastQueryTime incremental pull (a station is returned when
 * it or any of its equipment or connectors changed after that time), bad paging → Ret 4004.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importStationObjects } from '../../shared/services/station-import.ts';
import { formatDateTime } from '../../shared/tcec/time.ts';
import { STATIONS_SEED, useStationsPlatform } from '../support/stations.ts';

interface Page {
  PageNo: number;
  PageCount: number;
  ItemSize: number;
  StationInfos: Array<{
    StationID: string;
    EquipmentInfos: Array<{ EquipmentID: string; Power: number; ConnectorInfos: Array<{ ConnectorID: string; Power: number }> }>;
  }>;
}
type FixtureStation = Page['StationInfos'][number] & Record<string, unknown>;

const fixtureStations = (): FixtureStation[] =>
  (JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { stations: FixtureStation[] }).stations;

const ctx = useStationsPlatform();

const pull = async (data: Record<string, unknown>): Promise<Page> => {
  const r = await ctx.p1.call('query_stations_info', data);
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  return r.data as Page;
};

/**
 * The imports of the incremental-pull tests happen on an injected timeline (`now` of the import),
 * an hour after the seed import and whole seconds apart (LastQueryTime has 1 s resolution): no
 * waiting for the wall clock to tick into the next second.
 */
const T0 = Math.ceil(Date.now() / 1000) * 1000 + 3_600_000;
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('query_stations_info — T/CEC 102 §3.1 paging', () => {
  it('§3.1: pages of 3 over 4 stations → PageCount 2, ItemSize 4, every station exactly once, ordered by StationID', async () => {
    const p1 = await pull({ PageNo: 1, PageSize: 3 });
    const p2 = await pull({ PageNo: 2, PageSize: 3 });
    expect(p1).toMatchObject({ PageNo: 1, PageCount: 2, ItemSize: 4 });
    expect(p2).toMatchObject({ PageNo: 2, PageCount: 2, ItemSize: 4 });
    expect(p1.StationInfos.map((s) => s.StationID)).toEqual(['FX0001', 'FX0002', 'FX0003']);
    expect(p2.StationInfos.map((s) => s.StationID)).toEqual(['FX0004']);
  });

  it('§3.1: a StationInfo carries the imported data with EquipmentInfos and ConnectorInfos, without our PolicyInfos', async () => {
    const p = await pull({ PageNo: 1, PageSize: 1 });
    const fx = fixtureStations()[0]!;
    const { PolicyInfos: _p, ...expected } = fx;
    expect(p.StationInfos[0]).toEqual(expected);
    expect(p.StationInfos[0]).not.toHaveProperty('PolicyInfos');
  });

  it('§3.1: PageNo and PageSize default to 1 and 10', async () => {
    const p = await pull({});
    expect(p).toMatchObject({ PageNo: 1, PageCount: 1, ItemSize: 4 });
    expect(p.StationInfos).toHaveLength(4);
  });

  it('§3.1: a page past the end is empty and still reports PageCount and ItemSize', async () => {
    const p = await pull({ PageNo: 5, PageSize: 2 });
    expect(p).toMatchObject({ PageNo: 5, PageCount: 2, ItemSize: 4, StationInfos: [] });
  });

  it.each([
    [{ PageSize: 0 }, /PageSize/],
    [{ PageSize: 10000 }, /PageSize/],
    [{ PageNo: 0 }, /PageNo/],
    [{ LastQueryTime: '2026/11/23 10:00:00' }, /LastQueryTime/],
    [{ LastQueryTime: '2026-11-23T10:00:00Z' }, /LastQueryTime/],
  ])('bad input %j → Ret 4004 naming the field, Data ""', async (data, field) => {
    const r = await ctx.p1.call('query_stations_info', data);
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(field);
    expect(r.data).toBeUndefined();
  });
});

describe('query_stations_info — T/CEC 102 §3.1 incremental pull (LastQueryTime)', () => {
  it('nothing changed after LastQueryTime → ItemSize 0; an unchanged re-import keeps it that way', async () => {
    const since = formatDateTime(at(0));
    expect(await pull({ LastQueryTime: since })).toMatchObject({ ItemSize: 0, PageCount: 0, StationInfos: [] });
    const sum = await importStationObjects('fixture', fixtureStations(), { operatorId: ctx.platform.seed.operatorId, now: at(1) });
    expect(sum).toMatchObject({ stations: 4, unchanged: 4, changed: 0, created: 0 });
    expect(await pull({ LastQueryTime: since })).toMatchObject({ ItemSize: 0 });
    // an empty LastQueryTime means "everything"
    expect(await pull({ LastQueryTime: '' })).toMatchObject({ ItemSize: 4 });
  });

  it('a connector change returns its station only; an equipment change returns its station; both with the new data', async () => {
    const since = formatDateTime(at(10));
    const stations = fixtureStations();
    stations[1]!.EquipmentInfos[0]!.ConnectorInfos[1]!.Power = 60; // FX0002, a connector field
    stations[2]!.EquipmentInfos[1]!.Power = 11; // FX0003, an equipment field
    const sum = await importStationObjects('fixture', stations, { operatorId: ctx.platform.seed.operatorId, now: at(11) });
    expect(sum).toMatchObject({ changed: 2, unchanged: 2, connectorsChanged: 1, equipmentChanged: 1 });

    const p = await pull({ LastQueryTime: since, PageSize: 10 });
    expect(p).toMatchObject({ ItemSize: 2, PageCount: 1 });
    expect(p.StationInfos.map((s) => s.StationID)).toEqual(['FX0002', 'FX0003']);
    expect(p.StationInfos[0]!.EquipmentInfos[0]!.ConnectorInfos[1]!.Power).toBe(60);
    expect(p.StationInfos[1]!.EquipmentInfos[1]!.Power).toBe(11);

    // later than the change: nothing
    expect(await pull({ LastQueryTime: formatDateTime(at(12)) })).toMatchObject({ ItemSize: 0 });
  });

  it('a station-level change (StationName) and a removed equipment each return the station', async () => {
    const since = formatDateTime(at(20));
    const stations = fixtureStations();
    stations[1]!.EquipmentInfos[0]!.ConnectorInfos[1]!.Power = 60; // as imported by the previous test
    stations[2]!.EquipmentInfos[1]!.Power = 11;
    stations[0]!.StationName = '测试站·上海虹桥(新)';
    stations[3]!.EquipmentInfos = stations[3]!.EquipmentInfos.slice(0, 1);
    await importStationObjects('fixture', stations, { operatorId: ctx.platform.seed.operatorId, now: at(21) });
    const p = await pull({ LastQueryTime: since });
    expect(p.StationInfos.map((s) => s.StationID)).toEqual(['FX0001', 'FX0004']);
    expect(p.StationInfos[1]!.EquipmentInfos).toHaveLength(1);
  });
});
