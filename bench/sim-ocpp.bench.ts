/**
 * The pile simulator as OCPP 1.6J clients vs. its direct path, on the demo dataset (200 stations,
 * 1,187 charge points, 1,965 connectors), the platform as `npm start` runs it (in memory, no
 * random outages): time from start to `GET /health` 200, and (OCPP) to every connector's first
 * StatusNotification answered; handler time per OCPP function. One protocol per run:
 *
 *   npx tsx bench/sim-ocpp.bench.ts [--protocol ocpp|direct]      (or: npm run bench -- sim-ocpp)
 *
 * Without --protocol it runs both, each in its own process. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const DEMO_SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const one = async (protocol: 'ocpp' | 'direct'): Promise<void> => {
  const { startPlatform } = await import('../infra/local/platform.ts');
  const handlerMs = new Map<string, { n: number; ms: number }>();
  const t0 = performance.now();
  const platform = await startPlatform({
    port: 0,
    seedFile: DEMO_SEED,
    logLevel: 'ERROR',
    simProtocol: protocol,
    simulator: { offlineRatePerHour: 0, faultRatePerHour: 0 },
    demoPartners: 'any-port',
    onInvoke: ({ fn, ms }) => {
      const h = handlerMs.get(fn.id) ?? { n: 0, ms: 0 };
      h.n += 1;
      h.ms += ms;
      handlerMs.set(fn.id, h);
    },
  });
  const started = performance.now() - t0;
  const total = platform.simulator?.size() ?? 0;
  let health: number | undefined;
  let statuses: number | undefined;
  const deadline = Date.now() + 900_000;
  while ((health === undefined || (platform.ocppLink && statuses === undefined)) && Date.now() < deadline) {
    if (
      health === undefined &&
      (await fetch(`${platform.apiUrl}/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      health = performance.now() - t0;
    if (statuses === undefined && platform.ocppLink && platform.ocppLink.reported() >= total) statuses = performance.now() - t0;
    await sleep(100);
  }
  const s = (ms: number | undefined) => (ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(1)} s`);
  console.log(`protocol ${protocol}: ${total} connectors${platform.ocppLink ? `, ${platform.ocppLink.connected()} OCPP sockets` : ''}`);
  console.log(`  startPlatform resolved                     ${s(started)}`);
  console.log(`  /health 200 (every status stored)          ${s(health)}`);
  if (platform.ocppLink) console.log(`  every connector's first StatusNotification ${s(statuses)}`);
  for (const [id, h] of [...handlerMs].filter(([id]) => id.startsWith('ocpp') || id.includes('status')))
    console.log(`  ${id.padEnd(42)} ${h.n} invocations, ${(h.ms / h.n).toFixed(1)} ms mean`);
  await platform.stop();
};

const { values } = parseArgs({ options: { protocol: { type: 'string' } }, strict: false });
if (values.protocol === 'ocpp' || values.protocol === 'direct') await one(values.protocol);
else
  for (const p of ['direct', 'ocpp'])
    spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--protocol', p], { stdio: 'inherit' });
process.exit(0);
