/**
 * The pile side against the local runtime: a PileCommandRequested published through the real
 * EventBridge SDK → the bus → the `pile-commands` queue → the pile gateway (local transport) →
 * the simulator (on a manual clock the test advances) → PileSessionStarted, PileMeterValues, PileSessionStopped back
 * on the charging queue (emitPileEvents sends them there); and the local-only admin endpoint changing a
 * connector and emitting PileStatusChanged on the bus. Events are captured where they land: the local
 * bus's dispatch (every PutEvents) and the queue store's send (every SendMessage/SendMessageBatch).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PILES_SOURCE,
  PileCommandRequested,
  PileMeterValues,
  PileSessionStarted,
  PileSessionStopped,
  PileStatusChanged,
} from '../../events/piles.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { publish } from '../../shared/bus/publish.ts';
import { eventually } from '../support/eventually.ts';
import { DEMO_SEED, startTestPlatform } from '../support/platform.ts';

const connector = (ConnectorID: string, Power: number, ConnectorType: number) => ({
  ConnectorID,
  ConnectorType,
  VoltageUpperLimits: 750,
  VoltageLowerLimits: 200,
  Current: ConnectorType === 4 ? 250 : 32,
  Power,
  NationalStandard: 2,
});
const STATION = {
  StationID: 'SIMTEST01',
  OperatorID: 'MA5GS8X01',
  EquipmentOwnerID: 'MA5GS8X01',
  StationName: 'Simulator test station',
  CountryCode: 'CN',
  AreaCode: '310115',
  Address: 'Pudong, Shanghai',
  ServiceTel: '4008000000',
  StationType: 1,
  StationStatus: 50,
  ParkNums: 4,
  StationLng: 121.5,
  StationLat: 31.2,
  Construction: 1,
  EquipmentInfos: [
    { EquipmentID: 'SIMDC1', EquipmentType: 1, Power: 120, ConnectorInfos: [connector('SIMDC1A', 120, 4), connector('SIMDC1B', 120, 4)] },
    { EquipmentID: 'SIMAC1', EquipmentType: 2, Power: 7, ConnectorInfos: [connector('SIMAC1A', 7, 3)] },
  ],
};

let platform: Platform;
let dir: string;
/** a pile event as it entered the platform: its type and detail, whichever route it took */
const seen: { type: string; detail: Record<string, unknown> }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pile-sim-'));
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as Record<string, unknown>;
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify({ ...seed, operatorId: 'MA5GS8X01', stations: [STATION] }));
  // the simulator's clock moves only when the test advances it: simulated time never races the wall clock
  platform = await startTestPlatform({ seedFile, simulator: { manualClock: true, offlineRatePerHour: 0, faultRatePerHour: 0, seed: 1 } });
  const bus = platform.cloud.bus;
  const dispatch = bus.dispatch.bind(bus);
  bus.dispatch = (e) => {
    if (e.source === PILES_SOURCE) seen.push({ type: e['detail-type'], detail: e.detail });
    return dispatch(e);
  };
  const queues = platform.cloud.queues;
  const send = queues.send.bind(queues);
  queues.send = (ref, body, opts) => {
    const m = send(ref, body, opts);
    if ([queues.arn('charging-pile-events'), queues.arn('charging-pile-meters')].includes(queues.arn(ref)))
      seen.push(JSON.parse(body) as (typeof seen)[number]);
    return m;
  };
});
afterAll(async () => {
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pileEvents = (detailType: string, connectorId: string, seq?: string) =>
  seen.filter((e) => e.type === detailType && e.detail.ConnectorID === connectorId && (!seq || e.detail.StartChargeSeq === seq));

/** wait for a condition on the bus (no timing is asserted: a generous bound only ends a hung test) */
const until = (what: string, cond: () => boolean): Promise<boolean> => eventually(async () => cond(), { what, intervalMs: 10 });

/** a command reached the simulator once the gateway's queue is drained */
const delivered = () => platform.cloud.drain();

/** move simulated time forward `ms` and wait until the events it produced are on the bus */
const advance = async (ms: number): Promise<void> => {
  platform.simulator!.advance(ms);
  await platform.simulator!.flush();
};

const command = (command: 'start' | 'stop', ConnectorID: string, StartChargeSeq: string) =>
  publish(PileCommandRequested, { command, ConnectorID, StartChargeSeq, requestedAt: new Date().toISOString() });

const admin = async (id: string, body: unknown) => {
  const res = await fetch(`${platform.apiUrl}/local/sim/connectors/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('command → gateway → simulator → events on the bus', () => {
  it('start: accepted, meter values every 15 s (monotonic energy, rising SOC); stop: PileSessionStopped cause remote', async () => {
    const seq = 'MA5GS8X01SIMTEST00000000001';
    expect((await admin('SIMDC1A', { vehicle: { socStart: 20, batteryKwh: 80, maxDcKw: 150 } })).status).toBe(200);
    await command('start', 'SIMDC1A', seq);
    await delivered();
    await advance(5_000); // a pile answers a start within 2–5 simulated seconds
    await until('PileSessionStarted', () => pileEvents('PileSessionStarted', 'SIMDC1A', seq).length > 0);
    const started = PileSessionStarted.detail.parse(pileEvents('PileSessionStarted', 'SIMDC1A', seq)[0]!.detail);
    expect(started).toMatchObject({ accepted: true, ConnectorID: 'SIMDC1A' });

    await advance(5 * 15_000);
    await until('5 meter samples', () => pileEvents('PileMeterValues', 'SIMDC1A', seq).length >= 5);
    await command('stop', 'SIMDC1A', seq);
    await delivered();
    await advance(3_000); // a stop is answered within 1–3 simulated seconds
    await until('PileSessionStopped', () => pileEvents('PileSessionStopped', 'SIMDC1A', seq).length > 0);
    const stopped = PileSessionStopped.detail.parse(pileEvents('PileSessionStopped', 'SIMDC1A', seq)[0]!.detail);
    expect(stopped.cause).toBe('remote');

    const meters = pileEvents('PileMeterValues', 'SIMDC1A', seq).map((e) => PileMeterValues.detail.parse(e.detail));
    meters.forEach((m, i) => {
      expect(m.powerKw).toBe(120);
      if (i === 0) return;
      expect(m.energyWh).toBeGreaterThan(meters[i - 1]!.energyWh);
      expect(m.soc).toBeGreaterThan(meters[i - 1]!.soc);
      expect(Date.parse(m.at) - Date.parse(meters[i - 1]!.at)).toBe(15_000);
    });
    expect(stopped.energyWh).toBeGreaterThanOrEqual(meters.at(-1)!.energyWh);
    expect(Date.parse(meters[0]!.at) - Date.parse(started.at)).toBe(15_000);

    // the connector went 1 → 2 (auto-plugged) → 3 → 2, reported on the bus with a growing per-pile seq
    await platform.simulator!.flush();
    const statuses = pileEvents('PileStatusChanged', 'SIMDC1A').map((e) => PileStatusChanged.detail.parse(e.detail));
    expect(statuses.map((s) => s.status)).toEqual(expect.arrayContaining([1, 2, 3]));
    const lastCharging = statuses.map((s) => s.status).lastIndexOf(3);
    expect(statuses[lastCharging + 1]?.status).toBe(2); // stopped, vehicle still plugged (the driver leaves later)
    for (let i = 1; i < statuses.length; i++) expect(statuses[i]!.seq).toBeGreaterThan(statuses[i - 1]!.seq);

    // nothing failed on the way: the gateway's queue and its DLQ are empty
    await platform.cloud.drain();
    const q = platform.cloud.queues;
    expect(q.depth(q.dlqOf('pile-commands'))).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('a full battery ends the session by itself (cause bms-full)', async () => {
    const seq = 'MA5GS8X01SIMTEST00000000002';
    await admin('SIMAC1A', { vehicle: { socStart: 99, batteryKwh: 50 } });
    await command('start', 'SIMAC1A', seq);
    await delivered();
    await advance(5_000 + 3_600_000); // the answer, then up to an hour of charging
    await until('PileSessionStopped', () => pileEvents('PileSessionStopped', 'SIMAC1A', seq).length > 0);
    const stopped = PileSessionStopped.detail.parse(pileEvents('PileSessionStopped', 'SIMAC1A', seq)[0]!.detail);
    expect(stopped).toMatchObject({ cause: 'bms-full', energyWh: 500 });
  });

  it('a faulted connector refuses the start (accepted false, reason fault)', async () => {
    const seq = 'MA5GS8X01SIMTEST00000000003';
    expect((await admin('SIMDC1B', { state: 'fault' })).body).toMatchObject({ state: 'fault', status: 255 });
    await command('start', 'SIMDC1B', seq);
    await delivered();
    await advance(5_000);
    await until('PileSessionStarted', () => pileEvents('PileSessionStarted', 'SIMDC1B', seq).length > 0);
    expect(pileEvents('PileSessionStarted', 'SIMDC1B', seq)[0]!.detail).toMatchObject({ accepted: false, reason: 'fault' });
    await admin('SIMDC1B', { state: 'idle' });
  });

  it('a silent connector takes the command and never answers', async () => {
    const seq = 'MA5GS8X01SIMTEST00000000004';
    await admin('SIMDC1B', { state: 'silent' });
    await command('start', 'SIMDC1B', seq);
    await delivered();
    // an hour of simulated time passes
    await advance(3_600_000);
    await platform.cloud.drain();
    expect(pileEvents('PileSessionStarted', 'SIMDC1B', seq)).toEqual([]);
    await admin('SIMDC1B', { state: 'normal' });
  });
});

describe('local admin endpoint', () => {
  it('POST changes the state and emits PileStatusChanged; GET returns the simulated state', async () => {
    const before = pileEvents('PileStatusChanged', 'SIMAC1A').length;
    const r = await admin('SIMAC1A', { state: 'offline' });
    expect(r).toMatchObject({ status: 200, body: { ConnectorID: 'SIMAC1A', state: 'offline', status: 0 } });
    await until('PileStatusChanged offline', () => pileEvents('PileStatusChanged', 'SIMAC1A').length > before);
    expect(pileEvents('PileStatusChanged', 'SIMAC1A').at(-1)!.detail).toMatchObject({ status: 0, parkStatus: 0, lockStatus: 0 });

    const got = await fetch(`${platform.apiUrl}/local/sim/connectors/SIMAC1A`);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ state: 'offline', EquipmentID: 'SIMAC1', kind: 'ac', powerKw: 7, held: true });

    expect((await admin('SIMAC1A', { state: 'idle' })).body).toMatchObject({ state: 'idle', status: 1 });
    // the simulator's summary: every event above has left its outbox (the load bench samples this)
    await eventually(
      async () => {
        const sim = (await (await fetch(`${platform.apiUrl}/local/sim`)).json()) as { outboxPending?: number; connectors?: number };
        return sim.outboxPending === 0 && (sim.connectors ?? 0) > 0;
      },
      { what: 'the simulator outbox drained', intervalMs: 10 },
    );
  });

  it('rejects a malformed body (400), an unknown connector (404), an impossible change (409)', async () => {
    expect((await admin('SIMAC1A', { state: 'exploded' })).status).toBe(400);
    expect((await admin('SIMAC1A', { nothing: 1 })).status).toBe(400);
    expect((await admin('NOSUCHCONNECTOR', { state: 'fault' })).status).toBe(404);
    expect((await fetch(`${platform.apiUrl}/local/sim/connectors/NOSUCHCONNECTOR`)).status).toBe(404);
    expect((await admin('SIMAC1A', { state: 'local-stop' })).status).toBe(409);
  });

  it('the transport endpoint validates commands', async () => {
    const res = await fetch(`${platform.apiUrl}/local/sim/commands`, { method: 'POST', body: JSON.stringify({ command: 'explode' }) });
    expect(res.status).toBe(400);
  });
});
