/**
 * Issue 17, item 6, with real sessions: partner p1's receiver is down for a simulated hour while
 * its sessions start, charge (meter values → notification_equip_charge_status), stop and bill on the
 * pile simulator. Two clocks, both injected: the pile simulator's MANUAL clock (meter samples, the
 * charge-status cadence) and `Date`, shifted forward in 5-minute jumps, each taken only once the
 * platform is settled (so a jump never expires a visibility timeout or a lease of work under way),
 * for the push service (backoff, breaker cooldown, held messages, tokens). The simulator never runs
 * ahead of `Date` (a jump first, then that step's pile time). Production push policy.
 *
 * Afterwards, for p1: every start result, charge status, stop result and order info arrived, each
 * order's pushes in order (its FIFO group), no charge status lost (a lost one leaves a gap of two
 * minimum cadences), up to the last the order decided; the connector statuses a subsequence of what the
 * platform published, the newest last; nothing in any DLQ; and the requests that reached the dead
 * partner within the bound the breaker's config gives. p2 (up) is not held by p1's outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../infra/local/bus.ts';
import type { ReceivedPush } from '../../infra/local/partner-server.ts';
import { getOrder, type Order } from '../../shared/store/orders.ts';
import { parseDateTime } from '../../shared/tcec/time.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { acceptedOf, demo, P1, P2 } from '../support/push.ts';
import { shiftedDate } from '../support/shifted-date.ts';

/** the injected clock: real time plus an offset the test moves */
const clock = shiftedDate();
// installed before the platform starts (vitest runs beforeAll hooks in order), removed after it stops
beforeAll(() => {
  clock.install();
});
afterAll(() => {
  clock.uninstall();
});

/** the production push policy (shared/push/config.ts defaults); only the HTTP timeout generous for a loaded machine */
const POLICY = {
  PUSH_BACKOFF_SECONDS: '10,30,60,120,300,600,900,1800,3600',
  PUSH_MAX_ATTEMPTS: '20',
  PUSH_PERMANENT_ATTEMPTS: '3',
  PUSH_BREAKER_THRESHOLD: '5',
  PUSH_BREAKER_COOLDOWN_SECONDS: '30',
  PUSH_PARTNER_CONCURRENCY: '4',
  PUSH_STATUS_INTERVAL_SECONDS: '50',
  PUSH_TIMEOUT_MS: '8000',
};
const ctx = useChargingPlatform({ env: POLICY });

const STEP_MS = 5 * 60_000;
const OUTAGE_STEPS = 12; // an hour
/**
 * the pile time of a step goes one meter interval (15 s) at a time, each tick's readings handled
 * before the next: an order's readings are folded one by one, so its charge statuses come at the first
 * reading at least MIN_CADENCE_MS after the previous one (45 s apart; a reading folded late, up to 60 s),
 * and a lost one leaves a gap of two decisions, 2 × MIN_CADENCE_MS or more
 */
const SIM_TICK_MS = 15_000;
/** the charge-status throttle's least spacing: PUSH_STATUS_INTERVAL_SECONDS less the 20% it allows early (shared/domain/metering.ts progressDue) */
const MIN_CADENCE_MS = Number(POLICY.PUSH_STATUS_INTERVAL_SECONDS) * 800;

/** p1's sessions: [connector, step started, step stopped]; the same connector twice (unplugged and plugged again between) */
const PLAN: ReadonlyArray<readonly [string, number, number]> = [
  ['FX0002E01C1', 0, 4],
  ['FX0002E02C1', 1, 8],
  ['FX0003E01C1', 3, 10],
  ['FX0002E01C1', 6, 11],
];
/** p2's session on a station both are granted: p2's receiver stays up */
const P2_CONNECTOR = 'FX0001E01C1';

const ORDER_IFACES = new Set<ReceivedPush['iface']>([
  'notification_start_charge_result',
  'notification_equip_charge_status',
  'notification_stop_charge_result',
  'notification_charge_order_info',
]);

const settle = () => ctx.platform.cloud.drain({ timeoutMs: 180_000 });
const jump = async () => {
  await settle();
  clock.advance(STEP_MS);
  await settle();
};
/** one step's pile time, a tick at a time, each tick's readings handled before the next */
const runPiles = async (ms: number) => {
  for (let t = 0; t < ms; t += SIM_TICK_MS) {
    ctx.platform.simulator!.advance(SIM_TICK_MS);
    await settle();
  }
};
const pending = () => {
  const d = ctx.platform.cloud.queues.depth('push-deliveries');
  return d.visible + d.inFlight + d.delayed;
};
const order = async (seq: string): Promise<Order> => {
  const o = await getOrder(seq, true);
  if (!o) throw new Error(`no order ${seq}`);
  return o;
};
const distinctBy = <T>(xs: readonly T[], key: (x: T) => string): T[] => {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(key(x)) && seen.add(key(x)));
};
const ms = (dateTime: unknown) => parseDateTime(String(dateTime))?.getTime() ?? Number.NaN;

