/**
 * Partner scoping (architecture invariant: "a partner sees and operates only … the stations it is
 * granted"): the subset partner (granted FX0001 and FX0003) never sees another station, in any of
 * the four baseinfo interfaces, and cannot tell a foreign station from a missing one.
 */
import { describe, expect, it } from 'vitest';
import { useStationsPlatform } from '../support/stations.ts';

const GRANTED = ['FX0001', 'FX0003'];
const FOREIGN = ['FX0002', 'FX0004'];

const ctx = useStationsPlatform();

const foreignMentioned = (data: unknown) => FOREIGN.filter((id) => JSON.stringify(data).includes(id));

describe('partner scoping across the baseinfo interfaces', () => {
  it('query_stations_info: only granted stations, in the list and in ItemSize/PageCount, also incrementally', async () => {
    const p = await ctx.p2.call('query_stations_info', { PageNo: 1, PageSize: 1 });
    expect(p.ret).toBe(0);
    expect(p.data).toMatchObject({ ItemSize: 2, PageCount: 2 });
    const pages = [
      p.data,
      (await ctx.p2.call('query_stations_info', { PageNo: 2, PageSize: 1 })).data,
      (await ctx.p2.call('query_stations_info', { PageNo: 3, PageSize: 1 })).data,
    ];
    const ids = pages.flatMap((d) => (d as { StationInfos: Array<{ StationID: string }> }).StationInfos.map((s) => s.StationID));
    expect(ids).toEqual(GRANTED);
    expect(foreignMentioned(pages)).toEqual([]);
    const inc = await ctx.p2.call('query_stations_info', { LastQueryTime: '2000-01-01 00:00:00', PageSize: 100 });
    expect(inc.data).toMatchObject({ ItemSize: 2 });
    expect(foreignMentioned(inc.data)).toEqual([]);
    // the all-stations partner does see them (the fixture really has them)
    expect((await ctx.p1.call('query_stations_info', {})).data).toMatchObject({ ItemSize: 4 });
  });

  it('query_station_status: foreign StationIDs are left out exactly like unknown ones', async () => {
    const r = await ctx.p2.call('query_station_status', { StationIDs: [...FOREIGN, ...GRANTED, 'NOPE01'] });
    expect(r.ret).toBe(0);
    const d = r.data as { Total: number | string; StationStatusInfos: Array<{ StationID: string }> };
    // xiaoju sends Total as a string (reference §3.2, [AC-ex]); the count is what matters
    expect(d.Total).toBe('2');
    expect(d.StationStatusInfos.map((s) => s.StationID)).toEqual(GRANTED);
    expect(foreignMentioned(d)).toEqual([]);
    expect((await ctx.p2.call('query_station_status', { StationIDs: FOREIGN })).data).toEqual({ Total: '0', StationStatusInfos: [] });
  });

  it('query_station_stats: a foreign station gets the same 4004 as an unknown one', async () => {
    const foreign = await ctx.p2.call('query_station_stats', { StationID: 'FX0002', StartTime: '2026-11-01', EndTime: '2026-11-02' });
    const unknown = await ctx.p2.call('query_station_stats', { StationID: 'NOPE02', StartTime: '2026-11-01', EndTime: '2026-11-02' });
    expect(foreign.ret).toBe(4004);
    expect(foreign.msg.replace('FX0002', 'X')).toBe(unknown.msg.replace('NOPE02', 'X'));
    const own = await ctx.p2.call('query_station_stats', { StationID: 'FX0003', StartTime: '2026-11-01', EndTime: '2026-11-02' });
    expect(own.ret).toBe(0);
    expect(own.data).toMatchObject({ StationStats: { StationID: 'FX0003' } });
  });

  it('query_equip_business_policy: a foreign connector gets FailReason 1 like an unknown one; an own connector its prices', async () => {
    const seq = `${ctx.p2.partner.operatorId}000000000000000009`;
    const foreign = await ctx.p2.call('query_equip_business_policy', { EquipBizSeq: seq, ConnectorID: 'FX0002E01C1' });
    expect(foreign.ret).toBe(0);
    expect(foreign.data).toMatchObject({ SuccStat: 1, FailReason: 1, SumPeriod: 0 });
    expect(JSON.stringify(foreign.data)).not.toContain('Price');
    const own = await ctx.p2.call('query_equip_business_policy', { EquipBizSeq: seq, ConnectorID: 'FX0001E01C1' });
    expect(own.data).toMatchObject({ SuccStat: 0, FailReason: 0, SumPeriod: 4 });
    // the all-stations partner gets the foreign connector's prices: the subset answer really was scoping
    const allSeq = `${ctx.p1.partner.operatorId}000000000000000009`;
    expect((await ctx.p1.call('query_equip_business_policy', { EquipBizSeq: allSeq, ConnectorID: 'FX0002E01C1' })).data).toMatchObject({
      SuccStat: 0,
    });
  });
});
