/**
 * Issue 17, item 6: a partner down for a simulated hour while sessions run. The production push
 * policy (backoff 10 s … 3600 s, 20 attempts, breaker after 5 failures, 30 s cooldown) runs on an
 * injected clock: `Date` is shifted forward in 5-minute jumps, each taken only once the platform is
 * settled (nothing visible or in flight), so a jump never expires a visibility timeout or a lease of
 * work under way. Delayed retries, the breaker's cooldown, tokens and ordering leases all read that
 * clock; HTTP timeouts stay real. Afterwards: every push reached the partner, statuses in order per
 * connector, nothing in the DLQ, and the partner saw a bounded number of requests while down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { deliverySchema } from '../../shared/push/messages.ts';
import {
  acceptedOf,
  demo,
  emitFinished,
  emitStarted,
  emitStatus,
  newSeq,
  P1,
  startPushPlatform,
  statusChange,
  statusesAt,
} from '../support/push.ts';
import { shiftedDate } from '../support/shifted-date.ts';

/** the injected clock: real time plus an offset the test moves */
const clock = shiftedDate();

const STEP_MS = 5 * 60_000;
const OUTAGE_STEPS = 12; // an hour
const CONNECTORS = ['FX0002E01C1', 'FX0002E01C2', 'FX0003E02C1', 'FX0004E01C1'];
/** distinct (Status, ParkStatus, LockStatus) per version, so a received status names its version */
const COMBOS: ReadonlyArray<readonly [number, number, number]> = [
  [2, 50, 10],
  [3, 50, 50],
  [3, 50, 10],
  [2, 50, 50],
  [1, 10, 10],
  [4, 0, 0],
];
const versionOf = (x: { Status: number; ParkStatus?: number; LockStatus?: number }) =>
  COMBOS.findIndex(([s, p, l]) => s === x.Status && p === (x.ParkStatus ?? 0) && l === (x.LockStatus ?? 0)) + 1;

let platform: Platform;
beforeAll(async () => {
  clock.install();
  // the production push policy (shared/push/config.ts defaults), only the HTTP timeout generous for a loaded machine
  platform = await startPushPlatform({
    PUSH_BACKOFF_SECONDS: '10,30,60,120,300,600,900,1800,3600',
    PUSH_MAX_ATTEMPTS: '20',
    PUSH_PERMANENT_ATTEMPTS: '3',
    PUSH_BREAKER_THRESHOLD: '5',
    PUSH_BREAKER_COOLDOWN_SECONDS: '30',
  });
});
afterAll(async () => {
  await platform?.stop();
  clock.uninstall();
});

/** let every visible or in-flight message be handled, then move the clock one step */
const settle = () => platform.cloud.drain({ timeoutMs: 90_000 });
const jump = async () => {
  await settle();
  clock.advance(STEP_MS);
  await settle();
};
const pending = () => {
  const d = platform.cloud.queues.depth('push-deliveries');
  return d.visible + d.inFlight + d.delayed;
};

describe('partner outage — a simulated hour (issue 17)', () => {
  it('down for an hour while sessions run: afterwards every push arrived, in order per connector, none parked; probes bounded', async () => {
    const d1 = demo(platform, P1);
    d1.set({});
    await settle();
    d1.set({ fail: 'http500' });
    const before = d1.requests();

    // sessions through the hour: per connector a status change every other step, a start at step 1,
    // the finished order (order info, last charge status) at step 9
    const seqs = new Map(CONNECTORS.map((c) => [c, newSeq(P1)]));
    const statusesPerStep: number[] = [];
    for (let step = 0; step < OUTAGE_STEPS; step++) {
      if (step % 2 === 0 && step / 2 < COMBOS.length) {
        const v = step / 2 + 1;
        await emitStatus(CONNECTORS.map((c) => statusChange(c, v, ...COMBOS[v - 1]!)));
      }
      if (step === 1) for (const c of CONNECTORS) await emitStarted(P1, seqs.get(c)!, c);
      if (step === 9) for (const c of CONNECTORS) await emitFinished(P1, seqs.get(c)!, c);
      statusesPerStep.push(d1.requests() - before);
      await jump();
    }
    const duringOutage = d1.requests() - before;
    console.log(
      `partner outage: ${duringOutage} requests reached the dead partner in a simulated hour (cumulative per 5 min: ${statusesPerStep.join(',')})`,
    );
    // it really was down (the breaker opened on failures) ...
    expect(duringOutage).toBeGreaterThanOrEqual(5);
    // ... and the breaker kept it to the failures that open it, a few racing attempts, and about one probe per cooldown
    // (about 40 pushes were owed: without the breaker each would have been tried ~8 times by its backoff)
    expect(duringOutage).toBeLessThanOrEqual(5 + 4 + 3 * OUTAGE_STEPS);
    expect(acceptedOf(d1, 'notification_stationStatus')).toHaveLength(0);

    // the partner is back: simulated time goes on until every retry has run
    d1.set({});
    for (let i = 0; i < 24 && pending() > 0; i++) await jump();
    expect(pending()).toBe(0);

    const distinct = <T>(xs: T[]) => [...new Set(xs.map((x) => JSON.stringify(x)))];
    for (const c of CONNECTORS) {
      // statuses: never an older one after a newer one, the newest last (versions may be skipped as stale, the newest never)
      const seen = statusesAt(d1, c).map(versionOf);
      expect(seen.at(-1)).toBe(COMBOS.length);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
      const seq = seqs.get(c)!;
      expect(distinct(acceptedOf(d1, 'notification_start_charge_result', seq).map((r) => r.data))).toHaveLength(1);
      expect(distinct(acceptedOf(d1, 'notification_charge_order_info', seq).map((r) => r.data))).toHaveLength(1);
    }
    const parked = platform.cloud.queues
      .peek(platform.cloud.queues.dlqOf('push-deliveries'))
      .map((m) => deliverySchema().parse(JSON.parse(m.body)))
      .filter((m) => m.partner === P1);
    expect(parked).toEqual([]);
  }, 600_000);
});
