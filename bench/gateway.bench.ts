/**
 * The protocol gateway on the local runtime: query_token over HTTP exactly as a partner calls it
 * (envelope, AES, HMAC-MD5, DynamoDB Local write of the hashed token) — requests/s and latency.
 *
 *   npx tsx bench/gateway.bench.ts      (or: npm run bench -- gateway)
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, load, pct } from './support.ts';

const SEED = fileURLToPath(new URL('../infra/local/seed/demo-partners.json', import.meta.url));

export const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs } = await import('../test/support/platform.ts');
  const platform = await startPlatform({ port: 0, seedFile: SEED, logLevel: 'ERROR', simulator: false });
  try {
    const p = platform.seed.partners[0]!;
    const once = async () => {
      const r = await callAs(platform.apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
      if (r.ret !== 0 || !r.sigVerified) throw new Error(`query_token failed: ${r.ret} ${r.msg}`);
    };
    await load(30, 2, once); // warm-up: module loading, JIT, DynamoDB Local
    console.log(
      `${'query_token over HTTP'.padEnd(30)} ${'clients'.padStart(7)} ${'n'.padStart(5)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
    );
    for (const clients of [1, 8]) {
      const n = clients === 1 ? 200 : 400;
      const r = await load(n, clients, once);
      console.log(
        `${''.padEnd(30)} ${String(clients).padStart(7)} ${String(n).padStart(5)} ${fmt(n / r.seconds).padStart(8)} ${fmt(pct(r.lat, 50)).padStart(8)} ${fmt(pct(r.lat, 99)).padStart(8)}`,
      );
    }
  } finally {
    await platform.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
