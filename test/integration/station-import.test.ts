/**
 * Station import into DynamoDB (shared/services/station-import.ts): all-or-nothing, and idempotent
 * (re-importing unchanged data bumps no change time). Runs on the lane's DynamoDB Local through
 * the local platform; the validation rules are unit-tested in test/unit/domain/station-import.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { resetPublishClient } from '../../shared/bus/publish.ts';
import { config } from '../../shared/config.ts';
import { StationImportError, validateStations } from '../../shared/domain/station-records.ts';
import { chargePointPassword, rotateChargePointPassword } from '../../shared/services/ocpp-registry.ts';
import { importStationObjects, importStationsFile } from '../../shared/services/station-import.ts';
import { PutCommand, QueryCommand } from '../../shared/store/doc.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import { checkChargePointPassword, getChargePoint } from '../../shared/store/ocpp.ts';
import { getStationConnectors, getStationInfos, getStationMeta } from '../../shared/store/stations.ts';
import { fixture, type Obj, OP, renamed, toCsv } from '../fixtures/stations.ts';
import { eventually } from '../support/eventually.ts';
import { startTestPlatform } from '../support/platform.ts';

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

  it('`stations import` registers the EquipmentIDs as OCPP charge points (how they reach the registry in AWS); a re-import keeps their passwords', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcs-import-'));
    const stations = fixture().map((s, i) => renamed(s, 400 + i));
    const file = join(dir, 'stations.json');
    writeFileSync(file, JSON.stringify(stations));
    const ids = stations.flatMap((s) => (s.EquipmentInfos as Obj[]).map((e) => String(e.EquipmentID)));
    for (const id of ids) expect(await getChargePoint(id)).toBeUndefined();
    const first = await importStationsFile(file, { operatorId: OP, registerChargePoints: true });
    expect(first.chargePointsRegistered).toBe(ids.length);
    expect(await getChargePoint('IM0400E01')).toMatchObject({ connectors: ['IM0400E01C1', 'IM0400E01C2'] });
    // the generated password is the one $connect accepts
    expect(await checkChargePointPassword('IM0400E01', await chargePointPassword('IM0400E01'))).toBeDefined();
    // an operator-rotated password survives an unchanged re-import: nothing is rewritten
    const rotated = await rotateChargePointPassword('IM0400E01');
    expect(await importStationsFile(file, { operatorId: OP, registerChargePoints: true })).toMatchObject({ chargePointsRegistered: 0 });
    expect(await checkChargePointPassword('IM0400E01', rotated!)).toBeDefined();
    // a charge point whose connectors changed is registered again, with them, its rotated password kept
    (stations[0]!.EquipmentInfos as Obj[])[0]!.ConnectorInfos = [((stations[0]!.EquipmentInfos as Obj[])[0]!.ConnectorInfos as Obj[])[0]];
    writeFileSync(file, JSON.stringify(stations));
    expect(await importStationsFile(file, { operatorId: OP, registerChargePoints: true })).toMatchObject({ chargePointsRegistered: 1 });
    expect(await getChargePoint('IM0400E01')).toMatchObject({ connectors: ['IM0400E01C1'] });
    expect(await checkChargePointPassword('IM0400E01', rotated!)).toBeDefined();
    // without the option (the seed at npm start registers on its own) the registry is not touched
    expect((await importStationsFile(file, { operatorId: OP })).chargePointsRegistered).toBeUndefined();
  });

  it('StationChanged is never lost: a publish that fails after the write leaves the change to the sweep, which publishes it once', async () => {
    const changed = new Map<string, number>();
    const untap = platform.cloud.bus.tap((e) => {
      if (e['detail-type'] !== 'StationChanged') return;
      const id = String(e.detail.StationID);
      changed.set(id, (changed.get(id) ?? 0) + 1);
    });
    const sweep = async (at: number) => {
      platform.cloud.scheduler.fire('station-changes', new Date(at));
      await platform.cloud.drain({ timeoutMs: 120_000 });
    };
    try {
      const [a, b] = fixture().map((s, i) => renamed(s, 500 + i));
      // a healthy import publishes right after its write and leaves nothing for the sweep
      const t1 = Date.parse('2026-11-05T00:00:00Z');
      await importStationObjects('ok.json', [a!], { operatorId: OP, now: new Date(t1) });
      await eventually(async () => changed.get('IM0500'), { what: 'IM0500 announced by its import' });
      await sweep(t1 + 10 * 60_000);
      expect(changed.get('IM0500')).toBe(1);

      // the bus unreachable after the write (a crash between the write and the publish): the import succeeds, nothing is published
      const t2 = Date.parse('2026-11-06T00:00:00Z');
      const endpoint = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = 'http://127.0.0.1:9';
      resetPublishClient();
      try {
        (a!.EquipmentInfos as Obj[])[0]!.EquipmentName = 'renamed';
        const summary = await importStationObjects('down.json', [a!, b!], { operatorId: OP, now: new Date(t2) });
        expect(summary).toMatchObject({ created: 1, changed: 1 });
      } finally {
        process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoint;
        resetPublishClient();
      }
      expect(await getStationMeta('IM0501')).toBeDefined();
      await platform.cloud.drain({ timeoutMs: 120_000 });
      expect([changed.get('IM0500'), changed.get('IM0501')]).toEqual([1, undefined]);
      // within the grace the change belongs to its import; after it the sweep publishes it, once
      await sweep(t2 + 30_000);
      expect([changed.get('IM0500'), changed.get('IM0501')]).toEqual([1, undefined]);
      await sweep(t2 + 5 * 60_000);
      expect([changed.get('IM0500'), changed.get('IM0501')]).toEqual([2, 1]);
      await sweep(t2 + 10 * 60_000);
      expect([changed.get('IM0500'), changed.get('IM0501')]).toEqual([2, 1]);
    } finally {
      untap();
    }
  });

  it('the change of an import that never committed its station (no META written) is not announced, and dropped after 7 days', async () => {
    const changed: string[] = [];
    const untap = platform.cloud.bus.tap((e) => {
      if (e['detail-type'] === 'StationChanged') changed.push(String(e.detail.StationID));
    });
    const sweep = async (at: number) => {
      platform.cloud.scheduler.fire('station-changes', new Date(at));
      await platform.cloud.drain({ timeoutMs: 120_000 });
    };
    const TableName = config().tableName('stations');
    const outbox = async () =>
      (
        await dynamo().send(
          new QueryCommand({ TableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'OUTBOX#StationChanged' } }),
        )
      ).Items ?? [];
    try {
      await importStationObjects('x.json', [renamed(fixture()[0]!, 600)], { operatorId: OP, now: new Date('2026-11-07T00:00:00Z') });
      await eventually(async () => changed.includes('IM0600'), { what: 'IM0600 announced by its import' });
      expect(await outbox()).toEqual([]);
      // an import at t3 that recorded its change and died before writing the station's META
      const t3 = Date.parse('2026-11-08T00:00:00Z');
      const facts = { stationId: 'IM0600', created: false, info: true, tariff: false, equipment: [] };
      await dynamo().send(
        new PutCommand({ TableName, Item: { pk: 'OUTBOX#StationChanged', sk: `${String(t3).padStart(15, '0')}#IM0600`, at: t3, facts } }),
      );
      await sweep(t3 + 5 * 60_000);
      expect(changed).toEqual(['IM0600']);
      expect(await outbox()).toHaveLength(1);
      await sweep(t3 + 8 * 24 * 3600_000);
      expect(changed).toEqual(['IM0600']);
      expect(await outbox()).toEqual([]);
    } finally {
      untap();
    }
  });
});
