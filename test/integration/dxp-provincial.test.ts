/**
 * The provincial supervision profile end to end (issue 13, reference §5.3 [IX-PROV]) against a REAL
 * local receiver (test/support/supervision-receiver.ts, reading the profile's renamed fields), declared
 * as the `supervision` partner of Shanghai (AreaCode prefix 31: demo station FX0001, 310112):
 *   - a session: connector status on change (notification_stationStatus), charge status every 5 min of
 *     the session (simulated time), the order as OrderNo/TotalElect;
 *   - a station change: notification_stationInfo (the StationInfo as stored now), and its change record by hour;
 *   - notification_realtime_power_info from the process samples, on an injected clock;
 *   - a refused order resent on the profile's 60, 60, 60, 300, 900 s (injected clock);
 *   - the change triggers and reads against DynamoDB Local (recordChanges, the change records,
 *     the exports' change source);
 *   - `npm run evcs -- dxp export|exports|--get|backfill` as an operator runs it, against the local
 *     S3 server and DynamoDB Local of this platform (its data dir), bad arguments refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorStatusChanged, StationChanged } from '../../events/baseinfo.ts';
import { DxpChangesQueue, PushSupervisionQueue } from '../../events/queues.ts';
import { type ChangeLine, type Manifest, manifestKey, type Period, parsePeriod } from '../../shared/domain/dxp-export.ts';
import { chinaHour } from '../../shared/domain/process-samples.ts';
import { periodOf } from '../../shared/services/dxp-runs.ts';
import { dynamoExportSource } from '../../shared/services/dxp-source.ts';
import { recordChanges, runRealtimePower } from '../../shared/services/dxp-triggers.ts';
import { onboardPartner } from '../../shared/services/onboarding.ts';
import { resetPushPlanning } from '../../shared/services/push-planning.ts';
import { importStationObjects } from '../../shared/services/station-import.ts';
import { appendChanges, changesOfHour } from '../../shared/store/dxp-changes.ts';
import { getObject } from '../../shared/store/objects.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { samplesSince } from '../../shared/store/process-samples.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { loadProfiles } from '../../shared/tcec/profiles.ts';
import { formatDateTime, parseDateTime } from '../../shared/tcec/time.ts';
import { fixture } from '../fixtures/stations.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { driveResends, expectSchedule, HOLD_SLACK_MS, takeHeld } from '../support/supervision-lane.ts';
import { type ReceiverCall, type SupervisionReceiver, startSupervisionReceiver } from '../support/supervision-receiver.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'evcs-dxp-provincial-'));
// the breaker counts failures on the wall clock: the scripted refusals below must not open it
const ctx = useChargingPlatform({ env: { PUSH_BREAKER_THRESHOLD: '1000', PROCESS_SAMPLE_SECONDS: '10' }, dataDir });

const PV = 'SHJG20001';
/** station FX0001 (AreaCode 310112, Shanghai) */
const C1 = 'FX0001E01C1';
const C2 = 'FX0001E01C2';
const ORDER = 'notification_charge_order_info';
const CHARGE_STATUS = 'notification_equip_charge_status';
const provincial = loadProfiles().get('provincial')!;
const SCHEDULE = provincial.supervision?.resendSeconds ?? [];
const AREA = new Map(fixture().map((s) => [String(s.StationID), String(s.AreaCode)]));

const secretSet = (): SecretSet => ({
  operatorSecret: randomBytes(8).toString('hex'),
  dataSecret: randomBytes(8).toString('hex'),
  dataSecretIV: randomBytes(8).toString('hex'),
  sigSecret: randomBytes(8).toString('hex'),
});
const ms = (chinaTime: unknown) => parseDateTime(String(chinaTime))?.getTime() ?? Number.NaN;
const simNow = () => ctx.platform.simulator!.now().getTime();
/** move simulated time 10 s per poll (the manual clock runs every pile task due on the way) */
const pumpFast = <T>(fn: () => Promise<T>, until: (v: T) => boolean, what: string) =>
  eventually(
    () => {
      ctx.platform.simulator!.advance(10_000);
      return fn();
    },
    { until, what },
  );

let pv: SupervisionReceiver;
const seqs: string[] = [];

beforeAll(async () => {
  const secrets = secretSet();
  pv = await startSupervisionReceiver(secrets, ctx.platform.seed.operatorId, provincial);
  await onboardPartner({
    operatorId: PV,
    name: 'Shanghai provincial supervision',
    kind: 'supervision',
    profile: 'provincial',
    areaCodes: ['31'],
    outbound: { baseUrl: `${pv.origin}/`, ...secrets },
  });
  // the planner's partner list is cached per warm Lambda (30 s): these Lambdas run in this process
  resetPushPlanning();
});

