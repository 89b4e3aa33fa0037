/**
 * `npm run bench` — every benchmark under bench/, one after another, printing figures.
 * Benchmarks measure; they never assert. Run one alone with `npx tsx bench/<name>.bench.ts`,
 * or a subset with `npm run bench -- codec billing`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

console.log(`node ${process.version} · ${process.platform}/${process.arch} · ${new Date().toISOString()}`);
for (const f of files) {
  console.log(`\n━━ ${f} ━━`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { main?: () => Promise<void> | void };
  if (typeof mod.main !== 'function') {
    console.log('(no main() exported; skipped)');
    continue;
  }
  await mod.main();
}
process.exit(0);
