/**
 * `npm run bench -- coldstart` — every function's bundle exactly as the stack builds it (the stack
 * is synthesised with the real topology and `evcsBundling`, plus esbuild's metafile), then its
 * module init: `import()` of the bundle in a fresh `node` process, with the environment the stack
 * sets on the function (NODE_OPTIONS included), the variables Lambda itself sets, dummy
 * credentials and every AWS endpoint pointed at a closed port. One extra run per bundle refuses and
 * counts every socket, UDP send and DNS lookup made during init: init must make none.
 *
 * Prints per function: bundle KB (minified, as in the asset), init ms median / p90 of RUNS (wall;
 * and the CPU time of the import, steadier on a busy machine), and the
 * five biggest contributors to the bundle (metafile bytes in output, by package). Then the
 * before → after table against bench/coldstart.baseline.json (the figures before issue 9 §4;
 * `--save-baseline` overwrites it with this run). Measures; never asserts. The local node is not
 * Lambda's (nodejs22.x on arm64): compare rows, not absolutes; on a busy machine the CPU time of the
 * import is the steadier figure (wall time includes waiting for a core).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { buildApp } from '../infra/app.ts';
import { BUNDLE_METAFILE_CONTEXT, evcsBundling, holdsS3Client } from '../infra/constructs/evcs-function.ts';
import { catalogInterfaces } from '../infra/topology/catalog.ts';
import { functionEnvironment } from '../infra/topology/environment.ts';
import { topology } from '../infra/topology/index.ts';
import { TIER_DEFAULTS } from '../infra/topology/types.ts';
import { buildForProfile, profileInit, stackBuildOptions } from './coldstart-profile.ts';
import { fmt, pct } from './support.ts';

const RUNS = Number(process.env.COLDSTART_RUNS ?? 9);
const BASELINE = join(dirname(fileURLToPath(import.meta.url)), 'coldstart.baseline.json');
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const SAVE_BASELINE = process.argv.includes('--save-baseline');
/**
 * `--only query-token,ocpp-message`: synthesise and measure those functions alone (the real
 * topology's tables, queues and buckets, only those functions), and print every package of their
 * bundles, not just the top 5 — to weigh one lever quickly.
 */
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
/**
 * `--profile` (with `--only`, one function at a time is enough): also profiles PROFILE_RUNS loads of
 * each bundle and prints where the import's CPU goes (bench/coldstart-profile.ts).
 */
const PROFILE = process.argv.includes('--profile');
const PROFILE_RUNS = Number(process.env.COLDSTART_PROFILE_RUNS ?? 5);
/** the targets of issue 9 §4 */
const TARGET_KB = 350;
const TARGET_MS = 40;

interface Figures {
  kb: number;
  /** wall p50 of the import */
  initMs: number;
  /** CPU p50 of the import */
  cpuMs: number;
}
interface Baseline {
  measured: string;
  functions: Record<string, Figures>;
}

const work = mkdtempSync(join(tmpdir(), 'evcs-coldstart-'));

/** the child: optionally refuses the network, then times one import of the bundle */
const RUNNER = `
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
// node's own start before this line (bootstrap, this runner's imports): not part of the import
const boot = process.cpuUsage();
const bootWallMs = performance.now();
const [bundle, guard] = process.argv.slice(2);
// as Lambda's Node.js runtime loads a handler: index.js (CommonJS) with require, index.mjs with import()
const load = bundle.endsWith('.mjs') ? (b) => import(pathToFileURL(b).href) : async (b) => createRequire(import.meta.url)(b);
const net = [];
if (guard === 'guard') {
  const { Socket } = await import('node:net');
  const dgram = (await import('node:dgram')).default;
  const dns = (await import('node:dns')).default;
  Socket.prototype.connect = function (...a) { net.push('connect ' + JSON.stringify(a[0])); throw new Error('network at init'); };
  dgram.Socket.prototype.send = function () { net.push('udp send'); };
  dns.lookup = function (host) { net.push('dns ' + host); throw new Error('network at init'); };
}
const c0 = process.cpuUsage();
const t0us = Number(process.hrtime.bigint() / 1000n);
const t0 = performance.now();
const mod = await load(bundle);
const ms = performance.now() - t0;
const t1us = Number(process.hrtime.bigint() / 1000n);
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({
  ms, cpuMs: (c.user + c.system) / 1000, net, exports: Object.keys(mod),
  bootCpuMs: (boot.user + boot.system) / 1000, bootWallMs, t0us, t1us,
}));
`;
const runner = join(work, 'runner.mjs');
writeFileSync(runner, RUNNER);

