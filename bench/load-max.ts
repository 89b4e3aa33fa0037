/**
 * `npm run bench -- load --find-max` (issue 17 item 5): the highest request rate this machine
 * sustains without errors for a realistic partner mix, then that rate held for minutes, healthy and
 * with one partner misbehaving.
 *
 * The platform is a spawned `npm start` (test/support/platform-process.ts: the demo seed, its own data
 * dir and DynamoDB Local, simulator ×60 with `--sim-outages off`: no random pile outages) and the demo partners that receive its pushes live in this
 * process, as does the load generator. The generator is open-loop: requests leave on a schedule
 * (rate R, each interface its share), whether or not earlier ones were answered — a closed-loop tool
 * (autocannon, even with `overallRate`) sends less when the server slows and so hides an overload.
 *
 * The mix at R requests/s (partner 1, budget raised so its limiter never refuses it):
 *   query_station_status 35 %, query_equip_business_policy 25 %, query_stations_info (pages) 10 %,
 *   and whole sessions, 3 % of R started per second, on connectors of the stations partner 2 is also
 *   granted first (every status change pushes to both partners), only on connectors
 *   query_station_status shows idle (the pool is read before each phase; a connector goes back to it
 *   once its car has left and the platform shows it idle again): query_start_charge, then
 *   query_equip_charge_status every 2 s until charging, 10 s of charging (10 simulated minutes),
 *   query_stop_charge, polls every 2 s until finished (≈ 30 % of R in all).
 *
 * A step is error-free when: no answer other than HTTP 200 with a verified Sig and Ret 0 (SuccStat 0
 * where the answer has one), no request timed out (10 s) or failed on the socket, every session of
 * the step reached charging and then finished, the generator sent ≥ 95 % of its schedule, and the
 * p99 of every interface is under `--p99` ms. The search doubles the rate from `--from` until a step
 * fails, then bisects between the last error-free and the first failing rate `--bisect` times.
 *
 * The hold: the found rate (or `--rate R`) for `--minutes N`, then again for N minutes while partner 2
 * floods query_station_status at `--flood` requests/s over its default budget (20/s, burst 40: the
 * excess gets a signed Ret -1, counted apart) and its endpoint fails every push (HTTP 500). Printed
 * per phase: throughput, n / req/s / p50 / p99 / errors per interface, sessions, pushes received, the
 * simulator's outbox backlog (pile events not yet handed to the platform: GET /local/sim), the
 * platform's and DynamoDB Local's RSS over time (VmRSS of /proc/<pid>/status) with growth % and slope.
 * The load average is printed beside every figure: on this shared 2-core machine it is most of the story.
 *
 *   npm run bench -- load --find-max                 (search, then 10 minutes per phase)
 *   npm run bench -- load --find-max --minutes 2
 *   npm run bench -- load --find-max --rate 40 --minutes 10   (no search: hold 40 req/s)
 *   options: --step S (20 s per step), --from R (5), --max R (2000), --bisect N (3), --p99 MS (1000),
 *            --flood R (60: 3× partner 2's budget), --healthy-only (no flood hold), --flood-only (no healthy hold), --sim-protocol ocpp|direct (direct), --settle S (300: wait for the start's pushes)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SeedPartner } from '../shared/seed.ts';
import type { SecretSet } from '../shared/tcec/crypto.ts';
import { decodeResponse } from '../shared/tcec/envelope.ts';
import { newBusinessSeq } from '../shared/tcec/seq.ts';
import { envelopeFor, tokenFor } from '../test/support/platform.ts';
import { platformProcess } from '../test/support/platform-process.ts';
import { fmt, pct, slope } from './support.ts';

const SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));
const TIMEOUT_MS = 10_000;
/** the generator's own bound: more requests of one partner in flight than this and it stops sending (counted as unsent) */
const MAX_IN_FLIGHT = 2_000;

