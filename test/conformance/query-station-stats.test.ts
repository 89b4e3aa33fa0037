/**
 * query_station_stats — T/CEC 102 §3.4 over HTTP against the local runtime: the StationStats
 * wrapper with energy per connector, equipment and station for a date range, computed from
 * finished orders — zero until the charging service writes orders (honestly zero).
 */
import { describe, expect, it } from 'vitest';
import { useStationsPlatform } from '../support/stations.ts';

const ctx = useStationsPlatform();

describe('query_station_stats — T/CEC 102 §3.4', () => {
  it('§3.4: StationStats for every equipment and connector of the station, energy 0 without finished orders', async () => {
    const r = await ctx.p1.call('query_station_stats', { StationID: 'FX0002', StartTime: '2026-11-01', EndTime: '2026-11-23' });
    expect(r.ret, r.msg).toBe(0);
    expect(r.data).toEqual({
      StationStats: {
        StationID: 'FX0002',
        StartTime: '2026-11-01',
        EndTime: '2026-11-23',
        StationElectricity: 0,
        EquipmentStatsInfos: [
          {
            EquipmentID: 'FX0002E01',
            EquipmentElectricity: 0,
            ConnectorStatsInfos: [
              { ConnectorID: 'FX0002E01C1', ConnectorElectricity: 0 },
              { ConnectorID: 'FX0002E01C2', ConnectorElectricity: 0 },
            ],
          },
          {
            EquipmentID: 'FX0002E02',
            EquipmentElectricity: 0,
            ConnectorStatsInfos: [{ ConnectorID: 'FX0002E02C1', ConnectorElectricity: 0 }],
          },
        ],
      },
    });
  });

  it('§3.4: date-times (yyyy-MM-dd HH:mm:ss, [EC-v]) are accepted and answered as dates', async () => {
    const r = await ctx.p1.call('query_station_stats', {
      StationID: 'FX0001',
      StartTime: '2026-11-01 00:00:00',
      EndTime: '2026-11-02 23:59:59',
    });
    expect(r.ret, r.msg).toBe(0);
    expect(r.data).toMatchObject({ StationStats: { StationID: 'FX0001', StartTime: '2026-11-01', EndTime: '2026-11-02' } });
  });

  it.each([
    [{ StationID: 'NOPE01', StartTime: '2026-11-01', EndTime: '2026-11-02' }, /StationID/],
    [{ StationID: 'FX0001', StartTime: '2026/11/01', EndTime: '2026-11-02' }, /StartTime/],
    [{ StationID: 'FX0001', StartTime: '2026-11-05', EndTime: '2026-11-02' }, /EndTime/],
    [{ StationID: 'FX0001', StartTime: '2026-11-01' }, /EndTime/],
  ])('%j → Ret 4004 naming the field', async (data, field) => {
    const r = await ctx.p1.call('query_station_stats', data);
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(field);
  });
});
