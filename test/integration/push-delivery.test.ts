/**
 * Pushes to partners through the local runtime, against the demo partner platforms
 * (infra/local/partner-server.ts): none lost, in order, isolated, re-tokened, never accepted on a
 * bad Sig; parked in the DLQ with the partner's Msg and replayable. (Issue 5, "Tests that must exist".)
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { OrderDisputed } from '../../events/disputes.ts';
import { PushEventsQueue } from '../../events/queues.ts';
import type { BusEvent } from '../../infra/local/bus.ts';
import { type DemoPartner, startDemoPartner } from '../../infra/local/partner-server.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { config } from '../../shared/config.ts';
import { profileOf } from '../../shared/domain/partner-profile.ts';
import { replayDlq } from '../../shared/push/dlq.ts';
import { deliverySchema } from '../../shared/push/messages.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { planAndEnqueue } from '../../shared/services/push-planning.ts';
import { eventually } from '../support/eventually.ts';
import {
  acceptedOf,
  demo,
  emitFinished,
  emitStarted,
  emitStatus,
  newSeq,
  P1,
  P2,
  startPushPlatform,
  statusChange,
  statusesAt,
} from '../support/push.ts';

let platform: Platform;
const disputes: BusEvent[] = [];
beforeAll(async () => {
  platform = await startPushPlatform();
  const bus = platform.cloud.bus;
  const dispatch = bus.dispatch.bind(bus);
  bus.dispatch = (event: BusEvent) => {
    if (event.source === OrderDisputed.source && event['detail-type'] === OrderDisputed.detailType) disputes.push(event);
    return dispatch(event);
  };
});
afterAll(async () => platform?.stop());

const healthy = () => {
  demo(platform, P1).set({});
  demo(platform, P2).set({});
};
const drain = () => platform.cloud.drain({ timeoutMs: 60_000, includeDelayed: true });
const dlqBodies = () =>
  platform.cloud.queues.peek(platform.cloud.queues.dlqOf('push-deliveries')).map((m) => deliverySchema().parse(JSON.parse(m.body)));

/** 36 distinct (Status, ParkStatus, LockStatus) so a received status names the version it came from */
const COMBOS = [1, 2, 3, 4, 255, 0].flatMap((s) => [10, 50, 0].flatMap((p) => [10, 50].map((l) => [s, p, l] as const)));
const versionOf = (x: { Status: number; ParkStatus?: number; LockStatus?: number }) =>
  COMBOS.findIndex(([s, p, l]) => s === x.Status && p === (x.ParkStatus ?? 0) && l === (x.LockStatus ?? 0)) + 1;

