/**
 * issue 9 (6): a demo partner never hijacks a configured receiver. A receiver already listening on
 * a seed partner's loopback port keeps receiving the pushes; the platform starts no demo partner
 * there and leaves the partner's baseUrl as configured.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PileStatusChanged } from '../../events/piles.ts';
import { type DemoPartner, startDemoPartner } from '../../infra/local/partner-server.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { freePort } from '../../infra/local/ports.ts';
import { publish } from '../../shared/bus/publish.ts';
import { eventually } from '../support/eventually.ts';
import { startTestPlatform } from '../support/platform.ts';
import { STATIONS_SEED } from '../support/stations.ts';

let platform: Platform;
let receiver: DemoPartner;
let baseUrl: string;
let partnerId: string;

beforeAll(async () => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8'));
  const p = seed.partners[0];
  partnerId = p.operatorId;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}/evcs/v1/`;
  p.outbound.baseUrl = baseUrl;
  const file = join(mkdtempSync(join(tmpdir(), 'evcs-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  // the partner's real receiver, listening before the platform starts
  const { baseUrl: _b, paths: _p, ...secrets } = p.outbound;
  receiver = await startDemoPartner({ operatorId: p.operatorId, ourOperatorId: seed.operatorId, secrets, port });
  platform = await startTestPlatform({ seedFile: file, simulator: false, demoPartners: true });
});
afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
});

describe('demo partners and configured receivers', () => {
  it('starts no demo partner on a busy port and keeps the configured baseUrl', () => {
    expect(platform.demoPartners.has(partnerId)).toBe(false);
    expect(platform.seed.partners.find((p) => p.operatorId === partnerId)?.outbound?.baseUrl).toBe(baseUrl);
  });

  it('the receiver already listening gets the pushes', async () => {
    await publish(PileStatusChanged, {
      ConnectorID: 'FX0001E01C1',
      status: 2,
      parkStatus: 50,
      lockStatus: 10,
      observedAt: new Date().toISOString(),
      seq: 1,
    });
    const pushed = await eventually(async () => receiver.accepted('notification_stationStatus'), {
      until: (r) => r.length > 0,
      timeoutMs: 20_000,
      what: 'a status push at the configured receiver',
    });
    expect(JSON.stringify(pushed[0]?.data)).toContain('FX0001E01C1');
  });
});