/**
 * What a first invocation adds back for the schemas built on first use instead of at import
 * (events/define.ts, shared/domain/once.ts): one bundle of the event catalogs, the queue catalog
 * and the other lazily built schemas, imported (not timed), then every one of those schemas built
 * (timed, CPU). A function's first invocation builds the few it uses, so this total is the most it
 * can add; the import it saves is in the table above.
 */
const DEFERRED_ENTRY = `
${['baseinfo', 'disputes', 'orders', 'parking', 'piles', 'queues'].map((f, i) => `import * as m${i} from '${REPO}/events/${f}.ts';`).join('\n')}
import { deliverySchema } from '${REPO}/shared/push/messages.ts';
import { couponSchema } from '${REPO}/shared/domain/coupons.ts';
import { reservationPolicySchema } from '${REPO}/shared/domain/reservation.ts';
import { pushConfig } from '${REPO}/shared/push/config.ts';
const mods = [m0, m1, m2, m3, m4, m5];
export const buildAll = () => {
  let n = 4;
  const built = [];
  for (const m of mods)
    for (const v of Object.values(m)) {
      if (v && typeof v === 'object' && 'detailType' in v && 'pattern' in v) { built.push(v.detail, v.envelope); n += 2; }
      else if (v && typeof v === 'object' && 'decl' in v && 'parse' in v) { built.push(v.body); n += 1; }
    }
  built.push(deliverySchema(), couponSchema(), reservationPolicySchema(), pushConfig());
  return built.length === n ? n : -1;
};
`;
const DEFERRED_RUNNER = `
import { pathToFileURL } from 'node:url';
const { buildAll } = await import(pathToFileURL(process.argv[2]).href);
const c0 = process.cpuUsage();
const n = buildAll();
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ n, cpuMs: (c.user + c.system) / 1000 }));
`;

/** CPU p50 of building every schema deferred to first use, in RUNS fresh processes */
function measureDeferred(): { n: number; cpuMs: number } {
  const entry = join(work, 'deferred-entry.ts');
  const out = join(work, 'deferred.mjs');
  const deferredRunner = join(work, 'deferred-runner.mjs');
  writeFileSync(entry, DEFERRED_ENTRY);
  writeFileSync(deferredRunner, DEFERRED_RUNNER);
  const b = evcsBundling();
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: b.target,
    minify: true,
    mainFields: b.mainFields,
    external: [...(b.externalModules ?? [])],
    logLevel: 'warning',
  });
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync(process.execPath, [deferredRunner, out], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    if (r.status !== 0) throw new Error(`deferred schemas: ${r.stderr}`);
    return JSON.parse(r.stdout) as { n: number; cpuMs: number };
  });
  return {
    n: runs[0]?.n ?? 0,
    cpuMs: pct(
      runs.map((r) => r.cpuMs),
      50,
    ),
  };
}

/**
 * The floor under every function: bundles of the libraries alone, built with the stack's esbuild
 * settings and imported by the same runner with a function's environment. What a function adds is
 * its own code and the rest of what it uses of these libraries (its schemas, its commands).
 * Clients, logger and metrics are created at import, as the functions create theirs.
 */
const THREE_CLIENTS = `import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
const ddb = new DynamoDBClient({}); const sqs = new SQSClient({}); const eb = new EventBridgeClient({});
const calls = async () => {
  await ddb.send(new GetItemCommand({ TableName: 't', Key: {} })); await ddb.send(new UpdateItemCommand({ TableName: 't', Key: {} }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: 'q', Entries: [] })); await eb.send(new PutEventsCommand({ Entries: [] }));
};`;
const FLOORS: ReadonlyArray<readonly [string, string]> = [
  ['an empty handler', 'export const handler = async () => 1;'],
  [
    'DynamoDB client',
    `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const ddb = new DynamoDBClient({});
export const handler = async () => ddb.send(new GetItemCommand({ TableName: 't', Key: {} }));`,
  ],
  ['DynamoDB + SQS + EventBridge clients', `${THREE_CLIENTS}\nexport const handler = calls;`],
  [
    'the three + Powertools logger, metrics + a zod/mini schema',
    `${THREE_CLIENTS}
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
const logger = new Logger(); const metrics = new Metrics({ namespace: 'bench' });
const Body = z.object({ id: z.string().check(z.minLength(1)), n: z.optional(z.number()) });
export const handler = async (e: unknown) => {
  const body = Body.parse(e); logger.info('body', { body }); metrics.addMetric('n', 'Count', 1);
  await calls();
};`,
  ],
];

