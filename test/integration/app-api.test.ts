/**
 * Issue 12 §4 and "Bad input and faults": the app API (`/app/v1`, JSON, bearer key locally) against
 * a local platform whose roaming partner is a scripted operator (test/support/fake-operator.ts),
 * and against our own piles (the simulator, on a manual clock).
 *
 * Every fault leaves the session in a state the API reports, a start is sent exactly once, and a
 * lost start answer is resolved by query_equip_charge_status before anything else.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OrderDisputed } from '../../events/disputes.ts';
import type { BusEvent } from '../../infra/local/bus.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { runWithEnv } from '../../shared/config.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import { syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { getPartnerStationDocs, putPartnerStations } from '../../shared/store/partner-catalog.ts';
import { getPartner } from '../../shared/store/partners.ts';
import { getRoamingOrder, listSweepableOrderSeqs, putPartnerConnectorStatus } from '../../shared/store/roaming.ts';
import { formatDateTime } from '../../shared/tcec/time.ts';
import { fixture, renamed, STATIONS_SEED } from '../fixtures/stations.ts';
import { runCli } from '../support/cli.ts';
import { aroundDynamoSends } from '../support/dynamo-sends.ts';
import { eventually } from '../support/eventually.ts';
import { type FakeOperator, startFakeOperator } from '../support/fake-operator.ts';
import { callAs, startTestPlatform, tokenFor } from '../support/platform.ts';

let platform: Platform;
let fake: FakeOperator;
let partner: SeedPartner; // roams both ways; its operator side is the fake
let partnerToken: string;
let dataDir: string;
const disputes: BusEvent[] = [];

beforeAll(async () => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { partners: Record<string, Record<string, string>>[] };
  const p = seed.partners[0]!;
  fake = await startFakeOperator({
    operatorSecret: p.outbound!.operatorSecret!,
    dataSecret: p.outbound!.dataSecret!,
    dataSecretIV: p.outbound!.dataSecretIV!,
    sigSecret: p.outbound!.sigSecret!,
  });
  p.roaming = { in: true, out: true } as never;
  p.outbound = { ...p.outbound, baseUrl: fake.baseUrl };
  const file = join(mkdtempSync(join(tmpdir(), 'app-api-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  dataDir = mkdtempSync(join(tmpdir(), 'app-api-data-'));
  platform = await startTestPlatform({
    seedFile: file,
    dataDir, // where the CLI finds the platform
    demoPartners: false,
    simulator: { manualClock: true, offlineRatePerHour: 0, faultRatePerHour: 0, seed: 7, autoUnplug: false },
  });
  partner = platform.seed.partners[0] as SeedPartner;
  platform.cloud.bus.tap((e) => {
    if (e.source === OrderDisputed.source && e['detail-type'] === OrderDisputed.detailType) disputes.push(e);
  });
  partnerToken = await tokenFor(platform.apiUrl, partner);
  // the partner's catalog, as a sync stored it: one station near our FX0001 (Shanghai), 2 km east
  await asPlatform(() =>
    putPartnerStations(
      partner.operatorId,
      [
        {
          StationID: 'PS0001',
          OperatorID: partner.operatorId,
          StationName: 'Partner station',
          Address: 'Shanghai',
          StationLng: 121.341,
          StationLat: 31.194125,
          ElectricityFee: '1.05',
          ServiceFee: '0.80',
          EquipmentInfos: [{ EquipmentID: 'PS0001E01', ConnectorInfos: [{ ConnectorID: 'PS0001E01C1' }, { ConnectorID: 'PS0001E01C2' }] }],
        },
      ],
      new Date().toISOString(),
    ),
  );
  await asPlatform(() =>
    putPartnerConnectorStatus({ OperatorID: partner.operatorId, ConnectorID: 'PS0001E01C1', Status: 1, at: Date.now(), source: 'push' }),
  );
});
afterAll(async () => {
  await platform?.stop();
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const asPlatform = <T>(fn: () => Promise<T>) => runWithEnv(platform.cloud.functionEnv('app-session-start'), fn);

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}
type Session = {
  id: string;
  state: string;
  energyKwh: number;
  cost: { totalMoney: number };
  own: boolean;
  source: string;
  failReason?: number;
  bill?: { confirmResult: number };
};
type ErrorBody = { error: { code: string; message: string } };

const app = async <T = Session>(
  method: string,
  path: string,
  body?: unknown,
  key: string | null = platform.appApiKey,
): Promise<Answer<T>> => {
  const res = await fetch(`${platform.apiUrl}/app/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
};

const start = (connectorId = 'PS0001E01C1') => app('POST', '/sessions', { connectorId, userId: 'user-1' });
const push = async (iface: string, data: unknown) => {
  const r = await callAs(platform.apiUrl, partner, iface, data, partnerToken);
  expect(r.ret).toBe(0);
  return r.data;
};
const statusPush = (seq: string, minute: number, kwh: number) => ({
  StartChargeSeq: seq,
  StartChargeSeqStat: 2,
  ConnectorID: 'PS0001E01C1',
  ConnectorStatus: 3,
  CurrentA: 100,
  VoltageA: 380,
  Soc: 40,
  StartTime: '2026-11-23 07:10:00',
  EndTime: `2026-11-23 07:${String(10 + minute).padStart(2, '0')}:00`,
  TotalPower: kwh,
  ElecMoney: 1,
  SeviceMoney: 1,
  TotalMoney: 2,
});
const orderInfo = (seq: string, kwh = 10) => ({
  StartChargeSeq: seq,
  ConnectorID: 'PS0001E01C1',
  StartTime: '2026-11-23 07:10:00',
  EndTime: '2026-11-23 08:10:00',
  TotalPower: kwh,
  TotalElecMoney: 10.5,
  TotalSeviceMoney: 8,
  TotalMoney: 18.5,
  StopReason: 0,
  SumPeriod: 1,
  ChargeDetails: [
    {
      DetailStartTime: '2026-11-23 07:10:00',
      DetailEndTime: '2026-11-23 08:10:00',
      ElecPrice: 1.05,
      SevicePrice: 0.8,
      DetailPower: kwh,
      DetailElecMoney: 10.5,
      DetailSeviceMoney: 8,
    },
  ],
});

describe('authentication and bad input', () => {
  it('no key or a wrong key → 401, never served anonymously', async () => {
    expect((await app<ErrorBody>('GET', '/stations?lng=121.32&lat=31.19', undefined, null)).status).toBe(401);
    const wrong = await app<ErrorBody>('POST', '/sessions', { connectorId: 'PS0001E01C1', userId: 'u' }, 'not-the-key');
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(fake.count('query_start_charge')).toBe(0);
  });

  it('bad input → 400 naming the field; unknown session or connector → 404', async () => {
    expect(await app<ErrorBody>('GET', '/stations?lng=500&lat=31')).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_request', message: expect.stringMatching(/^lng:/) } },
    });
    expect(await app<ErrorBody>('POST', '/sessions', { userId: 'u' })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/^connectorId:/) } },
    });
    expect((await app<ErrorBody>('POST', '/sessions', '{not json')).status).toBe(400);
    expect((await app<ErrorBody>('GET', '/sessions/short')).status).toBe(400);
    expect(await app<ErrorBody>('GET', `/sessions/${'X'.repeat(27)}?userId=user-1`)).toMatchObject({
      status: 404,
      body: { error: { code: 'session_not_found' } },
    });
    expect(await app<ErrorBody>('POST', '/sessions', { connectorId: 'NOWHERE', userId: 'u' })).toMatchObject({
      status: 404,
      body: { error: { code: 'connector_not_found' } },
    });
  });
});

describe('GET /app/v1/stations', () => {
  it('ours and the partner’s within the radius, nearest first, with availability and prices', async () => {
    const r = await app<{
      stations: { stationId: string; own: boolean; distanceKm: number; available: number; prices: { periods: unknown[] } }[];
    }>('GET', '/stations?lng=121.320345&lat=31.194125&radiusKm=10');
    expect(r.status).toBe(200);
    expect(r.body.stations.map((s) => [s.stationId, s.own])).toEqual([
      ['FX0001', true],
      ['PS0001', false],
    ]);
    const [ours, theirs] = r.body.stations;
    expect(ours!.distanceKm).toBe(0);
    expect(theirs!.distanceKm).toBeGreaterThan(1.9);
    expect(theirs!.distanceKm).toBeLessThan(2.1);
    expect(ours!.prices.periods.length).toBeGreaterThan(0);
    expect(theirs!.available).toBe(1); // C1 idle (pushed), C2 never heard of
  });
});

describe('a session on a partner’s connector', () => {
  it('start → pushes (out of order, twice) → stop → the bill confirmed: each step reported', async () => {
    fake.script.start = 'accept';
    const before = fake.count('query_start_charge');
    const s = await start();
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ state: 'charging', own: false });
    expect(fake.count('query_equip_auth')).toBeGreaterThan(0);
    expect(fake.count('query_start_charge') - before).toBe(1);
    const id = s.body.id;
    expect(id.startsWith(platform.seed.operatorId)).toBe(true); // a StartChargeSeq under OUR OperatorID

    await push('notification_start_charge_result', {
      StartChargeSeq: id,
      StartChargeSeqStat: 2,
      ConnectorID: 'PS0001E01C1',
      StartTime: '2026-11-23 07:10:00',
    });
    await push('notification_equip_charge_status', statusPush(id, 20, 8.5));
    await push('notification_equip_charge_status', statusPush(id, 10, 4.1)); // older, arrives later
    await push('notification_equip_charge_status', statusPush(id, 20, 8.5)); // the same again
    expect((await app('GET', `/sessions/${id}?userId=user-1`)).body).toMatchObject({ state: 'charging', energyKwh: 8.5, source: 'push' });

    const stopped = await app('DELETE', `/sessions/${id}?userId=user-1`);
    expect(stopped).toMatchObject({ status: 200, body: { state: 'stopping' } });
    expect(fake.calls.get('query_stop_charge')?.at(-1)).toMatchObject({ StartChargeSeq: id, ConnectorID: 'PS0001E01C1' });

    const confirmed = (await push('notification_charge_order_info', orderInfo(id))) as { ConfirmResult: number };
    expect(confirmed.ConfirmResult).toBe(0);
    expect((await app('GET', `/sessions/${id}?userId=user-1`)).body).toMatchObject({
      state: 'finished',
      energyKwh: 10,
      cost: { totalMoney: 18.5 },
      bill: { confirmResult: 0 },
    });
    expect(await app<ErrorBody>('DELETE', `/sessions/${id}?userId=user-1`)).toMatchObject({
      status: 409,
      body: { error: { code: 'session_ended' } },
    });
  });

  it('no pushes: GET polls query_equip_charge_status for the running figures', async () => {
    fake.script.start = 'accept';
    const { body } = await start();
    const polls = fake.count('query_equip_charge_status');
    const r = await app('GET', `/sessions/${body.id}?userId=user-1`);
    expect(r.body).toMatchObject({ state: 'charging', energyKwh: 1.2, cost: { totalMoney: 2.22 }, source: 'poll' });
    expect(fake.count('query_equip_charge_status')).toBeGreaterThan(polls);
  });

  it('the partner refuses (SuccStat 1) → failed with its FailReason; stop → 409', async () => {
    fake.script.start = 'refuse';
    const s = await start();
    expect(s).toMatchObject({ status: 201, body: { state: 'failed', failReason: 3 } });
    expect((await app('GET', `/sessions/${s.body.id}?userId=user-1`)).body).toMatchObject({ state: 'failed' });
    expect((await app<ErrorBody>('DELETE', `/sessions/${s.body.id}?userId=user-1`)).status).toBe(409);
  });

  it('the answer is lost after the partner took the start → resolved by status query: charging; never a second start', async () => {
    fake.script.start = 'drop-after';
    const before = fake.count('query_start_charge');
    const s = await start();
    expect(s.body.state).toBe('charging');
    expect(fake.count('query_start_charge') - before).toBe(1);
    expect((await asPlatform(() => getRoamingOrder(s.body.id)))?.start).toEqual({ outcome: 'accepted' });
  });

  it('the start never reached the partner → the status query says 4004: failed', async () => {
    fake.script.start = 'drop-before';
    const s = await start();
    expect(s.body.state).toBe('failed');
    expect((await asPlatform(() => getRoamingOrder(s.body.id)))?.start).toEqual({ outcome: 'not-received' });
  });

  it('Ret 4002 on the start → at most one token refresh for the status query, never a second start', async () => {
    fake.script.start = 'token-error';
    const starts = fake.count('query_start_charge');
    const tokens = fake.count('query_token');
    const polls = fake.count('query_equip_charge_status');
    const s = await start();
    // charging is known only from a status query the fake accepted, i.e. one that carried a token
    // other than the one it revoked at the start
    expect(s.body.state).toBe('charging');
    expect(fake.count('query_equip_charge_status')).toBeGreaterThan(polls);
    expect(fake.count('query_start_charge') - starts).toBe(1);
    // one query_token, or none when another function (push delivery, reconciliation) had already
    // stored a newer token in the shared DynamoDB cache: the client reuses it rather than refresh
    expect(fake.count('query_token') - tokens).toBeLessThanOrEqual(1);
  });

  it('the partner goes down after taking the start: unknown (a stop refused) until it answers, then resolved first', async () => {
    fake.script.start = 'drop-after';
    fake.script.downAfterStart = true;
    const starts = fake.count('query_start_charge');
    try {
      const s = await start();
      expect(s).toMatchObject({ status: 201, body: { state: 'unknown' } });
      expect((await app('GET', `/sessions/${s.body.id}?userId=user-1`)).body.state).toBe('unknown');
      expect(await app<ErrorBody>('DELETE', `/sessions/${s.body.id}?userId=user-1`)).toMatchObject({
        status: 409,
        body: { error: { code: 'session_unresolved' } },
      });
      fake.script.down = false; // back
      expect((await app('GET', `/sessions/${s.body.id}?userId=user-1`)).body).toMatchObject({ state: 'charging', source: 'poll' });
      expect(fake.count('query_start_charge') - starts).toBe(1);
    } finally {
      fake.script.downAfterStart = false;
      fake.script.down = false;
    }
  });

  it('the partner is down: 502 partner_unavailable and nothing started', async () => {
    fake.script.down = true;
    try {
      const starts = fake.count('query_start_charge');
      expect(await app<ErrorBody>('POST', '/sessions', { connectorId: 'PS0001E01C1', userId: 'u' })).toMatchObject({
        status: 502,
        body: { error: { code: 'partner_unavailable' } },
      });
      expect(fake.count('query_start_charge')).toBe(starts);
    } finally {
      fake.script.down = false;
    }
  });

  it('a final order without a start confirmation: finished with the verdict on its bill', async () => {
    fake.script.start = 'drop-after';
    const s = await start();
    const disagreeing = { ...orderInfo(s.body.id), TotalMoney: 30, TotalElecMoney: 22 };
    const r = (await push('notification_charge_order_info', disagreeing)) as { ConfirmResult: number };
    expect(r.ConfirmResult).toBe(1);
    expect((await app('GET', `/sessions/${s.body.id}?userId=user-1`)).body).toMatchObject({
      state: 'finished',
      bill: { confirmResult: 1 },
    });
  });
});

describe('a session on one of OUR connectors: the charging service partners use', () => {
  it('start → an order under our OperatorID on the same orders table; charging with energy; DELETE → finished', async () => {
    const connectorId = 'FX0001E01C2';
    const sim = platform.simulator!;
    sim.setVehicle(connectorId, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    sim.admin(connectorId, 'plugged');
    await eventually(async () => (await asPlatform(() => getConnectorView(connectorId)))?.status, {
      until: (s) => s === 2,
      what: 'our connector plugged',
    });
    const s = await app('POST', '/sessions', { connectorId, userId: 'user-2' });
    expect(s).toMatchObject({ status: 201, body: { own: true, state: 'starting' } });
    expect(await asPlatform(() => getOrder(s.body.id))).toMatchObject({ OperatorID: platform.seed.operatorId, ConnectorID: connectorId });
    // simulated time moves only when pumped: the pile confirms, then meters
    const pump = (until: (b: Session) => boolean, what: string) =>
      eventually(
        async () => {
          sim.advance(1_000);
          return (await app('GET', `/sessions/${s.body.id}?userId=user-2`)).body;
        },
        { until, what },
      );
    await pump((b) => b.state === 'charging' && b.energyKwh > 0, 'our session charging with energy');
    expect((await app('DELETE', `/sessions/${s.body.id}?userId=user-2`)).status).toBe(200);
    const done = await pump((b) => b.state === 'finished', 'our session finished');
    expect(done.cost.totalMoney).toBeGreaterThan(0);
  });
});

describe('sessions belong to their user', () => {
  it('GET/DELETE with another userId → 404 (as if it did not exist); without one → 400', async () => {
    fake.script.start = 'accept';
    const s = await start(); // user-1
    const other = await app<ErrorBody>('GET', `/sessions/${s.body.id}?userId=user-9`);
    expect(other).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
    const stops = fake.count('query_stop_charge');
    expect((await app<ErrorBody>('DELETE', `/sessions/${s.body.id}?userId=user-9`)).status).toBe(404);
    expect(fake.count('query_stop_charge')).toBe(stops); // nothing was sent for the wrong user
    expect(await app<ErrorBody>('GET', `/sessions/${s.body.id}`)).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/^userId:/) } },
    });
    expect((await app('GET', `/sessions/${s.body.id}?userId=user-1`)).status).toBe(200);
  });
});

/** fire the sweep's schedule at `at` (the rules' clock) and wait for its summary */
const sweep = async (at: Date) =>
  (await platform.cloud.invoke('roaming-session-sweep', { source: 'aws.scheduler', time: at.toISOString() })) as {
    open: number;
    moved: number;
    disputesPublished: number;
    overdue: number;
    abandoned: number;
    abandonedPublished: number;
    failed: number;
  };
