/**
 * The local cloud: the topology turned into running pieces in this process, with the same
 * handler modules the CDK stack deploys and the real AWS SDK talking to loopback servers.
 *
 * Start order: data dir → DynamoDB Local (+tables) → AWS emulator (EventBridge, SQS, Secrets
 * Manager) → process.env (the union every handler needs) → bus, queues + pollers, scheduler →
 * HTTP API. `stop()` closes everything in reverse, persists queue state and restores process.env.
 *
 * One local cloud per process (process.env is global); test files run in separate forks.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envName, type Topology } from '../topology/types.ts';
import { startAwsEmulator } from './aws-emulator.ts';
import { LocalBus } from './bus.ts';
import { connectDynamo, localTableName, startDynamo } from './dynamodb.ts';
import { type ExtraRoute, startHttpApi } from './http.ts';
import { createInvoker } from './invoke.ts';
import { freePort, sleep } from './ports.ts';
import { Pollers, QueueStore, queueStateFile } from './queues.ts';
import { LocalScheduler } from './scheduler.ts';
import { SecretStore } from './secrets.ts';

export const LOCAL_REGION = 'ap-northeast-1';
export const LOCAL_ACCOUNT = '000000000000';
/** the repository root: topology entries are relative to it */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface LocalCloudOptions {
  topology: Topology;
  /** HTTP API port (default 8080, 0 = any free port) */
  port?: number;
  /** persist DynamoDB, queues, secrets, failure DLQs here; undefined = everything in memory */
  dataDir?: string;
  /** wipe dataDir first */
  fresh?: boolean;
  /** use this already-running DynamoDB Local instead of starting one (tests: one per lane) */
  dynamoEndpoint?: string;
  /** physical table-name prefix (default `evcs-`); platforms sharing one DynamoDB Local need distinct ones */
  tablePrefix?: string;
  /** extra environment for the handlers (overrides the defaults) */
  env?: Record<string, string>;
  /** POWERTOOLS_LOG_LEVEL (default WARN); DEBUG also enables metrics output */
  logLevel?: string;
  extraRoutes?: readonly ExtraRoute[];
  /** run the schedules (default true) */
  schedules?: boolean;
  /** simulated seconds per real second for the scheduler (default 1) */
  timeScale?: number;
  /** base delay of the async-invoke retries (default 200 ms) */
  retryDelayMs?: number;
  /** repository root the function entries are relative to (default: this repository) */
  rootDir?: string;
  /** runtime diagnostics (never secret values) */
  onLog?: (line: string) => void;
}

export interface DrainOptions {
  /** give up after this long (default 30 s) */
  timeoutMs?: number;
  /**
   * also wait for delayed messages (scheduled retries, timeouts) to become due and be processed;
   * default false: drained = nothing runnable or running now
   */
  includeDelayed?: boolean;
}

export interface LocalCloud {
  apiUrl: string;
  /** the loopback AWS emulator (EventBridge, SQS, Secrets Manager) */
  awsEndpoint: string;
  dynamoEndpoint: string;
  /** the environment the handlers run with (also set on process.env) */
  env: Record<string, string>;
  bus: LocalBus;
  queues: QueueStore;
  scheduler: LocalScheduler;
  /** synchronous invoke of a function by id (CLI, tests) */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** resolves when every queue a function consumes is empty and nothing is in flight (invocations, retries, batches) */
  drain(opts?: DrainOptions): Promise<void>;
  stop(): Promise<void>;
}