describe('push delivery — T/CEC 102 §1.8, §3.3, §3.8, §3.12 (issue 5)', () => {
  it('a status change reaches every partner granted the station, and only those', async () => {
    healthy();
    await emitStatus([statusChange('FX0001E02C1', 1, 2, 50, 10), statusChange('FX0002E02C1', 1, 3, 50, 50)]);
    await drain();
    expect(statusesAt(demo(platform, P1), 'FX0001E02C1')).toEqual([
      { ConnectorID: 'FX0001E02C1', Status: 2, ParkStatus: 50, LockStatus: 10 },
    ]);
    expect(statusesAt(demo(platform, P2), 'FX0001E02C1')).toHaveLength(1);
    expect(statusesAt(demo(platform, P1), 'FX0002E02C1')).toHaveLength(1);
    expect(statusesAt(demo(platform, P2), 'FX0002E02C1')).toEqual([]); // FX0002 is not granted to P2
  });

  it('a shuffled stream of status events: the final view is the newest and no older status ever follows a newer one', async () => {
    healthy();
    const c = 'FX0001E01C2';
    const versions = COMBOS.slice(0, 24).map((_, i) => i + 1);
    // deterministic shuffle, published in small bursts so several planners and deliverers race
    const shuffled = [...versions].sort((a, b) => ((a * 7919) % 31) - ((b * 7919) % 31));
    for (let i = 0; i < shuffled.length; i += 4) {
      await emitStatus(shuffled.slice(i, i + 4).map((v) => statusChange(c, v, ...COMBOS[v - 1]!)));
    }
    await drain();
    for (const p of [P1, P2]) {
      const seen = statusesAt(demo(platform, p), c).map(versionOf);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)).toBe(24);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    }
  });

  it('the partner is down for a while: after it recovers every push arrives, none lost', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ fail: 'http500' });
    const before = d1.requests();
    const connectors = ['FX0002E01C1', 'FX0002E01C2', 'FX0003E02C1', 'FX0004E01C1', 'FX0004E01C2'];
    await emitStatus(connectors.map((c) => statusChange(c, 5, 255, 0, 0)));
    const seq = newSeq(P1);
    await emitStarted(P1, seq, 'FX0004E02C1');
    // it really was down: several attempts failed (and the breaker held the rest)
    await eventually(async () => d1.requests() - before, {
      until: (n) => n >= 6,
      timeoutMs: 20_000,
      what: 'failed attempts at the dead partner',
    });
    // and stays down until the failed pushes wait in backoff (delayed retries), then recovers
    await eventually(
      async () =>
        platform.cloud.queues.peek('push-deliveries').some((m) => (deliverySchema().parse(JSON.parse(m.body)).notBefore ?? 0) > Date.now()),
      { until: Boolean, what: 'retries waiting in backoff' },
    );
    d1.set({});
    await drain();
    // none lost (delivery is at least once: an attempt the partner accepted after our timeout is sent again, the same push)
    const distinct = <T>(xs: T[]) => [...new Set(xs.map((x) => JSON.stringify(x)))].map((x) => JSON.parse(x) as T);
    for (const c of connectors)
      expect(distinct(statusesAt(d1, c))).toEqual([{ ConnectorID: c, Status: 255, ParkStatus: 0, LockStatus: 0 }]);
    expect(distinct(acceptedOf(d1, 'notification_start_charge_result', seq).map((r) => r.data))).toHaveLength(1);
    expect(dlqBodies().filter((m) => m.partner === P1 && (m.id.includes(seq) || connectors.some((c) => m.id.includes(c))))).toEqual([]);
  });

  it('a Ret 4002 mid-stream: one new token, and every push continues to arrive', async () => {
    healthy();
    const d1 = demo(platform, P1);
    const c = 'FX0003E01C1';
    await emitStatus([statusChange(c, 1, 1)]);
    await drain();
    const tokens = d1.tokensIssued();
    const tokenBefore = acceptedOf(d1, 'notification_stationStatus', c).at(-1)!.token;
    d1.expireTokens();
    await emitStatus([statusChange(c, 2, 2, 50)]);
    await drain();
    await emitStatus([statusChange(c, 3, 3, 50)]);
    await drain();
    expect(statusesAt(d1, c).map((s) => s.Status)).toEqual([1, 2, 3]);
    expect(d1.tokensIssued()).toBe(tokens + 1);
    const after = acceptedOf(d1, 'notification_stationStatus', c)
      .slice(1)
      .map((r) => r.token);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(tokenBefore);
  });

  it('one dead partner does not delay a healthy one', async () => {
    healthy();
    const d1 = demo(platform, P1);
    const d2 = demo(platform, P2);
    d2.set({ fail: 'http500' });
    const cs = ['FX0001E01C1', 'FX0003E01C2', 'FX0003E02C1'];
    await emitStatus(cs.map((c) => statusChange(c, 7, 4, 50, 50)));
    // the healthy partner has all of them while the dead one still has none
    await eventually(async () => cs.every((c) => statusesAt(d1, c).some((s) => s.Status === 4)), {
      timeoutMs: 20_000,
      what: 'the healthy partner',
    });
    expect(cs.map((c) => statusesAt(d2, c).filter((s) => s.Status === 4).length)).toEqual([0, 0, 0]);
    d2.set({});
    await drain();
    for (const c of cs) expect(statusesAt(d2, c).filter((s) => s.Status === 4)).toHaveLength(1);
  });

  it('a tampered response Sig is a failed attempt: retried, never taken as delivered', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ tamperSig: true });
    const seq = newSeq(P1);
    await emitStarted(P1, seq, 'FX0002E01C2');
    await eventually(
      async () => d1.received.filter((r) => r.iface === 'notification_start_charge_result' && r.data.StartChargeSeq === seq).length,
      {
        until: (n) => n >= 2,
        timeoutMs: 20_000,
        what: 'a retry after the tampered Sig',
      },
    );
    d1.set({});
    await drain();
    const all = d1.received.filter((r) => r.data.StartChargeSeq === seq);
    expect(all.slice(0, 2).every((r) => !r.accepted)).toBe(true);
    expect(all.at(-1)!.accepted).toBe(true);
  });

  it('Status 1 (accepted and ignored) is not retried', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ stationStatus: 1 });
    await emitStatus([statusChange('FX0001E02C1', 3, 1)]);
    await drain();
    const got = d1.received.filter((r) => r.iface === 'notification_stationStatus' && JSON.stringify(r.data).includes('"FX0001E02C1"'));
    expect(got.map((r) => (r.data.ConnectorStatusInfo as { Status: number }).Status)).toEqual([2, 1]); // the first test's, then this one once
    // the other partner gets both changes, in order (a push whose answer was slow under load may
    // arrive twice: at-least-once, and a repeated status is harmless to a partner)
    const p2 = demo(platform, P2)
      .received.filter((r) => r.iface === 'notification_stationStatus' && JSON.stringify(r.data).includes('"FX0001E02C1"'))
      .map((r) => (r.data.ConnectorStatusInfo as { Status: number }).Status);
    expect([...new Set(p2)]).toEqual([2, 1]);
  });

  it('4004 is retried a few times, then parked in the DLQ with the partner Msg; dlq replay delivers it', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ ret: 4004, msg: 'StartChargeSeq 未知' });
    const seq = newSeq(P1);
    await emitStarted(P1, seq, 'FX0003E01C1');
    const parked = await eventually(async () => dlqBodies().find((m) => m.id.includes(seq)), {
      timeoutMs: 30_000,
      what: 'the parked push in the DLQ',
    });
    expect(parked!.attempt).toBe(2);
    expect(parked!.lastError).toMatchObject({ class: 'permanent', ret: 4004, msg: 'StartChargeSeq 未知' });
    expect(parked!.parked?.reason).toContain('StartChargeSeq 未知');
    d1.set({});
    const moved = await replayDlq(
      config().queueUrl('push-deliveries'),
      Number.POSITIVE_INFINITY,
      (m) => m.delivery?.id.includes(seq) ?? false,
    );
    expect(moved).toBe(1);
    await drain();
    expect(acceptedOf(d1, 'notification_start_charge_result', seq)).toHaveLength(1);
    expect(dlqBodies().find((m) => m.id.includes(seq))).toBeUndefined();
  });

  it('a disputed order (ConfirmResult 1) raises OrderDisputed; the partner is not asked again', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ confirmResult: 1 });
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E01C1', { stoppedByPartner: true, charged: true });
    await drain();
    expect(acceptedOf(d1, 'notification_charge_order_info', seq)).toHaveLength(1);
    expect(acceptedOf(d1, 'notification_stop_charge_result', seq)).toHaveLength(1);
    expect(acceptedOf(d1, 'notification_equip_charge_status', seq).map((r) => r.data.StartChargeSeqStat)).toEqual([4]);
    await eventually(async () => disputes.find((e) => e.detail.StartChargeSeq === seq), { what: 'OrderDisputed' });
    expect(disputes.find((e) => e.detail.StartChargeSeq === seq)!.detail).toMatchObject({
      direction: 'out',
      via: 'notification_charge_order_info',
      OperatorID: P1,
      reason: 1,
    });
  });
});