type Partner = Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet };
const load = () =>
  `load ${loadavg()
    .map((l) => fmt(l))
    .join(' ')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Series {
  lat: number[];
  errors: number;
  busy: number;
  firstError?: string;
}

/** one phase's figures: latency and outcomes per interface label, and what the generator could not send */
class Tally {
  readonly series = new Map<string, Series>();
  unsent = 0;
  /** sessions not started because no connector was idle: the bench's pool, not the platform (not an error) */
  poolEmpty = 0;
  sessionsStarted = 0;
  sessionsFinished = 0;
  sessionErrors = 0;
  firstSessionError?: string;
  /** session problems by kind (the message without its StartChargeSeq) */
  readonly sessionProblems = new Map<string, number>();
  of(label: string): Series {
    let s = this.series.get(label);
    if (!s) {
      s = { lat: [], errors: 0, busy: 0 };
      this.series.set(label, s);
    }
    return s;
  }
  errors(): number {
    let n = this.sessionErrors + this.unsent;
    for (const [label, s] of this.series) if (!label.startsWith('p2 ')) n += s.errors;
    return n;
  }
  worstP99(): number {
    let w = 0;
    for (const [label, s] of this.series) if (!label.startsWith('p2 ')) w = Math.max(w, pct(s.lat, 99));
    return w;
  }
  sent(): number {
    let n = 0;
    for (const [label, s] of this.series) if (!label.startsWith('p2 ')) n += s.lat.length;
    return n;
  }
}

export const findMax = async (argv: string[]): Promise<void> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      'find-max': { type: 'boolean' },
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string' },
      step: { type: 'string', default: '20' },
      from: { type: 'string', default: '5' },
      max: { type: 'string', default: '2000' },
      bisect: { type: 'string', default: '3' },
      p99: { type: 'string', default: '1000' },
      flood: { type: 'string', default: '60' },
      'healthy-only': { type: 'boolean', default: false },
      'flood-only': { type: 'boolean', default: false },
      'sim-protocol': { type: 'string', default: 'direct' },
      settle: { type: 'string', default: '300' },
    },
    allowPositionals: true,
  });
  const p99Bound = Number(values.p99);
  const stepMs = Number(values.step) * 1000;
  const holdMs = Number(values.minutes) * 60_000;

  // partner 1: a budget this machine cannot exhaust (its figures are the platform's); partner 2: the default
  const run = await platformProcess(
    {},
    {
      seedFile: SEED,
      everyPartner: true,
      editSeed: (seed) => {
        seed.partners[0] = { ...seed.partners[0], rateLimit: { rps: 100_000, burst: 100_000 } };
      },
      // no random pile outages: a start refused because the simulator took its pile offline a moment
      // before is the right answer to an outage, but the bench could not tell it from a platform error
      args: ['--sim-speed', '60', '--sim-protocol', String(values['sim-protocol']), '--sim-outages', 'off'],
    },
  );
  // the platform runs in a process group of its own (detached): an interrupted bench stops it too
  const interrupted = () => void run.dispose().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const t0 = performance.now();
    await run.start(true);
    console.log(
      `npm start (demo seed, simulator ×60, ${values['sim-protocol']}) up in ${fmt((performance.now() - t0) / 1000, 0)} s (${load()})`,
    );
    const p1: Partner = run.partners[0]!;
    const p2: Partner = run.partners[1]!;
    const demo1 = run.receivers.get(p1.operatorId);
    const demo2 = run.receivers.get(p2.operatorId);
    const pushes1 = () => demo1?.received.length ?? 0;

    // the start's burst (every connector's first status, pushed to both partners) is not the load: wait it
    // out — until the pushes of the last 10 s are under a tenth of the burst's peak (the simulator's own
    // status changes keep a trickle going), or `--settle` seconds
    const settleFrom = Date.now();
    const windows: number[] = [];
    for (let last = pushes1(); Date.now() - settleFrom < Number(values.settle) * 1000; ) {
      await sleep(10_000);
      windows.push(pushes1() - last);
      last = pushes1();
      if ((windows.at(-1) ?? 0) <= Math.max(10, Math.max(...windows) / 10)) break;
    }
    console.log(
      `start pushes settled after ${fmt((Date.now() - settleFrom) / 1000, 0)} s: partner 1 received ${pushes1()}, per 10 s: ${windows.join(' ')} (${load()})`,
    );

    const seed = JSON.parse(readFileSync(SEED, 'utf8')) as {
      stations: { StationID: string; EquipmentInfos: { ConnectorInfos: { ConnectorID: string }[] }[] }[];
      partners: { stations?: string[] | '*' }[];
    };
    const stationIds = seed.stations.map((s) => s.StationID);
    const granted2 = new Set(Array.isArray(seed.partners[1]?.stations) ? seed.partners[1].stations : stationIds);
    const connectorsOf = (ss: typeof seed.stations) =>
      ss.flatMap((s) => s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => c.ConnectorID)));
    const connectors = connectorsOf(seed.stations);
    const p2Stations = [...granted2];
    /**
     * connectors free for a session (a session takes one and gives it back once its order is finished):
     * first those of the stations both partners are granted (their statuses push to both), then the rest
     */
    const ordered = [
      ...connectorsOf(seed.stations.filter((s) => granted2.has(s.StationID))),
      ...connectorsOf(seed.stations.filter((s) => !granted2.has(s.StationID))),
    ];
    const stationOf = new Map(
      seed.stations.flatMap((s) => s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => [c.ConnectorID, s.StationID] as const))),
    );
    /** the pool sessions take connectors from: refilled before each phase with those query_station_status shows idle */
    let freeConnectors: string[] = [];
    const token1 = await tokenFor(run.apiUrl, p1);
    const token2 = await tokenFor(run.apiUrl, p2);
    /** requests in flight per partner: the flood's backlog does not hold partner 1's requests back */
    const inFlight = new Map<string, number>();

    /** one T/CEC call; its outcome and latency go to the tally under `label` */
    const call = async (tally: Tally, label: string, p: Partner, token: string, iface: string, data: unknown): Promise<unknown> => {
      const s = tally.of(label);
      const flying = inFlight.get(p.operatorId) ?? 0;
      if (flying >= MAX_IN_FLIGHT) {
        if (label.startsWith('p2 ')) s.errors++;
        else tally.unsent++;
        return undefined;
      }
      inFlight.set(p.operatorId, flying + 1);
      const start = performance.now();
      const fail = (why: string) => {
        s.errors++;
        s.firstError ??= why;
        return undefined;
      };
      try {
        const res = await fetch(`${run.apiUrl}/evcs/v1/${iface}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json;charset=utf-8', authorization: `Bearer ${token}` },
          body: JSON.stringify(envelopeFor(p, data)),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const body = await res.text();
        s.lat.push(performance.now() - start);
        if (res.status !== 200) return fail(`HTTP ${res.status} ${body.slice(0, 120)}`);
        const r = decodeResponse(body, p.inbound);
        if (!r.sigVerified) return fail('Sig not verified');
        if (r.ret === -1) {
          s.busy++;
          return undefined;
        }
        if (r.ret !== 0) return fail(`Ret ${r.ret} ${r.msg}`);
        const d = r.data as { SuccStat?: number; FailReason?: number } | undefined;
        if (d?.SuccStat !== undefined && d.SuccStat !== 0) return fail(`SuccStat ${d.SuccStat} FailReason ${d.FailReason}`);
        return d ?? {};
      } catch (err) {
        s.lat.push(performance.now() - start);
        return fail(`${(err as Error).name}: ${(err as Error).message}`.slice(0, 160));
      } finally {
        inFlight.set(p.operatorId, (inFlight.get(p.operatorId) ?? 1) - 1);
      }
    };

    type StatusAnswer = { StationStatusInfos?: { StationID: string; ConnectorStatusInfos?: { ConnectorID: string; Status: number }[] }[] };
    /** Status 1 (空闲, idle) of each connector of these stations, as partner 1 sees it */
    const idleIn = async (tally: Tally, label: string, ids: string[]): Promise<Set<string>> => {
      const r = (await call(tally, label, p1, token1, 'query_station_status', { StationIDs: ids })) as StatusAnswer | undefined;
      return new Set(
        (r?.StationStatusInfos ?? []).flatMap((s) =>
          (s.ConnectorStatusInfos ?? []).filter((c) => c.Status === 1).map((c) => c.ConnectorID),
        ),
      );
    };
    /**
     * The pool, from what the platform says: only connectors query_station_status shows idle (a pile
     * the simulator has offline, faulted, or still occupied by an earlier session's car is left out:
     * a start there is refused with FailReason 4, the bench's mistake, not the platform's).
     */
    const refillPool = async () => {
      const scratch = new Tally();
      const idle = new Set<string>();
      for (let k = 0; k < stationIds.length; k += 50)
        for (const c of await idleIn(scratch, 'pool', stationIds.slice(k, k + 50))) idle.add(c);
      freeConnectors = ordered.filter((c) => idle.has(c));
      if (scratch.errors() > 0) throw new Error(`reading the connectors' statuses failed: ${firstErrors(scratch).join('; ')}`);
      console.log(`  pool: ${freeConnectors.length} of ${ordered.length} connectors idle (${load()})`);
    };
    /**
     * After a finished session the simulated driver unplugs 1–5 simulated minutes later (1–5 s at
     * ×60): the connector goes back to the pool only once query_station_status shows it idle (every
     * 2 s, at most 60 s; counted as its own line of the tally).
     */
    const untilIdle = async (tally: Tally, connectorId: string): Promise<boolean> => {
      const station = stationOf.get(connectorId);
      if (!station) return false;
      for (let k = 0; k < 30; k++) {
        await sleep(2_000);
        if ((await idleIn(tally, 'query_station_status (idle check)', [station])).has(connectorId)) return true;
      }
      return false;
    };

    /** a whole session on a free connector: start, charging, stop, finished */
    const session = async (tally: Tally, n: number): Promise<void> => {
      const connectorId = freeConnectors.shift();
      if (!connectorId) {
        tally.poolEmpty++;
        return;
      }
      tally.sessionsStarted++;
      const seq = newBusinessSeq(p1.operatorId);
      const statOf = async () =>
        (
          (await call(tally, 'query_equip_charge_status', p1, token1, 'query_equip_charge_status', { StartChargeSeq: seq })) as
            | { StartChargeSeqStat?: number }
            | undefined
        )?.StartChargeSeqStat;
      const broken = (why: string) => {
        tally.sessionErrors++;
        tally.firstSessionError ??= why;
        const kind = why.replace(seq, '<seq>');
        tally.sessionProblems.set(kind, (tally.sessionProblems.get(kind) ?? 0) + 1);
      };
      let released = false;
      try {
        const st = await call(tally, 'query_start_charge', p1, token1, 'query_start_charge', {
          StartChargeSeq: seq,
          ConnectorID: connectorId,
          QRCode: '',
        });
        if (!st) {
          broken(`start of ${seq} refused`);
          return; // refused or unanswered: kept out of the pool (no idle polls feeding a backlog)
        }
        let stat: number | undefined;
        for (let k = 0; k < 30 && stat !== 2 && stat !== 4; k++) {
          await sleep(2_000);
          stat = await statOf();
        }
        if (stat !== 2) broken(`session ${seq} never charging (StartChargeSeqStat ${stat})`);
        if (stat === 4) return; // ended without charging: kept out of the pool (no idle polls feeding a backlog)
        await sleep(10_000 + (n % 5) * 1_000);
        await call(tally, 'query_stop_charge', p1, token1, 'query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId });
        for (let k = 0; k < 30 && stat !== 4; k++) {
          await sleep(2_000);
          stat = await statOf();
        }
        if (stat === 4) {
          tally.sessionsFinished++;
          released = await untilIdle(tally, connectorId);
        } else broken(`session ${seq} not finished 60 s after its stop (StartChargeSeqStat ${stat})`);
      } finally {
        // a connector whose session did not end stays out of the pool: the next session must not trip on it
        if (released) freeConnectors.push(connectorId);
      }
    };

    /** requests of one kind on an open-loop schedule: `rate` per second from now for `ms` */
    const schedule = async (ms: number, rate: number, fire: (i: number) => Promise<unknown>, pending: Promise<unknown>[]) => {
      if (rate <= 0) return;
      const start = performance.now();
      for (let i = 0; ; i++) {
        const due = start + (i * 1000) / rate;
        if (due - start >= ms) break;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        pending.push(fire(i));
      }
    };

    /** partner 1's mix at `rate` for `ms` (and partner 2's flood when `flood` > 0); resolves when every started session ended */
    const phase = async (ms: number, rate: number, flood = 0): Promise<Tally> => {
      await refillPool();
      const tally = new Tally();
      const pending: Promise<unknown>[] = [];
      await Promise.all([
        schedule(
          ms,
          rate * 0.35,
          (i) =>
            call(tally, 'query_station_status', p1, token1, 'query_station_status', { StationIDs: [stationIds[i % stationIds.length]] }),
          pending,
        ),
        schedule(
          ms,
          rate * 0.25,
          (i) =>
            call(tally, 'query_equip_business_policy', p1, token1, 'query_equip_business_policy', {
              EquipBizSeq: newBusinessSeq(p1.operatorId),
              ConnectorID: connectors[(i * 31) % connectors.length],
            }),
          pending,
        ),
        schedule(
          ms,
          rate * 0.1,
          (i) => call(tally, 'query_stations_info', p1, token1, 'query_stations_info', { PageNo: (i % 10) + 1, PageSize: 10 }),
          pending,
        ),
        schedule(ms, rate * 0.03, (i) => session(tally, i), pending),
        schedule(
          ms,
          flood,
          (i) =>
            call(tally, 'p2 FLOOD query_station_status', p2, token2, 'query_station_status', {
              StationIDs: [p2Stations[i % p2Stations.length]],
            }),
          pending,
        ),
      ]);
      await Promise.all(pending);
      return tally;
    };

    const verdict = (t: Tally, rate: number, ms: number) => {
      const why: string[] = [];
      if (t.errors() > 0) why.push(`${t.errors()} errors`);
      if (t.worstP99() > p99Bound) why.push(`p99 ${fmt(t.worstP99(), 0)} ms > ${p99Bound}`);
      // sessions' polls are not on the schedule: compare the scheduled kinds only
      const scheduled = ['query_station_status', 'query_equip_business_policy', 'query_stations_info'].reduce(
        (a, l) => a + (t.series.get(l)?.lat.length ?? 0),
        0,
      );
      if (scheduled < 0.95 * rate * 0.7 * (ms / 1000)) why.push(`sent ${scheduled} of ${fmt(rate * 0.7 * (ms / 1000), 0)} scheduled`);
      return why;
    };
    const firstErrors = (t: Tally) =>
      [...t.series]
        .flatMap(([l, s]) => (s.firstError ? [`${l}: ${s.firstError}`] : []))
        .concat(t.firstSessionError ? [t.firstSessionError] : []);

    let rate = Number(values.rate ?? 0);
    if (!rate) {
      console.log(
        `\nstep search: ${values.step} s per step, open-loop; error-free = no error, every session finished, p99 of every interface ≤ ${p99Bound} ms`,
      );
      const step = async (r: number): Promise<boolean> => {
        const t = await phase(stepMs, r);
        const why = verdict(t, r, stepMs);
        console.log(
          `  ${fmt(r).padStart(7)} req/s: sent ${t.sent()} (${fmt(t.sent() / (stepMs / 1000))}/s), worst p99 ${fmt(t.worstP99(), 0)} ms, sessions ${t.sessionsFinished}/${t.sessionsStarted} → ${why.length ? `FAIL (${why.join(', ')})` : 'ok'} (${load()})`,
        );
        if (why.length) for (const e of firstErrors(t).slice(0, 3)) console.log(`      ${e}`);
        await sleep(3_000);
        return why.length === 0;
      };
      let lo = 0;
      let hi = 0;
      for (let r = Number(values.from); r <= Number(values.max); r *= 2) {
        if (await step(r)) lo = r;
        else {
          hi = r;
          break;
        }
      }
      // the first step failed: halve down to an error-free rate (or give up below 0.5 req/s)
      for (let r = Number(values.from) / 2; lo === 0 && r >= 0.5; r /= 2) {
        if (await step(r)) lo = r;
        else hi = r;
      }
      for (let k = 0; k < Number(values.bisect) && lo > 0 && hi > 0; k++) {
        const mid = Math.round(((lo + hi) / 2) * 10) / 10;
        if (mid <= lo || mid >= hi) break;
        if (await step(mid)) lo = mid;
        else hi = mid;
      }
      rate = lo;
      console.log(
        rate > 0
          ? `highest error-free rate found: ${fmt(rate)} req/s (first failing: ${hi > 0 ? fmt(hi) : `none up to ${values.max}`}) (${load()})`
          : `no error-free rate down to 0.5 req/s (${load()})`,
      );
      if (rate <= 0) return;
    }

    /** a held phase with the platform's and DynamoDB Local's RSS sampled */
    const hold = async (title: string, flood: number) => {
      const mem: { t: number; platform: number; dynamodb: number; load: number; outbox: number }[] = [];
      const h0 = Date.now();
      // the simulator's pile events not yet handed to the platform (GET /local/sim), as last read
      let outbox = Number.NaN;
      const readOutbox = () =>
        fetch(`${run.apiUrl}/local/sim`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
          .then((r) => r.json() as Promise<{ outboxPending?: number }>)
          .then((b) => {
            outbox = b.outboxPending ?? Number.NaN;
          })
          .catch(() => {});
      const sample = () => {
        mem.push({ t: (Date.now() - h0) / 60_000, ...run.rssMb(), load: loadavg()[0] ?? 0, outbox });
        void readOutbox();
      };
      sample();
      const sampler = setInterval(sample, Math.max(5_000, holdMs / 30));
      const before = { p1: pushes1(), p2: demo2?.requests() ?? 0 };
      const t = await phase(holdMs, rate, flood);
      clearInterval(sampler);
      sample();
      const seconds = (Date.now() - h0) / 1000;
      const why = verdict(t, rate, holdMs);
      console.log(
        `\n${title}: ${fmt(rate)} req/s scheduled for ${values.minutes} min; partner 1 error-free: ${why.length ? `no (${why.join(', ')})` : 'yes'} (${load()})`,
      );
      console.log(
        `${'interface'.padEnd(34)} ${'n'.padStart(7)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)} ${'Ret -1'.padStart(6)}`,
      );
      for (const [label, s] of t.series) {
        console.log(
          `${label.padEnd(34)} ${String(s.lat.length).padStart(7)} ${fmt(s.lat.length / seconds).padStart(7)} ${fmt(pct(s.lat, 50), 0).padStart(7)} ${fmt(pct(s.lat, 99), 0).padStart(7)} ${String(s.errors).padStart(6)} ${String(s.busy).padStart(6)}`,
        );
        if (s.firstError) console.log(`${''.padEnd(34)} first error: ${s.firstError}`);
      }
      console.log(
        `partner 1 total ${t.sent()} requests in ${fmt(seconds, 0)} s = ${fmt(t.sent() / seconds)} req/s; errors ${t.errors()} (unsent ${t.unsent}); sessions not started for want of an idle connector ${t.poolEmpty}; sessions finished ${t.sessionsFinished} of ${t.sessionsStarted}${t.firstSessionError ? ` (first problem: ${t.firstSessionError})` : ''}`,
      );
      for (const [kind, n] of [...t.sessionProblems].sort((a, b) => b[1] - a[1])) console.log(`  session problem ×${n}: ${kind}`);
      console.log(
        `pushes received by partner 1: ${pushes1() - before.p1}; push attempts at partner 2: ${(demo2?.requests() ?? 0) - before.p2}${flood ? ' (all answered HTTP 500)' : ''}`,
      );
      const after1 = mem.filter((m) => m.t >= Math.min(1, holdMs / 60_000 / 5));
      const first = after1[0] ?? mem[0]!;
      const last = mem.at(-1)!;
      const every = Math.max(1, Math.floor(mem.length / 10));
      console.log(
        `RSS platform / DynamoDB Local (min → MB @ load): ${mem
          .filter((_, k) => k % every === 0 || k === mem.length - 1)
          .map((m) => `${fmt(m.t, 1)}→${fmt(m.platform, 0)}/${fmt(m.dynamodb, 0)}@${fmt(m.load, 0)}`)
          .join('  ')}`,
      );
      console.log(
        `simulator outbox, pile events waiting (min → n; read one sample late): ${mem
          .filter((_, k) => k % every === 0 || k === mem.length - 1)
          .map((m) => `${fmt(m.t, 1)}→${Number.isNaN(m.outbox) ? '?' : m.outbox}`)
          .join('  ')}`,
      );
      console.log(
        `RSS growth after the first ${fmt(first.t, 1)} min: platform ${fmt(first.platform, 0)} → ${fmt(last.platform, 0)} MB (${fmt(((last.platform - first.platform) / first.platform) * 100)} %; least-squares slope ${fmt(
          slope(
            after1.map((m) => m.t),
            after1.map((m) => m.platform),
          ),
          2,
        )} MB/min over ${after1.length} samples), DynamoDB Local ${fmt(first.dynamodb, 0)} → ${fmt(last.dynamodb, 0)} MB (${fmt(((last.dynamodb - first.dynamodb) / first.dynamodb) * 100)} %)`,
      );
    };

    if (!values['flood-only']) {
      await hold('hold 1 — healthy', 0);
      if (values['healthy-only']) return;
      await sleep(3_000);
    }
    demo2?.set({ fail: 'http500' });
    await hold(`hold 2 — partner 2 floods query_station_status at ${values.flood} req/s and fails every push`, Number(values.flood));
    demo2?.set({});
  } finally {
    await run.dispose();
  }
};