afterAll(async () => {
  await pv?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the provincial profile on a real local receiver (issue 13)', () => {
  it('a session: status on change, charge status once per 5 min of the session, the order as OrderNo/TotalElect', async () => {
    const seq = await ctx.charging(ctx.p1, C1);
    seqs.push(seq);
    // the connector's changes (plugged → charging) reach it as notification_stationStatus
    const statuses = await eventually(
      async () =>
        pv
          .of('notification_stationStatus')
          .map((c) => c.data.ConnectorStatusInfo as { ConnectorID: string; Status: number })
          .filter((s) => s.ConnectorID === C1),
      { until: (s) => s.some((x) => x.Status === 3), what: `${C1} charging at the provincial platform` },
    );
    expect(statuses.map((s) => s.Status)).toEqual(expect.arrayContaining([2, 3]));

    // charge status: one per 5-minute window of the session, not one per sample (samples every 10 s)
    const windowOf = (c: ReceiverCall) => Math.floor((ms(c.data.EndTime) - ms(c.data.StartTime)) / 300_000);
    const pushes = await pumpFast(
      async () => pv.of(CHARGE_STATUS, seq),
      (c) => new Set(c.map(windowOf)).size >= 3,
      `${seq}: charge status pushes in three 5-minute windows`,
    );
    // at-least-once: a push may arrive twice, in any order, but one window never has two different ones
    const byWindow = new Map<number, Set<string>>();
    for (const c of pushes) byWindow.set(windowOf(c), (byWindow.get(windowOf(c)) ?? new Set()).add(String(c.data.EndTime)));
    for (const ends of byWindow.values()) expect(ends.size).toBe(1);
    const distinct = [...byWindow.keys()].sort((a, b) => a - b);
    expect(distinct.slice(0, 3)).toEqual([distinct[0], distinct[0]! + 1, distinct[0]! + 2]);

    await ctx.stopped(ctx.p1, seq, C1);
    const [order] = await eventually(async () => pv.of(ORDER, seq), { until: (c) => c.length >= 1, what: `${seq}: the order` });
    const bill = (await getOrder(seq))!.bill!;
    // the profile's spelling on the wire: OrderNo, TotalElect; never the canonical names
    expect(order!.data).toMatchObject({ OrderNo: seq, TotalElect: bill.TotalPower, ConnectorID: C1, TotalMoney: bill.TotalMoney });
    expect(order!.data).not.toHaveProperty('StartChargeSeq');
    expect(order!.data).not.toHaveProperty('TotalPower');
    expect(order!.path).toBe(`/${ORDER}`);
    // nothing it does not receive, nothing refused
    expect(pv.of('notification_charge_order_info_for_bonus')).toEqual([]);
    expect(pv.of('notification_start_charge_result')).toEqual([]);
    expect(pv.refused).toEqual([]);
  });

  it('notification_realtime_power_info: the region’s stations with the power of their latest fresh samples, DataTime = the run', async () => {
    const seq = await ctx.charging(ctx.p1, C2);
    seqs.push(seq);
    // a few samples on the simulated clock, then the 5-minute schedule's run at the simulated now
    await pumpFast(
      async () => (await getOrder(seq))?.meter?.n ?? 0,
      (n) => n >= 3,
      `${seq}: samples`,
    );
    const now = simNow();
    // the run reads the samples filed so far: wait until one of the last 100 s is stored (the samples' writer is asynchronous)
    const hours = [...new Set([chinaHour(now - 120_000), chinaHour(now)])];
    await eventually(async () => (await Promise.all(hours.map((h) => samplesSince(h, now - 100_000)))).flat(), {
      until: (b) => b.some((x) => x.StartChargeSeq === seq),
      what: `${seq}: a fresh sample stored`,
    });
    const r = await runRealtimePower(now);
    expect(r.pushes).toBe(1);
    const [power] = await eventually(async () => pv.of('notification_realtime_power_info'), {
      until: (c) => c.length >= 1,
      what: 'the realtime power push',
    });
    const infos = power!.data.SupStationPowerInfos as Array<{
      StationID: string;
      DataTime: string;
      StationRealTimePower: number;
      ChargingConnectors: number;
    }>;
    // every station of its region (prefix 31), none other; FX0001 with the one session charging
    expect(infos.map((i) => i.StationID).sort()).toEqual([...AREA].filter(([, a]) => a.startsWith('31')).map(([id]) => id));
    const fx1 = infos.find((i) => i.StationID === 'FX0001')!;
    expect(fx1).toMatchObject({ DataTime: formatDateTime(new Date(now)), ChargingConnectors: 1 });
    expect(fx1.StationRealTimePower).toBeGreaterThan(0);
    expect(fx1.StationRealTimePower).toBeLessThanOrEqual(30.5); // the vehicle takes 30 kW at most
    // the same run again (a Scheduler retry): the same push id, the lane delivers it once
    expect((await runRealtimePower(now)).pushes).toBe(1);
    await ctx.stopped(ctx.p1, seq, C2);
  });

  it('a refused order is resent on the profile’s 60, 60, 60, 300, 900 s on an injected clock, then Ret 0 ends it', async () => {
    const first = new Set(seqs);
    pv.script = (iface, d) => (iface === ORDER && !first.has(String(d.StartChargeSeq)) ? 500 : 0);
    const seq = await ctx.charging(ctx.p1, C1);
    await ctx.stopped(ctx.p1, seq, C1);
    expect(SCHEDULE.slice(0, 5)).toEqual([60, 60, 60, 300, 900]);
    await eventually(async () => pv.of(ORDER, seq), { until: (c) => c.length >= 1 && c[0]!.answer === 500 });
    const held = await takeHeld(ctx.platform, `${ORDER}:${PV}:${seq}`);
    // the lane tries again after 60 real seconds (on a loaded machine it may have done so before the test takes the push)
    const refused = pv.of(ORDER, seq);
    const k = refused.length;
    expect(k).toBeGreaterThanOrEqual(1);
    expect(k).toBeLessThanOrEqual(4);
    expect(refused.every((c) => c.answer === 500)).toBe(true);
    const last = refused.at(-1)!;
    expect(Math.abs(held.visibleAt - (last.at + SCHEDULE[k - 1]! * 1000))).toBeLessThanOrEqual(HOLD_SLACK_MS);
    const run = await driveResends(PushSupervisionQueue.parse(held.body), pv, 5 - k, last.at + SCHEDULE[k - 1]! * 1000);
    expectSchedule(run.held, SCHEDULE.slice(k, 5));
    expect(run.result).toEqual({ action: 'done', note: 'delivered' });
    expect(pv.of(ORDER, seq).map((c) => c.answer)).toEqual([500, 500, 500, 500, 500, 0]);
    pv.script = () => 0;
  });
});