export const startLocalCloud = async (opts: LocalCloudOptions): Promise<LocalCloud> => {
  const { topology } = opts;
  const log = opts.onLog;
  const region = LOCAL_REGION;
  const account = LOCAL_ACCOUNT;
  const stack: (() => Promise<void> | void)[] = [];
  const unwind = async () => {
    while (stack.length) {
      const f = stack.pop()!;
      try {
        await f();
      } catch (err) {
        log?.(`[cloud] stop: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  try {
    // 1. data dir
    const dataDir = opts.dataDir ? resolve(opts.dataDir) : undefined;
    if (dataDir && opts.fresh) rmSync(dataDir, { recursive: true, force: true });
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    // 2. DynamoDB Local (started here, or an already-running one)
    const tablePrefix = opts.tablePrefix;
    const dynamo = opts.dynamoEndpoint
      ? await connectDynamo({ endpoint: opts.dynamoEndpoint, tables: topology.tables, region, ...(tablePrefix ? { tablePrefix } : {}) })
      : await startDynamo({
          tables: topology.tables,
          ...(dataDir ? { dataDir } : {}),
          region,
          ...(tablePrefix ? { tablePrefix } : {}),
          ...(log ? { onLog: log } : {}),
        });
    stack.push(() => dynamo.stop());

    // 3. the AWS emulator: its port fixes the queue URLs, so the queue store is built after it binds
    const invoker = createInvoker({ rootDir: opts.rootDir ?? REPO_ROOT, region, account, ...(log ? { onLog: log } : {}) });
    const secrets = new SecretStore(region, account, dataDir ? join(dataDir, 'secrets.json') : undefined);
    const busName = opts.env?.EVENT_BUS_NAME ?? 'evcs';
    const awsPort = await freePort();
    const awsEndpoint = `http://127.0.0.1:${awsPort}`;
    const q = new QueueStore(topology.queues, awsEndpoint, region, account, dataDir ? queueStateFile(dataDir) : undefined);
    stack.push(() => {
      q.persist();
      q.close();
    });
    const b = new LocalBus({
      topology,
      invoker,
      queues: q,
      region,
      account,
      ...(dataDir ? { dataDir } : {}),
      ...(opts.retryDelayMs !== undefined ? { retryDelayMs: opts.retryDelayMs } : {}),
      ...(log ? { onLog: log } : {}),
    });
    const emulator = await startAwsEmulator({ bus: () => b, queues: () => q, secrets, busName, ...(log ? { onLog: log } : {}) }, awsPort);
    stack.push(() => emulator.stop());

    // 4. the environment: the union every handler may need
    const powertoolsLevel = (opts.logLevel ?? 'WARN').toUpperCase();
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: awsEndpoint,
      AWS_ENDPOINT_URL_SQS: awsEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: awsEndpoint,
      EVENT_BUS_NAME: busName,
      SECRETS_PREFIX: 'evcs/',
      POWERTOOLS_LOG_LEVEL: powertoolsLevel,
      POWERTOOLS_METRICS_NAMESPACE: 'EVCS',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: powertoolsLevel === 'DEBUG' ? 'false' : 'true',
    };
    for (const t of topology.tables) env[envName('TABLE', t.name)] = localTableName(t.name, tablePrefix);
    for (const qd of topology.queues) env[envName('QUEUE_URL', qd.name)] = q.url(qd.name);
    for (const fn of topology.functions)
      for (const [k, v] of Object.entries(fn.environment ?? {})) {
        if (env[k] !== undefined && env[k] !== v)
          log?.(`[cloud] ${fn.id}: environment ${k} differs between functions; the local runtime uses one value`);
        env[k] = v;
      }
    Object.assign(env, opts.env ?? {});
    const saved = new Map<string, string | undefined>();
    for (const k of [...Object.keys(env), 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) saved.set(k, process.env[k]);
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, env);
    stack.push(() => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    // 5. bus (already routing), queue pollers, scheduler
    stack.push(() => b.stop());
    const pollers = new Pollers({ store: q, invoker, topology, region, ...(log ? { onLog: log } : {}) });
    pollers.start();
    stack.push(() => pollers.stop());
    const scheduler = new LocalScheduler({
      topology,
      bus: b,
      region,
      account,
      ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
      ...(log ? { onLog: log } : {}),
    });
    if (opts.schedules ?? true) scheduler.start();
    stack.push(() => scheduler.stop());

    // 6. HTTP API
    const http = await startHttpApi({
      topology,
      invoker,
      port: opts.port ?? 8080,
      region,
      account,
      ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}),
      ...(log ? { onLog: log } : {}),
    });
    stack.push(() => http.stop());

    const consumed = pollers.consumedQueues();
    const settled = (includeDelayed: boolean) =>
      q.idle(consumed, { includeDelayed }) && pollers.inFlight() === 0 && b.inFlight() === 0 && invoker.inFlight() === 0;
    let stopped: Promise<void> | undefined;

    return {
      apiUrl: http.url,
      awsEndpoint,
      dynamoEndpoint: dynamo.endpoint,
      env,
      bus: b,
      queues: q,
      scheduler,
      invoke: (functionId, event) => {
        const fn = topology.functions.find((f) => f.id === functionId);
        if (!fn) return Promise.reject(new Error(`no function '${functionId}' in the topology`));
        return invoker.invoke(fn, event);
      },
      async drain(d = {}) {
        const deadline = Date.now() + (d.timeoutMs ?? 30_000);
        let quiet = 0;
        while (quiet < 3) {
          quiet = settled(d.includeDelayed ?? false) ? quiet + 1 : 0;
          if (quiet >= 3) return;
          if (Date.now() > deadline) {
            const depths = consumed.map((name) => q.depth(name)).filter((x) => x.visible + x.inFlight + x.delayed > 0);
            throw new Error(
              `drain: not settled after ${d.timeoutMs ?? 30_000} ms (queues ${JSON.stringify(depths)}, batches ${pollers.inFlight()}, async ${b.inFlight()}, invocations ${invoker.inFlight()})`,
            );
          }
          await sleep(10);
        }
      },
      stop: () => (stopped ??= unwind()),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
};
