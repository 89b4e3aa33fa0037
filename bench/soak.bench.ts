/**
 * Soak (issue 17): the whole local platform (demo seed, pile simulator ×60, demo partners) under a
 * steady mixed load for a long time, with one partner misbehaving all along — does anything grow,
 * slow down or pile up?
 *
 * Partner 1 (a budget this machine cannot exhaust) runs the mix, each interface in its own
 * closed loop: query_token, query_station_status, query_equip_business_policy, query_stations_info,
 * query_equip_charge_status polls, and whole sessions (start → charging for a few simulated minutes
 * → stop → finished) on connectors of the stations partner 2 is granted, so every session fans out
 * pushes to both demo partners. Partner 2 floods query_station_status (over a budget of 2 requests/s,
 * burst 4, so that what a loaded laptop can send exceeds it: the excess gets Ret -1) and its endpoint fails every push (HTTP 500): those pushes retry, then go
 * to the DLQ.
 *
 * Printed: throughput, per interface n / req/s / p50 / p99 / errors (not HTTP 200, Ret ≠ 0 other than
 * the flood's -1, bad Sig), p50/p99 per interface over each fifth of the run (a slowdown shows), RSS
 * and heap sampled over time with a least-squares slope after the warm-up (MB/min), the heap after a
 * full GC at the end of the warm-up and at the end, the DLQ depth of every queue, pushes received.
 * Figures, not assertions. Load generator and platform share this process and the machine's cores.
 *
 *   npm run bench -- soak                 (10 minutes)
 *   npm run bench -- soak --minutes 2     (a short run)
 *   options: --connections N (per query interface, 2), --sessions N (workers, 4), --flood N (partner 2's connections, 8)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fmt, pct, slope } from './support.ts';

const SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));

/** one call's outcome: ok, busy (Ret -1, the flood's expected answer) or error */
type Outcome = 'ok' | 'busy' | 'error';

interface Series {
  label: string;
  /** [ms since start, latency ms] */
  lat: Array<[number, number]>;
  errors: number;
  busy: number;
  firstError?: string;
}

/** a full GC, when the process can be given one (V8 flag set at run time) */
const fullGc = (): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
};