describe('ordering (issue 9 §3): FIFO message group per (partner, key) + one conditional write (shared/store/push-gate.ts)', () => {
  it('a version whose answer was lost blocks every older one: v5 attempted (timeout), then v4 retried → skipped; v5 retried → allowed', async () => {
    const { claimVersion } = await import('../../shared/store/push-gate.ts');
    const key = `CONN#gate-test-${Date.now()}`;
    const now = Date.now();
    expect(await claimVersion(P1, key, 4, now)).toBe(true); // v4 failed (partner down)
    expect(await claimVersion(P1, key, 5, now)).toBe(true); // v5 sent, its answer lost
    expect(await claimVersion(P1, key, 4, now)).toBe(false);
    expect(await claimVersion(P1, key, 5, now)).toBe(true); // v5's retry
    expect(await claimVersion(P1, key, 6, now)).toBe(true);
    expect(await claimVersion(P1, key, 5, now)).toBe(false);
  });

  it('a start result is claimed once per order: its own retries pass, a later copy of it is stale, a charge status follows', async () => {
    const { claimVersion } = await import('../../shared/store/push-gate.ts');
    const key = `ORDER#gate-copy-${Date.now()}`;
    const now = Date.now();
    expect(await claimVersion(P1, key, 0, now, 'copy-a')).toBe(true); // the first copy, its answer lost
    expect(await claimVersion(P1, key, 0, now, 'copy-a')).toBe(true); // its retry (the very message)
    expect(await claimVersion(P1, key, 0, now, 'copy-b')).toBe(false); // a copy planned beyond the 5-minute dedup
    expect(await claimVersion(P1, key, 1_000, now)).toBe(true); // the order's first charge status
    expect(await claimVersion(P1, key, 0, now, 'copy-a')).toBe(false); // behind a charge status: stale, as before
  });

  it('a parked start result releases its copy: a later copy goes out, unless a charge status went first', async () => {
    const { claimVersion, releaseCopy } = await import('../../shared/store/push-gate.ts');
    const key = `ORDER#gate-park-${Date.now()}`;
    const now = Date.now();
    expect(await claimVersion(P1, key, 0, now, 'copy-a')).toBe(true); // the first copy, retried until parked
    expect(await releaseCopy(P1, key, 0, 'copy-b')).toBe(false); // another copy's release does nothing
    expect(await claimVersion(P1, key, 0, now, 'copy-b')).toBe(false);
    expect(await releaseCopy(P1, key, 0, 'copy-a')).toBe(true); // parked: its claim no longer names it
    expect(await claimVersion(P1, key, 0, now, 'copy-b')).toBe(true); // the charging consumer's copy, queued behind it
    expect(await claimVersion(P1, key, 1_000, now)).toBe(true); // the first charge status
    expect(await releaseCopy(P1, key, 0, 'copy-b')).toBe(false); // behind a charge status: nothing to release
    expect(await claimVersion(P1, key, 0, now, 'copy-c')).toBe(false);
  });

  it('a start result gate written before copies were named takes the next copy, then only its retries', async () => {
    const { claimVersion } = await import('../../shared/store/push-gate.ts');
    const key = `ORDER#gate-legacy-${Date.now()}`;
    const now = Date.now();
    expect(await claimVersion(P1, key, 0, now)).toBe(true);
    expect(await claimVersion(P1, key, 0, now, 'copy-a')).toBe(true);
    expect(await claimVersion(P1, key, 0, now, 'copy-b')).toBe(false);
    expect(await claimVersion(P1, key, 0, now, 'copy-a')).toBe(true);
  });

  it('one write per claim whatever the rhythm: versions seconds apart need no lease, no release', async () => {
    const { claimVersion } = await import('../../shared/store/push-gate.ts');
    const key = `CONN#gate-rhythm-${Date.now()}`;
    const t = Date.now();
    // plugged (v1), charging (v2) 100 ms later, v3 right after: each one claim, none waits
    for (const [v, at] of [
      [1, t],
      [2, t + 100],
      [3, t + 200],
    ] as const)
      expect(await claimVersion(P1, key, v, at)).toBe(true);
    expect(await claimVersion(P1, key, 2, t + 300)).toBe(false);
  });

  it('a slow partner: the next status of the same connector waits for the one in flight and arrives after it', async () => {
    healthy();
    const d1 = demo(platform, P1);
    // versions above any an earlier test of this file pushed for the connector (its gate item stays)
    const c = 'FX0003E01C2';
    const before = d1.requests();
    d1.set({ delayMs: 1_500 });
    await emitStatus([statusChange(c, 101, 1, 10, 10)]);
    await eventually(async () => d1.requests(), { until: (n) => n > before, what: 'the first push under way' });
    await emitStatus([statusChange(c, 102, 2, 50, 10)]);
    await drain();
    d1.set({});
    expect(
      statusesAt(d1, c)
        .map((x) => x.Status)
        .slice(-2),
    ).toEqual([1, 2]);
  });

  it('a refused push waits in backoff holding its group: the next status of the connector follows it, never before it', async () => {
    healthy();
    const d1 = demo(platform, P1);
    const c = 'FX0004E02C1';
    // refused until told otherwise, and retryable (Ret 500): v1's retry stays in its group until the
    // partner heals. (A 4004 was parked after its second attempt, 1 s later: a loaded machine's poll
    // could miss that window and time out — the flaky run.)
    d1.set({ ret: 500, msg: 'busy' });
    await emitStatus([statusChange(c, 101, 1, 10, 10)]);
    // v1 refused: its retry waits in backoff in its group
    await eventually(
      async () => platform.cloud.queues.peek('push-deliveries').some((m) => m.body.includes(c) && /"attempt":[1-9]/.test(m.body)),
      { until: Boolean, what: 'the retry of v1 in its group' },
    );
    d1.set({});
    await emitStatus([statusChange(c, 102, 3, 50, 10)]);
    await drain();
    const seen = statusesAt(d1, c).map((x) => x.Status);
    expect(seen.at(-1)).toBe(3);
    expect(seen.lastIndexOf(1)).toBeLessThan(seen.indexOf(3));
  });
});

