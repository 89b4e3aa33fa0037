/**
 * Roaming out: platform A pulls platform B's catalog over T/CEC 102 (query_token + query_stations_info
 * in pages of 100, then every station written to A's `roaming` table), two platforms on one
 * machine: B a child `npm start` with ROAMING_BENCH_STATIONS stations (default 10,000: the demo
 * dataset's 200 stations, renamed copies), A in this process. Prints wall time, requests, pages and
 * stations per second for a complete pull and an incremental one (nothing changed at B in between:
 * one request), and what a sync costs A on AWS
 * (bench/prices.ts: the sync Lambda's GB-s at its memory for the measured wall time — an upper bound,
 * DynamoDB Local is slower than DynamoDB — its invocation, and the write units of the stored
 * stations, one item per station, sized from its JSON). B runs without its pile simulator
 * (`--no-sim`): the catalog sync never looks at live status, and 100,000 simulated connectors booting
 * over OCPP would measure B's simulator, not the pull. Measures; never asserts.
 *
 *   npx tsx bench/roaming.bench.ts      (or: npm run bench -- roaming)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.ROAMING_BENCH_STATIONS ?? 10_000);
const DEMO_SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));

const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { startB, stopB, writeSeedOfA } = await import('../test/support/roaming.ts');
  const { runWithEnv } = await import('../shared/config.ts');
  const { getPartner } = await import('../shared/store/partners.ts');
  const { syncPartnerCatalog } = await import('../shared/services/roaming-catalog.ts');
  const { PRICES } = await import('./prices.ts');
  const { topology } = await import('../infra/topology/index.ts');
  const { TIER_DEFAULTS } = await import('../infra/topology/types.ts');

  // B's data dir (its DynamoDB Local's SQLite file) on tmpfs when there is one: on a shared, loaded
  // disk every SQLite commit waits for an fsync, and B's start would measure the disk, not the import
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'evcs-roaming-bench-'));
  const demo = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { stations: Record<string, unknown>[] };
  const stations = Array.from({ length: N }, (_, i) => {
    const s = demo.stations[i % demo.stations.length]!;
    const id = `RB${String(i).padStart(6, '0')}`;
    return JSON.parse(JSON.stringify(s).replaceAll(String(s.StationID), id)) as Record<string, unknown>;
  });
  const bSeed = join(dir, 'b-seed.json');
  writeFileSync(bSeed, JSON.stringify({ ...demo, stations }));

  const t0 = performance.now();
  const b = await startB(join(dir, 'b'), bSeed, {}, ['--no-sim']);
  console.log(
    `platform B up with ${N} stations in ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')})`,
  );
  const fn = topology.functions.find((f) => f.id === 'roaming-catalog-sync');
  const memoryGb = (fn?.memoryMb ?? TIER_DEFAULTS[fn?.tier ?? 'L1'].memoryMb) / 1024;
  const wcuPerSync = stations.reduce((n, s) => n + Math.ceil(Buffer.byteLength(JSON.stringify(s)) / 1024), 0);
  const a = await startPlatform({
    port: 0,
    seedFile: writeSeedOfA(dir, bSeed, b.url),
    logLevel: 'ERROR',
    simulator: false,
    demoPartners: false,
    dataDir: join(dir, 'a'),
  });
  try {
    const env = a.cloud.functionEnv('roaming-catalog-sync');
    const asA = <T>(fn: () => Promise<T>) => runWithEnv(env, fn);
    const partner = await asA(async () => (await getPartner(JSON.parse(readFileSync(bSeed, 'utf8')).operatorId, { fresh: true }))!);
    // the schedule's clock, injected: the complete pull as if it ran 10 min after B's import and the
    // next one 15 min later, so the incremental asks from after the import (the pull asks from 5 min
    // before the last one started: run at once, it would fetch all of B's fresh stations again)
    const first = Date.now() + 10 * 60_000;
    const runs: Array<[string, Date]> = [
      ['complete pull', new Date(first)],
      ['incremental pull', new Date(first + 15 * 60_000)],
    ];
    for (const [label, at] of runs) {
      const t = performance.now();
      const s = await asA(() => syncPartnerCatalog(partner, at));
      const sec = (performance.now() - t) / 1000;
      const wcu = s.stations === N ? wcuPerSync : Math.round((wcuPerSync * s.stations) / N);
      const usd =
        sec * memoryGb * PRICES.lambdaGbSecond + PRICES.lambdaRequest + (wcu + 1) * PRICES.dynamoWriteUnit + PRICES.dynamoReadUnit;
      console.log(
        `${label.padEnd(17)} ${String(s.stations).padStart(6)} stations  ${String(s.pages).padStart(4)} pages  ${String(s.requests).padStart(4)} requests  ${sec.toFixed(1)} s  ${(s.stations / sec).toFixed(0)} stations/s  ` +
          `$${usd >= 0.001 ? usd.toFixed(5) : usd.toExponential(1)} per sync on AWS (${wcu} WCU, ≤ ${(sec * memoryGb).toFixed(0)} GB-s)  load average ${loadavg()[0]?.toFixed(1)}`,
      );
    }
  } finally {
    await a.stop();
    await stopB(b.child);
    rmSync(dir, { recursive: true, force: true });
  }
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
