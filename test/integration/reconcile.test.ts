/**
 * Nightly reconciliation (check_charge_orders, reference §3.13) and the order catch-up through the
 * local runtime, against the demo partner platforms (infra/local/partner-server.ts), which answer
 * check_charge_orders with the disputes they are told to raise. (Issue 11, "Tests that must exist".)
 *
 * Orders are written with the order store itself (createOrder + finishOrder, as the charging
 * service writes them); their days lie in October 2026, outside the catch-up's look-back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderDisputed } from '../../events/disputes.ts';
import { ReconcileRunsQueue } from '../../events/queues.ts';
import type { BusEvent } from '../../infra/local/bus.ts';
import { type DemoPartner, startDemoPartner } from '../../infra/local/partner-server.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { dayOfEnd } from '../../shared/domain/reconcile.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { reconcilePartnerDay } from '../../shared/services/reconcile.ts';
import { recordConfirmResult } from '../../shared/store/orders.ts';
import { getPartner, putPartner } from '../../shared/store/partners.ts';
import { getCatchup, getRun, listDay } from '../../shared/store/reconcile.ts';
import { DIDI_CONTRACT } from '../fixtures/profiles/didi-contract.ts';
import { runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { acceptedOf, demo, FAST_PUSH_ENV, P1, P2 } from '../support/push.ts';
import { finishedOrder as finished } from '../support/reconcile.ts';
import { startStationsPlatform } from '../support/stations.ts';

let platform: Platform;
let dataDir: string;
const disputed: BusEvent[] = [];
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'evcs-reconcile-'));
  platform = await startStationsPlatform({
    dataDir,
    // the dispatcher is invoked by the tests at chosen times; the catch-up likewise
    schedules: false,
    env: {
      ...FAST_PUSH_ENV,
      RECONCILE_MAX_ORDERS_PER_REQUEST: '3',
      RECONCILE_BACKOFF_SECONDS: '1',
      RECONCILE_MAX_ATTEMPTS: '3',
      RECONCILE_TIMEOUT_MS: '5000',
    },
  });
  const bus = platform.cloud.bus;
  const dispatch = bus.dispatch.bind(bus);
  bus.dispatch = (event: BusEvent) => {
    if (event.source === OrderDisputed.source && event['detail-type'] === OrderDisputed.detailType) disputed.push(event);
    return dispatch(event);
  };
});
afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const drain = () => platform.cloud.drain({ timeoutMs: 90_000, includeDelayed: true });
const healthy = () => {
  demo(platform, P1).set({});
  demo(platform, P2).set({});
};

const checks = (operatorId: string, day: string) =>
  demo(platform, operatorId)
    .received.filter((r) => r.iface === 'check_charge_orders' && String(r.data.StartTime).startsWith(day))
    .map(
      (r) =>
        r.data as {
          CheckOrderSeq: string;
          OrderCount: number;
          TotalOrderPower: number;
          TotalOrderMoney: number;
          StartTime: string;
          EndTime: string;
          ChargeOrders: Array<{ StartChargeSeq: string; TotalPower: number; TotalMoney: number }>;
        },
    );

/** the scheduler's event at an instant (the dispatcher acts on its `time`) */
const tick = (iso: string) =>
  platform.cloud.invoke('reconcile-dispatch', { 'detail-type': 'Scheduled Event', source: 'aws.scheduler', time: iso, detail: {} });

const stable = (d: Awaited<ReturnType<typeof listDay>>) => ({
  runs: d.runs.map(({ updatedAt: _u, attempts: _a, requests, ...r }) => ({
    ...r,
    requests: requests.map(({ CheckOrderSeq: _c, ...q }) => q),
  })),
  disputes: d.disputes.map(({ updatedAt: _u, CheckOrderSeq: _c, ...x }) => x),
});

