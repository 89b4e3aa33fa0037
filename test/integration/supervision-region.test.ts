/**
 * A supervision platform's region over real HTTP (issue 13 §1): a `supervision` partner with
 * `areaCodes` sees in query_stations_info and query_station_status exactly the stations whose
 * AreaCode starts with one of its prefixes — a province (2 digits) and a city (4 digits) here —
 * across pages and incrementally, and none outside; the list comes from the stations table's
 * `byArea` index (shared/store/stations.ts), and a station imported before that index gets its
 * keys at the next (unchanged) import. A provincial platform (a real receiver on loopback) gets
 * notification_stationInfo when a station of its region changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { config } from '../../shared/config.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { importStationObjects } from '../../shared/services/station-import.ts';
import { GetCommand, UpdateCommand } from '../../shared/store/doc.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import { listRegionIndex } from '../../shared/store/stations.ts';
import { fixture, type Obj, renamed, STATIONS_SEED } from '../fixtures/stations.ts';
import { eventually } from '../support/eventually.ts';
import { startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn } from '../support/stations.ts';
import { type ReceiverCall, startSupervisionReceiver } from '../support/supervision-receiver.ts';

/** copies of fixture station FX0001 as IM<n> with this AreaCode */
const EXTRA: Array<[number, string]> = [
  [1, '310115'],
  [2, '310101'],
  [3, '310230'],
  [4, '440304'], // city 4403 (Shenzhen)
  [5, '440105'], // Guangzhou: province 44 but not city 4403
  [6, '320101'],
  [7, '130100'], // '13…' contains no '31' prefix
];
/** the region ["31", "4403"]: FX0001 310112, FX0003 440305, and the copies above in it */
const IN_REGION = ['FX0001', 'FX0003', 'IM0001', 'IM0002', 'IM0003', 'IM0004'];
const OUTSIDE = ['FX0002', 'FX0004', 'IM0005', 'IM0006', 'IM0007'];

const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { operatorId: string; partners: Obj[]; stations: Obj[] };
const stations: Obj[] = [...fixture(), ...EXTRA.map(([n, area]) => ({ ...renamed(fixture()[0] as Obj, n), AreaCode: area }))];
const supervisor = {
  operatorId: 'SHJG00042',
  name: 'Regional supervision (test)',
  kind: 'supervision',
  profile: 'provincial',
  areaCodes: ['31', '4403'],
  inbound: {
    operatorSecret: 'supOpSecret00042',
    dataSecret: 'supDataKey000042',
    dataSecretIV: 'supDataIV0000042',
    sigSecret: 'supSigKey0000042',
  },
};

const stationOf = (c: ReceiverCall) => c.data.StationInfo as { StationID: string; AreaCode: string; StationName: string };
const idsOf = (d: unknown) => (d as { StationInfos: Array<{ StationID: string }> }).StationInfos.map((s) => s.StationID);