export const main = async (): Promise<void> => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string', default: '10' },
      connections: { type: 'string', default: '2' },
      sessions: { type: 'string', default: '4' },
      flood: { type: 'string', default: '8' },
    },
    allowPositionals: true,
  });
  const durationMs = Number(values.minutes) * 60_000;
  const connections = Number(values.connections);
  const sessionWorkers = Number(values.sessions);
  const flood = Number(values.flood);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const gc = fullGc();
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { newBusinessSeq } = await import('../shared/tcec/seq.ts');

  const seed = JSON.parse(readFileSync(SEED, 'utf8')) as { partners: Record<string, unknown>[] };
  seed.partners[0] = { ...seed.partners[0], rateLimit: { rps: 100_000, burst: 100_000 } };
  // partner 2 keeps a small budget: what this loaded machine can send it must exceed it (the flood's -1s)
  seed.partners[1] = { ...seed.partners[1], rateLimit: { rps: 2, burst: 4 } };
  const seedFile = join(mkdtempSync(join(tmpdir(), 'evcs-soak-')), 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const platform = await startPlatform({ port: 0, seedFile, logLevel: 'ERROR', simSpeed: 60, demoPartners: 'any-port' });
  type P = (typeof platform.seed.partners)[0];
  const [p1, p2] = platform.seed.partners as [P, P];
  const stations = platform.seed.stations as { StationID: string; EquipmentInfos: { ConnectorInfos: { ConnectorID: string }[] }[] }[];
  const granted2 = new Set(Array.isArray(p2.stations) ? p2.stations : stations.map((s) => s.StationID));
  const connectorsOf = (ss: typeof stations) =>
    ss.flatMap((s) => s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => c.ConnectorID)));
  const connectors = connectorsOf(stations);
  const sessionConnectors = connectorsOf(stations.filter((s) => granted2.has(s.StationID)));
  const stationIds = stations.map((s) => s.StationID);
  const p2Stations = [...granted2];
  const demo1 = platform.demoPartners.get(p1.operatorId);
  const demo2 = platform.demoPartners.get(p2.operatorId);
  // the start's burst (every connector's first status, pushed to both partners) is not the soak: wait it out
  const ready = Date.now();
  for (let healthy = false; !healthy && Date.now() - ready < 600_000; ) {
    healthy = (await fetch(`${platform.apiUrl}/health`).catch(() => undefined))?.status === 200;
    if (!healthy) await new Promise((r) => setTimeout(r, 1_000));
  }
  await platform.cloud
    .drain({ timeoutMs: 600_000, includeDelayed: true })
    .catch((err: Error) => console.log(`(not drained: ${err.message.slice(0, 200)})`));
  console.log(`platform ready and drained after ${fmt((Date.now() - ready) / 1000, 0)} s`);
  demo2?.set({ fail: 'http500' });
  const token1 = await tokenFor(platform.apiUrl, p1);
  const token2 = await tokenFor(platform.apiUrl, p2);

  const t0 = Date.now();
  const until = t0 + durationMs;
  const warmupMs = Math.min(120_000, durationMs / 5);
  const series = new Map<string, Series>();
  const seriesOf = (label: string): Series => {
    const known = series.get(label);
    if (known) return known;
    const s: Series = { label, lat: [], errors: 0, busy: 0 };
    series.set(label, s);
    return s;
  };
  const timed = async <T>(label: string, fn: () => Promise<{ outcome: Outcome; value?: T; why?: string }>): Promise<T | undefined> => {
    const s = seriesOf(label);
    const start = performance.now();
    try {
      const r = await fn();
      s.lat.push([Date.now() - t0, performance.now() - start]);
      if (r.outcome === 'busy') s.busy++;
      if (r.outcome === 'error') {
        s.errors++;
        s.firstError ??= r.why;
      }
      return r.value;
    } catch (err) {
      s.errors++;
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      s.firstError ??= `${(err as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`;
      return undefined;
    }
  };
  /** a T/CEC call as p: ok on Ret 0 with a verified Sig (and SuccStat 0 where the answer has one) */
  const call = (label: string, p: P, iface: string, data: unknown, token?: string) =>
    timed(label, async () => {
      const r = await callAs(platform.apiUrl, p, iface, data, token);
      const d = r.data as { SuccStat?: number } | undefined;
      if (r.ret === -1) return { outcome: 'busy' as const };
      if (r.ret !== 0 || !r.sigVerified) return { outcome: 'error' as const, why: `Ret ${r.ret} ${r.msg}` };
      if (d?.SuccStat !== undefined && d.SuccStat !== 0) return { outcome: 'error' as const, why: JSON.stringify(d), value: d };
      return { outcome: 'ok' as const, value: d };
    });
  const loop = (n: number, body: (worker: number, i: number) => Promise<unknown>) =>
    Promise.all(
      Array.from({ length: n }, async (_, w) => {
        for (let i = 0; Date.now() < until; i++) await body(w, i);
      }),
    );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const mem: Array<{ t: number; rss: number; heap: number }> = [];
  const sample = () => {
    const m = process.memoryUsage();
    mem.push({ t: (Date.now() - t0) / 60_000, rss: m.rss / 1e6, heap: m.heapUsed / 1e6 });
  };
  sample();
  const sampler = setInterval(sample, Math.max(2_000, durationMs / 120));
  let heapAfterWarmup: number | undefined;
  const warmupTimer = setTimeout(() => {
    gc?.();
    heapAfterWarmup = process.memoryUsage().heapUsed / 1e6;
  }, warmupMs);

  let sessionsDone = 0;
  const statOf = async (seq: string) =>
    (await callAs(platform.apiUrl, p1, 'query_equip_charge_status', { StartChargeSeq: seq }, token1)).data as
      | { StartChargeSeqStat?: number }
      | undefined;
  const session = async (w: number, i: number) => {
    const connectorId = sessionConnectors[(w + i * sessionWorkers) % sessionConnectors.length] ?? '';
    const seq = newBusinessSeq(p1.operatorId);
    const st = await call('p1 query_start_charge', p1, 'query_start_charge', { StartChargeSeq: seq, ConnectorID: connectorId }, token1);
    if (!st) return sleep(500);
    // charging: polled like a partner app does (every second), for 5–15 simulated minutes
    const chargeFor = 5_000 + ((w * 7 + i * 3) % 11) * 1_000;
    let chargingSince: number | undefined;
    while (Date.now() < until + 60_000) {
      const d = await call('p1 query_equip_charge_status', p1, 'query_equip_charge_status', { StartChargeSeq: seq }, token1);
      const stat = (d as { StartChargeSeqStat?: number } | undefined)?.StartChargeSeqStat;
      if (stat === 4) return; // the pile ended it (vehicle full, fault): a session all the same
      if (stat === 2) chargingSince ??= Date.now();
      if (chargingSince !== undefined && Date.now() - chargingSince >= chargeFor) break;
      await sleep(1_000);
    }
    await call('p1 query_stop_charge', p1, 'query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId }, token1);
    for (let k = 0; k < 120; k++) {
      if ((await statOf(seq))?.StartChargeSeqStat === 4) {
        sessionsDone++;
        return;
      }
      await sleep(500);
    }
    seriesOf('p1 query_stop_charge').errors++; // never finished
  };

  console.log(
    `soak: ${values.minutes} min, ${connections} connection(s) per query interface, ${sessionWorkers} session workers, partner 2 floods with ${flood} and fails every push; sim ×60; full GC ${gc ? 'available' : 'unavailable'}`,
  );
  const pushes0 = { p1: demo1?.received.length ?? 0, p2: demo2?.requests() ?? 0 };
  try {
    await Promise.all([
      loop(1, () => call('p1 query_token', p1, 'query_token', { OperatorID: p1.operatorId, OperatorSecret: p1.inbound.operatorSecret })),
      loop(connections, (_, i) =>
        call('p1 query_station_status', p1, 'query_station_status', { StationIDs: [stationIds[i % stationIds.length]] }, token1),
      ),
      loop(connections, (w, i) =>
        call(
          'p1 query_equip_business_policy',
          p1,
          'query_equip_business_policy',
          { EquipBizSeq: newBusinessSeq(p1.operatorId), ConnectorID: connectors[(w * 31 + i) % connectors.length] },
          token1,
        ),
      ),
      loop(1, (_, i) => call('p1 query_stations_info', p1, 'query_stations_info', { PageNo: (i % 10) + 1, PageSize: 10 }, token1)),
      loop(sessionWorkers, session),
      loop(flood, (_, i) =>
        call('p2 FLOOD query_station_status', p2, 'query_station_status', { StationIDs: [p2Stations[i % p2Stations.length]] }, token2),
      ),
    ]);
  } finally {
    clearInterval(sampler);
    clearTimeout(warmupTimer);
  }
  const seconds = (Date.now() - t0) / 1000;
  sample();
  gc?.();
  const heapEnd = process.memoryUsage().heapUsed / 1e6;

  const head = `${'interface'.padEnd(34)} ${'n'.padStart(7)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)} ${'busy'.padStart(6)}   p50/p99 per fifth of the run (ms)`;
  console.log(`\n${head}`);
  let total = 0;
  for (const s of series.values()) {
    total += s.lat.length;
    const ms = s.lat.map(([, l]) => l);
    const fifths = Array.from({ length: 5 }, (_, k) => {
      const xs = s.lat.filter(([t]) => t >= (k * durationMs) / 5 && t < ((k + 1) * durationMs) / 5).map(([, l]) => l);
      return `${fmt(pct(xs, 50), 0)}/${fmt(pct(xs, 99), 0)}`;
    });
    console.log(
      `${s.label.padEnd(34)} ${String(ms.length).padStart(7)} ${fmt(ms.length / seconds).padStart(7)} ${fmt(pct(ms, 50), 0).padStart(7)} ${fmt(pct(ms, 99), 0).padStart(7)} ${String(s.errors).padStart(6)} ${String(s.busy).padStart(6)}   ${fifths.join('  ')}`,
    );
    if (s.firstError) console.log(`${''.padEnd(34)} first error: ${s.firstError.slice(0, 160)}`);
  }
  console.log(`total ${total} requests in ${fmt(seconds, 0)} s = ${fmt(total / seconds)} req/s; sessions completed: ${sessionsDone}`);
  console.log(
    `pushes received by partner 1: ${(demo1?.received.length ?? 0) - pushes0.p1}; push attempts refused by partner 2 (HTTP 500): ${(demo2?.requests() ?? 0) - pushes0.p2}`,
  );

  const steady = mem.filter((m) => m.t * 60_000 >= warmupMs);
  const rssSlope = slope(
    steady.map((m) => m.t),
    steady.map((m) => m.rss),
  );
  const heapSlope = slope(
    steady.map((m) => m.t),
    steady.map((m) => m.heap),
  );
  const every = Math.max(1, Math.floor(mem.length / 12));
  console.log(
    `\nRSS / heap over time (min → MB): ${mem
      .filter((_, k) => k % every === 0 || k === mem.length - 1)
      .map((m) => `${fmt(m.t, 1)}→${fmt(m.rss, 0)}/${fmt(m.heap, 0)}`)
      .join('  ')}`,
  );
  console.log(
    `after the ${fmt(warmupMs / 60_000, 1)}-min warm-up: RSS slope ${fmt(rssSlope, 2)} MB/min (${steady.length} samples, ${fmt(steady[0]?.rss ?? NaN, 0)} → ${fmt(steady.at(-1)?.rss ?? NaN, 0)} MB), heap slope ${fmt(heapSlope, 2)} MB/min; heap after full GC ${fmt(heapAfterWarmup ?? NaN, 0)} → ${fmt(heapEnd, 0)} MB`,
  );

  const q = platform.cloud.queues;
  const dlqs = q.sourceQueues().flatMap((s) => {
    try {
      const d = q.depth(q.dlqOf(s.name));
      return [`${s.logical} ${d.visible + d.inFlight + d.delayed}`];
    } catch {
      return [];
    }
  });
  const backlog = q.sourceQueues().map((s) => {
    const d = q.depth(s.name);
    return `${s.logical} ${d.visible + d.inFlight + d.delayed}`;
  });
  console.log(`DLQ depth at the end: ${dlqs.join(', ')}`);
  console.log(`queue depth at the end (retries pending): ${backlog.join(', ')}`);
  // what went wrong inside, by message (the handlers log at ERROR only; the buffer keeps the last lines)
  const problems = new Map<string, number>();
  for (const line of platform.logs()) {
    let key = line.slice(0, 140);
    try {
      const r = JSON.parse(line) as { level?: string; message?: string; function_name?: string; error?: { message?: string } };
      key = `${r.function_name ?? ''} ${r.message ?? ''}${r.error?.message ? `: ${r.error.message}` : ''}`.slice(0, 200);
    } catch {
      /* a runtime diagnostic line */
    }
    problems.set(key, (problems.get(key) ?? 0) + 1);
  }
  console.log(`\nlogged problems (last ${platform.logs().length} lines kept), by message:`);
  for (const [k, n] of [...problems].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${String(n).padStart(5)} × ${k}`);
  await platform.stop();
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
