/**
 * `npm run bench` — every benchmark under bench/, one after another, each in its own process
 * (the AWS SDK clients are one per process, pointed at one local platform), printing figures.
 * Benchmarks measure; they never assert. Run one alone with `npx tsx bench/<name>.bench.ts`, or a
 * subset with `npm run bench -- codec billing`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, '..', 'node_modules', '.bin', 'tsx');
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

console.log(`node ${process.version} · ${process.platform}/${process.arch} · ${new Date().toISOString()}`);
let failed = 0;
for (const f of files) {
  console.log(`\n━━ ${f} ━━`);
  const r = spawnSync(tsx, [join(here, f)], {
    stdio: 'inherit',
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true', ...process.env },
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(${f} exited with ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
