/**
 * The status pipeline through the local runtime: PileStatusChanged on the bus → rule → queue
 * `connector-status` → connector-status-ingest → versioned live status → ConnectorStatusChanged.
 * Invariant: a late, older report never overwrites a newer status (shuffled delivery ends in the
 * newest), and ConnectorStatusChanged is emitted only on real changes, with previousStatus.
 */

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { type ConnectorStatus, PileStatusChanged } from '../../events/piles.ts';
import type { BusEvent } from '../../infra/local/bus.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { publish } from '../../shared/bus/publish.ts';
import { PENDING_GRACE_MS, statusVersion } from '../../shared/domain/connector-status.ts';
import { ingestPileStatus, ingestPileStatuses } from '../../shared/services/connector-status.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import {
  applyConnectorStatus,
  getConnectorStatuses,
  getStationConnectors,
  markAnnouncedMany,
  TX_MIN_WRITES,
  writeConnectorStatuses,
} from '../../shared/store/stations.ts';
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

  it('shuffled out-of-order delivery (published concurrently) always ends in the newest status, and no announcement is older than one before it', async () => {
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
          // every announcement is a real change of the stored status, versions strictly increase
          for (let i = 1; i < announced.length; i++) {
            expect(announced[i]!.version).toBeGreaterThan(announced[i - 1]!.version);
            expect(announced[i]!.status).not.toBe(announced[i - 1]!.status);
          }
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

  // last: these write every fixture connector far in the future (newer than any report above)
  it('a burst (a batch of every connector): transactional writes, each change announced once, a repeat of the batch announces nothing', async () => {
    const all = (
      await Promise.all(
        ['FX0001', 'FX0002', 'FX0003', 'FX0004'].map(async (s) => (await getStationConnectors(s)).map((c) => ({ ...c, stationId: s }))),
      )
    ).flat();
    expect(all.length).toBeGreaterThanOrEqual(TX_MIN_WRITES);
    // each a real change: a status other than the one stored
    const burst = all.map((c, i) => report(c.connectorId, 100_000 + i, c.status === 4 ? 1 : 4));
    const before = emitted.length;
    const out = await ingestPileStatuses(burst);
    expect(out.failed).toEqual([]);
    expect(out.results.every((r) => r === 'changed')).toBe(true);
    await platform.cloud.drain();
    for (const c of all) {
      expect(await liveOf(c.stationId, c.connectorId)).toMatchObject({ status: c.status === 4 ? 1 : 4 });
      const r = burst.find((x) => x.ConnectorID === c.connectorId);
      expect(changesOf(c.connectorId).filter((x) => r && x.version === statusVersion(r.observedAt, r.seq))).toHaveLength(1);
    }
    const again = await ingestPileStatuses(burst);
    expect(again.results.every((r) => r === 'stale')).toBe(true);
    await platform.cloud.drain();
    expect(emitted.length).toBe(before + all.length);
    // announced: no mark left pending
    const stored = await getConnectorStatuses(all.map((c) => ({ stationId: c.stationId, connectorId: c.connectorId })));
    expect([...stored.values()].every((s) => s?.pendingAnnounce === undefined)).toBe(true);
  });

  it('batched compare-and-set: a write whose expected version moved is refused alone, the others of the transaction are stored', async () => {
    const all = (
      await Promise.all(
        ['FX0001', 'FX0002', 'FX0003', 'FX0004'].map(async (s) => (await getStationConnectors(s)).map((c) => ({ ...c, stationId: s }))),
      )
    ).flat();
    const keys = all.map((c) => ({ stationId: c.stationId, connectorId: c.connectorId }));
    const stored = await getConnectorStatuses(keys);
    const at = new Date(base + 200_000_000);
    const writes = keys.map((k, i) => {
      const cur = stored.get(k.connectorId)?.version as number;
      return {
        w: {
          ...k,
          status: 1 as const,
          parkStatus: 10 as const,
          lockStatus: 10 as const,
          version: statusVersion(at, i),
          observedAt: at.toISOString(),
        },
        // every third one decides from a version that is no longer stored (a concurrent writer won)
        expected: i % 3 === 0 ? cur - 1 : cur,
        mark: { version: statusVersion(at, i), previous: 4 },
      };
    });
    const ok = await writeConnectorStatuses(writes);
    expect(ok).toEqual(keys.map((_, i) => i % 3 !== 0));
    const after = await getConnectorStatuses(keys);
    keys.forEach((k, i) => {
      const s = after.get(k.connectorId);
      if (i % 3 === 0) expect(s).toMatchObject({ status: stored.get(k.connectorId)?.status, version: stored.get(k.connectorId)?.version });
      else expect(s).toMatchObject({ status: 1, version: statusVersion(at, i), pendingAnnounce: statusVersion(at, i) });
    });
    // clearing marks: only where the mark is still the given version
    await markAnnouncedMany(keys.map((k, i) => ({ ...k, version: i % 2 === 0 ? statusVersion(at, i) : 1 })));
    const cleared = await getConnectorStatuses(keys);
    keys.forEach((k, i) => {
      const pending = cleared.get(k.connectorId)?.pendingAnnounce;
      expect(pending).toBe(i % 3 !== 0 && i % 2 !== 0 ? statusVersion(at, i) : undefined);
    });
  });
});
