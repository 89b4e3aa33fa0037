/**
 * issue 9 (5): a restart with the same data (tables, queues, secrets) does not re-announce unchanged
 * statuses to partners. The piles report every connector again when they reconnect; the platform
 * stores the newer reports and, since nothing changed, pushes nothing. The partner's receiver is a
 * real one that outlives both platform runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoPartner, startDemoPartner } from '../../infra/local/partner-server.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { portBelowEphemeral } from '../../infra/local/ports.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { eventually } from '../support/eventually.ts';
import { startTestPlatform, uniqueTablePrefix } from '../support/platform.ts';
import { STATIONS_SEED } from '../support/stations.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'evcs-restart-'));
const seedDir = mkdtempSync(join(tmpdir(), 'evcs-restart-seed-'));
const tablePrefix = uniqueTablePrefix();
let seedFile: string;
let receiver: DemoPartner;
let connectorIds: string[];

const start = (fresh: boolean): Promise<Platform> =>
  startTestPlatform({
    seedFile,
    dataDir,
    fresh,
    tablePrefix,
    demoPartners: true,
    simulator: { offlineRatePerHour: 0, faultRatePerHour: 0 },
  });

/** every connector's status stored, and nothing left in the queues */
const settled = async (platform: Platform): Promise<void> => {
  // 0 = never heard from; the fixture's piles report idle (1) when they connect
  await eventually(async () => (await Promise.all(connectorIds.map((id) => getConnectorView(id)))).every((v) => (v?.status ?? 0) > 0), {
    what: 'every connector status stored',
  });
  await platform.cloud.drain({ timeoutMs: 120_000 });
};

beforeAll(async () => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8'));
  connectorIds = seed.stations.flatMap((s: { EquipmentInfos: { ConnectorInfos: { ConnectorID: string }[] }[] }) =>
    s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => c.ConnectorID)),
  );
  const p = seed.partners[0];
  const port = await portBelowEphemeral();
  p.outbound.baseUrl = `http://127.0.0.1:${port}/evcs/v1/`;
  // the other partners receive nothing here: only the first one has an endpoint
  for (const other of seed.partners.slice(1)) delete other.outbound;
  seedFile = join(seedDir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const { baseUrl: _b, paths: _p, ...secrets } = p.outbound;
  receiver = await startDemoPartner({ operatorId: p.operatorId, ourOperatorId: seed.operatorId, secrets, port });
});
afterAll(async () => {
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(seedDir, { recursive: true, force: true });
});

describe('restart with the same data', () => {
  it('the piles report again, the statuses are unchanged: no notification_stationStatus is pushed again', async () => {
    const first = await start(true);
    try {
      await settled(first);
    } finally {
      await first.stop();
    }
    const announced = receiver.accepted('notification_stationStatus').length;
    expect(announced).toBeGreaterThanOrEqual(connectorIds.length);

    const second = await start(false);
    try {
      await settled(second);
      expect(receiver.accepted('notification_stationStatus')).toHaveLength(announced);
      // and the platform still reacts to a real change after the restart
      const id = connectorIds[0] as string;
      second.simulator?.admin(id, 'plugged');
      await eventually(async () => (await getConnectorView(id))?.status, { until: (s) => s === 2, what: `${id} plugged` });
      await eventually(async () => receiver.accepted('notification_stationStatus').length, {
        until: (n) => n === announced + 1,
        what: 'one push for the one real change',
      });
    } finally {
      await second.stop();
    }
  });
});
