/**
 * `npm run bench` — every benchmark under bench/, one after another, each in its own process
 * (the AWS SDK clients are one per process, pointed at one local platform), printing figures.
 * Benchmarks measure; they never assert. Run one alone with `npx tsx bench/<name>.bench.ts`, or a
 * subset with `npm run bench -- codec billing`; options after the names go to each benchmark
 * (`npm run bench -- load --duration 20`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, '..', 'node_modules', '.bin', 'tsx');
// names first, then options for the benchmarks: `npm run bench -- load --duration 20`
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const only = firstOption < 0 ? args : args.slice(0, firstOption);
const forwarded = firstOption < 0 ? [] : args.slice(firstOption);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

console.log(`node ${process.version} · ${process.platform}/${process.arch} · ${new Date().toISOString()}`);
let failed = 0;
for (const f of files) {
  console.log(`\n━━ ${f} ━━`);
  const r = spawnSync(tsx, [join(here, f), ...forwarded], {
    stdio: 'inherit',
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true', ...process.env },
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(${f} exited with ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