/** KB and init CPU p50 of each FLOORS bundle, with a function's environment */
function measureFloors(env: Record<string, string>): Array<{ name: string; kb: number; cpuMs: number; bootMs: number }> {
  const b = evcsBundling();
  return FLOORS.map(([name, contents], i) => {
    const out = join(work, `floor-${i}`, 'index.js');
    buildSync({ ...stackBuildOptions(b), stdin: { contents, resolveDir: REPO, loader: 'ts', sourcefile: `floor-${i}.ts` }, outfile: out });
    const runs = Array.from({ length: RUNS }, () => runOnce(out, { ...env, LAMBDA_TASK_ROOT: dirname(out) }, false));
    return {
      name,
      kb: statSync(out).size / 1024,
      cpuMs: pct(
        runs.map((r) => r.cpuMs),
        50,
      ),
      bootMs: pct(
        runs.map((r) => r.bootCpuMs),
        50,
      ),
    };
  });
}

/** the variables Lambda sets itself (nodejs22.x), minus anything that would reach AWS */
const lambdaEnv = (id: string, memoryMb: number, taskRoot: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  TZ: ':UTC',
  LANG: 'en_US.UTF-8',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: id,
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${id}`,
  AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
  AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
  _AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1',
  _AWS_XRAY_DAEMON_PORT: '9',
  LAMBDA_TASK_ROOT: taskRoot,
  LAMBDA_RUNTIME_DIR: '/var/runtime',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHCOLDSTART',
  AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret',
  AWS_SESSION_TOKEN: 'bench',
  // port 9 (discard) on loopback: nothing answers; init must not try
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
});

/** `node_modules/@scope/name/…` → `@scope/name`; own code → its top folder */
const packageOf = (input: string): string => {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m?.[1]) return m[1];
  return `(own) ${input.split('/')[0] ?? input}`;
};

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

const topContributors = (metaPath: string, top = 5): Array<[string, number]> => {
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Metafile;
  const out = Object.entries(meta.outputs).find(([k]) => /index\.m?js$/.test(k))?.[1];
  const byPkg = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out?.inputs ?? {})) {
    const pkg = packageOf(input);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top);
};

interface Init {
  /** wall time of the import */
  ms: number;
  /** CPU time of the import (user + system): steadier than wall time on a shared machine */
  cpuMs: number;
  net: string[];
  /** CPU of node's own start before the runner's first line: not part of the import (Lambda's runtime pays it once per environment, whatever the function) */
  bootCpuMs: number;
}

const runOnce = (bundle: string, env: Record<string, string>, guard: boolean): Init => {
  const r = spawnSync(process.execPath, [runner, bundle, guard ? 'guard' : ''], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`init of ${bundle} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Init;
};

