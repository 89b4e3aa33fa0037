/**
 * The status pipeline through the local runtime: PileStatusChanged on the bus → rule → queue
 * `connector-status` → connector-status-ingest → versioned live status → ConnectorStatusChanged.
 * Invariant: a late, older report never overwrites a newer status (shuffled delivery ends in the
 * newest), and ConnectorStatusChanged is emitted only on real changes, with previousStatus.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { GroundLockChanged } from '../../events/parking.ts';
import { type ConnectorStatus, PileStatusChanged } from '../../events/piles.ts';
import type { BusEvent } from '../../infra/local/bus.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { publish } from '../../shared/bus/publish.ts';
import { runWithEnv } from '../../shared/config.ts';
import { PENDING_GRACE_MS, statusVersion } from '../../shared/domain/connector-status.ts';
import { ingestPileStatus, ingestPileStatuses } from '../../shared/services/connector-status.ts';
import { importStationObjects } from '../../shared/services/station-import.ts';
import { UpdateCommand } from '../../shared/store/doc.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import {
  announcedDeliveries,
  applyConnectorStatus,
  getConnectorStatuses,
  getStationConnectors,
  getStationMeta,
  writeConnectorStatuses,
} from '../../shared/store/stations.ts';
import { fixture, type Obj, OP, renamed } from '../fixtures/stations.ts';
import { aroundDynamoSends } from '../support/dynamo-sends.ts';
import { startStationsPlatform } from '../support/stations.ts';

let platform: Platform;
const emitted: BusEvent[] = [];
beforeAll(async () => {
  platform = await startStationsPlatform();
  // observe what reaches the bus (the emulator's PutEvents routes every event through dispatch)
  const bus = platform.cloud.bus;
  const dispatch = bus.dispatch.bind(bus);
  bus.dispatch = (event: BusEvent) => {
    if (event['detail-type'] === ConnectorStatusChanged.detailType) emitted.push(event);
    return dispatch(event);
  };
});
afterAll(async () => platform?.stop());

const changesOf = (connectorId: string) =>
  emitted.filter((e) => e.detail.ConnectorID === connectorId).map((e) => ConnectorStatusChanged.detail.parse(e.detail));

const liveOf = async (stationId: string, connectorId: string) =>
  (await getStationConnectors(stationId)).find((c) => c.connectorId === connectorId);

const base = Date.parse('2026-11-23T02:00:00.000Z');
const report = (connectorId: string, i: number, status: ConnectorStatus, park: 0 | 10 | 50 = 10, lock: 0 | 10 | 50 = 10) => ({
  ConnectorID: connectorId,
  status,
  parkStatus: park,
  lockStatus: lock,
  observedAt: new Date(base + i * 1000).toISOString(),
  seq: i,
});

describe('status pipeline: PileStatusChanged → live status → ConnectorStatusChanged', () => {
  it('in order: each real change is announced once with previousStatus; a repeated status is not', async () => {
    const c = 'FX0001E01C1';
    const reports = [report(c, 1, 1), report(c, 2, 1), report(c, 3, 2, 50), report(c, 4, 3, 50), report(c, 5, 3, 50)];
    for (const r of reports) {
      await publish(PileStatusChanged, r);
      await platform.cloud.drain();
    }
    expect(await liveOf('FX0001', c)).toMatchObject({
      status: 3,
      parkStatus: 50,
      lockStatus: 10,
      version: statusVersion(reports[4]!.observedAt, 5),
    });
    const changes = changesOf(c);
    expect(changes.map((x) => [x.status, x.previousStatus])).toEqual([
      [1, undefined],
      [2, 1],
      [3, 2],
    ]);
    expect(changes.map((x) => x.version)).toEqual([1, 3, 4].map((i) => statusVersion(new Date(base + i * 1000), i)));
    expect(changes[2]).toMatchObject({ StationID: 'FX0001', ConnectorID: c, parkStatus: 50, lockStatus: 10 });
  });

  it('a park/lock-only change is a real change; a duplicate delivery of the same report changes nothing', async () => {
    const c = 'FX0001E01C2';
    await publish(PileStatusChanged, report(c, 1, 1, 10, 10));
    await platform.cloud.drain();
    await publish(PileStatusChanged, [report(c, 2, 1, 50, 10), report(c, 2, 1, 50, 10)]);
    await platform.cloud.drain();
    expect(changesOf(c).map((x) => [x.status, x.parkStatus])).toEqual([
      [1, 10],
      [1, 50],
    ]);
  });

  it('a late, older report after a newer one is ignored and announces nothing', async () => {
    const c = 'FX0002E01C1';
    await publish(PileStatusChanged, report(c, 10, 3, 50));
    await platform.cloud.drain();
    await publish(PileStatusChanged, report(c, 9, 1));
    await platform.cloud.drain();
    expect(await liveOf('FX0002', c)).toMatchObject({ status: 3, parkStatus: 50 });
    expect(changesOf(c)).toHaveLength(1);
  });

  it('shuffled out-of-order delivery (published concurrently) always ends in the newest status; each change announced once, and a consumer ends on the newest', async () => {
    const connectors = ['FX0003E01C1', 'FX0003E01C2', 'FX0003E02C1'];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<ConnectorStatus>(0, 1, 2, 3, 4, 255), { minLength: 2, maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        async (statuses, randoms) => {
          const c = connectors[run % connectors.length]!;
          const offset = 1000 * ++run;
          const reports = statuses.map((s, i) => report(c, offset + i, s));
          const shuffled = reports
            .map((r) => ({ r, k: randoms.next().value }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.r);
          const before = changesOf(c).length;
          await Promise.all(shuffled.map((r) => publish(PileStatusChanged, r)));
          await platform.cloud.drain();
          const newest = reports[reports.length - 1]!;
          const live = await liveOf('FX0003', c);
          expect(live).toMatchObject({ status: newest.status, version: statusVersion(newest.observedAt, newest.seq) });
          const announced = changesOf(c).slice(before);
          // each change announced once
          expect(new Set(announced.map((a) => a.version)).size).toBe(announced.length);
          // in version order (the order they were stored in), every announcement is a real change
          const stored = [...announced].sort((x, y) => x.version - y.version);
          for (let i = 1; i < stored.length; i++) expect(stored[i]!.status).not.toBe(stored[i - 1]!.status);
          // two deliveries each publish after their own write, so the bus may carry a newer change
          // before an older one (seen under CI load); the event's contract (events/baseinfo.ts
          // `version`) is that a consumer drops anything not newer than what it has seen: such a
          // consumer ends on the newest change (the last in version order), which is the live status
          if (stored.length) expect(stored[stored.length - 1]!.status).toBe(live!.status);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a report for an unknown connector is dropped without retries or announcements', async () => {
    const before = emitted.length;
    await publish(PileStatusChanged, report('NOPE-CONNECTOR', 1, 3));
    await platform.cloud.drain();
    expect(emitted.length).toBe(before);
  });

  it('a change stored but never announced (the publisher died) is announced by a later redelivery, not by a concurrent duplicate', async () => {
    const c = 'FX0002E02C1';
    const r = report(c, 500, 255, 0, 10);
    const v = statusVersion(r.observedAt, r.seq);
    // the first delivery stores the change and dies before publishing
    const stored = await applyConnectorStatus(
      { stationId: 'FX0002', connectorId: c, version: v, observedAt: r.observedAt, status: 255, parkStatus: 0, lockStatus: 10 },
      () => true,
    );
    expect(stored.outcome).toBe('applied');
    // a duplicate delivered at once finds the change pending and leaves it to its owner
    expect(await ingestPileStatus(r)).toBe('stale');
    expect(changesOf(c).filter((x) => x.version === v)).toHaveLength(0);
    // the SQS redelivery after the visibility timeout (simulated by ageing the mark) announces it, once
    await dynamo().send(
      new UpdateCommand({
        TableName: process.env.TABLE_STATIONS,
        Key: { pk: 'STATION#FX0002', sk: `CONN#${c}` },
        UpdateExpression: 'SET pendingSince = :old',
        ExpressionAttributeValues: { ':old': Date.now() - PENDING_GRACE_MS - 1 },
      }),
    );
    expect(await ingestPileStatus(r)).toBe('re-announced');
    expect(await ingestPileStatus(r)).toBe('stale');
    await platform.cloud.drain();
    expect(changesOf(c).filter((x) => x.version === v)).toHaveLength(1);
  });

  it('a batch is one transaction of compare-and-sets: the one whose stored version moved cancels only itself', async () => {
    const ids = ['FX0003E01C1', 'FX0003E01C2', 'FX0003E02C1'];
    const at = new Date(base + 86_400_000).toISOString();
    const stored = await getConnectorStatuses(ids.map((connectorId) => ({ stationId: 'FX0003', connectorId })));
    const writes = ids.map((connectorId, k) => ({
      w: {
        stationId: 'FX0003',
        connectorId,
        status: 2 as const,
        parkStatus: 50 as const,
        lockStatus: 10 as const,
        version: statusVersion(at, k),
        observedAt: at,
      },
      // the second one decided on a version that is no longer stored (another writer moved it)
      expected: k === 1 ? 1 : stored.get(connectorId)?.version,
    }));
    expect(await writeConnectorStatuses(writes)).toEqual([true, false, true]);
    const after = await getConnectorStatuses(ids.map((connectorId) => ({ stationId: 'FX0003', connectorId })));
    expect(ids.map((c) => after.get(c)?.version)).toEqual([
      statusVersion(at, 0),
      stored.get(ids[1] as string)?.version,
      statusVersion(at, 2),
    ]);
  });

  it('one batch with several connectors, duplicates and reordering: each ends in its newest report, each change announced once', async () => {
    const a = 'FX0004E01C1';
    const b = 'FX0004E01C2';
    const reports = [
      report(a, 902, 3, 50, 50),
      report(b, 901, 255, 0, 10),
      report(a, 901, 2, 50, 10),
      report(a, 902, 3, 50, 50),
      report(b, 900, 1),
    ];
    const out = await ingestPileStatuses(reports);
    expect(out.failed).toEqual([]);
    expect(out.results).toEqual(['changed', 'changed', 'changed', 'stale', 'changed']);
    expect(await liveOf('FX0004', a)).toMatchObject({ status: 3, parkStatus: 50, lockStatus: 50 });
    expect(await liveOf('FX0004', b)).toMatchObject({ status: 255, parkStatus: 0, lockStatus: 10 });
    await platform.cloud.drain();
    expect(changesOf(a).map((c) => c.status)).toEqual([2, 3]);
    expect(changesOf(b).map((c) => c.status)).toEqual([1, 255]);
    // announced: each connector's mark names this delivery, and its one receipt says it published (no write per mark)
    const marks = await getConnectorStatuses([a, b].map((connectorId) => ({ stationId: 'FX0004', connectorId })));
    const by = [a, b].map((c) => marks.get(c)?.pendingBy);
    expect(by[0]).toBeDefined();
    expect(by[1]).toBe(by[0]);
    expect(await announcedDeliveries([by[0] as string, 'no-such-delivery'])).toEqual(new Set([by[0]]));
  });

  /** a connector's mark made old, as if the grace had passed (the SQS redelivery comes after the visibility timeout) */
  const ageMark = (stationId: string, connectorId: string) =>
    dynamo().send(
      new UpdateCommand({
        TableName: process.env.TABLE_STATIONS,
        Key: { pk: `STATION#${stationId}`, sk: `CONN#${connectorId}` },
        UpdateExpression: 'SET pendingSince = :old',
        ExpressionAttributeValues: { ':old': Date.now() - PENDING_GRACE_MS - 1 },
      }),
    );

  it('a published change: a duplicate delivered after the grace announces nothing again (the delivery left its receipt)', async () => {
    const c = 'FX0001E02C1';
    const r = { ...report(c, 600, 3, 50, 10), StationID: 'FX0001' };
    const v = statusVersion(r.observedAt, r.seq);
    expect(await ingestPileStatus(r)).toBe('changed');
    await ageMark('FX0001', c);
    expect(await ingestPileStatus(r)).toBe('stale');
    const { StationID: _named, ...unnamed } = r; // a version-1 report (no StationID): the same answer
    expect(await ingestPileStatus(unnamed)).toBe('stale');
    await platform.cloud.drain();
    expect(changesOf(c).filter((x) => x.version === v)).toHaveLength(1);
  });

  it('a publish that fails: the records are retried, the redelivery after the grace announces the change once', async () => {
    const c = 'FX0002E01C2';
    const r = report(c, 700, 255, 0, 10);
    const v = statusVersion(r.observedAt, r.seq);
    // the bus refuses the delivery's PutEvents (an unknown bus: FailedEntryCount): stored, marked, not announced, retried
    const out = await runWithEnv({ ...process.env, EVENT_BUS_NAME: 'no-such-bus' }, () => ingestPileStatuses([r]));
    expect(out.failed).toEqual([0]);
    expect((await getConnectorStatuses([{ stationId: 'FX0002', connectorId: c }])).get(c)).toMatchObject({
      version: v,
      pendingAnnounce: v,
    });
    // within the grace a duplicate leaves it to its owner; past it the redelivery announces it, then it is done
    expect(await ingestPileStatus(r)).toBe('stale');
    await ageMark('FX0002', c);
    expect(await ingestPileStatus(r)).toBe('re-announced');
    await ageMark('FX0002', c);
    expect(await ingestPileStatus(r)).toBe('stale');
    await platform.cloud.drain();
    expect(changesOf(c).filter((x) => x.version === v)).toHaveLength(1);
  });

  it('a report naming the wrong station is stored at the right one (its ref looked up afresh)', async () => {
    const c = 'FX0004E01C1';
    const r = { ...report(c, 1500, 2, 50, 10), StationID: 'FX0001' };
    expect(await ingestPileStatus(r)).toBe('changed');
    expect(await liveOf('FX0004', c)).toMatchObject({ status: 2, version: statusVersion(r.observedAt, r.seq) });
    await platform.cloud.drain();
    expect(changesOf(c).at(-1)).toMatchObject({ StationID: 'FX0004', status: 2 });
  });

  it("a ground lock owns its connector's LockStatus: lock reports by revision, pile reports by version, both announced in one order", async () => {
    const c = 'FX0004E02C1';
    const lockReport = (rev: number, lockStatus: 0 | 10 | 50) => ({
      StationID: 'FX0004',
      ConnectorID: c,
      LockNum: 'L09',
      lockStatus,
      rev,
      at: new Date(base + rev).toISOString(),
    });
    // the lock reports before any pile: status 0 (not heard from), LockStatus 50
    await publish(GroundLockChanged, lockReport(1, 50));
    await platform.cloud.drain();
    expect(await liveOf('FX0004', c)).toMatchObject({ status: 0, lockStatus: 50 });
    // the pile's report (its own LockStatus 10) keeps the lock's; a late older lock revision changes nothing
    await publish(PileStatusChanged, report(c, 1200, 1, 10, 10));
    await publish(GroundLockChanged, [lockReport(3, 10), lockReport(2, 0), lockReport(3, 10)]);
    await platform.cloud.drain();
    expect(await liveOf('FX0004', c)).toMatchObject({ status: 1, lockStatus: 10 });
    // the next pile report applies: the lock's revisions are not compared with the pile's versions
    await publish(PileStatusChanged, report(c, 1201, 2, 50, 0));
    await platform.cloud.drain();
    expect(await liveOf('FX0004', c)).toMatchObject({ status: 2, parkStatus: 50, lockStatus: 10 });
    const changes = changesOf(c);
    expect(changes.at(-1)).toMatchObject({ status: 2, lockStatus: 10 });
    expect(changes.map((x) => x.lockStatus)).toContain(50);
    // one order across both sources: every announcement's version above the one before it
    const sorted = [...changes].sort((a, b) => a.version - b.version);
    expect(sorted.at(-1)).toMatchObject({ status: 2, lockStatus: 10 });
    expect(new Set(changes.map((x) => x.version)).size).toBe(changes.length);
    const marks = await getConnectorStatuses([{ stationId: 'FX0004', connectorId: c }]);
    expect(marks.get(c)).toMatchObject({ lockVersion: 3 });
    // the lock's last change is announced: the delivery its mark names left its receipt
    const by = marks.get(c)?.lockPendingBy;
    expect(by).toBeDefined();
    expect(await announcedDeliveries([by as string])).toEqual(new Set([by]));
  });

  it('an announcement says whether the connector has a parking space (the lock raise skips "none"): the import sets it, an item from before it says nothing', async () => {
    const s = renamed(fixture()[0]!, 900);
    const [space, none, legacy] = (s.EquipmentInfos as Obj[]).flatMap((e) => (e.ConnectorInfos as Obj[]).map((c) => String(c.ConnectorID)));
    if (!space || !none || !legacy) throw new Error('the fixture station has three connectors');
    const withSpace = {
      ...s,
      CarParkGatewayUrl: 'http://127.0.0.1:9/',
      ParkingSpaces: [{ LockNum: 'L01', WorkplaceName: 'B1-001', ConnectorID: space }],
    };
    expect(await importStationObjects('spaces.json', [withSpace], { operatorId: OP })).toMatchObject({ created: 1 });
    // an item written before the flag existed: not known
    await dynamo().send(
      new UpdateCommand({
        TableName: process.env.TABLE_STATIONS,
        Key: { pk: 'STATION#IM0900', sk: `CONN#${legacy}` },
        UpdateExpression: 'REMOVE parkingSpace',
      }),
    );
    await publish(
      PileStatusChanged,
      [report(space, 1, 1), report(none, 1, 1), report(legacy, 1, 1)].map((r) => ({ ...r, StationID: 'IM0900' })),
    );
    await platform.cloud.drain();
    const first = (c: string) => changesOf(c)[0];
    expect(first(space)).toMatchObject({ status: 1, parkingSpace: true });
    expect(first(none)).toMatchObject({ status: 1, parkingSpace: false });
    expect(first(legacy)?.status).toBe(1);
    expect(first(legacy)).not.toHaveProperty('parkingSpace');

    // a re-import of the same stations writes the missing flag and nothing else: no change, no change time
    const metaBefore = await getStationMeta('IM0900');
    expect(await importStationObjects('spaces.json', [withSpace], { operatorId: OP })).toMatchObject({
      unchanged: 1,
      connectorsChanged: 0,
      equipmentChanged: 0,
    });
    expect(await getStationMeta('IM0900')).toEqual(metaBefore);
    await publish(PileStatusChanged, { ...report(legacy, 2, 2), StationID: 'IM0900' });
    await platform.cloud.drain();
    expect(changesOf(legacy).at(-1)).toMatchObject({ status: 2, previousStatus: 1, parkingSpace: false });

    // the spaces removed from the station: the flag follows, with no connector change
    expect(await importStationObjects('spaces.json', [s], { operatorId: OP })).toMatchObject({ changed: 1, connectorsChanged: 0 });
    await publish(PileStatusChanged, { ...report(space, 2, 2), StationID: 'IM0900' });
    await platform.cloud.drain();
    expect(changesOf(space).at(-1)).toMatchObject({ status: 2, parkingSpace: false });
  });

  it('a write call that throws after committing some of its updates: no receipt covers them, each change is announced once', async () => {
    // one delivery, three connectors: E is written in the first round; A and B lose it, are re-read and
    // written again in a transaction that is cancelled without reasons, so one by one: A commits, B throws
    const [e, a, b] = ['FX0002E01C1', 'FX0002E01C2', 'FX0002E02C1'];
    const reports = [e, a, b].map((c, k) => ({ ...report(c, 5000 + k, 2, 50, 10), StationID: 'FX0002' }));
    const [ve, va] = reports.map((r) => statusVersion(r.observedAt, r.seq));
    const cancelled = (reasons?: { Code: string }[]) =>
      Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: reasons });
    let step = 0;
    const stop = aroundDynamoSends(async (command, input, send) => {
      if (command.includes('TransactWrite') && step === 0) {
        step = 1;
        throw cancelled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'ConditionalCheckFailed' }]);
      }
      if (command.includes('TransactWrite') && step === 1) {
        step = 2;
        throw cancelled();
      }
      if (command.includes('Update') && step === 2 && JSON.stringify(input).includes(b as string)) {
        step = 3;
        throw Object.assign(new Error('injected: the write of B failed'), { name: 'InternalServerError' });
      }
      return send();
    });
    let out: Awaited<ReturnType<typeof ingestPileStatuses>>;
    try {
      out = await ingestPileStatuses(reports);
    } finally {
      stop();
    }
    expect(step).toBe(3);
    expect(out.results[0]).toBe('changed');
    expect(out.failed).toEqual([1, 2]);
    // A was committed by the call that threw, marked by this delivery, and not published
    const stored = await getConnectorStatuses([e, a].map((connectorId) => ({ stationId: 'FX0002', connectorId })));
    expect(stored.get(a)).toMatchObject({ version: va, pendingAnnounce: va });
    const by = stored.get(a)?.pendingBy;
    expect(by).toBeDefined();
    expect(await announcedDeliveries([by as string])).toEqual(new Set());
    // the redeliveries: A's after the grace is announced (once), B is written and announced, E's duplicate announces nothing
    await ageMark('FX0002', a as string);
    expect(await ingestPileStatus(reports[1] as (typeof reports)[number])).toBe('re-announced');
    expect(await ingestPileStatus(reports[2] as (typeof reports)[number])).toBe('changed');
    await ageMark('FX0002', e as string);
    expect(await ingestPileStatus(reports[0] as (typeof reports)[number])).toBe('stale');
    await platform.cloud.drain();
    expect(changesOf(e as string).filter((x) => x.version === ve)).toHaveLength(1);
    expect(changesOf(a as string).filter((x) => x.version === va)).toHaveLength(1);
    expect(changesOf(b as string).filter((x) => x.status === 2)).toHaveLength(1);
  });
});
