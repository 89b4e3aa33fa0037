/**
 * What a unit of work costs in AWS: every SDK call by service and command, DynamoDB's consumed
 * capacity (asked for on every call; failed conditional writes counted and sized), every Lambda
 * invocation with its duration and memory, EventBridge events, SQS requests, API Gateway requests,
 * Secrets Manager calls and log bytes — priced at bench/prices.ts. How each figure is obtained:
 * bench/cost/instrument.ts; the arithmetic: bench/cost/meter.ts. Measures; never asserts.
 *
 * Scenarios (simulated time for the sessions: the pile simulator at BENCH_SIM_SPEED, default ×60):
 *   startup burst          the platform starting on the demo seed: every connector's first status and the pushes it causes
 *   query_station_status   one call for 50 stations
 *   session 30 / 120 min   plug-in → query_token → query_equip_auth → query_start_charge → meter values every 50 s and on every half hour
 *                          (as the platform sets the piles: BENCH_METER_SECONDS, BENCH_ALIGNED_SECONDS) →
 *                          query_stop_charge → order pushed and confirmed by the partner (one partner granted the station)
 *   sessions at scale      BENCH_SCALE_SESSIONS (160) sessions of BENCH_SCALE_MINUTES (30) at once on one platform (simulator ×BENCH_SCALE_SPEED, 10),
 *                          the queues' batching windows in simulated time: $ per session = total ÷ N (the operator's bill uses it)
 *   status change × N      one pile status report fanned out to N = 1, 5, 10 partners (steady state)
 *   plug-and-charge        query_vin_bind; a bound car plugged in → VIN report → plug-charge → the start path → charging (ours)
 *   stranded sweep         the stranded-session sweep over 8 charging orders (none ended), then ending all 8
 *   station change         an import changing the fixture’s 4 stations (their writes, the StationChanged outbox, the events and what they fan out
 *                          to), the station-change sweep with nothing pending, and one publishing the 4 changes a failed publish left
 * then the monthly bill of the issue's operator profile (bench/cost/meter.ts OPERATOR).
 *
 * Every scenario also prints its counts per function (the topology id whose invocation made the
 * call; bench/cost/instrument.ts), with two named buckets for calls outside any invocation: the pile
 * events the simulator hands to emitPileEvents (priced: the OCPP gateway's calls in AWS) and
 * OUTSIDE (the simulator's other calls, the bench driver's, the local runtime's: never priced), and
 * "writes per push" from push-deliver's own row.
 *
 * Lambda GB-s is printed two ways: handler wall time on the local runtime × memory (every function,
 * the simulator and the partners share this process: neighbours included), and beside it each
 * invocation in its own sandbox — own CPU at the function's vCPU share + its waits at AWS latencies
 * (bench/cost/sandbox.ts, bench/cost/meter.ts sandboxFigures) — per function, per session (30 min
 * alone, at scale, 120 min) and for the operator's monthly bill.
 *
 * One local platform per process (the SDK clients are per-process singletons): each job runs in a child.
 *
 *   npm run bench -- cost          (BENCH_SIM_SPEED=30 for a gentler load; BENCH_COST_ONLY=demo, sessions, sessions-at-scale, fanout or fanout:5, reservation, plug-charge, stranded, station-change, comma-separated;
 *                                   BENCH_METER_SECONDS=15 BENCH_ALIGNED_SECONDS=0 for a pile on its own 15 s metering, as before issue 9 §2;
 *                                   BENCH_SCALE_WINDOW_MS=1000 for the at-scale job's batching window in wall time: SCALE_WINDOW_MS)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Platform } from '../infra/local/platform.ts';
import {
  addTally,
  bucketFigures,
  emptyTally,
  itemBytes,
  type Ledger,
  monthlyBill,
  OPERATOR,
  OUTSIDE,
  PLATFORM_LOG_BYTES_PER_INVOCATION,
  platformTally,
  priceTally,
  scaleLedger,
  type Tally,
  totals,
  type UnitCosts,
  XRAY_SAMPLING,
} from './cost/meter.ts';
import { LAMBDA_FULL_VCPU_MB, PRICES, PRICES_DATE } from './prices.ts';

const SPEED = Number(process.env.BENCH_SIM_SPEED ?? 60);
/**
 * the piles' metering as the platform sets it after their boot (issue 9 §2, OCPP_METER_SAMPLE_SECONDS /
 * OCPP_CLOCK_ALIGNED_SECONDS): a reading every 50 s (MeterValueSampleInterval) and on every half
 * hour (ClockAlignedDataInterval); 15 / 0 is a pile left on a common factory setting
 */
const METER_SECONDS = Number(process.env.BENCH_METER_SECONDS ?? 50);
const ALIGNED_SECONDS = Number(process.env.BENCH_ALIGNED_SECONDS ?? 1800);
const DEMO_SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../test/fixtures/seed-stations.json', import.meta.url));
/** stations of the demo seed granted to the first partner only (the second is granted SH0001–SH0020) */
const SESSION_CONNECTORS = { 30: 'SH0030D011', 120: 'SH0031D011' } as const;
/**
 * sessions-at-scale: how many at once, how long, at which simulator speed (lower than the single
 * session's: N sessions' readings must keep up on one machine). 160, near the most the demo seed
 * holds (scaleConnectors): a queue batch holds more readings the more sessions run at once (the
 * readings' pollers share them: 5 until 2 Dec, 2 since), so per session this is still an upper bound of the operator's
 * ~4,200 at once — 50 at once gave ~1.9 readings per pile-session-events batch, 160 ~2.3 with 5
 * pollers and batches of 25 (2 Dec), 5–7 with 2 pollers and batches of 50
 */
const SCALE_SESSIONS = Number(process.env.BENCH_SCALE_SESSIONS ?? 160);
const SCALE_MINUTES = Number(process.env.BENCH_SCALE_MINUTES ?? 30);
const SCALE_SPEED = Number(process.env.BENCH_SCALE_SPEED ?? 10);
/**
 * The queue triggers' batching window in the at-scale job, in wall ms: by default the deployed 1 s in
 * simulated time (1000 / speed), as in the single session. `BENCH_SCALE_WINDOW_MS=1000` runs the
 * deployed window in wall time instead: at ×10 a session's readings are 5 s of wall time apart, so a
 * 1 s window still never gathers two of one session (no flattering fold), while the pollers see the
 * readings of ten times as many sessions as run (160 at ×10 arrive like 1,600 at once in real time):
 * the batch fill nearer the operator's.
 */
const SCALE_WINDOW_MS = Number(process.env.BENCH_SCALE_WINDOW_MS ?? 1000 / SCALE_SPEED);
const SCALE_NAME = `${SCALE_SESSIONS} sessions of ${SCALE_MINUTES} min at once`;
/** one DC connector per station from the 32nd on (granted to the first partner alone; SH0030/31 are the single sessions') */
const scaleConnectors = (n: number): string[] => {
  const stations = (JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { stations: { StationID: string }[] }).stations
    .slice(31)
    .map((s) => s.StationID);
  if (n > stations.length) throw new Error(`cost bench: BENCH_SCALE_SESSIONS ≤ ${stations.length} (one per station)`);
  return stations.slice(0, n).map((id) => `${id}D011`);
};

interface Scenario {
  name: string;
  /** the tally covers this many units (the figures are divided by it) */
  units: number;
  /** what the platform pays for (every bucket but OUTSIDE) */
  tally: Tally;
  /** the same counts by function (topology id), plus PILE_INGRESS and OUTSIDE */
  byFunction?: Ledger;
  note?: string;
  /** pushes the demo partners accepted */
  pushes?: number;
  /** the size of one order's item (DynamoDB's rules, bench/cost/meter.ts itemBytes) at each stage, read by the driver (not priced) */
  orderBytes?: Record<string, number>;
}