describe('check_charge_orders — T/CEC 102 §3.13 (issue 11)', () => {
  const DAY = '2026-10-05';
  const seqs = { p1: [] as string[], p2: [] as string[] };

  it('a day with orders of two partners (one crossing midnight): each partner receives exactly its own orders, correct totals', async () => {
    healthy();
    // China time = UTC+8: 2026-10-05 00:00 CST = 2026-10-04T16:00Z
    seqs.p1.push(await finished(P1, '2026-10-05T01:00:00Z', '2026-10-05T02:00:00Z', 12.35, 14.97));
    seqs.p1.push(await finished(P1, '2026-10-04T15:50:00Z', '2026-10-04T16:20:00Z', 7.5, 9.01)); // 23:50 → 00:20 CST: the 5th
    seqs.p1.push(await finished(P1, '2026-10-05T15:00:00Z', '2026-10-05T15:59:59Z', 0.01, 0.02)); // ends 23:59:59 CST
    const before = await finished(P1, '2026-10-04T15:00:00Z', '2026-10-04T15:59:58Z', 3, 3); // 23:59:58 CST on the 4th
    const after = await finished(P1, '2026-10-05T15:30:00Z', '2026-10-05T16:00:00Z', 4, 4); // 00:00:00 CST on the 6th
    seqs.p2.push(await finished(P2, '2026-10-05T03:00:00Z', '2026-10-05T04:00:00Z', 20.1, 25.5));
    seqs.p2.push(await finished(P2, '2026-10-05T05:00:00Z', '2026-10-05T06:00:00Z', 30.25, 40.4));
    expect(dayOfEnd(new Date('2026-10-04T16:20:00Z'))).toBe(DAY);

    // before the configured minute (01:00 CST) nothing is due; at 01:00 the previous day is
    expect(await tick('2026-10-05T16:55:00Z')).toMatchObject({ enqueued: [] });
    expect(await tick('2026-10-05T17:00:00Z')).toMatchObject({ day: DAY, enqueued: [P1, P2] });
    await drain();

    const p1 = checks(P1, DAY);
    expect(p1).toHaveLength(1);
    expect(p1[0]!.CheckOrderSeq).toMatch(/^MA5GS8X01\d{18}$/);
    expect(p1[0]).toMatchObject({
      StartTime: '2026-10-05 00:00:00',
      EndTime: '2026-10-05 23:59:59',
      OrderCount: 3,
      TotalOrderPower: 19.86,
      TotalOrderMoney: 24,
    });
    expect(p1[0]!.ChargeOrders.map((o) => o.StartChargeSeq).sort()).toEqual([...seqs.p1].sort());
    expect(p1[0]!.ChargeOrders.map((o) => o.StartChargeSeq)).not.toContain(before);
    expect(p1[0]!.ChargeOrders.map((o) => o.StartChargeSeq)).not.toContain(after);
    const p2 = checks(P2, DAY);
    expect(p2).toHaveLength(1);
    expect(p2[0]).toMatchObject({ OrderCount: 2, TotalOrderPower: 50.35, TotalOrderMoney: 65.9 });
    expect(p2[0]!.ChargeOrders.map((o) => o.StartChargeSeq).sort()).toEqual([...seqs.p2].sort());
    expect(await getRun(P1, DAY)).toMatchObject({ status: 'agreed', orderCount: 3, disputeCount: 0, attempts: 1, trigger: 'schedule' });
    expect(await getRun(P2, DAY)).toMatchObject({ status: 'agreed', orderCount: 2, attempts: 1 });

    // the schedule fires again (every 5 minutes): the day is claimed already, nothing is sent twice
    expect(await tick('2026-10-05T17:05:00Z')).toMatchObject({ enqueued: [] });
    await drain();
    expect(checks(P1, DAY)).toHaveLength(1);
  });

  it('a partner that disputes one order (reason 3): stored with both figures and evented; re-running the day changes nothing', async () => {
    const seq = seqs.p1[0]!;
    demo(platform, P1).set({ disputes: [{ StartChargeSeq: seq, DisputeReason: 3, TotalPower: 12.3 }] });
    const first = await reconcilePartnerDay(P1, DAY, 'manual');
    expect(first.run).toMatchObject({ status: 'disputed', disputeCount: 1, attempts: 2, trigger: 'manual' });
    const day = await listDay(DAY, P1);
    expect(day.disputes).toEqual([
      expect.objectContaining({
        StartChargeSeq: seq,
        reason: 3,
        OperatorID: P1,
        day: DAY,
        ours: { TotalPower: 12.35, TotalMoney: 14.97 },
        theirs: { TotalPower: 12.3, TotalMoney: 14.97 },
      }),
    ]);
    const events = await eventually(async () => disputed.filter((e) => e.detail.StartChargeSeq === seq), {
      until: (x) => x.length === 1,
      what: 'OrderDisputed',
    });
    expect(OrderDisputed.detail.parse(events[0]!.detail)).toMatchObject({
      direction: 'out',
      via: 'check_charge_orders',
      OperatorID: P1,
      reason: 3,
      day: DAY,
      ours: { TotalPower: 12.35, TotalMoney: 14.97 },
      theirs: { TotalPower: 12.3, TotalMoney: 14.97 },
    });

    const again = await reconcilePartnerDay(P1, DAY, 'manual');
    expect(again.run).toMatchObject({ status: 'disputed', disputeCount: 1, attempts: 3 });
    expect(stable(await listDay(DAY, P1))).toEqual(stable(day));
    await drain();
    expect(disputed.filter((e) => e.detail.StartChargeSeq === seq)).toHaveLength(1);
    // only reason 1 re-pushes an order
    expect(acceptedOf(demo(platform, P1), 'notification_charge_order_info', seq)).toEqual([]);
    healthy();
  });

  it('reason 1 (the partner never received the order): notification_charge_order_info is pushed again', async () => {
    const seq = seqs.p2[1]!;
    demo(platform, P2).set({ disputes: [{ StartChargeSeq: seq, DisputeReason: 1 }] });
    const r = await reconcilePartnerDay(P2, DAY, 'manual');
    expect(r.run).toMatchObject({ status: 'disputed', disputeCount: 1 });
    await eventually(async () => acceptedOf(demo(platform, P2), 'notification_charge_order_info', seq), {
      until: (x) => x.length === 1,
      what: 're-push',
    });
    const pushed = acceptedOf(demo(platform, P2), 'notification_charge_order_info', seq)[0]!.data;
    expect(pushed).toMatchObject({ StartChargeSeq: seq, TotalPower: 30.25, TotalMoney: 40.4 });
    expect((await getCatchup(seq))?.attempts).toEqual([expect.objectContaining({ why: expect.stringContaining('not found') })]);
    // the same answer again: the dispute is known, the order is not pushed a second time
    await reconcilePartnerDay(P2, DAY, 'manual');
    await drain();
    expect(acceptedOf(demo(platform, P2), 'notification_charge_order_info', seq)).toHaveLength(1);
    healthy();
  });

  it('a day over the maximum per request is split; each request’s totals describe that request', async () => {
    const day = '2026-10-07';
    const mine: string[] = [];
    for (let i = 0; i < 7; i++)
      mine.push(await finished(P1, `2026-10-07T0${i}:00:00Z`, `2026-10-07T0${i}:30:00Z`, 1 + i / 100, 2 + i / 10));
    const r = await reconcilePartnerDay(P1, day, 'manual');
    expect(r.run).toMatchObject({ status: 'agreed', orderCount: 7 });
    expect(r.run.requests.map((q) => q.OrderCount)).toEqual([3, 3, 1]);
    const sent = checks(P1, day);
    expect(sent.map((s) => s.OrderCount)).toEqual([3, 3, 1]);
    expect(new Set(sent.map((s) => s.CheckOrderSeq)).size).toBe(3);
    expect(sent.flatMap((s) => s.ChargeOrders.map((o) => o.StartChargeSeq)).sort()).toEqual(mine.sort());
    for (const s of sent) {
      expect(s.TotalOrderPower).toBeCloseTo(
        s.ChargeOrders.reduce((a, o) => a + o.TotalPower, 0),
        6,
      );
      expect(s.TotalOrderMoney).toBeCloseTo(
        s.ChargeOrders.reduce((a, o) => a + o.TotalMoney, 0),
        6,
      );
    }
  });

  describe('bad answers: a failed or suspicious run with the reason, never agreed, never a crash', () => {
    const day = '2026-10-09';
    let seq = '';
    beforeAll(async () => {
      seq = await finished(P1, '2026-10-09T02:00:00Z', '2026-10-09T03:00:00Z', 5, 6);
    });
    const cases: Array<[string, Parameters<ReturnType<typeof demo>['set']>[0], 'failed' | 'suspicious', RegExp]> = [
      ['a wrong Sig', { tamperSig: true }, 'failed', /Sig not verified/],
      ['Ret 4004', { ret: 4004, msg: 'bad request' }, 'failed', /Ret 4004/],
      ['a malformed DisputeOrders list', { disputeOrdersRaw: [{ StartChargeSeq: 'x' }] }, 'failed', /malformed answer/],
      ['a CheckOrderSeq that does not echo ours', { checkOrderSeq: 'MA01H3BQ2261009010000000001' }, 'suspicious', /does not echo ours/],
      [
        'disputes for orders we never sent',
        { disputes: [{ StartChargeSeq: 'MA01H3BQ2000000000000000099', DisputeReason: 2, TotalPower: 1, TotalMoney: 1, always: true }] },
        'suspicious',
        /never sent/,
      ],
    ];
    it.each(cases)('%s', async (_what, behaviour, status, reason) => {
      demo(platform, P1).set(behaviour);
      const r = await reconcilePartnerDay(P1, day, 'manual');
      healthy();
      expect(r.unreachable).toBeUndefined();
      expect(r.run.status).toBe(status);
      expect(r.run.reason).toMatch(reason);
      expect((await getRun(P1, day))?.status).toBe(status);
      expect((await listDay(day, P1)).disputes).toEqual([]);
    });
    it('the next good answer makes the day agreed', async () => {
      expect((await reconcilePartnerDay(P1, day, 'manual')).run).toMatchObject({ status: 'agreed', orderCount: 1 });
      expect(
        checks(P1, day)
          .at(-1)
          ?.ChargeOrders.map((o) => o.StartChargeSeq),
      ).toEqual([seq]);
    });
  });

  it('a partner down all night: retried with backoff, then parked in the DLQ; a later manual run succeeds', async () => {
    const day = '2026-10-11';
    await finished(P2, '2026-10-11T02:00:00Z', '2026-10-11T03:00:00Z', 8, 9);
    demo(platform, P2).set({ fail: 'http500' });
    // an attempt is a query_token (no token cached) or a check_charge_orders (one cached) that failed; a push
    // to P2 retried meanwhile (the partner is down for it too) is not an attempt of the run
    const attempts = () => demo(platform, P2).requests('query_token') + demo(platform, P2).requests('check_charge_orders');
    const attemptsBefore = attempts();
    expect(await tick('2026-10-11T17:30:00Z')).toMatchObject({ day, enqueued: [P1, P2] });
    await drain();
    const dlq = platform.cloud.queues
      .peek(platform.cloud.queues.dlqOf(ReconcileRunsQueue.name))
      .map((m) => ReconcileRunsQueue.parse(m.body));
    expect(dlq).toEqual([
      expect.objectContaining({ OperatorID: P2, day, attempt: 3, parked: expect.stringContaining('unreachable after 3 attempts') }),
    ]);
    // three attempts, each one request that failed
    expect(attempts() - attemptsBefore).toBe(3);
    expect(await getRun(P2, day)).toMatchObject({ status: 'failed', attempts: 3, reason: expect.stringMatching(/^unreachable: /) });
    expect(await getRun(P1, day)).toMatchObject({ status: 'agreed' });

    healthy();
    const later = await reconcilePartnerDay(P2, day, 'manual');
    expect(later.unreachable).toBeUndefined();
    expect(later.run).toMatchObject({ status: 'agreed', orderCount: 1, attempts: 4, trigger: 'manual' });
    expect(later.run.reason).toBeUndefined();
  });
});