/** before (bench/coldstart.baseline.json) → after (this run), per function; `*` marks a figure over its target */
function printBeforeAfter(after: Record<string, Figures>): void {
  let base: Baseline;
  try {
    base = JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline;
  } catch {
    console.log(`no baseline at ${BASELINE}: run with --save-baseline to keep this run as one`);
    return;
  }
  const mark = (v: number, target: number) => (v > target ? '*' : ' ');
  const arrow = (b: number | undefined, a: number, digits: number, target: number) =>
    `${b === undefined ? '–' : fmt(b, digits)} → ${fmt(a, digits)}${mark(a, target)}`;
  const head = ['function', 'bundle KB', 'init CPU p50 ms', 'init wall p50 ms'];
  const rows = Object.entries(after).map(([id, a]) => {
    const b = base.functions[id];
    return [id, arrow(b?.kb, a.kb, 0, TARGET_KB), arrow(b?.cpuMs, a.cpuMs, 1, TARGET_MS), arrow(b?.initMs, a.initMs, 1, TARGET_MS)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  console.log(`\nbefore (${base.measured}) → after (this run); * = above ${TARGET_KB} KB / ${TARGET_MS} ms`);
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  const over = Object.entries(after).filter(([, a]) => a.kb > TARGET_KB || a.cpuMs > TARGET_MS);
  console.log(
    `${Object.keys(after).length - over.length} of ${Object.keys(after).length} functions within ${TARGET_KB} KB and ${TARGET_MS} ms CPU`,
  );
}

try {
  const outdir = join(work, 'cdk.out');
  const t0 = performance.now();
  const only = ONLY ? { topology: { ...topology, functions: topology.functions.filter((f) => ONLY.includes(f.id)) } } : undefined;
  const { app, stack } = buildApp({ app: { outdir, context: { [BUNDLE_METAFILE_CONTEXT]: true } }, ...(only ? { stack: only } : {}) });
  app.synth();
  console.log(
    `synthesised the stack (${stack.functions.size} functions bundled) in ${fmt((performance.now() - t0) / 1000)} s; ${RUNS} runs each`,
  );

  const rows: string[][] = [];
  const medians: number[] = [];
  const sizes: number[] = [];
  const after: Record<string, Figures> = {};
  let nodeOptions: string | undefined;
  for (const [id, f] of stack.functions) {
    const code = stack.resolve((f.fn.node.defaultChild as CfnFunction).code) as { s3Key: string };
    const assetDir = join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
    const bundle = join(assetDir, 'index.js');
    const kb = statSync(bundle).size / 1024;
    const mapKb = statSync(`${bundle}.map`).size / 1024;
    const env = {
      ...lambdaEnv(id, f.decl.memoryMb ?? TIER_DEFAULTS[f.decl.tier].memoryMb, assetDir),
      ...functionEnvironment(f.decl, {
        operatorId: 'MA5GS8X01',
        secretsPrefix: 'evcs/',
        eventBusName: 'evcs-bus',
        logLevel: 'INFO',
        tableName: (logical) => `evcs-${logical}`,
        queueUrl: (logical) => `http://127.0.0.1:9/000000000000/evcs-${logical}`,
        bucketName: (logical) => `evcs-${logical}`,
      }),
    };
    nodeOptions = env.NODE_OPTIONS;
    const guarded = runOnce(bundle, env, true);
    const runs = Array.from({ length: RUNS }, () => runOnce(bundle, env, false));
    const ms = runs.map((r) => r.ms);
    const cpu = runs.map((r) => r.cpuMs);
    const boot = runs.map((r) => r.bootCpuMs);
    medians.push(pct(ms, 50));
    after[id] = { kb: Math.round(kb), initMs: Math.round(pct(ms, 50) * 10) / 10, cpuMs: Math.round(pct(cpu, 50) * 10) / 10 };
    sizes.push(kb);
    const top = topContributors(join(assetDir, 'index.meta.json'), ONLY ? 100 : 5)
      .map(([p, b]) => `${p} ${ONLY ? fmt(b / 1024, 1) : Math.round(b / 1024)}`)
      .join(', ');
    rows.push([
      id,
      fmt(kb, 0),
      fmt(mapKb, 0),
      fmt(pct(ms, 50)),
      fmt(pct(ms, 90)),
      fmt(pct(cpu, 50)),
      fmt(pct(boot, 50)),
      guarded.net.length ? `NETWORK: ${guarded.net.join('; ')}` : 'none',
      top,
    ]);
    if (PROFILE) {
      const twin = join(work, `profile-${id}`, 'index.js');
      buildForProfile(
        join(REPO, f.decl.entry),
        twin,
        evcsBundling({ eventStreams: holdsS3Client(f.decl), interfaces: catalogInterfaces(f.decl) }),
      );
      profileInit(id, twin, kb, runner, env, PROFILE_RUNS, REPO);
    }
  }
  const head = ['function', 'KB', 'map KB', 'init p50 ms', 'p90 ms', 'CPU p50 ms', 'node boot CPU', 'net at init', 'top 5 (KB in bundle)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const b = evcsBundling();
  console.log(
    `esbuild as the stack runs it: target ${b.target}, ${b.format}, minify ${b.minify}, source map ${b.sourceMap}, externals [${b.externalModules?.join(', ')}]`,
  );
  console.log(`NODE_OPTIONS as the stack sets it: ${JSON.stringify(nodeOptions ?? '(unset)')}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(
    `bundles ${fmt(Math.min(...sizes), 0)}–${fmt(Math.max(...sizes), 0)} KB; init medians ${fmt(Math.min(...medians))}–${fmt(Math.max(...medians))} ms (node ${process.version} ${process.arch})`,
  );
  printBeforeAfter(after);
  const floors = measureFloors({ ...lambdaEnv('floor', 512, work), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) });
  console.log(`\nthe libraries alone (the stack's esbuild settings and NODE_OPTIONS; ${RUNS} fresh imports each, CPU p50):`);
  for (const f of floors)
    console.log(
      `  ${f.name.padEnd(60)} ${fmt(f.kb, 0).padStart(4)} KB  init CPU ${fmt(f.cpuMs, 1).padStart(6)} ms  (node boot ${fmt(f.bootMs, 1)} ms)`,
    );
  const deferred = measureDeferred();
  console.log(
    `\nschemas built on first use, not at import: all ${deferred.n} (event details and envelopes, queue bodies, delivery, coupon, reservation policy, push settings) built in ${fmt(deferred.cpuMs, 1)} ms CPU (p50 of ${RUNS}) — the most a first invocation adds back; a function uses a few`,
  );
  if (SAVE_BASELINE) {
    const measured = `${new Date().toISOString()}, node ${process.version} ${process.arch}`;
    writeFileSync(BASELINE, `${JSON.stringify({ measured, functions: after } satisfies Baseline, null, 2)}\n`);
    console.log(`baseline saved to ${BASELINE}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