describe('a supervision platform sees its region (byArea index), over HTTP', () => {
  let platform: Platform;
  let sup: Caller;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcs-region-'));
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify({ ...seed, partners: [...seed.partners, supervisor], stations }));
    platform = await startTestPlatform({ seedFile: file, simulator: false });
    sup = await loggedIn(platform, seed.partners.length);
  });
  afterAll(async () => platform?.stop());

  it('query_stations_info: exactly the region, paged and sorted, also incrementally', async () => {
    const first = await sup.call('query_stations_info', { PageNo: 1, PageSize: 4 });
    expect(first.ret).toBe(0);
    expect(first.data).toMatchObject({ PageNo: 1, PageCount: 2, ItemSize: IN_REGION.length });
    const second = await sup.call('query_stations_info', { PageNo: 2, PageSize: 4 });
    expect(second.data).toMatchObject({ PageNo: 2, PageCount: 2, ItemSize: IN_REGION.length });
    expect([...idsOf(first.data), ...idsOf(second.data)]).toEqual([...IN_REGION].sort());
    for (const id of OUTSIDE) expect(JSON.stringify([first.data, second.data])).not.toContain(`"${id}`);

    const inc = await sup.call('query_stations_info', { LastQueryTime: '2000-01-01 00:00:00', PageSize: 50 });
    expect(idsOf(inc.data)).toEqual([...IN_REGION].sort());
    const none = await sup.call('query_stations_info', { LastQueryTime: '2099-01-01 00:00:00', PageSize: 50 });
    expect(none.data).toMatchObject({ ItemSize: 0, StationInfos: [] });
  });

  it('query_station_status: the region’s stations asked for, the others left out like unknown ones', async () => {
    const r = await sup.call('query_station_status', { StationIDs: [...OUTSIDE, ...IN_REGION, 'NOPE01'] });
    expect(r.ret).toBe(0);
    const d = r.data as { Total: number; StationStatusInfos: Array<{ StationID: string; ConnectorStatusInfos: unknown[] }> };
    expect(d.Total).toBe(IN_REGION.length);
    expect(d.StationStatusInfos.map((s) => s.StationID).sort()).toEqual([...IN_REGION].sort());
    expect(d.StationStatusInfos.every((s) => s.ConnectorStatusInfos.length > 0)).toBe(true);
    expect((await sup.call('query_station_status', { StationIDs: OUTSIDE })).data).toEqual({ Total: 0, StationStatusInfos: [] });
  });

  it('a station stored before the byArea index gets its keys at the next import, which announces no change', async () => {
    const key = { pk: 'STATION#IM0002', sk: 'META' };
    const table = config().tableName('stations');
    await dynamo().send(new UpdateCommand({ TableName: table, Key: key, UpdateExpression: 'REMOVE gsi2pk, gsi2sk' }));
    expect((await listRegionIndex(['3101'])).map((e) => e.stationId).sort()).toEqual(['FX0001', 'IM0001']);

    const sum = await importStationObjects('seed.json', stations, { operatorId: seed.operatorId });
    expect(sum).toMatchObject({ created: 0, changed: 0, unchanged: stations.length });
    expect((await dynamo().send(new GetCommand({ TableName: table, Key: key }))).Item).toMatchObject({
      gsi2pk: 'AREA#31',
      gsi2sk: '310101#IM0002',
    });
    expect((await listRegionIndex(['3101'])).map((e) => e.stationId).sort()).toEqual(['FX0001', 'IM0001', 'IM0002']);
    // a district prefix (6 digits) and overlapping prefixes: each station once
    expect((await listRegionIndex(['310101', '31', '3101'])).map((e) => e.stationId).sort()).toEqual(
      IN_REGION.filter((id) => !['FX0003', 'IM0004'].includes(id)).sort(),
    );
  });

  it('provincial: a station info change (a re-import) pushes notification_stationInfo with the new StationInfo, only for its region', async () => {
    const secrets = {
      operatorSecret: randomBytes(8).toString('hex'),
      dataSecret: randomBytes(8).toString('hex'),
      dataSecretIV: randomBytes(8).toString('hex'),
      sigSecret: randomBytes(8).toString('hex'),
    };
    const receiver = await startSupervisionReceiver(secrets, seed.operatorId);
    try {
      // the earlier tests' imports (stations created: a StationInfo each) are handled before it joins
      await platform.cloud.drain({ timeoutMs: 120_000 });
      await onboardPartner({
        operatorId: 'SHJG00043',
        name: 'Shanghai provincial supervision (test)',
        kind: 'supervision',
        profile: 'provincial',
        areaCodes: ['31'],
        outbound: { baseUrl: `${receiver.origin}/`, ...secrets },
      });
      // FX0001 (310112) is in its region, IM0006 (320101) is not; both renamed
      const edited = stations.map((st) =>
        st.StationID === 'FX0001' || st.StationID === 'IM0006' ? { ...st, StationName: `${String(st.StationName)} (renamed)` } : st,
      );
      const sum = await importStationObjects('seed.json', edited, { operatorId: seed.operatorId });
      expect(sum).toMatchObject({ changed: 2 });
      const call = await eventually(async () => receiver.of('notification_stationInfo').find((c) => stationOf(c).StationID === 'FX0001'), {
        what: 'notification_stationInfo of FX0001 at the provincial platform',
      });
      expect(stationOf(call!)).toMatchObject({
        StationID: 'FX0001',
        AreaCode: '310112',
        StationName: expect.stringContaining('(renamed)'),
      });
      expect(call!.answer).toBe(0);
      await platform.cloud.drain({ timeoutMs: 120_000 });
      // at least once (a redelivered event may push it again); only stations of its region (31), never IM0006
      const pushed = receiver.of('notification_stationInfo').map(stationOf);
      expect(pushed.every((st) => String(st.AreaCode).startsWith('31'))).toBe(true);
      expect(pushed.map((st) => st.StationID)).not.toContain('IM0006');
      // not the Chengdu-style station change: the provincial profile receives the StationInfo itself
      expect(receiver.of('notification_station_change')).toEqual([]);
      expect(receiver.refused).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