describe('opting out (features.reconcile: false)', () => {
  it('a partner that opted out is not reconciled by the schedule', async () => {
    const p2 = await getPartner(P2, { fresh: true });
    await putPartner({ ...p2!, features: { ...p2!.features, reconcile: false } });
    try {
      expect(await tick('2026-10-15T17:00:00Z')).toMatchObject({ day: '2026-10-15', enqueued: [P1] });
      await drain();
      expect(await getRun(P2, '2026-10-15')).toBeUndefined();
    } finally {
      await putPartner(p2!);
    }
  });

  it("a partner's own minute (features.reconcileAt) overrides RECONCILE_AT", async () => {
    const p2 = await getPartner(P2, { fresh: true });
    await putPartner({ ...p2!, features: { ...p2!.features, reconcileAt: '02:30' } });
    try {
      expect(await tick('2026-10-16T17:00:00Z')).toMatchObject({ day: '2026-10-16', enqueued: [P1] });
      expect(await tick('2026-10-16T18:25:00Z')).toMatchObject({ enqueued: [] });
      expect(await tick('2026-10-16T18:30:00Z')).toMatchObject({ day: '2026-10-16', enqueued: [P2] });
      await drain();
      expect(await getRun(P2, '2026-10-16')).toMatchObject({ status: 'agreed', trigger: 'schedule' });
    } finally {
      await putPartner(p2!);
    }
  });
});

