/**
 * query_station_status — T/CEC 102 §3.2 over HTTP against the local runtime: every connector of
 * the asked stations with Status/ParkStatus/LockStatus; unknown StationIDs silently left out;
 * more than 50 StationIDs → Ret 4004 naming StationIDs.
 */
import { describe, expect, it } from 'vitest';
import { PileStatusChanged } from '../../events/piles.ts';
import { publish } from '../../shared/bus/publish.ts';
import { useStationsPlatform } from '../support/stations.ts';

interface StatusData {
  Total: number;
  StationStatusInfos: Array<{
    StationID: string;
    ConnectorStatusInfos: Array<{ ConnectorID: string; Status: number; ParkStatus: number; LockStatus: number }>;
  }>;
}

const ctx = useStationsPlatform();

const status = async (ids: string[]): Promise<StatusData> => {
  const r = await ctx.p1.call('query_station_status', { StationIDs: ids });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  return r.data as StatusData;
};

describe('query_station_status — T/CEC 102 §3.2', () => {
  it('§3.2: every connector of each station; a connector never heard from is 0 offline with unknown park/lock', async () => {
    const d = await status(['FX0001', 'FX0002']);
    expect(d.Total).toBe(2);
    expect(d.StationStatusInfos.map((s) => s.StationID)).toEqual(['FX0001', 'FX0002']);
    expect(d.StationStatusInfos[0]!.ConnectorStatusInfos).toEqual([
      { ConnectorID: 'FX0001E01C1', Status: 0, ParkStatus: 0, LockStatus: 0 },
      { ConnectorID: 'FX0001E01C2', Status: 0, ParkStatus: 0, LockStatus: 0 },
      { ConnectorID: 'FX0001E02C1', Status: 0, ParkStatus: 0, LockStatus: 0 },
    ]);
  });

  it('§3.2: reports the live status stored by the status pipeline', async () => {
    await publish(PileStatusChanged, {
      ConnectorID: 'FX0003E01C2',
      status: 3,
      parkStatus: 50,
      lockStatus: 10,
      observedAt: new Date().toISOString(),
      seq: 7,
    });
    await ctx.platform.cloud.drain();
    const d = await status(['FX0003']);
    expect(d.StationStatusInfos[0]!.ConnectorStatusInfos).toContainEqual({
      ConnectorID: 'FX0003E01C2',
      Status: 3,
      ParkStatus: 50,
      LockStatus: 10,
    });
  });

  it('§3.2: unknown StationIDs are left out silently (Total counts what is returned)', async () => {
    const d = await status(['NOPE01', 'FX0004', 'NOPE02']);
    expect(d.Total).toBe(1);
    expect(d.StationStatusInfos.map((s) => s.StationID)).toEqual(['FX0004']);
    const none = await status(['NOPE01']);
    expect(none).toEqual({ Total: 0, StationStatusInfos: [] });
  });

  it('§3.2: 50 StationIDs are accepted, 51 → Ret 4004 naming StationIDs', async () => {
    const ids = (n: number) => ['FX0001', ...Array.from({ length: n - 1 }, (_, i) => `NOPE${i}`)];
    expect((await status(ids(50))).Total).toBe(1);
    const r = await ctx.p1.call('query_station_status', { StationIDs: ids(51) });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/StationIDs/);
  });

  it('§3.2: an empty StationIDs list → Ret 4004', async () => {
    const r = await ctx.p1.call('query_station_status', { StationIDs: [] });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/StationIDs/);
  });
});
