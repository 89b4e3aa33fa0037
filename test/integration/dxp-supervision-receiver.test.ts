/**
 * Government supervision reporting against REAL local receivers (issue 13, "Tests that must
 * exist"; reference §5.3): Beijing e充网 and Chengdu played by real HTTP servers on loopback
 * (test/support/supervision-receiver.ts: their own query_token, our Sig and OperatorID checked,
 * AES Data, answers per a script), declared as `supervision` partners of the region of demo
 * station FX0002 (AreaCode 110105). Real sessions on the local platform reach them with each
 * profile's interfaces and fields; the SLA metric times the bonus order; a refused order follows
 * the profile's resend schedule on an INJECTED clock (the push lane's `deliver(message, now)` on
 * the message the lane itself holds, taken out of the lane: no minutes of real waiting); the nightly check_charge_orders
 * of the day reaches them and its answer is recorded; the nightly export of the day runs in parts
 * (one queue Lambda per hour) and its manifest holds the day's orders.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMetricSink } from '#powertools';
import { PushSupervisionQueue } from '../../events/queues.ts';
import { type Manifest, manifestKey } from '../../shared/domain/dxp-export.ts';
import { chinaHour } from '../../shared/domain/process-samples.ts';
import { dayOfEnd } from '../../shared/domain/reconcile.ts';
import { periodOf } from '../../shared/services/dxp-runs.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { resetPushPlanning } from '../../shared/services/push-planning.ts';
import { getObject } from '../../shared/store/objects.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { type SampleBatch, samplesOfHour, samplesSince } from '../../shared/store/process-samples.ts';
import { getRun } from '../../shared/store/reconcile.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { loadProfiles } from '../../shared/tcec/profiles.ts';
import { parseDateTime } from '../../shared/tcec/time.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { driveResends, expectSchedule, HOLD_SLACK_MS, takeHeld } from '../support/supervision-lane.ts';
import { type ReceiverCall, type SupervisionReceiver, startSupervisionReceiver } from '../support/supervision-receiver.ts';

// the breaker counts failures on the wall clock: the scripted refusals below must not open it
const ctx = useChargingPlatform({ env: { PUSH_BREAKER_THRESHOLD: '1000' } });

const BJ = 'BJJG10001';
const CD = 'CDJG10001';
/** station FX0002 (AreaCode 110105, Beijing), equipment FX0002E01, connectors of 120 kW */
const C1 = 'FX0002E01C1';
const C2 = 'FX0002E01C2';
const BONUS = 'notification_charge_order_info_for_bonus';
const profiles = loadProfiles();
const scheduleOf = (name: string) => profiles.get(name)?.supervision?.resendSeconds ?? [];

const secretSet = (): SecretSet => ({
  operatorSecret: randomBytes(8).toString('hex'),
  dataSecret: randomBytes(8).toString('hex'),
  dataSecretIV: randomBytes(8).toString('hex'),
  sigSecret: randomBytes(8).toString('hex'),
});

/** EMF records the handlers emit (the SLA timer's SupervisionPushLatency / SupervisionSlaBreach) */
const emf: Record<string, unknown>[] = [];
const slaOf = (operatorId: string, iface: string) =>
  emf.filter((m) => m.OperatorID === operatorId && m.interface === iface && typeof m.SupervisionPushLatency === 'number');
/** the breach record of a latency record: the push lane emits one single-metric record per metric, the breach right after */
const breachOf = (latency: Record<string, unknown>): Record<string, unknown> | undefined =>
  'SupervisionSlaBreach' in latency ? latency : emf[emf.indexOf(latency) + 1];

let bj: SupervisionReceiver;
let cd: SupervisionReceiver;
const seqs: string[] = [];

beforeAll(async () => {
  const ours = ctx.platform.seed.operatorId;
  const bjSecrets = secretSet();
  const cdSecrets = secretSet();
  bj = await startSupervisionReceiver(bjSecrets, ours);
  cd = await startSupervisionReceiver(cdSecrets, ours);
  await onboardPartner({
    operatorId: BJ,
    name: 'Beijing e充网',
    kind: 'supervision',
    profile: 'beijing',
    areaCodes: ['11'],
    outbound: { baseUrl: `${bj.origin}/`, ...bjSecrets },
  });
  await onboardPartner({
    operatorId: CD,
    name: 'Chengdu supervision',
    kind: 'supervision',
    profile: 'chengdu',
    areaCodes: ['11'],
    outbound: { baseUrl: `${cd.origin}/`, ...cdSecrets },
  });
  // the planner's partner list is cached per warm Lambda (30 s): these Lambdas run in this process
  resetPushPlanning();
  setMetricSink((line) => emf.push(JSON.parse(line) as Record<string, unknown>));
});