describe('order catch-up (issue 11)', () => {
  it('re-pushes an order never confirmed within the hour, once per hour, with its attempt history; a confirmed order is left alone', async () => {
    healthy();
    const now = Date.now();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    const unconfirmed = await finished(P1, iso(3 * 3_600_000), iso(2 * 3_600_000), 11, 12);
    const confirmed = await finished(P1, iso(3 * 3_600_000), iso(2 * 3_600_000), 13, 14);
    const recent = await finished(P1, iso(40 * 60_000), iso(30 * 60_000), 15, 16);
    await recordConfirmResult(confirmed, 0, new Date());

    const first = (await platform.cloud.invoke('order-catchup', {})) as { repushed: string[] };
    expect(first.repushed).toContain(unconfirmed);
    expect(first.repushed).not.toContain(confirmed);
    expect(first.repushed).not.toContain(recent);
    await eventually(async () => acceptedOf(demo(platform, P1), 'notification_charge_order_info', unconfirmed), {
      until: (x) => x.length === 1,
      what: 'catch-up push',
    });

    // the job runs again (a retry, the next quarter hour): within the hour the order is not pushed again
    const second = (await platform.cloud.invoke('order-catchup', {})) as { repushed: string[] };
    expect(second.repushed).not.toContain(unconfirmed);
    await drain();
    expect(acceptedOf(demo(platform, P1), 'notification_charge_order_info', unconfirmed)).toHaveLength(1);
    expect(acceptedOf(demo(platform, P1), 'notification_charge_order_info', confirmed)).toEqual([]);
    expect((await getCatchup(unconfirmed))?.attempts).toEqual([expect.objectContaining({ why: 'catch-up: never confirmed' })]);
  });
});