describe("an order's pushes hold their FIFO group (issue 9 §3): strictly in sequence, parked after real attempts only", () => {
  /** this order's pushes as the partner saw them, in arrival order: `iface Ret` */
  const arrivals = (seq: string) =>
    demo(platform, P1)
      .received.filter((r) => JSON.stringify(r.data).includes(`"${seq}"`))
      .map((r) => `${r.iface} ${r.ret}`);

  it('a stop result refused (Ret 500) waits at the head of its group: the order follows it, never before it', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ refuseFirst: { notification_stop_charge_result: 1 } });
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E02C1', { stoppedByPartner: true, charged: true });
    await drain();
    d1.set({});
    expect(arrivals(seq)).toEqual([
      'notification_equip_charge_status 0',
      'notification_stop_charge_result 500',
      'notification_stop_charge_result 0',
      'notification_charge_order_info 0',
    ]);
  });

  it('refused 6 times, the breaker opening on the way: its group is held and received again and again, none of it reaches the DLQ unattempted', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ refuseFirst: { notification_stop_charge_result: 6 } });
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0003E02C1', { stoppedByPartner: true, charged: true });
    // the stop result is received far more often than it is attempted (breaker holds; the order behind it comes along each time)
    await drain();
    d1.set({});
    expect(arrivals(seq)).toEqual([
      'notification_equip_charge_status 0',
      ...Array.from({ length: 6 }, () => 'notification_stop_charge_result 500'),
      'notification_stop_charge_result 0',
      'notification_charge_order_info 0',
    ]);
    expect(dlqBodies().filter((m) => m.id.includes(seq))).toEqual([]);
  });

  it('refused 4004 (PUSH_PERMANENT_ATTEMPTS=2): parked after exactly its 2 real attempts; the pushes behind it are delivered, in order', async () => {
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ refuseFirst: { notification_stop_charge_result: 5 }, refuseRet: 4004, msg: 'StartChargeSeq 未知' });
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0004E01C2', { stoppedByPartner: true, charged: true });
    await drain();
    d1.set({});
    expect(arrivals(seq)).toEqual([
      'notification_equip_charge_status 0',
      'notification_stop_charge_result 4004',
      'notification_stop_charge_result 4004',
      'notification_charge_order_info 0',
    ]);
    const parked = dlqBodies().filter((m) => m.id.includes(seq));
    expect(parked.map((m) => m.iface)).toEqual(['notification_stop_charge_result']);
    expect(parked[0]).toMatchObject({ attempt: 2, permanent: 2, lastError: { class: 'permanent', ret: 4004, msg: 'StartChargeSeq 未知' } });
    // replayed with a fresh budget (its attempts are counted per (id, createdAt)): delivered
    const moved = await replayDlq(
      config().queueUrl('push-deliveries'),
      Number.POSITIVE_INFINITY,
      (m) => m.delivery?.id.includes(seq) ?? false,
    );
    expect(moved).toBe(1);
    await drain();
    expect(arrivals(seq).at(-1)).toBe('notification_stop_charge_result 0');
  });
  it("a supervision push's resends keep the profile's schedule to the second: the same message held 150 s, then 300 s, then parked", async () => {
    const { deliver } = await import('../../shared/push/deliver.ts');
    healthy();
    const d1 = demo(platform, P1);
    d1.set({ refuseFirst: { notification_stop_charge_result: 3 } });
    const seq = newSeq(P1);
    const m = deliverySchema().parse({
      kind: 'push',
      v: 1,
      id: `notification_stop_charge_result:${P1}:${seq}`,
      partner: P1,
      iface: 'notification_stop_charge_result',
      data: { StartChargeSeq: seq, StartChargeSeqStat: 4, ConnectorID: 'FX0001E02C2', SuccStat: 0, FailReason: 0 },
      createdAt: Date.now(),
      supervision: { resend: [150, 300] },
    });
    /** one attempt of the very same message; the hold counts from the attempt's start */
    const attemptAt = async () => {
      const t0 = Date.now();
      const r = await deliver(m, t0);
      return { r, tookS: (Date.now() - t0) / 1000 };
    };
    for (const wait of [150, 300]) {
      const { r, tookS } = await attemptAt();
      expect(r.action === 'wait' && r.note).toBe('retry');
      const seconds = r.action === 'wait' ? r.seconds : 0;
      expect(seconds).toBeLessThanOrEqual(wait);
      expect(seconds).toBeGreaterThanOrEqual(Math.ceil(wait - tookS));
    }
    const { r } = await attemptAt();
    expect(r).toMatchObject({ action: 'park', message: { attempt: 3, lastError: { class: 'ret', ret: 500 } } });
    d1.set({});
  });
});

