/**
 * query_ground_locks / query_ground_lock_auth / query_drop_lock / query_drop_lock_result —
 * extension (DiDi 1.4.0 ground locks 地锁, reference §5.1, §5.5), over HTTP through profiles that
 * enable them: partner 1 a cec2016 profile listing them, partner 2 the built-in `didi` profile
 * (xiaoju dialect, on by default). The locks are the simulated car park's
 * (infra/local/simulator/car-park.ts) behind the station's CarParkGatewayUrl; the pile simulator
 * runs on a manual clock. The car park's system is taken down (HTTP 503) or made to hang for the
 * outage checks; its retries are shortened (PARKING_RETRY_SECONDS 1, CAR_PARK_TIMEOUT_MS 500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarPark } from '../../infra/local/simulator/car-park.ts';
import { envName } from '../../infra/topology/types.ts';
import { runWithEnv } from '../../shared/config.ts';
import { replayDlq } from '../../shared/push/dlq.ts';
import { raiseAfterCarLeft } from '../../shared/services/ground-locks.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { getLock } from '../../shared/store/parking.ts';
import { getConnectorStatus } from '../../shared/store/stations.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { carParkSeed } from '../support/extensions.ts';
import { demo, P1, P2, statusesAt } from '../support/push.ts';

const LOCK_INTERFACES = ['query_ground_locks', 'query_ground_lock_auth', 'query_drop_lock', 'query_drop_lock_result'];
const site = carParkSeed(LOCK_INTERFACES, {
  FX0001: {
    ParkingSpaces: [
      { LockNum: 'L01', WorkplaceName: 'B1-017', ConnectorID: 'FX0001E01C1' },
      { LockNum: 'L02', WorkplaceName: 'B1-018', ConnectorID: 'FX0001E01C2' },
    ],
  },
});
let park: CarPark;

// before the platform starts (hooks run in order): the car park, then the seed that names it
beforeAll(async () => {
  park = await site.start();
});
afterAll(site.stop);

const ctx = useChargingPlatform({ seedFile: site.seedFile, env: { PARKING_RETRY_SECONDS: '1', CAR_PARK_TIMEOUT_MS: '500' } });

type Locks = { groundLocks: Array<{ LockNum: string; WorkplaceName: string; LockStatus: number; ConnectorID?: string }> };
const locksSeenBy = async (c: typeof ctx.p1, stationId = 'FX0001') => {
  const r = await c.call('query_ground_locks', { StationID: stationId });
  expect(r.ret).toBe(0);
  return (r.data as Locks).groundLocks;
};
const lockStatusOf = async (lockNum: string) => (await locksSeenBy(ctx.p2)).find((l) => l.LockNum === lockNum)?.LockStatus;
const drop = (c: typeof ctx.p1, lockNum: string, stationId = 'FX0001') =>
  c.call('query_drop_lock', { StationID: stationId, LockNum: lockNum, Lat: 31.23, Lng: 121.47 });

type Status = {
  Total: number;
  StationStatusInfos: Array<{ ConnectorStatusInfos: Array<{ ConnectorID: string; Status: number; LockStatus?: number }> }>;
};
const answered = async (c: typeof ctx.p1, connectorId: string) => {
  const r = await c.call('query_station_status', { StationIDs: ['FX0001'] });
  expect(r.ret).toBe(0);
  return (r.data as Status).StationStatusInfos[0]?.ConnectorStatusInfos.find((x) => x.ConnectorID === connectorId);
};

describe('query_ground_locks — extension (DiDi 1.4.0, §5.1 ground locks)', () => {
  it("lists a station's locks with WorkplaceName and LockStatus 50 (raised); a station without locks or not granted: none", async () => {
    expect(await locksSeenBy(ctx.p2)).toEqual([
      { LockNum: 'L01', WorkplaceName: 'B1-017', LockStatus: 50, ConnectorID: 'FX0001E01C1' },
      { LockNum: 'L02', WorkplaceName: 'B1-018', LockStatus: 50, ConnectorID: 'FX0001E01C2' },
    ]);
    // both dialects: the cec2016 partner sees the same
    expect((await locksSeenBy(ctx.p1)).map((l) => l.LockStatus)).toEqual([50, 50]);
    expect(await locksSeenBy(ctx.p1, 'FX0003')).toEqual([]);
    // FX0002 is not granted to partner 2: it looks like a station without locks
    expect(await locksSeenBy(ctx.p2, 'FX0002')).toEqual([]);
    // the connector status carries the lock's state from the connector's first status on (query_station_status §3.2)
    for (const c of ['FX0001E01C1', 'FX0001E01C2'])
      await eventually(() => answered(ctx.p1, c), { until: (s) => s?.LockStatus === 50, what: `${c} LockStatus 50` });
  });

  it('a partner whose profile does not enable the parking interfaces gets Ret 4004 "not enabled"', async () => {
    const r = await ctx.p1.call('query_parking_station', { StationID: 'FX0001' });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/query_parking_station is not enabled for OperatorID MA01H3BQ2/);
  });
});

describe('query_ground_lock_auth — extension (DiDi 1.4.0, §5.1 ground locks)', () => {
  it('answers per station whether the caller may drop its locks', async () => {
    const r = await ctx.p2.call('query_ground_lock_auth', { StationIDs: ['FX0001', 'FX0002', 'FX0003'], Lat: 31.2, Lng: 121.4 });
    expect(r.ret).toBe(0);
    expect(r.data).toEqual({
      LocksAuth: [
        { StationID: 'FX0001', Auth: true },
        { StationID: 'FX0002', Auth: false },
        { StationID: 'FX0003', Auth: false },
      ],
    });
    const bad = await ctx.p2.call('query_ground_lock_auth', { StationIDs: [] });
    expect(bad.ret).toBe(4004);
  });
});

describe('query_drop_lock — extension (DiDi 1.4.0, §5.1 ground locks)', () => {
  it('drops the lock with a one-time DropCode; the car charges and leaves; the lock rises and the code is spent', async () => {
    const r = await drop(ctx.p2, 'L01');
    expect(r.ret).toBe(0);
    const { result, DropCode: code } = r.data as { result: boolean; DropCode: number };
    expect(result).toBe(true);
    expect(code).toBeGreaterThanOrEqual(100_000);
    expect(park.lockStatus('FX0001', 'L01')).toBe(10);
    expect(await lockStatusOf('L01')).toBe(10);
    // the same partner again: the same code, the lock not moved twice
    expect((await drop(ctx.p2, 'L01')).data).toMatchObject({ result: true, DropCode: code });
    // another partner cannot take the space while the drop is in force
    expect((await drop(ctx.p1, 'L01')).data).toMatchObject({ result: false, FailReason: 2 });

    const res = await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01', DropCode: code });
    expect(res.ret).toBe(0);
    expect(res.data).toEqual({ LockNum: 'L01', DropCode: code, DropInfo: 'dropped', LockStatus: 10 });

    // the car parks, charges, stops; the lock stays down until the car has left
    const seq = await ctx.charging(ctx.p2, 'FX0001E01C1');
    await ctx.stopped(ctx.p2, seq, 'FX0001E01C1');
    expect(await lockStatusOf('L01')).toBe(10);
    await ctx.admin('FX0001E01C1', 'unplugged', 1);
    await eventually(() => lockStatusOf('L01'), { until: (s) => s === 50, what: 'L01 raised after the car left' });
    expect(park.lockStatus('FX0001', 'L01')).toBe(50);

    // the code is spent: quoting it again is stale (Ret 4004), and no drop is in force
    const stale = await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01', DropCode: code });
    expect(stale.ret).toBe(4004);
    expect(stale.msg).toMatch(/DropCode: spent or not issued/);
    expect((await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01' })).data).toMatchObject({
      DropCode: 0,
      DropInfo: 'raised',
      LockStatus: 50,
    });
  });

  it("refuses a lock of another partner's order, an unknown LockNum, a faulted lock (then drops it once healthy)", async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0001E01C2');
    // partner 1's session holds L02's connector: partner 2 may not drop it
    expect((await drop(ctx.p2, 'L02')).data).toMatchObject({ result: false, FailReason: 2 });
    expect(park.lockStatus('FX0001', 'L02')).toBe(50);
    // unknown lock, a station without locks
    expect((await drop(ctx.p2, 'L99')).data).toMatchObject({ result: false, FailReason: 1 });
    expect((await drop(ctx.p1, 'L01', 'FX0003')).data).toMatchObject({ result: false, FailReason: 1 });
    const unknown = await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L99' });
    expect(unknown.ret).toBe(4004);
    // a wrong code for a lock without a drop in force
    expect((await ctx.p1.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L02', DropCode: 123456 })).ret).toBe(4004);

    // the lock faults: the drop is refused (FailReason 3) and LockStatus is 0 (unknown)
    park.setLockFault('FX0001', 'L02', true);
    expect((await drop(ctx.p1, 'L02')).data).toMatchObject({ result: false, FailReason: 3 });
    expect(await lockStatusOf('L02')).toBe(0);
    expect((await ctx.p1.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L02' })).data).toMatchObject({
      DropCode: 0,
      DropInfo: 'lock fault: lock faulted',
      LockStatus: 0,
    });
    // repaired: the partner whose session holds the connector drops it
    park.setLockFault('FX0001', 'L02', false);
    const ok = await drop(ctx.p1, 'L02');
    expect(ok.data).toMatchObject({ result: true, FailReason: 0 });
    expect(await lockStatusOf('L02')).toBe(10);
    await ctx.stopped(ctx.p1, seq, 'FX0001E01C2');
    await ctx.admin('FX0001E01C2', 'unplugged', 1);
    await eventually(() => lockStatusOf('L02'), { until: (s) => s === 50, what: 'L02 raised after the car left' });
  });
});

describe('query_drop_lock_result — extension (DiDi 1.4.0, §5.1 ground locks)', () => {
  it("another partner's drop is not the caller's: it sees no code, and quoting one is refused", async () => {
    const r = await drop(ctx.p2, 'L01');
    const code = (r.data as { DropCode: number }).DropCode;
    const seen = await ctx.p1.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01' });
    expect(seen.data).toMatchObject({ LockNum: 'L01', DropCode: 0, LockStatus: 10 });
    expect((await ctx.p1.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01', DropCode: code })).ret).toBe(4004);
    // the car never came: leaving it idle raises nothing until a status change says the car left
    await ctx.admin('FX0001E01C1', 'plugged', 2);
    await ctx.admin('FX0001E01C1', 'unplugged', 1);
    await eventually(() => lockStatusOf('L01'), { until: (s) => s === 50, what: 'L01 raised' });
  });
});

describe('LockStatus in the connector status — §3.2 query_station_status, §3.3 notification_stationStatus', () => {
  /** the newest stationStatus push about the connector each partner accepted, once it shows `lock` */
  const pushedLock = (operatorId: string, connectorId: string, lock: number) =>
    eventually(async () => statusesAt(demo(ctx.platform, operatorId), connectorId).at(-1), {
      until: (s) => s?.LockStatus === lock,
      what: `${operatorId} pushed ${connectorId} LockStatus ${lock}`,
    });

  it('a drop is pushed as LockStatus 10 (unlocked), the raise after the car left as 50 (locked), a fault as 0 (unknown), to every partner that sees the connector', async () => {
    const c = 'FX0001E01C2';
    await eventually(() => lockStatusOf('L02'), { until: (s) => s === 50, what: 'L02 raised' });
    // the earlier tests' pushes have settled (once the newest is delivered, the push gate refuses any older one)
    for (const op of [P1, P2]) await pushedLock(op, c, 50);
    const pushesBefore = statusesAt(demo(ctx.platform, P1), c).length;
    const unlocked = await answered(ctx.p1, 'FX0001E02C1');
    // dropped: both partners that see FX0001 (cec2016 and xiaoju dialects) get Status 1 with LockStatus 10
    expect((await drop(ctx.p2, 'L02')).data).toMatchObject({ result: true });
    for (const op of [P1, P2]) expect(await pushedLock(op, c, 10)).toMatchObject({ Status: 1, LockStatus: 10 });
    expect(await answered(ctx.p1, c)).toMatchObject({ Status: 1, LockStatus: 10 });
    expect(await answered(ctx.p2, c)).toMatchObject({ Status: 1, LockStatus: 10 });
    // a connector without a lock carries what its pile reports, untouched by the locks
    expect(await answered(ctx.p1, 'FX0001E02C1')).toEqual(unlocked);

    // the car parks: the pile's statuses keep the lock's LockStatus
    await ctx.admin(c, 'plugged', 2);
    await eventually(async () => statusesAt(demo(ctx.platform, P1), c).at(-1), {
      until: (s) => s?.Status === 2,
      what: `${c} Status 2 pushed`,
    });
    expect(statusesAt(demo(ctx.platform, P1), c).at(-1)).toMatchObject({ Status: 2, LockStatus: 10 });
    expect(await answered(ctx.p1, c)).toMatchObject({ Status: 2, LockStatus: 10 });
    // … and leaves: the lock rises (50), pushed after the status change
    await ctx.admin(c, 'unplugged', 1);
    for (const op of [P1, P2]) expect(await pushedLock(op, c, 50)).toMatchObject({ Status: 1, LockStatus: 50 });
    expect(await answered(ctx.p2, c)).toMatchObject({ Status: 1, LockStatus: 50 });

    // the lock faults on the next drop: LockStatus 0 (unknown), pushed
    park.setLockFault('FX0001', 'L02', true);
    expect((await drop(ctx.p1, 'L02')).data).toMatchObject({ result: false, FailReason: 3 });
    for (const op of [P1, P2]) expect(await pushedLock(op, c, 0)).toMatchObject({ Status: 1, LockStatus: 0 });
    expect(await answered(ctx.p1, c)).toMatchObject({ Status: 1, LockStatus: 0 });
    // repaired: the drop works again
    park.setLockFault('FX0001', 'L02', false);
    expect((await drop(ctx.p1, 'L02')).data).toMatchObject({ result: true });
    expect(await pushedLock(P1, c, 10)).toMatchObject({ LockStatus: 10 });
    // the lock's states were pushed in the order they happened (the push gate drops only an older one overtaken by a newer)
    const seen = statusesAt(demo(ctx.platform, P1), c)
      .slice(pushesBefore)
      .map((x) => `${x.Status}/${x.LockStatus}`);
    expect(seen.slice(0, 2)).toEqual(['1/10', '2/10']);
    const [raised, faulted] = [seen.indexOf('1/50'), seen.indexOf('1/0')];
    expect(raised).toBeGreaterThan(1);
    expect(faulted).toBeGreaterThan(raised);
    expect(seen.at(-1)).toBe('1/10');
  });
});

