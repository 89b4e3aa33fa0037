/**
 * The local cloud: the topology turned into running pieces in this process, with the same
 * handler modules the CDK stack deploys and the real AWS SDK talking to loopback servers.
 *
 * Start order: data dir → DynamoDB Local (+tables) → AWS emulator (EventBridge, SQS, Secrets
 * Manager) → process.env (SDK endpoints, the operator's view) → bus, queues + pollers, scheduler →
 * HTTP API. `stop()` closes everything in reverse, persists queue state and restores process.env.
 *
 * Each invocation sees only its own function's environment (infra/topology/environment.ts, the
 * derivation the stack uses; shared/config.ts reads it through runWithEnv): a function without a
 * grant on a table cannot name it here either.
 *
 * One local cloud per process (process.env is global); test files run in separate forks.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectorStatusQueue } from '../../events/queues.ts';
import { envName, type FunctionDecl, type Topology } from '../topology/types.ts';
import { startAwsEmulator } from './aws-emulator.ts';
import { LocalBus } from './bus.ts';
import { connectDynamo, localTableName, startDynamo } from './dynamodb.ts';
import { localFunctionEnv } from './function-env.ts';
import { type ExtraRoute, startHttpApi } from './http.ts';
import { createInvoker, type InvokeObserver } from './invoke.ts';
import { Pollers } from './pollers.ts';
import { freePort, sleep } from './ports.ts';
import { IngestPriority } from './priority.ts';
import { QueueStore, queueStateFile } from './queue-store.ts';
import { startS3 } from './s3.ts';
import { LocalScheduler, localScheduleOverrides } from './scheduler.ts';
import { SecretStore } from './secrets.ts';
import { createLocalWebSocketApi, type LocalWebSocketApi } from './websocket.ts';

const LOCAL_REGION = 'ap-northeast-1';
const LOCAL_ACCOUNT = '000000000000';
/** our OperatorID when the local settings name none (as shared/config.ts and the stack default) */
const DEFAULT_OPERATOR_ID = 'MA5GS8X01';
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
  /** the app API's bearer key (the local stand-in for its IAM authorizer) */
  appApiKey?: string;
  /** the bearer key of the routes declared `auth: 'operator'` (the admin API); absent: they answer 401 */
  operatorKey?: string;
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
  /** OEM stacks (infra/topology/oem.ts oemFunctions): each its own HTTP API on a free port, its own functions */
  oems?: readonly { name: string; functions: readonly FunctionDecl[] }[];
  /** observer of every Lambda invocation (the cost bench) */
  onInvoke?: InvokeObserver;
  /** cap of a queue trigger's batching window, ms (default 500; the cost bench scales it with simulated time) */
  maxBatchingWindowMs?: number;
  /**
   * the status ingest first (infra/local/priority.ts): other consumers wait while its queue has a
   * backlog. Off by default: it brings /health 200 sooner at a boot but the first statuses' pushes
   * finish later (README "Readiness, the pipeline")
   */
  ingestFirst?: boolean;
}