const envelope = (detailType: string, source: string, detail: unknown) =>
  DxpChangesQueue.parse(
    JSON.stringify({
      version: '0',
      id: randomBytes(8).toString('hex'),
      'detail-type': detailType,
      source,
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'ap-northeast-1',
      resources: [],
      detail,
    }),
  );

describe('change triggers and reads on DynamoDB Local (issue 13)', () => {
  it('a station import’s change reaches the provincial platform as notification_stationInfo and is kept by hour', async () => {
    const fx1 = fixture().find((s) => s.StationID === 'FX0001')!;
    const changedAt = new Date();
    const r = await importStationObjects('provincial-test', [{ ...fx1, StationName: '测试站·上海虹桥(改)' }], {
      operatorId: ctx.platform.seed.operatorId,
      now: changedAt,
    });
    expect(r.changed).toBe(1);
    const infoOf = (c: { data: Record<string, unknown> }) => c.data.StationInfo as Record<string, unknown>;
    const pushes = await eventually(async () => pv.of('notification_stationInfo'), {
      until: (c) => c.some((x) => infoOf(x).StationID === 'FX0001' && infoOf(x).StationName === '测试站·上海虹桥(改)'),
      what: 'notification_stationInfo of FX0001 with its new name',
    });
    expect(infoOf(pushes.find((x) => infoOf(x).StationName === '测试站·上海虹桥(改)')!)).toMatchObject({
      StationID: 'FX0001',
      AreaCode: '310112',
    });
    // the provincial profile receives the StationInfo itself, not Chengdu's station change
    expect(pv.of('notification_station_change')).toEqual([]);
    const hour = chinaHour(changedAt.getTime());
    const kept = await eventually(async () => changesOfHour('stations', hour), {
      until: (l) => l.some((x) => x.StationID === 'FX0001' && x.Time === changedAt.getTime()),
      what: 'the station change record',
    });
    // the seed created it in this hour too: this import's record is the one at its instant
    expect(kept.find((x) => x.StationID === 'FX0001' && x.Time === changedAt.getTime())).toMatchObject({
      Created: false,
      Info: true,
      Tariff: false,
      AreaCode: '310112',
    });
  });

  it('recordChanges: one record per event whatever the redeliveries; stationInfo pushes only to the platforms of its region', async () => {
    const at = '2031-03-04T05:06:07.000Z'; // 13:06 China time
    const hour = '2031-03-04T13';
    const sh = { StationID: 'FX0001', AreaCode: '310112', created: false, info: true, tariff: false, equipment: [], changedAt: at };
    const bj = { ...sh, StationID: 'FX0002', AreaCode: '110105' };
    const status = (version: number) => ({
      StationID: 'FX0001',
      ConnectorID: C2,
      status: 2,
      previousStatus: 1,
      parkStatus: 0,
      lockStatus: 0,
      observedAt: at,
      version,
    });
    const events = [
      envelope(StationChanged.detailType, StationChanged.source, sh),
      envelope(StationChanged.detailType, StationChanged.source, bj),
      envelope(ConnectorStatusChanged.detailType, ConnectorStatusChanged.source, status(7)),
      envelope(ConnectorStatusChanged.detailType, ConnectorStatusChanged.source, status(7)), // redelivered
      envelope(ConnectorStatusChanged.detailType, ConnectorStatusChanged.source, status(8)),
    ];
    const now = Date.parse(at) + 1000;
    expect(await recordChanges(events, now)).toEqual({ records: 5, pushes: 1 });
    // SQS delivers the batch again: the same records, the same push id
    expect(await recordChanges(events, now)).toEqual({ records: 5, pushes: 1 });
    expect((await changesOfHour('stations', hour)).map((l) => l.StationID).sort()).toEqual(['FX0001', 'FX0002']);
    const statuses = await changesOfHour('statuses', hour);
    expect(statuses.map((l) => ('Version' in l ? l.Version : -1)).sort()).toEqual([7, 8]);
    expect(statuses[0]).toMatchObject({ ConnectorID: C2, StationID: 'FX0001', Status: 2, PreviousStatus: 1, Time: Date.parse(at) });
    const info = (c: { data: Record<string, unknown> }) => c.data.StationInfo as Record<string, unknown>;
    await eventually(async () => pv.of('notification_stationInfo').filter((c) => info(c).StationID === 'FX0001'), {
      until: (c) => c.length >= 1,
      what: 'the stationInfo push of FX0001',
    });
    await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
    expect(pv.of('notification_stationInfo').filter((c) => info(c).StationID === 'FX0002')).toEqual([]);
    expect(pv.of('notification_station_change')).toEqual([]);
  });

  it('the change records of an hour: more than one BatchWrite, a key written twice kept once; the exports read the region’s in the period', async () => {
    const hour = '2031-05-06T07';
    const base = Date.parse('2031-05-06T07:00:00+08:00');
    const line = (i: number, station: string): ChangeLine => ({
      ConnectorID: `${station}E01C1`,
      StationID: station,
      Status: i % 4,
      ParkStatus: 0,
      LockStatus: 0,
      Time: base + i * 60_000,
      Version: i,
    });
    const records = Array.from({ length: 60 }, (_, i) => line(i, i % 2 ? 'FX0001' : 'FX0002')).map((l) => ({
      kind: 'statuses' as const,
      hour,
      id: (l as { ConnectorID: string }).ConnectorID,
      version: (l as { Version: number }).Version,
      line: l,
    }));
    const ttl = Math.floor(base / 1000) + 86_400;
    await appendChanges([...records, records[0]!, records[31]!], ttl);
    await appendChanges(records.slice(0, 10), ttl); // a redelivered batch
    const all = await changesOfHour('statuses', hour);
    expect(all).toHaveLength(60);
    expect(await changesOfHour('statuses', '2031-05-06T08')).toEqual([]);
    expect(await changesOfHour('stations', hour)).toEqual([]);

    // the exports' source: the stations asked for, the period's [from, to) only
    const p = parsePeriod(hour) as Period;
    const sh = await dynamoExportSource.changes!('statuses', new Set(['FX0001']), p);
    expect(sh).toHaveLength(30);
    expect(sh.every((l) => l.StationID === 'FX0001')).toBe(true);
    const quarter: Period = { ...p, from: new Date(base + 15 * 60_000), to: new Date(base + 30 * 60_000) };
    const q = await dynamoExportSource.changes!('statuses', new Set(['FX0001', 'FX0002']), quarter);
    expect(q.map((l) => l.Time - base).sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => (15 + i) * 60_000));
    // the region's stations by AreaCode prefix
    expect([...(await dynamoExportSource.stationsInArea(['31']))]).toEqual(['FX0001']);
    expect([...(await dynamoExportSource.stationsInArea(['11', '44']))].sort()).toEqual(['FX0002', 'FX0003']);
  });
});

