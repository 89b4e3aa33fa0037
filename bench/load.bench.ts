/**
 * Load and soak (issue 17): autocannon against the local runtime, a realistic mix of partner
 * traffic — status queries, policy queries, station info pages, charge-status polls, and whole
 * charging sessions (start → charging → stop, which fan out pushes to the demo partners) — for a
 * configurable duration, twice:
 *
 *   1. healthy: both demo partners behave;
 *   2. one partner misbehaving: partner 2 floods query_station_status (64 connections, its default
 *      budget of 20 requests/s) AND its endpoint fails every push (HTTP 500); partner 1's traffic
 *      is the same as in phase 1 — its figures should not move.
 *
 * Printed per phase: requests/s, p50/p99 ms and errors per interface (an error = not HTTP 200 or a
 * Ret other than 0; partner 2's -1 answers are counted apart), sessions, pushes received, and the
 * process RSS sampled over time. Figures, not assertions. The platform and autocannon share this
 * process (and this machine's cores): the rates are what one laptop sustains for both.
 *
 *   npm run bench -- load                     (10 minutes per phase, the issue's soak)
 *   npm run bench -- load --duration 20       (seconds per phase; a quick run)
 *   npm run bench -- load --find-max [--minutes N]   (bench/load-max.ts: the highest error-free rate
 *                                             against a spawned npm start, then held N minutes)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { fmt, pct } from './support.ts';

const SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));

interface Row {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  n: number;
  errors: number;
  busy: number;
}

export const main = async (): Promise<void> => {
  if (process.argv.includes('--find-max')) return (await import('./load-max.ts')).findMax(process.argv.slice(2));
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { duration: { type: 'string', default: '600' }, connections: { type: 'string', default: '4' } },
    allowPositionals: true,
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs, envelopeFor, tokenFor } = await import('../test/support/platform.ts');
  const { decodeResponse } = await import('../shared/tcec/envelope.ts');
  const { newBusinessSeq } = await import('../shared/tcec/seq.ts');

  // partner 1: a budget this machine cannot exhaust (its figures are the platform's); partner 2: the default
  const seed = JSON.parse(readFileSync(SEED, 'utf8')) as { partners: Record<string, unknown>[] };
  seed.partners[0] = { ...seed.partners[0], rateLimit: { rps: 100_000, burst: 100_000 } };
  const seedFile = join(mkdtempSync(join(tmpdir(), 'evcs-load-')), 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const platform = await startPlatform({ port: 0, seedFile, logLevel: 'ERROR', simSpeed: 60, demoPartners: 'any-port' });
  const rss: { t: number; mb: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(
    () => rss.push({ t: (Date.now() - t0) / 1000, mb: process.memoryUsage().rss / 1e6 }),
    Math.max(1000, (duration * 1000) / 10),
  );
  try {
    const [p1, p2] = platform.seed.partners as [(typeof platform.seed.partners)[0], (typeof platform.seed.partners)[0]];
    const stations = platform.seed.stations as { StationID: string; EquipmentInfos: { ConnectorInfos: { ConnectorID: string }[] }[] }[];
    const connectors = stations.flatMap((s) => s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => c.ConnectorID)));
    const token1 = await tokenFor(platform.apiUrl, p1);
    const token2 = await tokenFor(platform.apiUrl, p2);
    const p2Stations = Array.isArray(p2.stations) ? p2.stations : stations.map((s) => s.StationID);

    /** one autocannon instance per interface: its own latency histogram */
    const cannon = (
      label: string,
      p: typeof p1,
      token: string,
      iface: string,
      data: (i: number) => unknown,
      conns: number,
    ): Promise<Row> => {
      let i = 0;
      let errors = 0;
      let busy = 0;
      return new Promise((resolve, reject) => {
        const inst = autocannon(
          {
            url: platform.apiUrl,
            connections: conns,
            duration,
            // a loaded laptop answers slowly; a slow answer is latency, not an error
            timeout: 60,
            requests: [
              {
                method: 'POST',
                path: `/evcs/v1/${iface}`,
                setupRequest: (req) => ({
                  ...req,
                  headers: { 'content-type': 'application/json;charset=utf-8', authorization: `Bearer ${token}` },
                  body: JSON.stringify(envelopeFor(p, data(i++))),
                }),
                onResponse: (status, body) => {
                  if (status !== 200) {
                    errors++;
                    return;
                  }
                  try {
                    const r = decodeResponse(body, p.inbound);
                    if (r.ret === -1) busy++;
                    else if (r.ret !== 0 || !r.sigVerified) errors++;
                  } catch {
                    errors++;
                  }
                },
              },
            ],
          },
          (err, res) => {
            if (err) return reject(err);
            resolve({
              label,
              rps: res.requests.total / duration,
              p50: res.latency.p50,
              p99: res.latency.p99,
              n: res.requests.total,
              errors: errors + res.errors + res.timeouts,
              busy,
            });
          },
        );
        inst.on('error', reject);
      });
    };

    /** whole sessions, each worker on its own connector: start, poll until charging, stop */
    const sessions = async (workers: number): Promise<Row[]> => {
      const lat = { start: [] as number[], stop: [] as number[] };
      let errors = 0;
      let done = 0;
      const until = Date.now() + duration * 1000;
      await Promise.all(
        Array.from({ length: workers }, async (_, w) => {
          const connectorId = connectors[(w * 7 + rss.length) % connectors.length]!;
          while (Date.now() < until) {
            const seq = newBusinessSeq(p1.operatorId);
            let s = performance.now();
            const st = await callAs(
              platform.apiUrl,
              p1,
              'query_start_charge',
              { StartChargeSeq: seq, ConnectorID: connectorId, QRCode: '' },
              token1,
            );
            lat.start.push(performance.now() - s);
            if (st.ret !== 0 || (st.data as { SuccStat?: number }).SuccStat !== 0) {
              errors++;
              await new Promise((r) => setTimeout(r, 500));
              continue;
            }
            for (let k = 0; k < 100 && Date.now() < until; k++) {
              const cs = await callAs(platform.apiUrl, p1, 'query_equip_charge_status', { StartChargeSeq: seq }, token1);
              if ((cs.data as { StartChargeSeqStat?: number } | undefined)?.StartChargeSeqStat === 2) break;
              await new Promise((r) => setTimeout(r, 200));
            }
            s = performance.now();
            const sp = await callAs(platform.apiUrl, p1, 'query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId }, token1);
            lat.stop.push(performance.now() - s);
            if (sp.ret !== 0) errors++;
            for (let k = 0; k < 100; k++) {
              const cs = await callAs(platform.apiUrl, p1, 'query_equip_charge_status', { StartChargeSeq: seq }, token1);
              if ((cs.data as { StartChargeSeqStat?: number } | undefined)?.StartChargeSeqStat === 4) break;
              await new Promise((r) => setTimeout(r, 200));
            }
            done++;
          }
        }),
      );
      const row = (label: string, xs: number[]): Row => ({
        label,
        rps: xs.length / duration,
        p50: pct(xs, 50),
        p99: pct(xs, 99),
        n: xs.length,
        errors,
        busy: 0,
      });
      console.log(`  sessions completed: ${done}`);
      return [row('p1 query_start_charge (session)', lat.start), row('p1 query_stop_charge (session)', lat.stop)];
    };

    const stationIds = stations.map((s) => s.StationID);
    const p1Mix = () => [
      cannon(
        'p1 query_station_status',
        p1,
        token1,
        'query_station_status',
        (i) => ({ StationIDs: [stationIds[i % stationIds.length]] }),
        connections,
      ),
      cannon(
        'p1 query_equip_business_policy',
        p1,
        token1,
        'query_equip_business_policy',
        (i) => ({ EquipBizSeq: newBusinessSeq(p1.operatorId), ConnectorID: connectors[i % connectors.length] }),
        connections,
      ),
      cannon(
        'p1 query_stations_info',
        p1,
        token1,
        'query_stations_info',
        (i) => ({ PageNo: (i % 10) + 1, PageSize: 10 }),
        Math.max(1, connections / 2),
      ),
      sessions(4),
    ];

    const pushesTo = (operatorId: string) => platform.demoPartners.get(operatorId)?.received.length ?? 0;
    const print = (title: string, rows: Row[]) => {
      console.log(`\n${title}`);
      console.log(
        `${'interface'.padEnd(38)} ${'n'.padStart(7)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'busy(-1)'.padStart(9)}`,
      );
      for (const r of rows)
        console.log(
          `${r.label.padEnd(38)} ${String(r.n).padStart(7)} ${fmt(r.rps).padStart(8)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${String(r.errors).padStart(7)} ${String(r.busy).padStart(9)}`,
        );
    };

    console.log(`load: ${duration} s per phase, ${connections} connections per query interface, 4 session workers, sim speed 60×`);
    let pushes1 = pushesTo(p1.operatorId);
    const healthy = await Promise.all(p1Mix());
    print(`phase 1 — healthy (pushes received by partner 1: ${pushesTo(p1.operatorId) - pushes1})`, healthy.flat());

    platform.demoPartners.get(p2.operatorId)?.set({ fail: 'http500' });
    pushes1 = pushesTo(p1.operatorId);
    const requests2 = platform.demoPartners.get(p2.operatorId)?.requests() ?? 0;
    const misbehaving = await Promise.all([
      ...p1Mix(),
      cannon(
        'p2 FLOOD query_station_status',
        p2,
        token2,
        'query_station_status',
        (i) => ({ StationIDs: [p2Stations[i % p2Stations.length]] }),
        64,
      ),
    ]);
    print(
      `phase 2 — partner 2 floods and fails every push (pushes received by partner 1: ${pushesTo(p1.operatorId) - pushes1}; push attempts at partner 2: ${(platform.demoPartners.get(p2.operatorId)?.requests() ?? 0) - requests2})`,
      misbehaving.flat(),
    );
    platform.demoPartners.get(p2.operatorId)?.set({});
  } finally {
    clearInterval(sampler);
    rss.push({ t: (Date.now() - t0) / 1000, mb: process.memoryUsage().rss / 1e6 });
    console.log(`\nRSS over time (s → MB): ${rss.map((r) => `${fmt(r.t, 0)}→${fmt(r.mb, 0)}`).join('  ')}`);
    await platform.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
