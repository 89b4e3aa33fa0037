/**
 * Push fan-out on the local runtime: N status changes × P partners (every partner granted every
 * station) → pushes delivered per second, time to drain, peak RSS; for P = 1, 5, 10.
 * Each P runs on a fresh platform whose demo partners receive the pushes (real T/CEC codec, real
 * HTTP on loopback, DynamoDB Local for the push state). Measures; never asserts.
 *
 *   npx tsx bench/push.bench.ts            (BENCH_PUSH_CHANGES=10000 for the full issue-5 size)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConnectorStatusChanged } from '../events/baseinfo.ts';
import { startPlatform } from '../infra/local/platform.ts';
import { freePort } from '../infra/local/ports.ts';
import { publish } from '../shared/bus/publish.ts';
import { resetPushConfig } from '../shared/push/config.ts';
import { resetPushClients } from '../shared/push/deliver.ts';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/seed-stations.json', import.meta.url));

const seedWith = async (partners: number, dir: string): Promise<string> => {
  const base = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { partners: Record<string, unknown>[]; [k: string]: unknown };
  const template = base.partners[0]!;
  const list = [];
  for (let i = 0; i < partners; i++) {
    const port = await freePort();
    const id = `MB${String(i).padStart(2, '0')}BENCH`.slice(0, 9);
    list.push({
      ...template,
      operatorId: id,
      name: `bench partner ${i}`,
      stations: '*',
      outbound: { ...(template.outbound as Record<string, unknown>), baseUrl: `http://127.0.0.1:${port}/evcs/v1/` },
    });
  }
  const file = join(dir, `seed-${partners}.json`);
  writeFileSync(file, JSON.stringify({ ...base, partners: list }));
  return file;
};

const run = async (partners: number, changes: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'push-bench-'));
  const platform = await startPlatform({ port: 0, seedFile: await seedWith(partners, dir), logLevel: 'ERROR', simulator: false });
  resetPushConfig();
  resetPushClients();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const connectors = [
      'FX0001E01C1',
      'FX0001E01C2',
      'FX0001E02C1',
      'FX0002E01C1',
      'FX0002E01C2',
      'FX0002E02C1',
      'FX0003E01C1',
      'FX0003E01C2',
      'FX0003E02C1',
    ];
    const t0 = performance.now();
    const batch = [];
    for (let i = 0; i < changes; i++) {
      const c = connectors[i % connectors.length]!;
      batch.push({
        StationID: c.slice(0, 6),
        ConnectorID: c,
        status: [1, 2, 3][i % 3] as 1 | 2 | 3,
        parkStatus: 10 as const,
        lockStatus: 10 as const,
        observedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        version: i + 1,
      });
    }
    for (let i = 0; i < batch.length; i += 10) await publish(ConnectorStatusChanged, batch.slice(i, i + 10));
    const published = performance.now();
    await platform.cloud.drain({ timeoutMs: 30 * 60_000, includeDelayed: true });
    const drained = performance.now();
    const delivered = [...platform.demoPartners.values()].reduce((n, d) => n + d.accepted('notification_stationStatus').length, 0);
    const secs = (drained - t0) / 1000;
    console.log(
      `  ${String(partners).padStart(2)} partner(s) × ${changes} changes: ${delivered} pushes delivered (the rest skipped as superseded by a newer status), ` +
        `${(delivered / secs).toFixed(0)} pushes/s, publish ${((published - t0) / 1000).toFixed(1)} s, drain ${secs.toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    clearInterval(sampler);
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** one platform per process (the AWS SDK clients are per-process singletons): each size runs in a child */
export const main = async (): Promise<void> => {
  const changes = Number(process.env.BENCH_PUSH_CHANGES ?? 1000);
  console.log(
    `push fan-out: ${changes} connector status changes over 9 connectors, every partner granted every station (BENCH_PUSH_CHANGES to change)`,
  );
  for (const p of [1, 5, 10]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(p), String(changes)], {
      env: { ...process.env, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 2 ** 20,
    });
    process.stdout.write(
      `${out
        .split('\n')
        .filter((l) => l.startsWith('  '))
        .join('\n')}\n`,
    );
  }
};

const oneIndex = process.argv.indexOf('--one');
if (oneIndex > 0 && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(Number(process.argv[oneIndex + 1]), Number(process.argv[oneIndex + 2])).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