describe('npm run evcs -- reconcile (issue 11)', () => {
  const cli = (args: string[]) => runCli('evcs', ['--data-dir', dataDir, ...args]);

  it('run prints the totals and the answer (exit 0); show --json lists runs and disputes; an unreachable partner exits 1', async () => {
    const day = '2026-10-13';
    const seq = await finished(P1, '2026-10-13T02:00:00Z', '2026-10-13T03:00:00Z', 9.5, 11.2);
    demo(platform, P1).set({ disputes: [{ StartChargeSeq: seq, DisputeReason: 2, TotalMoney: 10 }] });
    const run = await cli(['reconcile', 'run', '--partner', P1, '--date', day]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('OrderCount 1');
    expect(run.out).toContain('TotalOrderPower 9.5');
    expect(run.out).toContain(`${seq}  reason 2`);
    expect(run.out).toContain('disputed');

    const show = await cli(['reconcile', 'show', '--date', day, '--json']);
    expect(show.code).toBe(0);
    const json = JSON.parse(show.out) as {
      runs: Array<{ OperatorID: string; status: string }>;
      disputes: Array<{ StartChargeSeq: string; ours: unknown; theirs: unknown }>;
    };
    expect(json.runs).toEqual([expect.objectContaining({ OperatorID: P1, status: 'disputed' })]);
    expect(json.disputes).toEqual([
      expect.objectContaining({
        StartChargeSeq: seq,
        ours: { TotalPower: 9.5, TotalMoney: 11.2 },
        theirs: { TotalPower: 9.5, TotalMoney: 10 },
      }),
    ]);

    demo(platform, P1).set({ fail: 'http500' });
    const down = await cli(['reconcile', 'run', '--partner', P1, '--date', day]);
    healthy();
    expect(down.code).toBe(1);
    expect(down.out + down.err).toMatch(/unreachable/);

    expect((await cli(['reconcile', 'run', '--partner', P1, '--date', '2026-13-01'])).code).toBe(2);
  });

  it('partners add --no-reconcile records the opt-out', async () => {
    const r = await cli(['partners', 'add', '--operator-id', 'MA09RECN1', '--name', 'No Recon', '--no-reconcile']);
    expect(r.code).toBe(0);
    expect((await getPartner('MA09RECN1', { fresh: true }))?.features).toEqual({ queryChargeInfo: false, reconcile: false });
  });
});

describe('check_charge_orders in the partner profile (issue 14)', () => {
  const DIDI = 'MA0DIDI07';
  const day = '2026-10-21';
  let didi: DemoPartner;
  beforeAll(async () => {
    const outbound = {
      operatorSecret: 'didiReconOpSecr1',
      dataSecret: 'didiReconDataKy1',
      dataSecretIV: 'didiReconDataIV1',
      sigSecret: 'didiReconSigKey1',
    };
    didi = await startDemoPartner({ operatorId: DIDI, ourOperatorId: platform.seed.operatorId, secrets: outbound });
    await onboardPartner({
      operatorId: DIDI,
      name: 'DiDi recon',
      dialect: 'xiaoju',
      profile: 'didi',
      outbound: { ...outbound, baseUrl: didi.baseUrl },
    });
  });
  afterAll(() => didi?.close());

  it("didi: the token at evcs/sdk/query_token, the check at the root of its base URL, Data passing DiDi's strict contract", async () => {
    expect(new URL(didi.baseUrl).pathname).toBe('/evcs/v1/');
    const seq = await finished(DIDI, '2026-10-21T02:00:00Z', '2026-10-21T03:00:00Z', 10.5, 12.6);
    didi.set({ disputes: [{ StartChargeSeq: seq, DisputeReason: 2, TotalMoney: 12 }] });
    const r = await reconcilePartnerDay(DIDI, day, 'manual');
    expect(r.run).toMatchObject({ status: 'disputed', orderCount: 1 });
    expect(r.disputes).toEqual([expect.objectContaining({ StartChargeSeq: seq, reason: 2 })]);
    expect(new Set(didi.tokenPaths)).toEqual(new Set(['/evcs/sdk/query_token']));
    const sent = didi.received.filter((x) => x.iface === 'check_charge_orders');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('/check_charge_orders');
    const parsed = DIDI_CONTRACT['check_charge_orders.request']!.safeParse(sent[0]!.data);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(sent[0]!.data).toMatchObject({ OrderCount: 1, ChargeOrders: [{ StartChargeSeq: seq, TotalPower: 10.5, TotalMoney: 12.6 }] });
  });
});
