/**
 * Test support for the charging conformance tests: the station fixture platform with the pile
 * simulator on a MANUAL clock (simulated time moves only when a test pumps it, so pile answers and
 * meter samples never race the wall clock), two logged-in partners and session helpers.
 *
 * Partners of the fixture seed: p1 MA01H3BQ2 (cec2016, every station, feature queryChargeInfo),
 * p2 MA02XJ7K3 (xiaoju, FX0001 and FX0003 only, no queryChargeInfo). FX0004 has no prices.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, vi } from 'vitest';
import type { Platform, PlatformOptions } from '../../infra/local/platform.ts';
import type { AdminState } from '../../infra/local/simulator/index.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder, type Order } from '../../shared/store/orders.ts';
import { eventually } from './eventually.ts';
import { startTestPlatform } from './platform.ts';
import { shiftedDate } from './shifted-date.ts';
import { type Caller, loggedIn, STATIONS_SEED } from './stations.ts';

/** `yyyy-MM-dd HH:mm:ss` */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

let n = 0;
/** a fresh 27-character StartChargeSeq (or EquipAuthSeq) of the partner */
export const seqOf = (c: Caller) => `${c.partner.operatorId}${Date.now().toString().slice(-13)}${String(++n).padStart(5, '0')}`;

export interface ChargingCtx {
  platform: Platform;
  p1: Caller;
  p2: Caller;
  /** set a connector's simulated state and wait until the platform's connector view shows `status` */
  admin(connectorId: string, state: AdminState, status?: number): Promise<void>;
  /** wait until the platform's connector view shows `status` */
  waitStatus(connectorId: string, status: number): Promise<void>;
  /** poll `fn`, moving simulated time 1 s forward before each poll, until `until` holds */
  pump<T>(fn: () => Promise<T>, until: (v: T) => boolean, what: string): Promise<T>;
  /** plug a vehicle that cannot fill up during a test, start as `c`, and pump until the order charges with energy */
  charging(c: Caller, connectorId: string): Promise<string>;
  /** stop as `c` and pump until the order is finished */
  stopped(c: Caller, seq: string, connectorId: string): Promise<void>;
}

/** One charging platform for a test file: started before its tests, stopped after them. */
export const useChargingPlatform = (opts: Partial<PlatformOptions> = {}): ChargingCtx => {
  const ctx = {} as ChargingCtx;
  const waitStatus = async (connectorId: string, status: number) => {
    await eventually(async () => (await getConnectorView(connectorId))?.status, {
      until: (s) => s === status,
      what: `connector ${connectorId} status ${status}`,
    });
  };
  const pump = <T>(fn: () => Promise<T>, until: (v: T) => boolean, what: string) =>
    eventually(
      () => {
        ctx.platform.simulator!.advance(1_000);
        return fn();
      },
      { until, what },
    );
  const chargeStat = async (c: Caller, seq: string) =>
    (await c.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number; TotalPower: number };

  Object.assign(ctx, {
    waitStatus,
    pump,
    admin: async (connectorId: string, state: AdminState, status?: number) => {
      ctx.platform.simulator!.admin(connectorId, state);
      if (status !== undefined) await waitStatus(connectorId, status);
    },
    charging: async (c: Caller, connectorId: string) => {
      ctx.platform.simulator!.setVehicle(connectorId, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
      ctx.platform.simulator!.admin(connectorId, 'plugged');
      await waitStatus(connectorId, 2);
      const seq = seqOf(c);
      const r = await c.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connectorId });
      if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0)
        throw new Error(`start refused: ${r.ret} ${JSON.stringify(r.data)}`);
      await pump(
        () => chargeStat(c, seq),
        (d) => d.StartChargeSeqStat === 2 && d.TotalPower > 0,
        `${seq} charging with energy`,
      );
      return seq;
    },
    stopped: async (c: Caller, seq: string, connectorId: string) => {
      const r = await c.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId });
      if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0)
        throw new Error(`stop refused: ${r.ret} ${JSON.stringify(r.data)}`);
      await pump(
        () => chargeStat(c, seq),
        (d) => d.StartChargeSeqStat === 4,
        `${seq} finished`,
      );
    },
  });

  beforeAll(async () => {
    ctx.platform = await startTestPlatform({
      seedFile: STATIONS_SEED,
      simulator: { manualClock: true, offlineRatePerHour: 0, faultRatePerHour: 0, seed: 11, autoUnplug: false },
      ...opts,
    });
    ctx.p1 = await loggedIn(ctx.platform, 0);
    ctx.p2 = await loggedIn(ctx.platform, 1);
    // every connector announced itself through the status pipeline (a start is decided on the known status)
    const connectors = (
      ctx.platform.seed.stations as Array<{ EquipmentInfos: Array<{ ConnectorInfos: Array<{ ConnectorID: string }> }> }>
    ).flatMap((s) => s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => c.ConnectorID)));
    await Promise.all(connectors.map((c) => waitStatus(c, 1)));
  });
  afterAll(async () => ctx.platform?.stop());
  return ctx;
};

/**
 * One charging platform on a shifted `Date` (installed before the platform starts, removed after it
 * stops), for tests that move past a queue's visibility timeout without sleeping: no stranded sweep
 * (their orders run without readings on purpose) and 30 s per push (a loaded machine's slow answer
 * must not be taken for a lost one and the same push sent again); `env` adds to it.
 */
export const useShiftedChargingPlatform = (env: Readonly<Record<string, string>> = {}) => {
  const clock = shiftedDate();
  // registered before the platform's own hooks: vitest runs beforeAll hooks in order, afterAll ones in reverse
  beforeAll(() => {
    clock.install();
  });
  afterAll(() => {
    clock.uninstall();
  });
  const ctx = useChargingPlatform({ schedules: false, env: { PUSH_TIMEOUT_MS: '30000', ...env } });
  /** every queue and bus of the platform drained */
  const settle = () => ctx.platform.cloud.drain({ timeoutMs: 180_000 });
  /** the order as stored now (strongly consistent); it must exist */
  const order = async (seq: string): Promise<Order> => {
    const o = await getOrder(seq, true);
    if (!o) throw new Error(`no order ${seq}`);
    return o;
  };
  /** plug a vehicle that cannot fill up, and wait until the connector shows plugged */
  const plug = async (connector: string) => {
    ctx.platform.simulator!.setVehicle(connector, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    await ctx.admin(connector, 'plugged', 2);
  };
  return { clock, ctx, settle, order, plug };
};

/** the charging queue's visibility timeout (events/queues.ts), and a second for the poller */
export const REDELIVERY_MS = 61_000;

/** PutEvents fails for the first OrderStarted of `seq` only; every other call goes through */
export const failFirstOrderStarted = (seq: string) => {
  const send = EventBridgeClient.prototype.send;
  const state = { failed: 0 };
  const spy = vi.spyOn(EventBridgeClient.prototype, 'send').mockImplementation(function (this: EventBridgeClient, ...args: unknown[]) {
    const cmd = args[0];
    if (state.failed === 0 && cmd instanceof PutEventsCommand) {
      const entries = cmd.input.Entries ?? [];
      if (entries.some((e) => e.DetailType === 'OrderStarted' && e.Detail?.includes(seq))) {
        state.failed++;
        return Promise.reject(new Error('injected: PutEvents unavailable'));
      }
    }
    return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  } as never);
  return { state, restore: () => spy.mockRestore() };
};