afterAll(async () => {
  setMetricSink(undefined);
  await Promise.all([bj?.close(), cd?.close()]);
});

const ms = (chinaTime: unknown) => parseDateTime(String(chinaTime))?.getTime() ?? Number.NaN;

describe('supervision platforms on real local receivers (issue 13)', () => {
  it('Beijing: a session’s start/stop results, charge status and bonus order reach e充网 with the profile’s fields, the order within 150 s', async () => {
    const seq = await ctx.charging(ctx.p1, C1);
    seqs.push(seq);
    // Beijing wants the charge status every 50 s of the session: simulated time moves until one arrives
    await ctx.pump(
      async () => bj.of('notification_equip_charge_status', seq).length,
      (n) => n >= 1,
      `${seq}: a charge status at e充网`,
    );
    // the process samples the realtime power schedule reads: by the sort key, only the batches since a watermark
    const hoursOf = () => [
      ...new Set([chinaHour(ctx.platform.simulator!.now().getTime() - 3_600_000), chinaHour(ctx.platform.simulator!.now().getTime())]),
    ];
    const batches = async (read: (h: string) => Promise<SampleBatch[]>) =>
      (await Promise.all(hoursOf().map(read)))
        .flat()
        .filter((b) => b.StartChargeSeq === seq)
        .map((b) => b.samples[0]![0])
        .sort((a, b) => a - b);
    const all = await ctx.pump(
      () => batches(samplesOfHour),
      (x) => x.length >= 3,
      `${seq}: three sample batches`,
    );
    const watermark = all[Math.floor(all.length / 2)]!;
    const since = await batches((h) => samplesSince(h, watermark));
    expect(since).toEqual(all.filter((t) => t >= watermark));
    expect(since.length).toBeLessThan(all.length);
    await ctx.stopped(ctx.p1, seq, C1);
    const [bonus] = await eventually(async () => bj.of(BONUS, seq), { until: (c) => c.length >= 1, what: `${seq}: the bonus order` });
    const order = await getOrder(seq);
    const bill = order!.bill!;

    // every call arrived where the profile puts it, verified (Sig, token, OperatorID, schema) and answered Ret 0
    expect(bj.refused).toEqual([]);
    expect(bj.calls.every((c) => c.path === `/evcs/20160701/${c.iface}`)).toBe(true);
    // at-least-once: a push may arrive twice, never with other data
    const start = bj.of('notification_start_charge_result', seq);
    expect(start.length).toBeGreaterThanOrEqual(1);
    expect(new Set(start.map((c) => JSON.stringify(c.data))).size).toBe(1);
    expect(start[0]!.data).toMatchObject({ StartChargeSeq: seq, StartChargeSeqStat: 2, ConnectorID: C1 });
    expect(bj.of('notification_stop_charge_result', seq)[0]?.data).toMatchObject({ StartChargeSeq: seq, ConnectorID: C1, SuccStat: 0 });
    expect(bj.of('notification_equip_charge_status', seq)[0]?.data).toMatchObject({ StartChargeSeq: seq, ConnectorID: C1 });
    // no commercial interface reaches a supervision platform that does not list it
    expect(bj.of('notification_charge_order_info')).toEqual([]);

    // the bonus order: the §3.12 order plus the profile's fields, checked against the stored order
    const d = bonus!.data;
    expect(d).toMatchObject({
      StartChargeSeq: seq,
      ConnectorID: C1,
      StartTime: bill.StartTime,
      EndTime: bill.EndTime,
      TotalPower: bill.TotalPower,
      TotalMoney: bill.TotalMoney,
      ChargeModel: 3, // started card-less through another platform (p1), not the supervisor's own
      UserName: ctx.p1.partner.operatorId,
      StationID: 'FX0002',
      EquipmentID: 'FX0002E01',
      ConnectorPower: 120,
      ChargeLast: (ms(bill.EndTime) - ms(bill.StartTime)) / 1000,
    });
    expect(d.MeterValueStart).toBeCloseTo(order!.meter!.first / 1000, 2);
    expect(d.MeterValueEnd).toBeCloseTo(order!.meter!.wh / 1000, 2);
    expect((d.MeterValueEnd as number) - (d.MeterValueStart as number)).toBeCloseTo(bill.TotalPower, 1);

    // the SLA timer: stop (the order's EndTime) → Ret 0, on the platform's clock, within the profile's 150 s
    const sla = await eventually(async () => slaOf(BJ, BONUS), { until: (x) => x.length >= 1, what: 'the bonus order’s SLA metric' });
    const latency = sla[0]!.SupervisionPushLatency as number;
    expect(latency).toBeLessThanOrEqual(150_000);
    // measured when the answer came back, after the receiver saw it (EndTime has whole seconds)
    expect(latency).toBeGreaterThanOrEqual(bonus!.at - ms(d.EndTime) - 1000);
    expect(sla.map((x) => breachOf(x)?.SupervisionSlaBreach)).toEqual(sla.map(() => 0));
    // per platform and interface, the breach count as well as the latency
    expect(breachOf(sla[0]!)).toMatchObject({ OperatorID: BJ, interface: BONUS });
    // the start and stop results are timed too (50 s)
    for (const iface of ['notification_start_charge_result', 'notification_stop_charge_result'])
      expect(slaOf(BJ, iface).map((x) => breachOf(x)?.SupervisionSlaBreach)).toEqual(expect.arrayContaining([0]));

    // Chengdu, same session: its order (not the bonus one) with the supervision fields, its subsidy record, the start result
    const cdOrder = await eventually(async () => cd.of('notification_charge_order_info', seq), { until: (c) => c.length >= 1 });
    expect(cd.refused).toEqual([]);
    expect(cdOrder[0]!.data).toMatchObject({
      StartChargeSeq: seq,
      TotalPower: bill.TotalPower,
      UserName: ctx.p1.partner.operatorId,
      StationID: 'FX0002',
      EquipmentID: 'FX0002E01',
      ConnectorPower: 120,
      ChargeLast: d.ChargeLast,
      MeterValueStart: d.MeterValueStart,
      MeterValueEnd: d.MeterValueEnd,
    });
    expect(await eventually(async () => cd.of('notification_records_amount_info', seq), { until: (c) => c.length >= 1 })).toHaveLength(1);
    // ChargeModel in the start result; Vin may be empty (no plug-and-charge VIN yet): not asserted
    expect(cd.of('notification_start_charge_result', seq)[0]?.data).toMatchObject({ StartChargeSeq: seq, ChargeModel: 3 });
    expect(cd.of(BONUS)).toEqual([]);
  });

  it('a refused order is resent on the profile’s schedule (Beijing 150, 300, 450, 600 s; Chengdu 15, 15, 30, 180 s), then Ret 0 ends it', async () => {
    const first = seqs[0]!;
    // both platforms refuse every new order: e充网 with a signed Ret 500, Chengdu with HTTP 500
    bj.script = (iface, d) => (iface === BONUS && d.StartChargeSeq !== first ? 500 : 0);
    cd.script = (iface, d) => (iface === 'notification_charge_order_info' && d.StartChargeSeq !== first ? 'http500' : 0);
    const seq = await ctx.charging(ctx.p1, C2);
    seqs.push(seq);
    await ctx.stopped(ctx.p1, seq, C2);

    // the lane's own first attempt was refused; it holds the push for the profile's first wait
    await eventually(async () => bj.of(BONUS, seq), { until: (c) => c.length >= 1 && c[0]!.answer === 500 });
    const bjHeld = await takeHeld(ctx.platform, `${BONUS}:${BJ}:${seq}`);
    const bjSchedule = scheduleOf('beijing');
    expect(bjSchedule.slice(0, 4)).toEqual([150, 300, 450, 600]);
    const bjFirst = bj.of(BONUS, seq);
    expect(bjFirst).toHaveLength(1);
    expect(Math.abs(bjHeld.visibleAt - (bjFirst[0]!.at + 150_000))).toBeLessThanOrEqual(HOLD_SLACK_MS);

    // three more refusals held 300, 450, 600 s on the injected clock, then Ret 0
    const bjRun = await driveResends(PushSupervisionQueue.parse(bjHeld.body), bj, 3, bjFirst[0]!.at + 150_000);
    expectSchedule(bjRun.held, bjSchedule.slice(1, 4));
    expect(bjRun.result).toEqual({ action: 'done', note: 'delivered' });
    const calls = bj.of(BONUS, seq);
    expect(calls.map((c: ReceiverCall) => c.answer)).toEqual([500, 500, 500, 500, 0]);
    // the delivered order is late: the SLA timer says by how much, against the injected clock, per platform and interface
    const endedAt = ms(calls[0]!.data.EndTime);
    const late = slaOf(BJ, BONUS).filter(
      (m) =>
        (m.SupervisionPushLatency as number) >= bjRun.startedAt - endedAt &&
        (m.SupervisionPushLatency as number) <= bjRun.answeredBy - endedAt,
    );
    expect(late).toHaveLength(1);
    expect(bjRun.startedAt - endedAt).toBeGreaterThan(150_000);
    expect(breachOf(late[0]!)).toMatchObject({ OperatorID: BJ, interface: BONUS, SupervisionSlaBreach: 1 });

    // Chengdu: HTTP 500 → 15 s, then 15, 30, 180. The lane tries again after 15 real seconds (on a loaded
    // machine it may have done so before the test takes the push): the driven attempts go on from there
    const cdSchedule = scheduleOf('chengdu');
    expect(cdSchedule.slice(0, 4)).toEqual([15, 15, 30, 180]);
    const cdHeld = await takeHeld(ctx.platform, `notification_charge_order_info:${CD}:${seq}`);
    const cdRefused = cd.of('notification_charge_order_info', seq);
    const k = cdRefused.length;
    expect(k).toBeGreaterThanOrEqual(1);
    expect(k).toBeLessThanOrEqual(4);
    expect(cdRefused.every((c) => c.answer === 'http500')).toBe(true);
    const cdLast = cdRefused.at(-1)!;
    expect(Math.abs(cdHeld.visibleAt - (cdLast.at + cdSchedule[k - 1]! * 1000))).toBeLessThanOrEqual(HOLD_SLACK_MS);
    const cdRun = await driveResends(PushSupervisionQueue.parse(cdHeld.body), cd, 4 - k, cdLast.at + cdSchedule[k - 1]! * 1000);
    expectSchedule(cdRun.held, cdSchedule.slice(k, 4));
    expect(cdRun.result).toEqual({ action: 'done', note: 'delivered' });
    expect(cd.of('notification_charge_order_info', seq).some((c) => c.answer === 0)).toBe(true);
  });

  it('the nightly check_charge_orders of the previous day reaches both platforms and their answers are recorded', async () => {
    const orders = await Promise.all(seqs.map((s) => getOrder(s)));
    const day = dayOfEnd(new Date(orders[0]!.endedAt!));
    const ofDay = seqs.filter((_s, i) => dayOfEnd(new Date(orders[i]!.endedAt!)) === day);
    // 00:05 China time of the next day (UTC+8): inside both profiles' 00:00–03:00 window
    const at = new Date(Date.parse(`${day}T16:05:00Z`)).toISOString();
    const r = (await ctx.platform.cloud.invoke('reconcile-dispatch', {
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      time: at,
      detail: {},
    })) as { day: string; enqueued: string[] };
    expect(r.day).toBe(day);
    expect(r.enqueued).toEqual(expect.arrayContaining([BJ, CD]));

    for (const [id, receiver, path] of [
      [BJ, bj, '/evcs/20160701/check_charge_orders'],
      [CD, cd, '/evcs/20160701/check_charge_order'],
    ] as const) {
      const run = await eventually(async () => getRun(id, day), { until: (x) => x?.status === 'agreed', what: `${id}'s run of ${day}` });
      const [check] = receiver.of('check_charge_orders');
      expect(check?.path).toBe(path);
      expect(check?.data).toMatchObject({ StartTime: `${day} 00:00:00`, EndTime: `${day} 23:59:59`, OrderCount: ofDay.length });
      const sent = (check!.data.ChargeOrders as Array<{ StartChargeSeq: string }>).map((o) => o.StartChargeSeq);
      expect(sent.sort()).toEqual([...ofDay].sort());
      expect(run).toMatchObject({ orderCount: ofDay.length, disputeCount: 0 });
      expect(run!.requests).toHaveLength(1);
      expect(run!.requests[0]).toMatchObject({ ret: 0, TotalDisputeOrder: 0, CheckOrderSeq: check!.data.CheckOrderSeq });
    }
  });

  it('the nightly export in parts through the local runtime: the day’s 24 parts run as queue Lambdas, the last writes the manifest', async () => {
    const orders = await Promise.all(seqs.map((s) => getOrder(s)));
    const day = dayOfEnd(new Date(orders[0]!.endedAt!));
    const ofDay = seqs.filter((_s, i) => dayOfEnd(new Date(orders[i]!.endedAt!)) === day);
    // the Scheduler's 00:30 China time of the next day
    const r = (await ctx.platform.cloud.invoke('dxp-export-daily', { time: `${day}T16:30:00Z` })) as { partners: number; parts: number };
    expect(r).toEqual({ partners: 2, parts: 48 });
    const p = periodOf(day);
    const manifest = await eventually(
      async () => {
        const bytes = await getObject('exports', manifestKey(BJ, p));
        return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as Manifest) : undefined;
      },
      { what: `${BJ}'s manifest of ${day}` },
    );
    expect(manifest!.objects).toHaveLength(24 * 4);
    const ordersObjects = manifest!.objects.filter((o) => o.kind === 'orders' && o.count > 0);
    const exported: string[] = [];
    for (const o of ordersObjects) {
      const body = Buffer.from((await getObject('exports', o.key)) ?? []).toString('utf8');
      expect(createHash('sha256').update(body).digest('hex')).toBe(o.sha256);
      exported.push(
        ...body
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { StartChargeSeq: string }).StartChargeSeq),
      );
    }
    expect(exported.sort()).toEqual([...ofDay].sort());
    expect(manifest!.objects.filter((o) => o.kind === 'samples').reduce((a, o) => a + o.count, 0)).toBeGreaterThan(0);
  });
});