describe("ground locks while the car park's system is unreachable — defined failures, the order never touched", () => {
  it('a drop during the outage fails with FailReason 5 and changes nothing; query_drop_lock_result reports it', async () => {
    await eventually(() => lockStatusOf('L01'), { until: (s) => s === 50, what: 'L01 raised' });
    const before = await getLock('FX0001', 'L01');
    for (const mode of ['timeout', 'down'] as const) {
      park.setGate(mode);
      const r = await drop(ctx.p2, 'L01');
      expect(r.ret).toBe(0);
      expect(r.data).toEqual({ result: false, FailReason: 5 });
    }
    // nothing half-written: no drop, no code, the same state and revision; the lock itself never moved
    const after = await getLock('FX0001', 'L01');
    expect(after).toMatchObject({ lockStatus: before.lockStatus, rev: before.rev });
    expect(after.drop).toBeUndefined();
    expect(park.lockStatus('FX0001', 'L01')).toBe(50);
    expect(await lockStatusOf('L01')).toBe(50);
    // the caller reads why; another partner sees the lock as it is
    const res = await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01' });
    expect(res.data).toMatchObject({ LockNum: 'L01', DropCode: 0, LockStatus: 50, FailReason: 5 });
    expect((res.data as { DropInfo: string }).DropInfo).toMatch(/^drop failed: car park unreachable/);
    const other = (await ctx.p1.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01' })).data as Record<string, unknown>;
    expect(other).toMatchObject({ DropCode: 0, DropInfo: 'raised', LockStatus: 50 });
    expect(other.FailReason).toBeUndefined();
    park.setGate('up');
  });

  it('gate down when the car leaves → the order intact, the raise retried with backoff, parked in the DLQ, raised after a replay', async () => {
    park.setGate('up');
    const dropped = await drop(ctx.p2, 'L01');
    expect(dropped.data).toMatchObject({ result: true, FailReason: 0 });
    const code = (dropped.data as { DropCode: number }).DropCode;
    // the earlier failure is forgotten once the drop is recorded
    const res = (await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01', DropCode: code })).data as Record<
      string,
      unknown
    >;
    expect(res).toMatchObject({ DropCode: code, DropInfo: 'dropped', LockStatus: 10 });
    expect(res.FailReason).toBeUndefined();

    const seq = await ctx.charging(ctx.p2, 'FX0001E01C1');
    await ctx.stopped(ctx.p2, seq, 'FX0001E01C1');
    const orderFacts = async () => {
      const o = await getOrder(seq);
      return { status: o?.status, bill: o?.bill, endedAt: o?.endedAt };
    };
    const factsBefore = await orderFacts();
    expect(factsBefore.status).toBe(4);

    // the car park's system goes down; the car leaves
    park.setGate('down');
    const callsBefore = park.lockCalls;
    await ctx.admin('FX0001E01C1', 'unplugged', 1);
    const queues = ctx.platform.cloud.queues;
    const parked = () =>
      queues.peek(queues.dlqOf('parking-waivers')).filter((m) => m.body.includes('GroundLockRaiseDue') && m.body.includes(`${code}`));
    await eventually(async () => parked().length, { until: (n) => n >= 1, timeoutMs: 180_000, what: 'the due raise in the DLQ' });
    // retried until the queue's maxReceiveCount (5), then parked — the lock still down, its drop in force, the order untouched
    // (the first try when the car left, then one per receive)
    expect(park.lockCalls - callsBefore).toBeGreaterThanOrEqual(6);
    expect(park.lockStatus('FX0001', 'L01')).toBe(10);
    expect((await getLock('FX0001', 'L01')).drop?.code).toBe(code);
    expect(await orderFacts()).toEqual(factsBefore);

    // the car park recovers; the operator replays the DLQ (what `evcs dlq replay --queue parking-waivers` runs)
    park.setGate('up');
    const env = ctx.platform.cloud.env;
    const moved = await runWithEnv(env, () => replayDlq(env[envName('QUEUE_URL', 'parking-waivers')] as string));
    expect(moved).toBeGreaterThanOrEqual(1);
    await eventually(() => lockStatusOf('L01'), { until: (s) => s === 50, what: 'L01 raised after the replay' });
    expect(park.lockStatus('FX0001', 'L01')).toBe(50);
    // the code is spent; the order still as it was
    expect((await ctx.p2.call('query_drop_lock_result', { StationID: 'FX0001', LockNum: 'L01', DropCode: code })).ret).toBe(4004);
    expect(await orderFacts()).toEqual(factsBefore);
  });
});

// last in the file: no later test reads this connector's pushes
describe('the raise after the car left — events out of order', () => {
  it('a late "available" (delivered after the car came back) raises nothing: the lock stays down under the car until it leaves', async () => {
    // partner 1's drop of L02 (the test before left it in force; asked again, the same code)
    const r = await drop(ctx.p1, 'L02');
    expect(r.data).toMatchObject({ result: true });
    const code = (r.data as { DropCode: number }).DropCode;
    expect(park.lockStatus('FX0001', 'L02')).toBe(10);
    await ctx.admin('FX0001E01C2', 'plugged', 2);
    const calls = park.lockCalls;
    // the announcement of an earlier departure, reaching the rule only now
    const env = ctx.platform.cloud.env;
    const late = { StationID: 'FX0001', ConnectorID: 'FX0001E01C2', status: 1, previousStatus: 3 };
    expect(await runWithEnv(env, () => raiseAfterCarLeft(late, new Date()))).toBe(false);
    expect(park.lockCalls).toBe(calls);
    expect(park.lockStatus('FX0001', 'L02')).toBe(10);
    expect((await getLock('FX0001', 'L02')).drop?.code).toBe(code);
    // the car leaves: its own "available" raises the lock
    await ctx.admin('FX0001E01C2', 'unplugged', 1);
    await eventually(() => lockStatusOf('L02'), { until: (s) => s === 50, what: 'L02 raised after the car left' });
    expect(park.lockStatus('FX0001', 'L02')).toBe(50);
  });

  it('a departure from before the drop (delivered late, or its invocation retried) raises nothing, though the space is free', async () => {
    const env = ctx.platform.cloud.env;
    const live = await runWithEnv(env, () => getConnectorStatus('FX0001', 'FX0001E01C2'));
    if (live === 'unknown' || live === undefined) throw new Error('FX0001E01C2 has reported');
    expect(live.status).toBe(1);
    // the next driver drops the lock; the announcement of the last car's departure reaches the rule only now
    const r = await drop(ctx.p1, 'L02');
    expect(r.data).toMatchObject({ result: true });
    const calls = park.lockCalls;
    const departed = { StationID: 'FX0001', ConnectorID: 'FX0001E01C2', status: 1, previousStatus: 2, version: live.version };
    expect(await runWithEnv(env, () => raiseAfterCarLeft(departed, new Date()))).toBe(false);
    expect(park.lockCalls).toBe(calls);
    expect(park.lockStatus('FX0001', 'L02')).toBe(10);
    expect((await getLock('FX0001', 'L02')).drop?.code).toBe((r.data as { DropCode: number }).DropCode);
  });
});
