/**
 * Test support for the push tests: the station fixture platform (no pile simulator) with short
 * push backoffs, its demo partners, and helpers to emit the events pushes come from.
 */
import { afterAll, beforeAll } from 'vitest';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import { OrderFinished, OrderStarted } from '../../events/orders.ts';
import type { DemoPartner, ReceivedPush } from '../../infra/local/partner-server.ts';
import type { Platform, PlatformOptions } from '../../infra/local/platform.ts';
import { publish } from '../../shared/bus/publish.ts';
import { assertConformingPush } from './platform.ts';
import { startStationsPlatform } from './stations.ts';

/** short backoffs, a quick breaker and timeout: a partner outage of seconds, not hours */
export const FAST_PUSH_ENV: Record<string, string> = {
  PUSH_BACKOFF_SECONDS: '1,1,2',
  PUSH_MAX_ATTEMPTS: '40',
  PUSH_PERMANENT_ATTEMPTS: '2',
  PUSH_BREAKER_THRESHOLD: '3',
  PUSH_BREAKER_COOLDOWN_SECONDS: '2',
  // long enough that a loaded machine's slow answer is not taken for a lost one (and sent again)
  PUSH_TIMEOUT_MS: '3000',
};

export const P1 = 'MA01H3BQ2'; // cec2016, every station
export const P2 = 'MA02XJ7K3'; // xiaoju, FX0001 and FX0003

export const startPushPlatform = (env: Record<string, string> = {}, opts: Partial<PlatformOptions> = {}): Promise<Platform> =>
  startStationsPlatform({ ...opts, env: { ...FAST_PUSH_ENV, ...env } });

/**
 * One push platform for a test file: started before its tests, stopped after them.
 * `drain` waits for delayed retries too (pushes are retried with DelaySeconds).
 */
export const usePushPlatform = (env: Record<string, string> = {}) => {
  const ctx = {
    platform: undefined as unknown as Platform,
    drain: () => ctx.platform.cloud.drain({ timeoutMs: 60_000, includeDelayed: true }),
  };
  beforeAll(async () => {
    ctx.platform = await startPushPlatform(env);
  });
  afterAll(async () => ctx.platform?.stop());
  return ctx;
};

export const demo = (platform: Platform, operatorId: string): DemoPartner => {
  const d = platform.demoPartners.get(operatorId);
  if (!d) throw new Error(`no demo partner ${operatorId}`);
  return d;
};

const STATION_OF = (connectorId: string) => connectorId.slice(0, 6);

export const statusChange = (
  connectorId: string,
  version: number,
  status: number,
  parkStatus = 10,
  lockStatus = 10,
): DetailOf<typeof ConnectorStatusChanged> =>
  ConnectorStatusChanged.detail.parse({
    StationID: STATION_OF(connectorId),
    ConnectorID: connectorId,
    status,
    parkStatus,
    lockStatus,
    observedAt: new Date(Date.UTC(2026, 10, 23, 2, 0, 0) + version * 1000).toISOString(),
    version,
  });

export const emitStatus = (changes: DetailOf<typeof ConnectorStatusChanged>[]) => publish(ConnectorStatusChanged, changes);

let n = 0;
/** a fresh 27-character StartChargeSeq of a partner */
export const newSeq = (operatorId: string) => `${operatorId}${Date.now().toString().slice(-13)}${String(++n).padStart(5, '0')}`;

export const emitStarted = (operatorId: string, seq: string, connectorId = 'FX0001E01C1') =>
  publish(OrderStarted, {
    StartChargeSeq: seq,
    ConnectorID: connectorId,
    StationID: STATION_OF(connectorId),
    OperatorID: operatorId,
    succeeded: true,
    StartChargeSeqStat: 2,
    StartTime: '2026-11-23 09:30:47',
  });

export const emitFinished = (
  operatorId: string,
  seq: string,
  connectorId = 'FX0001E01C1',
  extra: Partial<DetailOf<typeof OrderFinished>> = {},
) =>
  publish(OrderFinished, {
    ...OrderFinished.sample,
    StartChargeSeq: seq,
    ConnectorID: connectorId,
    StationID: STATION_OF(connectorId),
    OperatorID: operatorId,
    ...extra,
  });

/** pushes of one interface the partner accepted, optionally only those about one connector/order; each checked against the catalog */
export const acceptedOf = (d: DemoPartner, iface: ReceivedPush['iface'], subject?: string): ReceivedPush[] => {
  const pushes = d.accepted(iface).filter((r) => subject === undefined || JSON.stringify(r.data).includes(`"${subject}"`));
  for (const r of pushes) assertConformingPush(r.iface, r.data);
  return pushes;
};

export const statusesAt = (d: DemoPartner, connectorId: string) =>
  acceptedOf(d, 'notification_stationStatus', connectorId).map(
    (r) => r.data.ConnectorStatusInfo as { Status: number; ParkStatus?: number; LockStatus?: number },
  );

import { decryptData, signRequest } from '../../shared/tcec/crypto.ts';

/** The raw wire of a received push, checked the way a strict partner checks it: returns the plaintext Data. */
export const wireOf = (platform: Platform, operatorId: string, r: ReceivedPush) => {
  const p = platform.seed.partners.find((x) => x.operatorId === operatorId);
  if (!p?.outbound) throw new Error(`partner ${operatorId} has no outbound set`);
  const env = r.envelope;
  const plain = decryptData(env.Data, p.outbound.dataSecret, p.outbound.dataSecretIV);
  assertConformingPush(r.iface, JSON.parse(plain));
  return {
    envelope: env,
    expectedSig: signRequest(env.OperatorID, env.Data, env.TimeStamp, env.Seq, p.outbound.sigSecret),
    plain,
    data: JSON.parse(plain) as Record<string, unknown>,
  };
};
