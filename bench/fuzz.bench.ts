/**
 * HTTP fuzz against a spawned `npm start` (issue 17 item 4), the full 10,000 requests: the corpus of
 * test/support/http-fuzz.ts (hostile bodies, headers, paths, raw garbage, slow and aborted bodies)
 * over real HTTP to the whole local platform in its own process, temp data dir, production body
 * limit. The suite runs 1,000 of them (test/integration/http-fuzz-process.test.ts); this run is too
 * long for CI on a loaded machine.
 *
 * Printed, not asserted: the time, statuses, rule breaks (5xx, unsigned answers to a known partner,
 * no answer), whether the process is alive afterwards, and its RSS (VmRSS of /proc/<pid>/status):
 * baseline after a warm-up, peak during the fuzz, and over the minute after it; the load average
 * beside every figure.
 *
 *   npm run bench -- fuzz                 (10,000 requests)
 *   npm run bench -- fuzz --total 2000    (fewer)
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fuzzCorpus, runFuzz } from '../test/support/http-fuzz.ts';
import { callAs, tokenFor } from '../test/support/platform.ts';
import { platformProcess } from '../test/support/platform-process.ts';
import { fmt } from './support.ts';

const MAX_BODY_BYTES = 256 * 1024;
const load = () =>
  `load ${loadavg()
    .map((l) => fmt(l))
    .join(' ')}`;

export const main = async (): Promise<void> => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { total: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '16' } },
    allowPositionals: true,
  });
  const total = Number(values.total);
  const run = await platformProcess(
    {},
    {
      editSeed: (seed) => {
        seed.partners[0] = { ...seed.partners[0], rateLimit: { rps: 100_000, burst: 100_000 } };
      },
      args: ['--no-sim'],
    },
  );
  try {
    const t0 = performance.now();
    await run.start(true);
    console.log(`npm start (stations seed, --no-sim) up in ${fmt((performance.now() - t0) / 1000)} s (${load()})`);
    const partners = run.partners;
    const token = await tokenFor(run.apiUrl, partners[0]!);
    const target = { port: Number(new URL(run.apiUrl).port), partners, token, maxBodyBytes: MAX_BODY_BYTES };
    const corpus = fuzzCorpus(target, { total, raw: Math.round(total * 0.03), slow: Math.max(2, Math.round(total * 0.002)) });
    await runFuzz(target, corpus.slice(0, 200), Number(values.concurrency));
    const pid = run.pid();
    const baseline = run.rssMb();
    console.log(
      `after a 200-request warm-up: platform pid ${pid}, RSS ${fmt(baseline.platform, 0)} MB (DynamoDB Local ${fmt(baseline.dynamodb, 0)} MB) (${load()})`,
    );

    let peak = baseline.platform;
    const sampler = setInterval(() => {
      peak = Math.max(peak, run.rssMb().platform);
    }, 500);
    const t1 = performance.now();
    const { failures, statuses } = await runFuzz(target, corpus, Number(values.concurrency));
    clearInterval(sampler);
    const seconds = (performance.now() - t1) / 1000;
    console.log(
      `${total} requests in ${fmt(seconds)} s (${fmt(total / seconds)} req/s, ${values.concurrency} at once) (${load()}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    console.log(`rule breaks (5xx, unsigned answer to a known partner, no answer): ${failures.length}`);
    for (const f of failures.slice(0, 10)) console.log(`  ${f}`);

    const health = (await fetch(`${run.apiUrl}/health`).catch(() => undefined))?.status;
    const after = await callAs(run.apiUrl, partners[0]!, 'query_stations_info', { PageNo: 1, PageSize: 10 }, token);
    console.log(`afterwards: same process ${run.pid() === pid ? 'yes' : 'NO'}, /health ${health}, query_stations_info Ret ${after.ret}`);

    const curve: string[] = [];
    for (let s = 0; s <= 60; s += 10) {
      curve.push(`${s}s→${fmt(run.rssMb().platform, 0)}`);
      if (s < 60) await new Promise((r) => setTimeout(r, 10_000));
    }
    const end = run.rssMb().platform;
    console.log(
      `RSS of the platform (MB): baseline ${fmt(baseline.platform, 0)}, peak ${fmt(peak, 0)}, after the fuzz ${curve.join('  ')}; growth ${fmt(((end - baseline.platform) / baseline.platform) * 100)} % (${load()})`,
    );
  } finally {
    await run.dispose();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