const order = (id: string) => asPlatform(() => getRoamingOrder(id));
const sweepable = () => asPlatform(() => listSweepableOrderSeqs());

describe('the roaming session sweep (schedule): sessions move without the app reading them', () => {
  it('the start answer is lost and the partner goes down; once it is back the sweep resolves the session — no app GET', async () => {
    fake.script.start = 'drop-after';
    fake.script.downAfterStart = true;
    const starts = fake.count('query_start_charge');
    try {
      const s = await start();
      expect(s.body.state).toBe('unknown');
      expect(await sweepable()).toContain(s.body.id);
      const t0 = new Date();
      await sweep(t0); // still down: left as it is
      expect((await order(s.body.id))?.start?.outcome).toBe('unresolved');

      fake.script.down = false; // back
      const polls = fake.count('query_equip_charge_status');
      const r = await sweep(new Date(t0.getTime() + 10 * 60_000));
      expect(r.moved).toBeGreaterThanOrEqual(1);
      expect(await order(s.body.id)).toMatchObject({ start: { outcome: 'accepted' }, stat: 2, liveSource: 'poll' });
      expect(fake.count('query_equip_charge_status')).toBeGreaterThan(polls);
      expect(fake.count('query_start_charge') - starts).toBe(1); // never a second start
    } finally {
      fake.script.downAfterStart = false;
      fake.script.down = false;
    }
  });

  it('a start that never reached the partner: the sweep marks it failed and drops it from the sweep', async () => {
    fake.script.start = 'accept';
    const s = await start();
    // as if the answer had been lost before the partner took it: the partner does not know the order
    fake.orders.delete(s.body.id);
    await asPlatform(async () => {
      const { saveRoamingOrder } = await import('../../shared/store/roaming.ts');
      const o = (await getRoamingOrder(s.body.id))!;
      expect(await saveRoamingOrder({ ...o, stat: 1, start: { outcome: 'unresolved', reason: 'test' } }, o.version)).toBe(true);
    });
    await sweep(new Date());
    expect(await order(s.body.id)).toMatchObject({ start: { outcome: 'not-received' }, stat: 4 });
    expect(await sweepable()).not.toContain(s.body.id);
  });

  it('no final order after ROAMING_FINAL_ORDER_HOURS: counted overdue (metric + alarm); the final order ends it', async () => {
    fake.script.start = 'accept';
    const s = await start();
    const now = Date.now();
    expect((await sweep(new Date(now + 3_600_000))).overdue).toBe(0);
    const late = await sweep(new Date(now + 13 * 3_600_000)); // default 12 h
    expect(late.overdue).toBeGreaterThanOrEqual(1);
    await push('notification_charge_order_info', orderInfo(s.body.id));
    expect(await sweepable()).not.toContain(s.body.id);
    expect((await sweep(new Date(now + 13 * 3_600_000))).overdue).toBe(late.overdue - 1);
  });
});