describe('npm run evcs -- dxp (issue 13)', () => {
  const cli = (args: string[]) => runCli('evcs', ['--data-dir', dataDir, 'dxp', ...args]);
  const text = async (key: string) => Buffer.from((await getObject('exports', key)) ?? []).toString('utf8');

  it('export a period, list the day with counts and hashes, print one object, backfill two days', async () => {
    const order = (await getOrder(seqs[0]!))!;
    const hour = chinaHour(Date.parse(order.endedAt!));
    const ex = await cli(['export', '--partner', PV, '--period', hour]);
    expect(ex.code).toBe(0);
    expect(ex.out).toMatch(/^export (written|unchanged|revised)$/m);
    const manifest = JSON.parse(await text(manifestKey(PV, periodOf(hour)))) as Manifest;
    const orders = manifest.objects.find((o) => o.kind === 'orders')!;
    expect(orders.count).toBeGreaterThanOrEqual(1);
    for (const o of manifest.objects) {
      // the printed line of each object: its kind, count, bytes, hash and key, as stored
      expect(ex.out).toMatch(new RegExp(`${o.kind}\\s+${o.count} lines\\s+${o.bytes} bytes\\s+sha256 ${o.sha256}\\s+${o.key}`));
      expect(
        createHash('sha256')
          .update(await text(o.key))
          .digest('hex'),
      ).toBe(o.sha256);
    }

    const day = hour.slice(0, 10);
    const list = await cli(['exports', '--partner', PV, '--date', day]);
    expect(list.code).toBe(0);
    expect(list.out).toContain(`${PV} ${hour} revision ${manifest.revision}`);
    expect(list.out).toContain(`sha256 ${orders.sha256}  ${orders.key}`);
    expect(list.out).toMatch(new RegExp(`\\d+ object\\(s\\), 1 manifest\\(s\\) under dxp/${PV}/${day}/`));

    const get = await cli(['exports', '--get', orders.key]);
    expect(get.code).toBe(0);
    expect(get.out).toBe(await text(orders.key));
    expect(get.out).toContain(`"StartChargeSeq":"${seqs[0]}"`);

    // the day before and the day of the session, as daily exports
    const before = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const bf = await cli(['backfill', '--partner', PV, '--from', before, '--to', day]);
    expect(bf.code).toBe(0);
    expect(bf.out.match(/^export (written|unchanged|revised)$/gm)).toHaveLength(2);
    for (const d of [before, day]) {
      const m = JSON.parse(await text(manifestKey(PV, periodOf(d)))) as Manifest;
      expect(m).toMatchObject({ period: d, granularity: 'day', partner: PV });
      expect(bf.out).toContain(`${PV} ${d} revision ${m.revision}`);
    }
    const dayOrders = (JSON.parse(await text(manifestKey(PV, periodOf(day)))) as Manifest).objects.find((o) => o.kind === 'orders')!;
    expect(await text(dayOrders.key)).toContain(`"StartChargeSeq":"${seqs[0]}"`);
  });

  it('bad arguments: a clear error and a non-zero exit, nothing written', async () => {
    const badPeriod = await cli(['export', '--partner', PV, '--period', '2026-13-01']);
    expect(badPeriod.code).not.toBe(0);
    expect(badPeriod.out + badPeriod.err).toMatch(/not a period: "2026-13-01"/);
    const unknown = await cli(['export', '--partner', 'NOSUCH001', '--period', '2026-11-10']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.out + unknown.err).toMatch(/no partner NOSUCH001/);
    const commercial = await cli(['export', '--partner', ctx.p1.partner.operatorId, '--period', '2026-11-10']);
    expect(commercial.code).not.toBe(0);
    expect(commercial.out + commercial.err).toMatch(/not a supervision partner/);
    const noPartner = await cli(['export', '--period', '2026-11-10']);
    expect(noPartner.code).not.toBe(0);
    expect(noPartner.out + noPartner.err).toMatch(/dxp export --partner ID/);
    const backwards = await cli(['backfill', '--partner', PV, '--from', '2026-11-10', '--to', '2026-11-09']);
    expect(backwards.code).not.toBe(0);
    expect(backwards.out + backwards.err).toMatch(/2026-11-09 is before 2026-11-10/);
    const missing = await cli(['exports', '--get', `dxp/${PV}/nothing-here.jsonl`]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain(`no object dxp/${PV}/nothing-here.jsonl`);
    expect(await getObject('exports', manifestKey(PV, periodOf('2026-11-10')))).toBeUndefined();
  });
});