const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15 * 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`cost bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * The simulator's due work done, then the queues drained. A start timeout is a delayed message in
 * real time while the pile answers in simulated time: until a session charges, drain only what is
 * due (`includeDelayed` false), then everything.
 */
const settle = async (platform: Platform, includeDelayed = true): Promise<void> => {
  await platform.simulator?.flush();
  await platform.cloud.drain({ timeoutMs: 5 * 60_000, includeDelayed });
};

// ─────────────────────────────── child: one platform, some scenarios ───────────────────────────────

const child = async (job: string, out: string): Promise<void> => {
  // the deployed log level (infra/constructs/evcs-function.ts) and metrics on, so the log bytes are the stack's
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const meter = await import('./cost/instrument.ts');
  meter.installSdkMeter();
  // each invocation's own CPU and waits: its GB-s in its own sandbox (before the platform loads: its fetch is wrapped)
  (await import('./cost/sandbox.ts')).installSandboxMeter();
  const restoreStdout = meter.captureStdout();
  const progress = (line: string) => process.stderr.write(`  … ${line}\n`);
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { PileStatusChanged } = await import('../events/piles.ts');
  const results: Scenario[] = [];
  /** what is measured so far reaches the parent even if a later scenario fails */
  /** the counts since the last take: the platform's (priced) and by function */
  const taken = () => {
    const byFunction = meter.takeLedger();
    return { tally: platformTally(byFunction), byFunction };
  };
  const save = (s: Scenario) => {
    results.push(s);
    writeFileSync(out, JSON.stringify(results));
  };
  const common = {
    port: 0,
    logLevel: 'INFO',
    // the handlers' Powertools lines on stdout (counted by captureStdout), as Lambda prints them
    logs: 'json',
    simSpeed: SPEED,
    simulator: {
      offlineRatePerHour: 0,
      faultRatePerHour: 0,
      seed: 7,
      autoUnplug: false,
      meterIntervalMs: METER_SECONDS * 1000,
      clockAlignedMs: ALIGNED_SECONDS * 1000,
    },
    // the demo partners on free ports when the seed's are taken (another platform runs on this machine)
    demoPartners: 'any-port',
    env: { POWERTOOLS_METRICS_DISABLED: 'false', START_TIMEOUT_SECONDS: '10', STOP_TIMEOUT_SECONDS: '10' },
    onInvoke: meter.invocationMeter,
  } as const;
  /**
   * A copy of a seed whose partners' loopback receivers are on free ports: on the seed's own ports
   * (9100, 9101) the demo partners would also receive, and count, the pushes of every other local
   * platform on this machine (tests, `npm start`) that uses the same seed.
   */
  const withOwnPorts = async (seedFile: string): Promise<string> => {
    const { freePort } = await import('../infra/local/ports.ts');
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as { partners: { outbound: { baseUrl: string } }[] };
    for (const partner of seed.partners) {
      const url = new URL(partner.outbound.baseUrl);
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
        url.port = String(await freePort());
        partner.outbound.baseUrl = url.href;
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'cost-bench-seed-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify(seed));
    return file;
  };
  /** an order's item as stored (keys and all: what DynamoDB bills), read consistently by the driver (not priced) */
  const rawOrder = async (seq: string): Promise<Record<string, unknown> | undefined> => {
    const { dynamo } = await import('../shared/store/dynamo.ts');
    const { config } = await import('../shared/config.ts');
    const { GetCommand } = await import('../shared/store/doc.ts');
    const res = await dynamo().send(
      new GetCommand({ TableName: config().tableName('orders'), Key: { pk: `ORDER#${seq}` }, ConsistentRead: true }),
    );
    return res.Item;
  };
  const pushesSoFar = (p: { demoPartners: ReadonlyMap<string, { accepted(): unknown[] }> }) =>
    [...p.demoPartners.values()].reduce((n, d) => n + d.accepted().length, 0);

  if (job === 'demo' || job === 'sessions') {
    // `sessions`: the two charging sessions alone (the platform still starts on the demo seed; its burst is not reported)
    const all = job === 'demo';
    meter.pauseUntilEvent((t) => t === PileStatusChanged.detailType); // the seed import is not the burst
    progress('startup burst on the demo seed (1,965 connectors)');
    // the queue triggers' batching windows (≤ 1 s in the topology) in simulated time, as in AWS: a
    // window of real time would gather a session's readings, 15 s apart in AWS, into one batch
    const platform = await startPlatform({ ...common, seedFile: await withOwnPorts(DEMO_SEED), maxBatchingWindowMs: 1000 / SPEED });
    const sim = platform.simulator!;
    try {
      await sim.flush();
      await platform.cloud.drain({ timeoutMs: 30 * 60_000, includeDelayed: true });
      const burst = taken();
      if (all) save({ name: 'startup burst (demo seed)', units: 1, ...burst, pushes: pushesSoFar(platform) });

      const p = platform.seed.partners[0]!;
      const token = await tokenFor(platform.apiUrl, p);
      const stations = (JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { stations: { StationID: string }[] }).stations
        .slice(0, 50)
        .map((s) => s.StationID);
      const N = 5;
      await platform.cloud.drain();
      meter.takeLedger();
      if (all) {
        progress(`query_station_status of 50 stations × ${N}`);
        for (let i = 0; i < N; i++) {
          const r = await callAs(platform.apiUrl, p, 'query_station_status', { StationIDs: stations }, token);
          if (r.ret !== 0) throw new Error(`query_station_status: Ret ${r.ret} ${r.msg}`);
        }
        await platform.cloud.drain();
        save({ name: 'query_station_status, 50 stations', units: N, ...taken() });
      }

      let n = 0;
      for (const minutes of [30, 120] as const) {
        const connector = SESSION_CONNECTORS[minutes];
        sim.setVehicle(connector, { socStart: 10, batteryKwh: 400, maxDcKw: 60, targetSoc: 100 });
        await platform.cloud.drain({ includeDelayed: true });
        meter.takeLedger();
        const before = pushesSoFar(platform);
        progress(`session of ${minutes} simulated minutes on ${connector} (×${SPEED}: ~${Math.round((minutes * 60) / SPEED)} s)`);
        // the driver plugs in (query_equip_auth answers FailReason 1 before), then the partner authenticates
        sim.admin(connector, 'plugged');
        await sim.flush();
        await platform.cloud.drain();
        const tok = await tokenFor(platform.apiUrl, p);
        const call = async (iface: string, data: unknown) => {
          const r = await callAs(platform.apiUrl, p, iface, data, tok);
          if (r.ret !== 0) throw new Error(`${iface}: Ret ${r.ret} ${r.msg}`);
          return r.data as Record<string, unknown>;
        };
        const seq = () => `${p.operatorId}${Date.now().toString().slice(-13)}${String(++n).padStart(5, '0')}`;
        const auth = await call('query_equip_auth', { EquipAuthSeq: seq(), ConnectorID: connector });
        if (auth.SuccStat !== 0) throw new Error(`query_equip_auth refused: ${JSON.stringify(auth)}`);
        const orderSeq = seq();
        const start = await call('query_start_charge', { StartChargeSeq: orderSeq, ConnectorID: connector });
        if (start.SuccStat !== 0) throw new Error(`query_start_charge refused: ${JSON.stringify(start)}`);
        await waitFor('the session to start', () => sim.get(connector)?.session?.StartChargeSeq === orderSeq);
        const orderBytes: Record<string, number> = {};
        await waitFor('the order charging', async () => (await rawOrder(orderSeq))?.status === 2);
        orderBytes.charging = itemBytes((await rawOrder(orderSeq))!);
        const startedAt = Date.parse(sim.get(connector)!.session!.startedAt);
        await waitFor(`${minutes} simulated minutes`, () => sim.now().getTime() >= startedAt + minutes * 60_000);
        orderBytes[`after ${minutes} min`] = itemBytes((await rawOrder(orderSeq)) ?? {});
        await call('query_stop_charge', { StartChargeSeq: orderSeq, ConnectorID: connector });
        const partner = platform.demoPartners.get(p.operatorId)!;
        await waitFor('the order push confirmed', () =>
          partner
            .accepted('notification_charge_order_info')
            .some((x) => (x.data as { StartChargeSeq?: string }).StartChargeSeq === orderSeq),
        );
        await sim.flush();
        await platform.cloud.drain({ timeoutMs: 5 * 60_000, includeDelayed: true });
        const energy = sim.get(connector)?.lastStopped?.energyWh ?? 0;
        orderBytes['finished, confirmed'] = itemBytes((await rawOrder(orderSeq)) ?? {});
        save({
          name: `session ${minutes} min`,
          units: 1,
          orderBytes,
          ...taken(),
          pushes: pushesSoFar(platform) - before,
          note: `${(energy / 1000).toFixed(1)} kWh`,
        });
      }
    } finally {
      await platform.stop();
    }
  } else if (job.startsWith('fanout:')) {
    const partners = Number(job.replace('fanout:', ''));
    const dir = mkdtempSync(join(tmpdir(), 'cost-bench-'));
    try {
      const { freePort } = await import('../infra/local/ports.ts');
      const base = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { partners: Record<string, unknown>[]; [k: string]: unknown };
      const template = base.partners[0]!;
      const list = [];
      for (let i = 0; i < partners; i++) {
        const port = await freePort();
        list.push({
          ...template,
          operatorId: `MC${String(i).padStart(2, '0')}COST0`.slice(0, 9),
          name: `cost bench partner ${i}`,
          stations: '*',
          outbound: { ...(template.outbound as Record<string, unknown>), baseUrl: `http://127.0.0.1:${port}/evcs/v1/` },
        });
      }
      const seedFile = join(dir, 'seed.json');
      writeFileSync(seedFile, JSON.stringify({ ...base, partners: list }));
      progress(`status change fanned out to ${partners} partner(s)`);
      const platform = await startPlatform({ ...common, seedFile });
      const sim = platform.simulator!;
      try {
        await sim.flush();
        await platform.cloud.drain({ timeoutMs: 10 * 60_000, includeDelayed: true });
        meter.takeLedger();
        const before = pushesSoFar(platform);
        // one change at a time, each drained (steady state): fault then back to idle, on three connectors
        let changes = 0;
        for (const c of ['FX0001E01C1', 'FX0002E01C1', 'FX0003E01C1'])
          for (const want of ['fault', 'idle'] as const) {
            sim.admin(c, want);
            changes++;
            await sim.flush();
            await platform.cloud.drain({ timeoutMs: 5 * 60_000, includeDelayed: true });
          }
        save({
          name: `status change → ${partners} partner(s)`,
          units: changes,
          ...taken(),
          pushes: pushesSoFar(platform) - before,
        });
      } finally {
        await platform.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (job === 'sessions-at-scale') {
    // N sessions at once on one platform (the demo seed, one partner granted the stations), each as
    // the single-session scenario runs it: plug-in → auth → start → SCALE_MINUTES of meter readings →
    // stop → order pushed and confirmed. At scale the queue triggers' batches hold several sessions'
    // readings (the batching window in simulated time, as in the single session): $ per session =
    // total ÷ N, what the operator pays per session (bench/cost/meter.ts monthlyBill).
    const speed = SCALE_SPEED;
    progress(
      `${SCALE_SESSIONS} sessions of ${SCALE_MINUTES} simulated minutes at once (×${speed}: ~${Math.round((SCALE_MINUTES * 60) / speed)} s; batching window ${SCALE_WINDOW_MS} ms of wall time)`,
    );
    const platform = await startPlatform({
      ...common,
      simSpeed: speed,
      // N starts at once on a loaded machine: a start must not time out before the pile's answer is
      // processed (the deployed default, 60 s; the last drain waits for these delayed checks)
      env: { ...common.env, START_TIMEOUT_SECONDS: '60', STOP_TIMEOUT_SECONDS: '60' },
      seedFile: await withOwnPorts(DEMO_SEED),
      maxBatchingWindowMs: SCALE_WINDOW_MS,
    });
    const sim = platform.simulator!;
    try {
      await sim.flush();
      await platform.cloud.drain({ timeoutMs: 30 * 60_000, includeDelayed: true });
      const p = platform.seed.partners[0]!;
      // one DC connector per station granted to the first partner alone (the second is granted SH0001–SH0020)
      const connectors = scaleConnectors(SCALE_SESSIONS);
      for (const c of connectors) sim.setVehicle(c, { socStart: 10, batteryKwh: 400, maxDcKw: 60, targetSoc: 100 });
      await platform.cloud.drain({ includeDelayed: true });
      meter.takeLedger();
      const before = pushesSoFar(platform);
      for (const c of connectors) sim.admin(c, 'plugged');
      await sim.flush();
      await platform.cloud.drain();
      const tok = await tokenFor(platform.apiUrl, p);
      const call = async (iface: string, data: unknown): Promise<Record<string, unknown>> => {
        const r = await callAs(platform.apiUrl, p, iface, data, tok);
        // the rate limit's "system busy" (Ret -1): retried after the second it names, as a partner does
        if (r.ret === -1 && /rate limit/.test(String(r.msg))) {
          await new Promise((res) => setTimeout(res, 1000));
          return call(iface, data);
        }
        if (r.ret !== 0) throw new Error(`${iface}: Ret ${r.ret} ${r.msg}`);
        return r.data as Record<string, unknown>;
      };
      const stamp = Date.now().toString().slice(-13);
      const seqs = connectors.map((_, i) => `${p.operatorId}${stamp}${String(i).padStart(5, '0')}`);
      // ten sessions at a time, at most one group a second: under the partner's rate limit (20 requests/s, burst 40)
      const eachLimited = async (f: (i: number) => Promise<void>) => {
        for (let i = 0; i < connectors.length; i += 10) {
          const next = Date.now() + 1000;
          await Promise.all(connectors.slice(i, i + 10).map((_, j) => f(i + j)));
          await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
        }
      };
      await eachLimited(async (i) => {
        const auth = await call('query_equip_auth', {
          EquipAuthSeq: `${seqs[i]!.slice(0, -5)}${String(90000 + i)}`,
          ConnectorID: connectors[i],
        });
        if (auth.SuccStat !== 0) throw new Error(`query_equip_auth refused on ${connectors[i]}: ${JSON.stringify(auth)}`);
        const start = await call('query_start_charge', { StartChargeSeq: seqs[i], ConnectorID: connectors[i] });
        if (start.SuccStat !== 0) throw new Error(`query_start_charge refused on ${connectors[i]}: ${JSON.stringify(start)}`);
      });
      await waitFor('every session to start', () => connectors.every((c, i) => sim.get(c)?.session?.StartChargeSeq === seqs[i]));
      const lastStart = Math.max(...connectors.map((c) => Date.parse(sim.get(c)!.session!.startedAt)));
      progress(`${connectors.length} sessions charging; ${SCALE_MINUTES} simulated minutes`);
      await waitFor(`${SCALE_MINUTES} simulated minutes`, () => sim.now().getTime() >= lastStart + SCALE_MINUTES * 60_000);
      progress('stopping every session');
      await eachLimited(async (i) => {
        const stop = await call('query_stop_charge', { StartChargeSeq: seqs[i], ConnectorID: connectors[i] });
        if (stop.SuccStat !== 0) throw new Error(`query_stop_charge refused on ${connectors[i]}: ${JSON.stringify(stop)}`);
      });
      progress('waiting for every order push to be confirmed');
      const partner = platform.demoPartners.get(p.operatorId)!;
      const confirmed = () =>
        new Set(partner.accepted('notification_charge_order_info').map((x) => (x.data as { StartChargeSeq?: string }).StartChargeSeq));
      const { getOrder } = await import('../shared/store/orders.ts');
      let shown = Date.now();
      await waitFor('every order push confirmed', async () => {
        const got = confirmed();
        const n = seqs.filter((q) => got.has(q)).length;
        if (n < seqs.length && Date.now() - shown > 30_000) {
          shown = Date.now();
          const states = (await Promise.all(seqs.map((q) => getOrder(q)))).map((o) => o?.status ?? '–').join('');
          progress(`${n} of ${seqs.length} orders confirmed (order states ${states})`);
        }
        return n === seqs.length;
      });
      await sim.flush();
      await platform.cloud.drain({ timeoutMs: 10 * 60_000, includeDelayed: true });
      const energy = connectors.reduce((n, c) => n + (sim.get(c)?.lastStopped?.energyWh ?? 0), 0);
      save({
        name: SCALE_NAME,
        units: connectors.length,
        orderBytes: { 'first order, finished and confirmed': itemBytes((await rawOrder(seqs[0]!)) ?? {}) },
        ...taken(),
        pushes: pushesSoFar(platform) - before,
        note: `${(energy / 1000 / connectors.length).toFixed(1)} kWh per session, simulator ×${speed}`,
      });
    } finally {
      await platform.stop();
    }
  }
  if (job === 'reservation') {
    // the reservation extension: reserve (the pile told, Status 4 stored and pushed to the one
    // partner), then cancel (the pile told, Status 1 back); one connector at a time, drained
    const dir = mkdtempSync(join(tmpdir(), 'cost-bench-resv-'));
    try {
      const seed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
        partners: Record<string, unknown>[];
        stations: Record<string, unknown>[];
        [k: string]: unknown;
      };
      seed.profiles = { reserving: { extends: 'cec2016', extensions: ['query_reserve_connector', 'query_cancel_reservation'] } };
      seed.partners = [{ ...seed.partners[0], profile: 'reserving' }];
      (seed.stations.find((st) => st.StationID === 'FX0001') as Record<string, unknown>).ReservationPolicy = {
        MaxMinutes: 30,
        Fee: 1,
        NoShowFee: 2,
      };
      const seedFile = join(dir, 'seed.json');
      writeFileSync(seedFile, JSON.stringify(seed));
      progress('reservation: reserve and cancel on three connectors');
      const platform = await startPlatform({ ...common, seedFile });
      const sim = platform.simulator!;
      try {
        await sim.flush();
        await platform.cloud.drain({ timeoutMs: 10 * 60_000, includeDelayed: true });
        const p = platform.seed.partners[0]!;
        const token = await tokenFor(platform.apiUrl, p);
        // twice: what the first drain set going may fall due in simulated time
        const settleTwice = async () => {
          await settle(platform);
          await settle(platform);
        };
        await settleTwice();
        meter.takeLedger();
        const start = pushesSoFar(platform);
        const connectors = ['FX0001E01C1', 'FX0001E01C2', 'FX0001E02C1'];
        const seqs = connectors.map((_, i) => `${p.operatorId}${String(Date.now()).slice(-13)}${String(i).padStart(5, '0')}`);
        for (const [i, c] of connectors.entries()) {
          const r = await callAs(
            platform.apiUrl,
            p,
            'query_reserve_connector',
            { ReserveSeq: seqs[i], ConnectorID: c, ReserveMinutes: 15 },
            token,
          );
          if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0)
            throw new Error(`reserve: Ret ${r.ret} ${JSON.stringify(r.data)}`);
          await settleTwice();
        }
        save({ name: 'reservation (reserve)', units: connectors.length, ...taken(), pushes: pushesSoFar(platform) - start });
        const before = pushesSoFar(platform);
        for (const seq of seqs) {
          const r = await callAs(platform.apiUrl, p, 'query_cancel_reservation', { ReserveSeq: seq }, token);
          if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0)
            throw new Error(`cancel: Ret ${r.ret} ${JSON.stringify(r.data)}`);
          await settleTwice();
        }
        save({ name: 'reservation (cancel)', units: connectors.length, ...taken(), pushes: pushesSoFar(platform) - before });
        // no-shows: three reservations of 1 minute nobody uses, settled by one run of the scheduled
        // expiry (the stranded-sweep schedule) fired 2 minutes on: one query, a read and a write each
        const noShows = connectors.map((_, i) => `${p.operatorId}${String(Date.now()).slice(-13)}${String(i + 10).padStart(5, '0')}`);
        for (const [i, c] of connectors.entries()) {
          const r = await callAs(
            platform.apiUrl,
            p,
            'query_reserve_connector',
            { ReserveSeq: noShows[i], ConnectorID: c, ReserveMinutes: 1 },
            token,
          );
          if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0)
            throw new Error(`reserve: Ret ${r.ret} ${JSON.stringify(r.data)}`);
          await settleTwice();
        }
        meter.takeLedger();
        platform.cloud.scheduler.fire('stranded-sweep', new Date(Date.now() + 2 * 60_000));
        await settleTwice();
        save({ name: 'reservation (no-show settled by the sweep)', units: connectors.length, ...taken() });
      } finally {
        await platform.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (job === 'plug-charge') {
    // plug-and-charge (ours): binding a VIN (query_vin_bind), then a bound car plugged in → the pile's
    // VIN report (PileVinReported) → plug-charge → the start path → charging, with the pushes it causes
    // (notification_vin_start_charge, notification_start_charge_result, the connector's statuses).
    // Manual simulated clock: time moves only until the session charges, so no meter sample is counted.
    const dir = mkdtempSync(join(tmpdir(), 'cost-bench-pnc-'));
    try {
      const seed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { partners: Record<string, unknown>[]; [k: string]: unknown };
      seed.profiles = { pnc: { extends: 'cec2016', extensions: ['query_vin_bind', 'query_vin_unbind', 'notification_vin_start_charge'] } };
      seed.partners = [{ ...seed.partners[0], profile: 'pnc' }];
      const seedFile = join(dir, 'seed.json');
      writeFileSync(seedFile, JSON.stringify(seed));
      progress('plug-charge: bind three VINs, plug three cars in');
      const platform = await startPlatform({ ...common, simulator: { ...common.simulator, manualClock: true }, seedFile });
      const sim = platform.simulator!;
      const { getOrder } = await import('../shared/store/orders.ts');
      const { plugChargeSeq } = await import('../shared/domain/vin.ts');
      try {
        await settle(platform);
        const p = platform.seed.partners[0]!;
        const token = await tokenFor(platform.apiUrl, p);
        const connectors = ['FX0001E01C1', 'FX0001E01C2', 'FX0002E01C1'];
        const vins = connectors.map((_, i) => `LSVAU2180N21832${i}${i}`);
        meter.takeLedger();
        for (const vin of vins) {
          const r = await callAs(platform.apiUrl, p, 'query_vin_bind', { Vin: vin, PlateNum: '京AD12345' }, token);
          if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0)
            throw new Error(`bind: Ret ${r.ret} ${JSON.stringify(r.data)}`);
        }
        save({ name: 'VIN bind (query_vin_bind)', units: vins.length, ...taken() });
        const before = pushesSoFar(platform);
        for (const [i, c] of connectors.entries()) {
          sim.setVehicle(c, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
          const seq = plugChargeSeq(p.operatorId, c, vins[i]!, sim.now());
          sim.plugIn(c, vins[i]!);
          await settle(platform, false);
          for (let s = 0; (await getOrder(seq))?.status !== 2; s++) {
            if (s > 120)
              throw new Error(
                `plug-charge: ${seq} never charged (${JSON.stringify(await getOrder(seq))}, pile ${JSON.stringify(sim.get(c))})`,
              );
            sim.advance(1_000);
            await settle(platform, false);
          }
          await settle(platform);
        }
        save({
          name: 'plug-and-charge start (plug-in → charging)',
          units: connectors.length,
          ...taken(),
          pushes: pushesSoFar(platform) - before,
          note: 'the VIN report, the binding, the start path, its pushes; a QR start has query_token/equip_auth/start_charge calls instead',
        });
      } finally {
        await platform.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (job === 'parking') {
    // the parking service (L1): a waiver (OrderFinished → parking-waivers → parking-waiver → the
    // gate, the plate known) and a ground-lock drop (query_drop_lock → the lock gateway), each drained
    const { carParkSeed } = await import('../test/support/extensions.ts');
    // partner 1 alone, the ground-lock interfaces on (the waivers come from the OrderFinished rule's target)
    const site = carParkSeed(
      ['query_ground_locks', 'query_drop_lock', 'query_drop_lock_result'],
      {
        FX0001: {
          ParkingPolicy: { FreeMinutes: 120, CapMinutes: 240 },
          ParkingSpaces: [
            { LockNum: 'L01', WorkplaceName: 'B1-017', ConnectorID: 'FX0001E01C1' },
            { LockNum: 'L02', WorkplaceName: 'B1-018', ConnectorID: 'FX0001E01C2' },
            { LockNum: 'L03', WorkplaceName: 'B1-019', ConnectorID: 'FX0001E02C1' },
          ],
        },
      },
      { partner2: false },
    );
    const park = await site.start();
    try {
      const seedFile = site.seedFile;
      progress('parking: three waivers and three lock drops');
      const platform = await startPlatform({ ...common, seedFile });
      const { runWithEnv } = await import('../shared/config.ts');
      const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
      const { randomUUID } = await import('node:crypto');
      const { envName } = await import('../infra/topology/types.ts');
      const { OrderFinished } = await import('../events/orders.ts');
      const { setWaiverPlate } = await import('../shared/store/parking.ts');
      try {
        await settle(platform);
        const p = platform.seed.partners[0]!;
        const token = await tokenFor(platform.apiUrl, p);
        const connectors = ['FX0001E01C1', 'FX0001E01C2', 'FX0001E02C1'];
        const seqs = connectors.map((_, i) => `${p.operatorId}${String(Date.now()).slice(-13)}${String(i).padStart(5, '0')}`);
        // the plates were given while charging (modify_parking_fee_wave_car_number, not measured here)
        for (const [i, c] of connectors.entries())
          await runWithEnv(platform.cloud.env, () =>
            setWaiverPlate({ StartChargeSeq: seqs[i]!, OperatorID: p.operatorId, StationID: 'FX0001', ConnectorID: c }, '沪A12345', 0),
          );
        meter.takeLedger();
        for (const [i, c] of connectors.entries()) {
          // what the OrderFinished rule delivers to parking-waivers (the event itself is the order's:
          // the charging service publishes it for every finished order; its rule target is this send)
          const detail = {
            ...OrderFinished.sample,
            StartChargeSeq: seqs[i]!,
            ConnectorID: c,
            StationID: 'FX0001',
            OperatorID: p.operatorId,
          };
          const envelope = {
            version: '0',
            id: randomUUID(),
            'detail-type': OrderFinished.detailType,
            source: OrderFinished.source,
            account: '000000000000',
            time: new Date().toISOString(),
            region: 'us-east-1',
            resources: [],
            detail,
          };
          await new SQSClient({}).send(
            new SendMessageCommand({
              QueueUrl: platform.cloud.env[envName('QUEUE_URL', 'parking-waivers')],
              MessageBody: JSON.stringify(envelope),
            }),
          );
          await settle(platform);
        }
        if (park.waivers('FX0001').length !== connectors.length) throw new Error(`waivers applied: ${park.waivers('FX0001').length}`);
        save({
          name: 'parking waiver (order finished → gate)',
          units: connectors.length,
          ...taken(),
          pushes: 0,
          note: "from the rule's SQS target on (the OrderFinished event itself is the order's)",
        });
        // each drop: the gateway call, GroundLockChanged → the status ingest → ConnectorStatusChanged → the stationStatus push
        const before = pushesSoFar(platform);
        for (const c of ['L01', 'L02', 'L03']) {
          const r = await callAs(platform.apiUrl, p, 'query_drop_lock', { StationID: 'FX0001', LockNum: c }, token);
          if ((r.data as { result?: boolean } | undefined)?.result !== true)
            throw new Error(`drop: Ret ${r.ret} ${JSON.stringify(r.data)}`);
          await settle(platform);
        }
        save({ name: 'ground lock drop (LockStatus pushed)', units: 3, ...taken(), pushes: pushesSoFar(platform) - before });
      } finally {
        await platform.stop();
      }
    } finally {
      await site.stop();
    }
  }
  if (job === 'stranded') {
    // the stranded-session sweep (issue 17): 8 charging orders whose piles vanish; one sweep 11 min
    // after their last reading (past the rule's shortest quiet time: each read and judged, none ended —
    // what every sweep costs per order charging longer than 10 min), then one at 16 min that ends them
    // all (offline: the finish, OrderFinished and the pushes of each)
    progress('stranded-session sweep over 8 charging orders');
    // a loaded machine answers slowly: a start must not time out before the pile's answer is processed
    const platform = await startPlatform({
      ...common,
      env: { ...common.env, START_TIMEOUT_SECONDS: '300' },
      seedFile: FIXTURE,
      schedules: false,
    });
    const sim = platform.simulator!;
    try {
      await sim.flush();
      await platform.cloud.drain({ timeoutMs: 10 * 60_000, includeDelayed: true });
      const p = platform.seed.partners[0]!;
      const token = await tokenFor(platform.apiUrl, p);
      const connectors = [
        'FX0001E01C1',
        'FX0001E01C2',
        'FX0001E02C1',
        'FX0002E01C1',
        'FX0002E01C2',
        'FX0002E02C1',
        'FX0003E01C1',
        'FX0003E01C2',
      ];
      const seqs = connectors.map((_, i) => `${p.operatorId}${String(Date.now()).slice(-13)}${String(i).padStart(5, '0')}`);
      for (const c of connectors) {
        sim.setVehicle(c, { socStart: 10, batteryKwh: 400, maxDcKw: 60, targetSoc: 100 });
        sim.admin(c, 'plugged');
      }
      await sim.flush();
      await platform.cloud.drain({ timeoutMs: 5 * 60_000 });
      for (const [i, c] of connectors.entries()) {
        const r = await callAs(platform.apiUrl, p, 'query_start_charge', { StartChargeSeq: seqs[i], ConnectorID: c }, token);
        if ((r.data as { SuccStat?: number } | undefined)?.SuccStat !== 0) throw new Error(`start: Ret ${r.ret} ${JSON.stringify(r.data)}`);
      }
      const { getOrder } = await import('../shared/store/orders.ts');
      await waitFor('8 orders charging', async () => (await Promise.all(seqs.map((q) => getOrder(q)))).every((o) => o?.status === 2));
      // the piles vanish mid-session (offline, their stops held back): the rule ends them after 15 min
      for (const c of connectors) sim.admin(c, 'offline');
      await sim.flush();
      await platform.cloud.drain({ timeoutMs: 5 * 60_000 });
      const last = Math.max(...(await Promise.all(seqs.map((q) => getOrder(q)))).map((o) => o?.meter?.t ?? 0));
      meter.takeLedger();
      platform.cloud.scheduler.fire('stranded-sweep', new Date(last + 11 * 60_000));
      await platform.cloud.drain({ timeoutMs: 5 * 60_000 });
      save({ name: 'stranded sweep, 8 charging orders, none ended', units: 1, ...taken() });
      const before = pushesSoFar(platform);
      platform.cloud.scheduler.fire('stranded-sweep', new Date(last + 16 * 60_000));
      await platform.cloud.drain({ timeoutMs: 5 * 60_000, includeDelayed: true });
      save({ name: 'stranded order ended (8 in one sweep)', units: 8, ...taken(), pushes: pushesSoFar(platform) - before });
    } finally {
      await platform.stop();
    }
  }
  if (job === 'station-change') {
    // StationChanged never lost: the import records each change in the stations table's outbox before
    // committing the station, publishes, deletes the rows; a sweep every 5 minutes publishes what a
    // failed publish (or a crash) left (shared/services/station-import.ts)
    progress('station change: an import changing the fixture’s stations; the sweep');
    const platform = await startPlatform({ ...common, seedFile: FIXTURE, schedules: false, simulator: false });
    const { importStationObjects } = await import('../shared/services/station-import.ts');
    const { resetPublishClient } = await import('../shared/bus/publish.ts');
    try {
      await platform.cloud.drain({ timeoutMs: 5 * 60_000 });
      const seed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { stations: Record<string, unknown>[] };
      const renamed = (tag: string) => seed.stations.slice(0, 10).map((st) => ({ ...st, StationName: `${String(st.StationName)} ${tag}` }));
      const units = Math.min(10, seed.stations.length);
      meter.takeLedger();
      await importStationObjects('bench.json', renamed('(a)'));
      await platform.cloud.drain({ timeoutMs: 5 * 60_000, includeDelayed: true });
      save({ name: `station change (an import changing ${units})`, units, ...taken(), pushes: 0 });
      const now = Date.now();
      platform.cloud.scheduler.fire('station-changes', new Date(now + 10 * 60_000));
      await platform.cloud.drain({ timeoutMs: 5 * 60_000 });
      save({ name: 'station-change sweep, nothing pending', units: 1, ...taken() });
      // the bus unreachable after the write: the changes wait in the outbox for the sweep
      const endpoint = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = 'http://127.0.0.1:9';
      resetPublishClient();
      try {
        await importStationObjects('bench.json', renamed('(b)'));
      } finally {
        process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoint;
        resetPublishClient();
      }
      meter.takeLedger();
      platform.cloud.scheduler.fire('station-changes', new Date(Date.now() + 10 * 60_000));
      await platform.cloud.drain({ timeoutMs: 5 * 60_000, includeDelayed: true });
      save({ name: `station-change sweep publishing ${units} left changes`, units, ...taken() });
    } finally {
      await platform.stop();
    }
  }
  restoreStdout();
};

// ─────────────────────────────── parent: run the jobs, price, print ───────────────────────────────

const usd = (x: number): string => (x === 0 ? '0' : x < 0.01 ? `$${x.toPrecision(3)}` : `$${x.toFixed(2)}`);
const num = (x: number, dp = 0): string => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(dp));
const perUnit = (s: Scenario): Tally => addTally(emptyTally(), s.tally, 1 / s.units);

const table = (head: string[], rows: (string | number)[][]): string => {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map(
      (r, j) =>
        `  ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')}${j === 0 ? `\n  ${w.map((x) => '─'.repeat(x)).join('  ')}` : ''}`,
    )
    .join('\n');
};

const detail = (s: Scenario): void => {
  const t = perUnit(s);
  const tot = totals(t);
  console.log(
    `\n■ ${s.name}${s.units > 1 ? ` (per unit, mean of ${s.units})` : ''}${s.note ? ` — ${s.note}` : ''}${s.pushes !== undefined ? ` — ${num(s.pushes / s.units, 1)} push(es) accepted by partners` : ''}`,
  );
  const calls = Object.entries(t.calls).sort(([a], [b]) => a.localeCompare(b));
  console.log(
    table(
      ['AWS call', 'count', 'failed', 'failed cond. writes'],
      calls.map(([k, c]) => [k, num(c.count, 1), num(c.failed, 1), num(c.conditionalFailed, 1)]),
    ),
  );
  console.log(
    `  DynamoDB: ${num(tot.wcu, 1)} WCU (reported ${num(t.dynamo.reportedWrite, 1)}, of which GSI ${num(t.dynamo.indexWrite, 1)}; computed for failed conditional writes ${num(t.dynamo.computedWrite, 1)}), ${num(tot.rcu, 1)} RCU`,
  );
  const fns = Object.entries(t.lambda).sort(([a], [b]) => a.localeCompare(b));
  console.log(
    table(
      ['Lambda', 'invocations', 'mean ms', 'MB', 'GB-s'],
      fns.map(([k, f]) => [k, num(f.invocations, 1), (f.ms / f.invocations).toFixed(1), f.memoryMb, f.gbSeconds.toFixed(3)]),
    ),
  );
  sandboxTable(fns);
  console.log(
    `  EventBridge events: ${
      Object.entries(t.events)
        .map(([k, n]) => `${k} ${num(n, 1)}`)
        .join(', ') || 'none'
    }`,
  );
  console.log(
    `  SQS requests: ${num(tot.sqsRequests, 1)} (SDK ${num(t.sqs.sdk, 1)}, EventBridge targets ${num(t.sqs.eventBridgeTarget, 1)}, ESM receive ${num(t.sqs.receive, 1)} + delete ${num(t.sqs.delete, 1)}); API Gateway ${num(t.apiRequests, 1)}; Secrets Manager ${num(t.secretsCalls, 1)}; logs ${num(t.logLines, 1)} lines, ${num(t.logBytes / 1024, 1)} KiB`,
  );
  const { lines, total } = priceTally(t, PRICES);
  console.log(
    table(
      ['$ line', 'quantity', '$'],
      [
        ...lines
          .filter((l) => l.quantity > 0)
          .map((l) => [l.item, l.quantity < 1 ? l.quantity.toExponential(2) : num(l.quantity, 2), usd(l.usd)]),
        ['total per unit', '', usd(total)],
      ],
    ),
  );
  if (tot.sandboxGbSeconds > 0)
    console.log(
      `  with Lambda GB-s in each function's own sandbox: ${num(tot.sandboxGbSeconds, 3)} GB-s, ${usd(tot.sandboxGbSeconds * PRICES.lambdaGbSecond)} (instead of ${num(tot.gbSeconds, 3)} GB-s, ${usd(tot.gbSeconds * PRICES.lambdaGbSecond)}): total per unit ${usd(priceTally(t, PRICES, 'sandbox').total)}`,
    );
  byFunction(s);
  writesTable(s);
  if (s.orderBytes)
    console.log(
      `  order item (bytes, DynamoDB's rules; 1 WCU per started KB): ${Object.entries(s.orderBytes)
        .map(([k, b]) => `${k} ${num(b)} B`)
        .join(', ')}`,
    );
};

/** each function's invocations in its own sandbox (bench/cost/sandbox.ts): means per invocation, GB-s both ways */
const sandboxTable = (fns: [string, Tally['lambda'][string]][]): void => {
  const measured = fns.filter(([, f]) => f.billedMs !== undefined);
  if (!measured.length) return;
  const mean = (x: number | undefined, n: number) => ((x ?? 0) / n).toFixed(1);
  console.log(
    table(
      [
        'Lambda in its own sandbox',
        'invocations',
        'mean wall ms',
        'own CPU ms',
        'waits ms (local)',
        'waits ms (AWS)',
        'billed ms',
        'GB-s wall',
        'GB-s own sandbox',
      ],
      measured.map(([k, f]) => [
        k,
        num(f.invocations, 1),
        mean(f.ms, f.invocations),
        mean(f.cpuMs, f.invocations),
        mean(f.waitMs, f.invocations),
        mean(f.modelWaitMs, f.invocations),
        mean(f.billedMs, f.invocations),
        f.gbSeconds.toFixed(3),
        (f.sandboxGbSeconds ?? 0).toFixed(3),
      ]),
    ),
  );
};

/** every DynamoDB write per unit by function, command and table: calls, WCU, WCU per call (≥ 2: an item over 1 KB, or a transaction) */
const writesTable = (s: Scenario): void => {
  if (!s.byFunction) return;
  const rows = Object.entries(scaleLedger(s.byFunction, 1 / s.units))
    .filter(([name]) => name !== OUTSIDE)
    .flatMap(([name, t]) => Object.entries(t.dynamo.writes ?? {}).map(([k, w]) => ({ name, k, w })))
    .sort((a, b) => b.w.wcu - a.w.wcu);
  if (!rows.length) return;
  console.log(
    table(
      ['DynamoDB writes (per unit)', 'write, table', 'calls', 'WCU', 'WCU per call', 'of which GSI'],
      rows.map(({ name, k, w }) => [name, k, num(w.count, 1), num(w.wcu, 1), (w.wcu / w.count).toFixed(2), num(w.gsi, 1)]),
    ),
  );
};

/** `DynamoDB:UpdateItem` → `UpdateItem`; the commands of a bucket, most frequent first */
const commands = (t: Tally): string =>
  Object.entries(t.calls)
    .sort(([, a], [, b]) => b.count - a.count)
    .map(
      ([k, c]) =>
        `${k
          .replace(/^DynamoDB:/, '')
          .replace(/^EventBridge:/, 'EB ')
          .replace(/^SQS:/, 'SQS ')} ${num(c.count, 1)}`,
    )
    .join(', ');

/** per function (per unit): invocations, calls by command, capacity, failed conditional writes, $ */
const byFunction = (s: Scenario): void => {
  if (!s.byFunction) return;
  const rows = Object.entries(scaleLedger(s.byFunction, 1 / s.units))
    .map(([name, t]) => ({ name, t, f: bucketFigures(t), usd: name === OUTSIDE ? 0 : priceTally(t, PRICES).total }))
    .sort((a, b) => (a.name === OUTSIDE ? 1 : b.name === OUTSIDE ? -1 : b.usd - a.usd));
  console.log(
    table(
      ['by function (per unit)', 'invocations', 'WCU', 'RCU', 'failed cond. writes', 'log KiB', '$', 'AWS calls by command'],
      rows.map(({ name, t, f, usd: x }) => [
        name,
        num(f.invocations, 1),
        num(f.wcu, 1),
        num(f.rcu, 1),
        num(f.conditionalFailed, 1),
        (t.logBytes / 1024).toFixed(1),
        name === OUTSIDE ? 'not priced' : usd(x),
        commands(t) || '–',
      ]),
    ),
  );
};

const PUSH_DELIVER = 'push-deliver';
/** write calls, WCU and failed conditional writes per accepted push, from push-deliver's own row */
const writesPerPush = (all: readonly Scenario[]): void => {
  const rows = all
    .filter((s) => s.pushes && s.byFunction?.[PUSH_DELIVER])
    .map((s) => {
      const f = bucketFigures(s.byFunction![PUSH_DELIVER]!);
      const n = s.pushes!;
      return [
        s.name,
        num(n),
        num(f.invocations),
        num(f.writeCalls),
        num(f.wcu, 1),
        num(f.conditionalFailed),
        (f.writeCalls / n).toFixed(2),
        (f.wcu / n).toFixed(2),
        (f.conditionalFailed / n).toFixed(2),
      ];
    });
  if (!rows.length) return;
  console.log('\n■ writes per push (push-deliver alone; pushes = those the partners accepted, whole scenario)');
  console.log(
    table(
      ['scenario', 'pushes', 'invocations', 'write calls', 'WCU', 'failed cond.', 'write calls/push', 'WCU/push', 'failed cond./push'],
      rows,
    ),
  );
};

/** $ per session and the monthly bill with Lambda GB-s as measured (wall) and in each function's own sandbox */
const gbsBothWays = (
  all: readonly Scenario[],
  s30: Scenario | undefined,
  s120: Scenario | undefined,
  scale: Scenario | undefined,
  sessionUnit: Scenario | undefined,
  f1: Scenario | undefined,
  f10: Scenario | undefined,
): void => {
  const rows = (
    [
      ['session 30 min alone', s30],
      [`session ${SCALE_MINUTES} min, one of ${scale?.units ?? SCALE_SESSIONS} at once`, scale],
      ['session 120 min alone', s120],
    ] as [string, Scenario | undefined][]
  ).filter((r): r is [string, Scenario] => r[1] !== undefined && totals(perUnit(r[1])).sandboxGbSeconds > 0);
  if (!rows.length && !all.some((s) => totals(s.tally).sandboxGbSeconds > 0)) return;
  console.log("\n■ Lambda GB-s both ways: handler wall time on the shared local runtime vs each function's own sandbox");
  console.log(
    table(
      ['per session', 'GB-s wall', 'GB-s own sandbox', '$ (GB-s wall)', '$ (own sandbox)'],
      rows.map(([name, s]) => {
        const t = perUnit(s);
        const x = totals(t);
        return [
          name,
          x.gbSeconds.toFixed(3),
          x.sandboxGbSeconds.toFixed(3),
          usd(priceTally(t, PRICES).total),
          usd(priceTally(t, PRICES, 'sandbox').total),
        ];
      }),
    ),
  );
  if (!sessionUnit || !f1 || !f10) return;
  const bill = (gbs: 'wall' | 'sandbox') => {
    const u: UnitCosts = {
      session: priceTally(perUnit(sessionUnit), PRICES, gbs).total,
      sessionStatusChanges: (sessionUnit.tally.events.ConnectorStatusChanged ?? 0) / sessionUnit.units,
      sessionPartners: 1,
      statusChange1: priceTally(perUnit(f1), PRICES, gbs).total,
      statusChange10: priceTally(perUnit(f10), PRICES, gbs).total,
    };
    return monthlyBill(u, OPERATOR, PRICES).total;
  };
  console.log(`  monthly bill of the operator profile: ${usd(bill('wall'))} (GB-s wall), ${usd(bill('sandbox'))} (own sandbox)`);
};

export const main = async (): Promise<void> => {
  const only = process.env.BENCH_COST_ONLY;
  // `sessions` (only when asked for): the charging sessions without the startup burst and station-status scenarios
  // (the `demo` job runs the sessions too: asked for both, they run once)
  const jobs = (only?.split(',').includes('sessions') && !only.split(',').includes('demo') ? ['sessions'] : []).concat(
    [
      'demo',
      'sessions-at-scale',
      'fanout:1',
      'fanout:5',
      'fanout:10',
      'reservation',
      'parking',
      'plug-charge',
      'stranded',
      'station-change',
    ].filter((j) => !only || only.split(',').some((o) => j === o || j.startsWith(`${o}:`))),
  );
  const dir = mkdtempSync(join(tmpdir(), 'cost-bench-out-'));
  const all: Scenario[] = [];
  try {
    for (const job of jobs) {
      const out = join(dir, `${job.replace(':', '-')}.json`);
      try {
        execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--job', job, out], {
          env: { ...process.env },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
      } catch {
        console.error(`(cost bench: job ${job} failed; what it measured before is reported)`);
      }
      if (existsSync(out)) all.push(...(JSON.parse(readFileSync(out, 'utf8')) as Scenario[]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `prices: ${PRICES_DATE} (bench/prices.ts); simulator ×${SPEED}; a meter sample every ${METER_SECONDS} s${ALIGNED_SECONDS ? `, aligned every ${ALIGNED_SECONDS} s` : ''}`,
  );
  console.log(
    'DynamoDB capacity: as DynamoDB Local reports it (ReturnConsumedCapacity INDEXES on every call); failed conditional writes, which report none, computed from the size of the item they failed on (≥ 1 WCU; ×2 in a transaction).',
  );
  console.log(
    `Lambda GB-s: handler time measured on the local runtime (DynamoDB Local is slower than DynamoDB: an upper bound) × the topology's memory; logs: the handlers' JSON lines at INFO + ${PLATFORM_LOG_BYTES_PER_INVOCATION} B of platform lines per invocation; X-Ray: ${XRAY_SAMPLING * 100} % of invocations.`,
  );
  console.log(
    `Lambda GB-s in its own sandbox (beside the above; bench/cost/sandbox.ts): per invocation, billed ms = max(1, ⌈own CPU ÷ vCPU share + waits⌉) × memory — own CPU: the CPU time of the event-loop slices run in the invocation's context (async_hooks; the other functions', the simulator's and the partners' slices are theirs), on this machine's cores; vCPU share: memory ÷ ${num(LAMBDA_FULL_VCPU_MB)} MB (≤ 1); waits: its AWS and outbound HTTP calls, those in parallel as one, each group at its slowest call's typical AWS latency (bench/prices.ts AWS_LATENCY_MS, assumed: DynamoDB 5–15 ms, SQS/EventBridge 20 ms, a partner 100 ms), not at DynamoDB Local's; the waits measured locally are shown beside. Not counted: timers a handler awaits, init.`,
  );
  for (const s of all) detail(s);

  console.log('\n■ summary (per unit)');
  console.log(
    table(
      ['scenario', 'AWS calls', 'failed cond. writes', 'WCU', 'RCU', 'invocations', 'GB-s', 'events', 'SQS req', '$ per unit'],
      all.map((s) => {
        const t = perUnit(s);
        const x = totals(t);
        return [
          s.name,
          num(x.awsCalls, 1),
          num(x.conditionalFailed, 1),
          num(x.wcu, 1),
          num(x.rcu, 1),
          num(x.invocations, 1),
          x.gbSeconds.toFixed(2),
          num(x.events, 1),
          num(x.sqsRequests, 1),
          usd(priceTally(t, PRICES).total),
        ];
      }),
    ),
  );

  const find = (name: string) => all.find((s) => s.name === name);
  const s30 = find('session 30 min');
  const s120 = find('session 120 min');
  const f1 = find('status change → 1 partner(s)');
  const f10 = find('status change → 10 partner(s)');
  const scale = find(SCALE_NAME);
  const writes = (s: Scenario) => bucketFigures(perUnit(s)).writeCalls;
  if (f1 && f10) {
    const perPush = (writes(f10) - writes(f1)) / 9;
    const pushUsd = (priceTally(perUnit(f10), PRICES).total - priceTally(perUnit(f1), PRICES).total) / 9;
    console.log(
      `\n  per push (steady state, marginal between 1 and 10 partners, every function): ${perPush.toFixed(1)} DynamoDB write calls, ${usd(pushUsd)}`,
    );
  }
  writesPerPush(all);
  if (scale && s30) {
    // the same line items side by side: one session alone, and one of N at once (total ÷ N)
    const alone = priceTally(perUnit(s30), PRICES);
    const atScale = priceTally(perUnit(scale), PRICES);
    const a = totals(perUnit(s30));
    const b = totals(perUnit(scale));
    console.log(`\n■ a ${SCALE_MINUTES}-minute session: alone vs one of ${scale.units} at once (total ÷ ${scale.units})`);
    console.log(
      table(
        ['per session', 'alone (30 min)', `${scale.units} at once (${SCALE_MINUTES} min)`],
        [
          ['AWS calls', num(a.awsCalls, 1), num(b.awsCalls, 1)],
          ['Lambda invocations', num(a.invocations, 1), num(b.invocations, 1)],
          ['SQS requests', num(a.sqsRequests, 1), num(b.sqsRequests, 1)],
          ['WCU', num(a.wcu, 1), num(b.wcu, 1)],
          ...alone.lines.map((l, i) => [l.item, usd(l.usd), usd(atScale.lines[i]?.usd ?? 0)]),
          ['$ per session', usd(alone.total), usd(atScale.total)],
        ],
      ),
    );
  }
  // the operator's sessions run side by side: priced as one of N at once when measured (30 min), else alone
  const sessionUnit = scale && SCALE_MINUTES === 30 ? scale : s30;
  if (sessionUnit && f1 && f10) {
    const u: UnitCosts = {
      session: priceTally(perUnit(sessionUnit), PRICES).total,
      sessionStatusChanges: (sessionUnit.tally.events.ConnectorStatusChanged ?? 0) / sessionUnit.units,
      sessionPartners: 1,
      statusChange1: priceTally(perUnit(f1), PRICES).total,
      statusChange10: priceTally(perUnit(f10), PRICES).total,
    };
    const o = OPERATOR;
    const bill = monthlyBill(u, o, PRICES);
    console.log(
      `\n■ monthly bill of the operator profile: ${num(o.connectors)} connectors, ${o.partners} partners, ${num(o.sessionsPerDay)} sessions/day of 30 min, ${o.daysPerMonth} days`,
    );
    console.log(
      `  assumptions: a session priced as ${sessionUnit === scale ? `one of ${scale.units} run at once (${SCALE_NAME}: total ÷ ${scale.units}; the operator's ${num(o.sessionsPerDay)} sessions a day overlap, so the queues' batches hold several sessions' readings)` : 'one session alone (no sessions-at-scale figure of 30 min in this run: an upper bound, each batch holds one session’s readings)'}; each station granted to ${o.grantShare * 100} % of the partners (${o.partners * o.grantShare}); a session's own status changes (${num(u.sessionStatusChanges, 1)} measured) + ${o.extraStatusChangesPerSession} more (the driver unplugs); ${o.otherStatusChangesPerConnectorDay} other status changes per connector per day (faults, outages and recoveries); ${o.polledQueues} polled queues × 5 idle long-polling ESM pollers; ${o.secrets} secrets. Not priced: DynamoDB storage, IoT Core (the piles' messages arrive as the EventBridge events counted above), data transfer, calls made outside any invocation (the simulator's, the bench driver's, the local runtime's: the "${OUTSIDE}" rows).`,
    );
    console.log(
      table(
        ['line', 'quantity', '$ / month'],
        [...bill.lines.map((l) => [l.item, num(l.quantity), usd(l.usd)]), ['total', '', usd(bill.total)]],
      ),
    );
  }
  gbsBothWays(all, s30, s120, scale, sessionUnit, f1, f10);
  if (s30 && s120) {
    console.log(
      `\n  session 120 min / 30 min cost ratio: ${(priceTally(perUnit(s120), PRICES).total / priceTally(perUnit(s30), PRICES).total).toFixed(2)} (linear would be 4.00)`,
    );
  }
};

const jobIndex = process.argv.indexOf('--job');
if (jobIndex > 0 && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  child(process.argv[jobIndex + 1]!, process.argv[jobIndex + 2]!).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