describe('a disputed bill: exactly one OrderDisputed, even when PutEvents fails', () => {
  it('PutEvents fails once: Ret 500, the dispute kept pending; the partner’s re-sent bill publishes it once; more re-sends add none', async () => {
    fake.script.start = 'accept';
    const s = await start();
    const seq = s.body.id;
    const bad = { ...orderInfo(seq), TotalMoney: 30, TotalElecMoney: 22 };
    const send = EventBridgeClient.prototype.send;
    let failed = 0;
    const spy = vi.spyOn(EventBridgeClient.prototype, 'send').mockImplementation(function (this: EventBridgeClient, ...args: unknown[]) {
      const cmd = args[0];
      if (cmd instanceof PutEventsCommand && failed === 0 && JSON.stringify(cmd.input).includes(seq)) {
        failed++;
        return Promise.reject(new Error('injected: PutEvents unavailable'));
      }
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as never);
    try {
      const first = await callAs(platform.apiUrl, partner, 'notification_charge_order_info', bad, partnerToken);
      expect(first.ret).toBe(500);
      expect(failed).toBe(1);
      expect((await order(seq))?.final).toMatchObject({ confirmResult: 1, disputePublished: false });
      const mine = () => disputes.filter((e) => e.detail.StartChargeSeq === seq);
      expect(mine()).toHaveLength(0);

      expect(await push('notification_charge_order_info', bad)).toMatchObject({ ConfirmResult: 1 });
      expect(mine()).toHaveLength(1);
      expect((await order(seq))?.final?.disputePublished).toBe(true);
      expect(await push('notification_charge_order_info', bad)).toMatchObject({ ConfirmResult: 1 });
      expect(mine()).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('the partner never re-sends the bill: the sweep publishes the pending dispute, once', async () => {
    fake.script.start = 'accept';
    const s = await start();
    const seq = s.body.id;
    const send = EventBridgeClient.prototype.send;
    const spy = vi.spyOn(EventBridgeClient.prototype, 'send').mockImplementation(function (this: EventBridgeClient, ...args: unknown[]) {
      const cmd = args[0];
      if (cmd instanceof PutEventsCommand && JSON.stringify(cmd.input).includes(seq)) return Promise.reject(new Error('injected'));
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as never);
    try {
      const r = await callAs(
        platform.apiUrl,
        partner,
        'notification_charge_order_info',
        { ...orderInfo(seq), TotalMoney: 31 },
        partnerToken,
      );
      expect(r.ret).toBe(500);
    } finally {
      spy.mockRestore();
    }
    expect(await sweepable()).toContain(seq);
    expect((await sweep(new Date())).disputesPublished).toBeGreaterThanOrEqual(1);
    expect(disputes.filter((e) => e.detail.StartChargeSeq === seq)).toHaveLength(1);
    expect(await sweepable()).not.toContain(seq);
    await sweep(new Date());
    expect(disputes.filter((e) => e.detail.StartChargeSeq === seq)).toHaveLength(1);
  });
});

/** Count the DynamoDB commands this process sends (the in-process Lambdas share the client) while `fn` runs. */
const dynamoCalls = async (fn: () => Promise<unknown>): Promise<string[]> => {
  const seen: string[] = [];
  const stop = aroundDynamoSends((name, _input, send) => {
    seen.push(name);
    return send();
  });
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
};

describe('no Scan on the app’s request path', () => {
  it('a station search and a start without operatorId are Queries/GetItems, with the same result, nearest first', async () => {
    fake.script.start = 'accept';
    let found: { stations: { stationId: string }[] } | undefined;
    const searching = await dynamoCalls(async () => {
      found = (await app<{ stations: { stationId: string }[] }>('GET', '/stations?lng=121.320345&lat=31.194125&radiusKm=10')).body;
    });
    expect(found?.stations.map((x) => x.stationId)).toEqual(['FX0001', 'PS0001']);
    expect(searching).toContain('QueryCommand');
    const starting = await dynamoCalls(async () => expect((await start('PS0001E01C2')).status).toBe(201));
    expect(starting).toContain('GetItemCommand');
    expect([...searching, ...starting].filter((c) => c === 'ScanCommand')).toEqual([]);
  });
});

const HARBIN = { lat: 45.75, lng: 126.63 };
/** `n` catalog stations of the fake partner around Harbin (far from the Shanghai stations above) */
const catalog = (n: number, changedAt: string) =>
  Array.from({ length: n }, (_, i) => {
    const info = renamed(fixture()[1]!, i + 1);
    return { info: { ...info, OperatorID: partner.operatorId, StationLat: HARBIN.lat + i * 0.0001, StationLng: HARBIN.lng }, changedAt };
  });

describe('partner catalog sync against the scripted partner', () => {
  it('a pull of more than one page, then an incremental pull that picks up the one changed station', async () => {
    const p = (await asPlatform(() => getPartner(partner.operatorId, { fresh: true })))!;
    const t0 = new Date();
    fake.stations.push(...catalog(250, formatDateTime(new Date(t0.getTime() - 86_400_000))));
    const full = await asPlatform(() => syncPartnerCatalog(p, t0, { full: true }));
    expect(full).toMatchObject({ incremental: false, pages: 3, stations: 250 });
    expect(
      fake.calls
        .get('query_stations_info')
        ?.slice(-3)
        .map((d) => d.PageNo),
    ).toEqual([1, 2, 3]);

    const changed = fake.stations[137]!;
    changed.info = { ...changed.info, StationName: 'renamed by the partner' };
    changed.changedAt = formatDateTime(new Date(t0.getTime() + 60_000));
    const inc = await asPlatform(() => syncPartnerCatalog(p, new Date(t0.getTime() + 10 * 60_000)));
    expect(inc).toMatchObject({ incremental: true, pages: 1, stations: 1 });
    expect(fake.calls.get('query_stations_info')?.at(-1)?.LastQueryTime).toBe(formatDateTime(new Date(t0.getTime() - 5 * 60_000)));
    const [doc] = await asPlatform(() => getPartnerStationDocs([`PSTATION#${partner.operatorId}#${String(changed.info.StationID)}`]));
    expect(doc).toMatchObject({ StationName: 'renamed by the partner', OperatorID: partner.operatorId });

    // the search finds the synced stations (the grid cells' cache is per Lambda and 30 s: a cell never read before)
    const near = await app<{ stations: { stationId: string; own: boolean }[] }>(
      'GET',
      `/stations?lng=${HARBIN.lng}&lat=${HARBIN.lat}&radiusKm=1`,
    );
    expect(near.body.stations.length).toBeGreaterThan(50);
    expect(near.body.stations[0]).toMatchObject({ stationId: 'IM0001', own: false });
  });

  it('the CLI: `partners add --roaming in,out` succeeds and lists both roles; `roaming sync --partner` prints the counts', async () => {
    const cli = (args: string[]) => runCli('evcs', ['--data-dir', dataDir, ...args]);
    const o = partner.outbound as unknown as Record<string, string>;
    const added = await cli([
      'partners',
      'add',
      '--operator-id',
      'MA03ROAM2',
      '--name',
      'Roaming Co',
      '--roaming',
      'in,out',
      '--base-url',
      fake.baseUrl,
      '--outbound-operator-secret',
      o.operatorSecret!,
      '--outbound-data-secret',
      o.dataSecret!,
      '--outbound-data-secret-iv',
      o.dataSecretIV!,
      '--outbound-sig-secret',
      o.sigSecret!,
    ]);
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(added.out).toContain('partner MA03ROAM2 onboarded');
    expect((await cli(['partners', 'list'])).out).toMatch(/^MA03ROAM2 .* roaming in,out$/m);

    const synced = await cli(['roaming', 'sync', '--partner', partner.operatorId, '--full']);
    expect(synced.code).toBe(0);
    expect(synced.out).toMatch(
      new RegExp(`^partner ${partner.operatorId}: 250 station\\(s\\) in 3 page\\(s\\), [34] request\\(s\\), complete pull`, 'm'),
    );
  }, 180_000);
});

// last in the file: its sweeps, fired two days ahead, abandon every session still open from the tests above
describe('a session whose final order never comes: abandoned ROAMING_ABANDON_HOURS (48) after its last sign of life', () => {
  const H = 3_600_000;
  const mine = (seq: string) => disputes.filter((e) => e.detail.StartChargeSeq === seq);

  it('marked, disputed once (reason 1, via the sweep), out of the sweep — no more polls; a late final order still finishes it', async () => {
    fake.script.start = 'accept';
    const s = await start();
    const seq = s.body.id;
    // not yet: 47 h after the start (the sweep's poll may bring newer figures: later, never earlier, than now)
    const early = await sweep(new Date(Date.now() + 47 * H));
    expect(early.abandoned).toBe(0);
    expect((await order(seq))?.abandoned).toBeUndefined();
    expect(await sweepable()).toContain(seq);

    const due = await sweep(new Date(Date.now() + 49 * H));
    expect(due.abandoned).toBeGreaterThanOrEqual(1);
    const o = await order(seq);
    expect(o?.abandoned).toMatchObject({ published: true });
    expect(o?.final).toBeUndefined();
    expect(await sweepable()).not.toContain(seq);
    expect(mine(seq)).toHaveLength(1);
    expect(mine(seq)[0]!.detail).toMatchObject({
      direction: 'in',
      via: 'roaming_session_sweep',
      reason: 1,
      OperatorID: partner.operatorId,
      ConnectorID: 'PS0001E01C1',
    });

    // later runs neither poll it nor publish again
    const polls = fake.count('query_equip_charge_status');
    const again = await sweep(new Date(Date.now() + 50 * H));
    expect(again.abandoned).toBe(0);
    expect(fake.count('query_equip_charge_status')).toBe(polls);
    expect(mine(seq)).toHaveLength(1);

    // the partner's bill after all: the order is finished, the abandonment kept as history
    await push('notification_charge_order_info', orderInfo(seq));
    expect(await order(seq)).toMatchObject({ stat: 4, final: { confirmResult: 0 }, abandoned: { published: true } });
    expect(await sweepable()).not.toContain(seq);
  });

  it('PutEvents fails: the mark is written with the event pending, and the next run publishes it once', async () => {
    fake.script.start = 'accept';
    const s = await start();
    const seq = s.body.id;
    const send = EventBridgeClient.prototype.send;
    const spy = vi.spyOn(EventBridgeClient.prototype, 'send').mockImplementation(function (this: EventBridgeClient, ...args: unknown[]) {
      const cmd = args[0];
      if (cmd instanceof PutEventsCommand && JSON.stringify(cmd.input).includes(seq)) return Promise.reject(new Error('injected'));
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as never);
    try {
      const failed = await sweep(new Date(Date.now() + 49 * H));
      expect(failed.failed).toBeGreaterThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
    expect((await order(seq))?.abandoned).toMatchObject({ published: false });
    expect(await sweepable()).toContain(seq);
    expect(mine(seq)).toHaveLength(0);

    const polls = fake.count('query_equip_charge_status');
    const next = await sweep(new Date(Date.now() + 50 * H));
    expect(next.abandonedPublished).toBeGreaterThanOrEqual(1);
    expect(fake.count('query_equip_charge_status')).toBe(polls); // abandoned: published, not polled
    expect(mine(seq)).toHaveLength(1);
    expect((await order(seq))?.abandoned).toMatchObject({ published: true });
    expect(await sweepable()).not.toContain(seq);
    await sweep(new Date(Date.now() + 51 * H));
    expect(mine(seq)).toHaveLength(1);
  });
});