describe('partner outage with real sessions — a simulated hour (issue 17)', () => {
  it('sessions start, charge, stop and bill while p1 is down: afterwards every push arrived, in order, none parked; requests bounded', async () => {
    const p1 = demo(ctx.platform, P1);
    const p2 = demo(ctx.platform, P2);
    // every connector status the platform published (versions in order), as the push service fans it out
    const published = new Map<string, Array<{ version: number; status: number; park: number; lock: number }>>();
    const untap = ctx.platform.cloud.bus.tap((e: BusEvent) => {
      if (e['detail-type'] !== 'ConnectorStatusChanged') return;
      const d = e.detail as { ConnectorID: string; version: number; status: number; parkStatus: number; lockStatus: number };
      const list = published.get(d.ConnectorID) ?? [];
      list.push({ version: d.version, status: d.status, park: d.parkStatus, lock: d.lockStatus });
      published.set(d.ConnectorID, list);
    });

    // p1 has every boot status; then its receiver goes down
    p1.set({});
    await settle();
    p1.set({ fail: 'http500' });
    // the statuses p1 had before (each connector's boot status): those after are checked against what was published since
    const statusesBefore = p1.accepted('notification_stationStatus').length;
    const before = p1.requests();
    const outageFrom = Date.now();

    const seqs: Array<{ seq: string; connector: string }> = [];
    const running = new Map<string, string>(); // connector → seq
    let p2Seq = '';
    const perStep: number[] = [];
    for (let step = 0; step < OUTAGE_STEPS; step++) {
      if (step > 0) await jump();
      for (const [connector, from, to] of PLAN) {
        if (to === step) {
          await ctx.stopped(ctx.p1, running.get(connector)!, connector);
          running.delete(connector);
          ctx.platform.simulator!.admin(connector, 'unplugged');
        }
        if (from === step) {
          const seq = await ctx.charging(ctx.p1, connector);
          running.set(connector, seq);
          seqs.push({ seq, connector });
        }
      }
      if (step === 2) p2Seq = await ctx.charging(ctx.p2, P2_CONNECTOR);
      if (step === 7) await ctx.stopped(ctx.p2, p2Seq, P2_CONNECTOR);
      await runPiles(STEP_MS);
      perStep.push(p1.requests() - before);
    }
    await jump(); // the hour's last 5 minutes
    const outageMs = Date.now() - outageFrom;
    const duringOutage = p1.requests() - before;
    expect(running.size).toBe(0);

    // nothing reached p1 while it was down ...
    for (const iface of ORDER_IFACES)
      expect(acceptedOf(p1, iface).filter((r) => seqs.some((s) => r.data.StartChargeSeq === s.seq))).toEqual([]);
    // ... and p2, up all along, had its whole session meanwhile
    expect(distinctBy(acceptedOf(p2, 'notification_start_charge_result', p2Seq), (r) => JSON.stringify(r.data))).toHaveLength(1);
    expect(distinctBy(acceptedOf(p2, 'notification_charge_order_info', p2Seq), (r) => JSON.stringify(r.data))).toHaveLength(1);

    // the breaker: the failures that open it, the attempts already in flight then (one turn each), then
    // at most one half-open probe per cooldown of the injected clock
    const cfgNum = (k: keyof typeof POLICY) => Number(POLICY[k]);
    const bound =
      cfgNum('PUSH_BREAKER_THRESHOLD') +
      cfgNum('PUSH_PARTNER_CONCURRENCY') +
      1 +
      Math.ceil(outageMs / (cfgNum('PUSH_BREAKER_COOLDOWN_SECONDS') * 1000));
    const owed = pending();
    console.log(
      `partner outage with sessions: ${duringOutage} requests reached the dead partner in ${(outageMs / 60_000).toFixed(1)} simulated min ` +
        `(bound from the breaker's config ${bound}; cumulative per 5 min: ${perStep.join(',')}); ${owed} pushes held`,
    );
    expect(duringOutage).toBeGreaterThanOrEqual(cfgNum('PUSH_BREAKER_THRESHOLD'));
    expect(duringOutage).toBeLessThanOrEqual(bound);

    // p1 is back: simulated time goes on until every held push has been delivered
    p1.set({});
    const acceptedBefore = p1.accepted().length;
    const recoveredAt = Date.now();
    const realFrom = performance.now();
    let jumps = 0;
    for (; jumps < 30 && pending() > 0; jumps++) await jump();
    expect(pending()).toBe(0);
    const delivered = p1.accepted().slice(acceptedBefore);
    const byIface = [...new Set(delivered.map((r) => r.iface))].map((i) => `${delivered.filter((r) => r.iface === i).length} ${i}`);
    console.log(
      `partner outage with sessions: ${delivered.length} pushes delivered (${byIface.join(', ')}), the last ${((Date.now() - recoveredAt) / 60_000).toFixed(1)} simulated min ` +
        `after recovery (${jumps} jumps of 5 min, ${((performance.now() - realFrom) / 1000).toFixed(1)} s real)`,
    );
    untap();

    for (const { seq, connector } of seqs) {
      const o = await order(seq);
      expect(o.status).toBe(4);
      // the order's pushes, as p1 accepted them (a duplicate of a push whose answer was lost counts once)
      const pushes = distinctBy(
        p1.accepted().filter((r) => ORDER_IFACES.has(r.iface) && r.data.StartChargeSeq === seq),
        (r) => `${r.iface}${JSON.stringify(r.data)}`,
      );
      for (const r of pushes) acceptedOf(p1, r.iface, seq); // each conforms to the catalog
      const kinds = pushes.map((r) => r.iface);
      // in order (one FIFO group per order): start result, charge statuses, the last one, stop result, order info
      expect(kinds[0]).toBe('notification_start_charge_result');
      expect(kinds.slice(-2)).toEqual(['notification_stop_charge_result', 'notification_charge_order_info']);
      expect(kinds.filter((k) => k === 'notification_start_charge_result')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'notification_stop_charge_result')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'notification_charge_order_info')).toHaveLength(1);
      const statuses = pushes.filter((r) => r.iface === 'notification_equip_charge_status').map((r) => r.data);
      expect(kinds.slice(1, -2)).toEqual(statuses.map(() => 'notification_equip_charge_status'));
      // charge statuses: sample times strictly increasing, the final one (StartChargeSeqStat 4) last
      const times = statuses.map((s) => ms(s.EndTime));
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
      expect(statuses.at(-1)).toMatchObject({ StartChargeSeqStat: 4, ConnectorID: connector });
      const periodic = statuses.slice(0, -1);
      expect(periodic.every((s) => s.StartChargeSeqStat === 2)).toBe(true);
      // none lost: a lost one leaves a gap of two decisions (SIM_TICK_MS); up to the last the order decided (recorded as
      // lastProgressAt: pushed, or decided while the stop was under way and then left to the final status)
      expect(periodic.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < periodic.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(2 * MIN_CADENCE_MS);
      const decided = Math.floor(o.lastProgressAt! / 1000) * 1000; // EndTime is to the second
      expect(decided - times[periodic.length - 1]!).toBeGreaterThanOrEqual(0);
      expect(decided - times[periodic.length - 1]!).toBeLessThan(2 * MIN_CADENCE_MS);
      // the bill: the order info, the last charge status and the order agree
      const info = pushes.at(-1)!.data;
      expect(info).toMatchObject({ TotalPower: o.bill!.TotalPower, TotalMoney: o.bill!.TotalMoney });
      expect(statuses.at(-1)).toMatchObject({ TotalPower: o.bill!.TotalPower, TotalMoney: o.bill!.TotalMoney });
    }

    // connector statuses: what p1 received is a subsequence of what the platform published (never an
    // older after a newer), ending with the newest
    for (const connector of new Set(PLAN.map(([c]) => c))) {
      const versions = distinctBy(published.get(connector) ?? [], (x) => String(x.version)).sort((a, b) => a.version - b.version);
      expect(versions.length).toBeGreaterThanOrEqual(4);
      const got = acceptedOf(p1, 'notification_stationStatus', connector)
        .filter((r) => p1.accepted('notification_stationStatus').indexOf(r) >= statusesBefore)
        .map((r) => r.data.ConnectorStatusInfo as { Status: number; ParkStatus?: number; LockStatus?: number });
      const same = (g: (typeof got)[number], v: (typeof versions)[number]) =>
        g.Status === v.status && (g.ParkStatus ?? v.park) === v.park && (g.LockStatus ?? v.lock) === v.lock;
      let at = -1;
      for (const g of got) {
        // a duplicate of the version just delivered is allowed (an answer lost); otherwise a later version
        const next = same(g, versions[at] ?? { version: -1, status: -1, park: -1, lock: -1 })
          ? at
          : versions.findIndex((v, i) => i > at && same(g, v));
        expect(next, `${connector}: ${JSON.stringify(got)} against ${JSON.stringify(versions)}`).toBeGreaterThanOrEqual(0);
        at = next;
      }
      expect(at, `${connector}: the newest status arrived last`).toBe(versions.length - 1);
    }

    // nothing parked in any dead-letter queue
    const queues = ctx.platform.cloud.queues;
    for (const q of queues.sourceQueues()) {
      let dlq: string | undefined;
      try {
        dlq = queues.dlqOf(q.logical);
      } catch {
        continue; // a queue without a DLQ
      }
      expect(
        queues.peek(dlq).map((m) => m.body.slice(0, 200)),
        `${q.logical}'s DLQ`,
      ).toEqual([]);
    }
  }, 1_800_000);
});