interface DrainOptions {
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
  /** the loopback S3-compatible server (s3rver) holding the topology's buckets */
  s3Endpoint: string;
  dynamoEndpoint: string;
  /**
   * the operator's environment (every table and queue, the SDK endpoints), also set on process.env
   * for the CLIs, the seed and tests; a handler runs with its own function's environment only
   */
  env: Record<string, string>;
  /** the environment one function's invocations run with (its grants, its declared environment, the local settings) */
  functionEnv(functionId: string): Readonly<Record<string, string>>;
  /** add local settings for every function and the operator (e.g. a URL known only after start) */
  setEnv(vars: Record<string, string>): void;
  bus: LocalBus;
  queues: QueueStore;
  scheduler: LocalScheduler;
  /** the OCPP WebSocket API (`ws://…/ocpp/<chargePointId>`) */
  webSocket: LocalWebSocketApi;
  /** each OEM's own API (`opts.oems`), by OEM name: `<url><its prefix><interface>` */
  oemApiUrls: Readonly<Record<string, string>>;
  /** how long each step of the start took, ms, in order (the readiness bench prints them) */
  startSteps: readonly (readonly [string, number])[];
  /** synchronous invoke of a function by id (CLI, tests) */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /**
   * import these functions' modules now, one after another (a failing one is logged and left to its
   * first invocation): the work a boot would otherwise do inside its first invocations
   */
  preload(which: (fn: FunctionDecl) => boolean): Promise<void>;
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
    for (let f = stack.pop(); f; f = stack.pop()) {
      try {
        await f();
      } catch (err) {
        log?.(`[cloud] stop: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  const startSteps: [string, number][] = [];
  let stepAt = performance.now();
  const step = (name: string) => {
    const t = performance.now();
    startSteps.push([name, t - stepAt]);
    stepAt = t;
  };
  try {
    // 1. data dir
    const dataDir = opts.dataDir ? resolve(opts.dataDir) : undefined;
    if (dataDir && opts.fresh) rmSync(dataDir, { recursive: true, force: true });
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    // 2. DynamoDB Local (started here, or an already-running one) and, while its JVM boots, 2b. S3: a
    // real S3-compatible server on loopback with the topology's buckets (data under <dataDir>/s3)
    const tablePrefix = opts.tablePrefix;
    const [dynamoStarted, s3Started] = await Promise.allSettled([
      opts.dynamoEndpoint
        ? connectDynamo({ endpoint: opts.dynamoEndpoint, tables: topology.tables, region, ...(tablePrefix ? { tablePrefix } : {}) })
        : startDynamo({
            tables: topology.tables,
            ...(dataDir ? { dataDir } : {}),
            region,
            ...(tablePrefix ? { tablePrefix } : {}),
            ...(log ? { onLog: log } : {}),
          }),
      startS3({
        buckets: topology.buckets ?? [],
        ...(dataDir ? { dataDir } : {}),
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    ]);
    if (dynamoStarted.status === 'fulfilled') stack.push(() => dynamoStarted.value.stop());
    if (s3Started.status === 'fulfilled') stack.push(() => s3Started.value.stop());
    if (dynamoStarted.status === 'rejected') throw dynamoStarted.reason;
    if (s3Started.status === 'rejected') throw s3Started.reason;
    const dynamo = dynamoStarted.value;
    const s3 = s3Started.value;
    step('DynamoDB Local up, tables created (S3 beside it)');

    // 3. the AWS emulator: its port fixes the queue URLs, so the queue store is built after it binds
    let functionEnv: (fn: FunctionDecl) => Readonly<Record<string, string>> = () => {
      throw new Error('the local cloud is still starting');
    };
    const invoker = createInvoker({
      rootDir: opts.rootDir ?? REPO_ROOT,
      region,
      account,
      envFor: (fn) => functionEnv(fn),
      ...(log ? { onLog: log } : {}),
      ...(opts.onInvoke ? { onInvoke: opts.onInvoke } : {}),
    });
    const secrets = new SecretStore(region, account, dataDir ? join(dataDir, 'secrets.json') : undefined);
    const busName = opts.env?.EVENT_BUS_NAME ?? 'evcs';
    const awsPort = await freePort();
    const awsEndpoint = `http://127.0.0.1:${awsPort}`;
    const q = new QueueStore(topology.queues, awsEndpoint, region, account, dataDir ? queueStateFile(dataDir) : undefined);
    stack.push(() => {
      q.persist();
      q.close();
    });
    // the status ingest first (opt-in): other consumers wait (bounded) while its queue has a backlog
    const priority = opts.ingestFirst ? new IngestPriority({ store: q, queue: ConnectorStatusQueue.name }) : undefined;
    const b = new LocalBus({
      topology,
      invoker,
      queues: q,
      ...(priority ? { priority } : {}),
      region,
      account,
      ...(dataDir ? { dataDir } : {}),
      ...(opts.retryDelayMs !== undefined ? { retryDelayMs: opts.retryDelayMs } : {}),
      ...(log ? { onLog: log } : {}),
    });
    // the OCPP WebSocket API (its routes from the topology); PostToConnection reaches it through the emulator
    const webSocket = createLocalWebSocketApi({ topology, invoker, ...(log ? { onLog: log } : {}) });
    const emulator = await startAwsEmulator(
      {
        bus: () => b,
        queues: () => q,
        secrets,
        busName,
        postToConnection: (id, data) => webSocket.post(id, data),
        ...(log ? { onLog: log } : {}),
      },
      awsPort,
    );
    stack.push(() => emulator.stop());

    // 4. the environment. Process-wide: the AWS SDK's settings, the Powertools switches (read once per
    // process), and the operator's view (every table and queue) for the CLIs, the seed and tests.
    // Each invocation runs inside its own function's environment only (see functionEnv below).
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
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      // the WebSocket API's management endpoint (PostToConnection), `…/<stage>` as in AWS
      OCPP_CALLBACK_URL: `${awsEndpoint}/ocpp`,
      EVENT_BUS_NAME: busName,
      SECRETS_PREFIX: 'evcs/',
      POWERTOOLS_LOG_LEVEL: powertoolsLevel,
      POWERTOOLS_METRICS_NAMESPACE: 'EVCS',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: powertoolsLevel === 'DEBUG' ? 'false' : 'true',
    };
    for (const t of topology.tables) env[envName('TABLE', t.name)] = localTableName(t.name, tablePrefix);
    for (const qd of topology.queues) env[envName('QUEUE_URL', qd.name)] = q.url(qd.name);
    for (const [logical, name] of Object.entries(s3.buckets)) env[envName('BUCKET', logical)] = name;
    /** local settings every function gets on top of its own environment (tests shorten windows, the pile transport) */
    // s3rver serves buckets by path (http://127.0.0.1:<port>/<bucket>/<key>), not by host name
    const overrides: Record<string, string> = { S3_FORCE_PATH_STYLE: 'true', ...(opts.env ?? {}) };
    Object.assign(env, overrides);
    const saved = new Map<string, string | undefined>();
    const setProcessEnv = (vars: Record<string, string>) => {
      for (const k of Object.keys(vars)) if (!saved.has(k)) saved.set(k, process.env[k]);
      Object.assign(process.env, vars);
    };
    for (const k of ['AWS_SESSION_TOKEN', 'AWS_PROFILE']) saved.set(k, process.env[k]);
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    setProcessEnv(env);
    stack.push(() => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    // each function's own environment: the derivation the stack uses, with the local names
    const functionEnvs = new Map<string, Readonly<Record<string, string>>>();
    functionEnv = (fn) => {
      let e = functionEnvs.get(fn.id);
      if (!e) {
        e = localFunctionEnv(fn, {
          topology,
          ...(tablePrefix ? { tablePrefix } : {}),
          queueUrl: (logical) => q.url(logical),
          buckets: s3.buckets,
          operatorId: env.OPERATOR_ID ?? DEFAULT_OPERATOR_ID,
          secretsPrefix: env.SECRETS_PREFIX ?? 'evcs/',
          eventBusName: busName,
          logLevel: powertoolsLevel,
          websocketCallbackUrl: `${awsEndpoint}/ocpp`,
          overrides,
        });
        functionEnvs.set(fn.id, e);
      }
      return e;
    };

    // 5. bus (already routing), queue pollers, scheduler
    stack.push(() => b.stop());
    const pollers = new Pollers({
      store: q,
      invoker,
      ...(priority ? { priority } : {}),
      topology,
      region,
      ...(log ? { onLog: log } : {}),
      ...(opts.maxBatchingWindowMs !== undefined ? { maxBatchingWindowMs: opts.maxBatchingWindowMs } : {}),
    });
    pollers.start();
    stack.push(() => pollers.stop());
    const scheduler = new LocalScheduler({
      topology,
      bus: b,
      region,
      account,
      ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
      expressions: localScheduleOverrides(process.env.EVCS_LOCAL_SCHEDULES, topology),
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
      ...(opts.appApiKey ? { appApiKey: opts.appApiKey } : {}),
      ...(opts.operatorKey ? { operatorKey: opts.operatorKey } : {}),
      onUpgrade: (req, socket, head) => webSocket.upgrade(req, socket, head),
      ...(log ? { onLog: log } : {}),
    });
    stack.push(() => http.stop());
    stack.push(() => webSocket.stop()); // upgraded sockets are not the HTTP server's any more: closed first
    step('AWS emulator, bus, queues, pollers, HTTP API');

    // 6b. an OEM stack's API: its own port and functions (ids `<id>@<oem>`: their own environment, OEM_NAME set)
    const oemApiUrls: Record<string, string> = {};
    for (const o of opts.oems ?? []) {
      const functions = o.functions.map((f) => ({ ...f, id: `${f.id}@${o.name}` }));
      const api = await startHttpApi({
        topology: { ...topology, functions },
        invoker,
        port: 0,
        region,
        account,
        ...(log ? { onLog: log } : {}),
      });
      stack.push(() => api.stop());
      oemApiUrls[o.name] = api.url;
    }

    const consumed = pollers.consumedQueues();
    const settled = (includeDelayed: boolean) =>
      q.idle(consumed, { includeDelayed }) && pollers.inFlight() === 0 && b.inFlight() === 0 && invoker.inFlight() === 0;
    let stopped: Promise<void> | undefined;

    return {
      apiUrl: http.url,
      awsEndpoint,
      s3Endpoint: s3.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      env,
      bus: b,
      queues: q,
      scheduler,
      webSocket,
      oemApiUrls,
      startSteps,
      functionEnv: (functionId) => {
        const fn = topology.functions.find((f) => f.id === functionId);
        if (!fn) throw new Error(`no function '${functionId}' in the topology`);
        return functionEnv(fn);
      },
      setEnv(vars) {
        Object.assign(overrides, vars);
        Object.assign(env, vars);
        setProcessEnv(vars);
        functionEnvs.clear();
      },
      invoke: (functionId, event) => {
        const fn = topology.functions.find((f) => f.id === functionId);
        if (!fn) return Promise.reject(new Error(`no function '${functionId}' in the topology`));
        return invoker.invoke(fn, event);
      },
      async preload(which) {
        for (const fn of topology.functions.filter(which))
          await invoker
            .preload(fn)
            .catch((err: unknown) => log?.(`[lambda] ${fn.id}: not preloaded: ${err instanceof Error ? err.message : String(err)}`));
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