describe("a partner's reply read through its profile (issue 14)", () => {
  const OP = 'MA0CNFRM1';
  /** the partner answers the order push with ConfirmResult renamed */
  const profiles = {
    confirm: { extends: 'cec2016', rename: { 'notification_charge_order_info.response': { ConfirmResult: 'Confirmed' } } },
  };
  let partner: DemoPartner;
  beforeAll(async () => {
    const outbound = {
      operatorSecret: 'cnfrmOpSecret001',
      dataSecret: 'cnfrmDataKey0001',
      dataSecretIV: 'cnfrmDataIV00001',
      sigSecret: 'cnfrmSigKey00001',
    };
    partner = await startDemoPartner({
      operatorId: OP,
      ourOperatorId: config().OPERATOR_ID,
      secrets: outbound,
      profile: profileOf({ dialect: 'cec2016', profile: 'confirm', profiles }),
    });
    await onboardPartner({
      operatorId: OP,
      name: 'Confirm msp',
      profile: 'confirm',
      profiles,
      outbound: { ...outbound, baseUrl: partner.baseUrl },
    });
  });
  afterAll(() => partner?.close());

  it('ConfirmResult under its profile name: the order is delivered once and its dispute (2) is read', async () => {
    partner.set({ confirmResult: 2 });
    const seq = newSeq(OP);
    await emitFinished(OP, seq, 'FX0002E01C1', { stoppedByPartner: true, charged: true });
    await drain();
    expect(acceptedOf(partner, 'notification_charge_order_info', seq)).toHaveLength(1);
    await eventually(async () => disputes.find((e) => e.detail.StartChargeSeq === seq), { what: 'OrderDisputed' });
    expect(disputes.find((e) => e.detail.StartChargeSeq === seq)!.detail).toMatchObject({
      via: 'notification_charge_order_info',
      OperatorID: OP,
      reason: 2,
      detail: 'ConfirmResult 2',
    });
    expect(dlqBodies().filter((m) => m.partner === OP)).toEqual([]);
  });

  it('a batch of push events: the deliveries of all its events leave in one SendMessageBatch; an event that does not parse fails alone', async () => {
    healthy();
    const envelope = (detail: ReturnType<typeof statusChange>) =>
      JSON.stringify({
        version: '0',
        id: randomUUID(),
        source: ConnectorStatusChanged.source,
        'detail-type': ConnectorStatusChanged.detailType,
        time: new Date().toISOString(),
        region: 'us-east-1',
        account: '000000000000',
        resources: [],
        detail,
      });
    // FX0001 and FX0003: granted to both partners, so 2 + 2 deliveries
    const bodies = [
      envelope(statusChange('FX0001E01C2', 10_000, 2, 50)),
      '{"not":"an event"}',
      envelope(statusChange('FX0003E01C2', 10_000, 3, 50)),
    ];
    // every AWS SDK call of this process goes through @smithy/core's Client.send: count the SendMessageBatch calls
    const { Client } = createRequire(import.meta.url)('@smithy/core/client') as {
      Client: { prototype: { send: (this: unknown, cmd: { constructor: { name: string } }, ...rest: unknown[]) => unknown } };
    };
    const send = Client.prototype.send;
    let batches = 0;
    Client.prototype.send = function (this: unknown, cmd, ...rest) {
      if (cmd.constructor.name === 'SendMessageBatchCommand') batches++;
      return send.call(this, cmd, ...rest);
    };
    let failed: number[];
    try {
      failed = await planAndEnqueue(bodies.map((b) => () => PushEventsQueue.parse(b)));
    } finally {
      Client.prototype.send = send;
    }
    expect(failed).toEqual([1]);
    expect(batches).toBe(1);
    await drain();
    for (const p of [P1, P2]) {
      expect(statusesAt(demo(platform, p), 'FX0001E01C2').at(-1)).toMatchObject({ Status: 2, ParkStatus: 50 });
      expect(statusesAt(demo(platform, p), 'FX0003E01C2').at(-1)).toMatchObject({ Status: 3, ParkStatus: 50 });
    }

    // a batch whose send fails as a whole because of one event's deliveries: each event is sent on its
    // own, and only the event whose deliveries fail alone is retried
    const poisoned = [envelope(statusChange('FX0001E01C2', 10_001, 1, 10)), envelope(statusChange('FX0003E01C2', 10_001, 4, 10))];
    const sends: number[] = [];
    Client.prototype.send = function (this: unknown, cmd, ...rest) {
      if (cmd.constructor.name === 'SendMessageBatchCommand') {
        const entries = (cmd as unknown as { input: { Entries: { MessageBody: string }[] } }).input.Entries;
        sends.push(entries.length);
        if (entries.some((e) => e.MessageBody.includes('FX0003E01C2')))
          return Promise.reject(new Error('injected: a delivery SQS refuses'));
      }
      return send.call(this, cmd, ...rest);
    };
    try {
      failed = await planAndEnqueue(poisoned.map((b) => () => PushEventsQueue.parse(b)));
    } finally {
      Client.prototype.send = send;
    }
    expect(failed).toEqual([1]);
    expect(sends).toEqual([4, 2, 2]); // together, then FX0001's own (sent), then FX0003's own (refused)
    await drain();
    for (const p of [P1, P2]) {
      expect(statusesAt(demo(platform, p), 'FX0001E01C2').at(-1)).toMatchObject({ Status: 1, ParkStatus: 10 });
      expect(statusesAt(demo(platform, p), 'FX0003E01C2').at(-1)).toMatchObject({ Status: 3, ParkStatus: 50 });
    }
  });
});
