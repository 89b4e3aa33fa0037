/**
 * The local platform = the local cloud (engine, from the topology) + the seed + the local-only
 * routes (/health). `npm start` and the integration tests both start it through here, so the
 * tests exercise exactly what a developer runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setLogSink, setMetricSink } from '#powertools';
import { ConnectorStatusQueue } from '../../events/queues.ts';
import { resetPublishClient } from '../../shared/bus/publish.ts';
import { resetSendClient } from '../../shared/bus/send.ts';
import { resetConfig } from '../../shared/config.ts';
import { statusVersion } from '../../shared/domain/connector-status.ts';
import { StationImportError, validateStations } from '../../shared/domain/station-records.ts';
import { resetPileTransport } from '../../shared/piles/transport.ts';
import { readSeed, type Seed } from '../../shared/seed.ts';
import { chargePointPasswords, registerChargePoints } from '../../shared/services/ocpp-registry.ts';
import { onboardFromSeed } from '../../shared/services/onboarding.ts';
import { importValidated } from '../../shared/services/station-import.ts';
import { resetObjectsClient } from '../../shared/store/objects.ts';
import { passwordKey, resetOcppSecretsClient } from '../../shared/store/ocpp-secrets.ts';
import { clearPartnerCache } from '../../shared/store/partners.ts';
import { resetSecretsProvider } from '../../shared/store/secrets.ts';
import { getConnectorStatuses } from '../../shared/store/stations.ts';
import { mirrorBundledCatalog } from '../../shared/tcec/interfaces.ts';
import { catalogInterfaces } from '../topology/catalog.ts';
import { topology } from '../topology/index.ts';
import { oemFunctions, oemProfile } from '../topology/oem.ts';
import { OCPP_PATH } from '../topology/piles.ts';
import type { FunctionDecl } from '../topology/types.ts';
import { type LocalCloud, startLocalCloud } from './cloud.ts';
import { consoleRoutes } from './console.ts';
import { RUNTIME_FILE } from './defaults.ts';
import { currentFunction, type InvokeObserver } from './invoke.ts';
import { writeJsonAtomic } from './json-file.ts';
import { createLogOutput, type LogMode } from './log-output.ts';
import { openOpsFiles } from './ops-files.ts';
import { type DemoPartner, startSeedDemoPartners } from './partner-server.ts';
import { StatusReadiness } from './readiness.ts';
import { type CarPark, startSeedCarParks } from './simulator/car-park.ts';
import { connectorsFromStations } from './simulator/connectors.ts';
import {
  createOcppPileSimulator,
  createPileSimulator,
  type OcppSimLink,
  type PileSimulator,
  SIM_BASE_PATH,
  type SimulatorTuning,
  simulatorRoutes,
} from './simulator/index.ts';

export interface PlatformOptions {
  /** HTTP port; 0 = any free port */
  port?: number;
  seedFile: string;
  /** undefined = everything in memory (tests) */
  dataDir?: string;
  fresh?: boolean;
  logLevel?: string;
  /** extra environment for the handlers (tests shorten windows, TTLs, timeouts) */
  env?: Record<string, string>;
  /** the pile simulator's time scale, N × real time (default 1) */
  simSpeed?: number;
  /** false = no embedded pile simulator; or its tuning (failure rates 0 in tests, PRNG seed, …) */
  simulator?: false | SimulatorTuning;
  /**
   * how the embedded simulator's piles reach the platform: `ocpp` = each pile a real OCPP 1.6J
   * client of the local gateway (what `npm start` runs), `direct` (default here: tests, benches) =
   * its events through emitPileEvents and its commands over its loopback
   */
  simProtocol?: 'ocpp' | 'direct';
  /** an external simulator's base URL (`…/local/sim`, infra/local/simulator/main.ts): the gateway sends commands there, none is embedded */
  pileSimUrl?: string;
  /** use this already-running DynamoDB Local instead of starting one (tests share one per lane) */
  dynamoEndpoint?: string;
  /** physical table-name prefix (default `evcs-`): distinct per platform sharing one DynamoDB Local */
  tablePrefix?: string;
  /**
   * demo partner platforms receiving our pushes, one per seed partner whose outbound baseUrl is on
   * loopback and free (default on; env EVCS_DEMO_PARTNERS=off disables). `any-port` (parallel test
   * runs only): a busy port puts the demo partner on a free one and the partner's baseUrl follows.
   */
  demoPartners?: boolean | 'any-port';
  /**
   * where handler logs, events and runtime diagnostics go (infra/local/log-output.ts): `pretty` lines
   * for people, Powertools `json` lines, or a `buffer` (default: nothing on stdout; see Platform.logs)
   */
  logs?: LogMode;
  /** observer of every Lambda invocation (the cost bench) */
  onInvoke?: InvokeObserver;
  /** cap of a queue trigger's batching window, ms (default 500; the cost bench scales it with simulated time) */
  maxBatchingWindowMs?: number;
  /** the status ingest first while its queue has a backlog (infra/local/priority.ts; default off) */
  ingestFirst?: boolean;
  /** run the topology's schedules (default true; tests that fire them at chosen times turn them off) */
  schedules?: boolean;
  /** the app API's bearer key (default: EVCS_APP_API_KEY, else generated; Platform.appApiKey) */
  appApiKey?: string;
  /** the admin API's bearer key (default: env EVCS_ADMIN_API_KEY, else generated at start) */
  adminApiKey?: string;
  /** the console's build served at /console/ (default console/dist, built by npm start) */
  consoleDir?: string;
  /** OEMs served as their stacks are (`npm start -- --oem NAME`): a built-in profile or one of the seed's; Platform.cloud.oemApiUrls */
  oems?: readonly string[];
  /**
   * import the modules of the functions readiness waits for (the status ingest, the OCPP gateway's
   * WebSocket routes) while the seed imports, not inside their first invocations after "up"
   * (`npm start`; tests leave it off: each test file would import modules it never calls). Only
   * those: the import is CPU the seed import shares (on a loaded machine every module preloaded
   * showed as seconds more before "up")
   */
  preloadHandlers?: boolean;
}

export interface Platform {
  apiUrl: string;
  /** the bearer key of the app API (`/app/v1`) — a local key, not a partner secret */
  appApiKey: string;
  seed: Seed;
  dataDir?: string;
  cloud: LocalCloud;
  /** the embedded pile simulator (absent with `simulator: false` or `pileSimUrl`) */
  simulator?: PileSimulator;
  /** its piles' OCPP clients (`simProtocol: 'ocpp'`) */
  ocppLink?: OcppSimLink;
  /** the demo partners by OperatorID (infra/local/partner-server.ts) */
  demoPartners: ReadonlyMap<string, DemoPartner>;
  /** the simulated car parks (barrier, ground locks) the seed's stations name on loopback */
  carParks: readonly CarPark[];
  /** the admin API's bearer key (the console asks for it) */
  adminApiKey: string;
  /** how long each step of the start took, ms, in order (the local cloud's, then the platform's) */
  startSteps: readonly (readonly [string, number])[];
  /** the lines kept in `buffer` mode (handler records as JSON, runtime diagnostics), oldest first */
  logs(): readonly string[];
  stop(): Promise<void>;
}

export const startPlatform = async (opts: PlatformOptions): Promise<Platform> => {
  const steps: (readonly [string, number])[] = [];
  let stepAt = performance.now();
  const step = (name: string) => {
    const t = performance.now();
    steps.push([name, t - stepAt]);
    stepAt = t;
  };
  const seedAsFiled = readSeed(opts.seedFile); // validate before starting anything
  const seedStations = validateStations(seedAsFiled.stations, { operatorId: seedAsFiled.operatorId });
  if (seedStations.problems.length) throw new StationImportError(opts.seedFile, seedStations.problems);
  if (opts.dataDir && opts.fresh) rmSync(opts.dataDir, { recursive: true, force: true });
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });

  // the pile simulator: every seeded connector; the pile gateway reaches it over loopback (PILE_TRANSPORT=local)
  // (a charge point the seed marks `simulated: false` is left to a real OCPP client)
  const realChargePoints = new Set(seedAsFiled.chargePoints.filter((c) => !c.simulated).map((c) => c.chargePointId));
  const simStations = withoutChargePoints(seedAsFiled.stations, realChargePoints);
  const simTuning = { ...(opts.simulator || {}), simSpeed: opts.simSpeed ?? (opts.simulator ? opts.simulator.simSpeed : undefined) ?? 1 };
  const simOn = opts.simulator !== false && !opts.pileSimUrl;
  const overOcpp = simOn && opts.simProtocol === 'ocpp' ? createOcppPileSimulator(simStations, simTuning) : undefined;
  const simulator = simOn ? (overOcpp?.sim ?? createPileSimulator(simStations, simTuning)) : undefined;

  // demo partners on loopback, only where nothing listens (never a changed URL, unless `any-port`)
  const demoOn = (opts.demoPartners ?? process.env.EVCS_DEMO_PARTNERS !== 'off') !== false;
  const out = createLogOutput(opts.logs ?? 'buffer');
  // the operator's tools read logs and metrics from the data dir (evcs trace, evcs usage)
  const files = opts.dataDir ? openOpsFiles(opts.dataDir) : undefined;
  // each invocation reads only the T/CEC schemas its Lambda bundle holds (a missing declaration fails here as deployed)
  if (mirrors++ === 0) mirrorBundledCatalog(holdsOwnCatalog);
  setLogSink((line) => {
    out.record(line);
    files?.record(line);
  });
  if (files) setMetricSink((line) => files.metric(line));
  const { seed, partners: demoPartners } = demoOn
    ? await startSeedDemoPartners(seedAsFiled, (line) => out.runtime(line), { anyPort: opts.demoPartners === 'any-port' })
    : { seed: seedAsFiled, partners: new Map<string, DemoPartner>() };

  // ready = the platform can serve a session: started, seeded, and (with the embedded simulator)
  // every simulated connector's status stored as its pile reported it since this start (a status
  // left in the data dir by the last run is not what the pile says now). Checked on /health until
  // true, then it stays true.
  const readiness = simulator
    ? new StatusReadiness(
        connectorsFromStations(simStations).map((c) => ({ stationId: c.StationID, connectorId: c.ConnectorID })),
        statusVersion(simulator.now(), 0),
        getConnectorStatuses,
      )
    : undefined;
  let started = false;
  let statusesKnown = false;
  let checking: Promise<boolean> | undefined;
  // the check reads the connectors still unknown (infra/local/readiness.ts): at most one every 100 ms, however often /health is polled
  let checkedAt = 0;
  const isReady = async (): Promise<boolean> => {
    if (!started) return false;
    if (statusesKnown || !readiness) return true;
    if (!checking && Date.now() - checkedAt < 100) return false;
    checking ??= readiness
      .check()
      .catch(() => false)
      .finally(() => {
        checking = undefined;
        checkedAt = Date.now();
      });
    statusesKnown ||= await checking;
    return statusesKnown;
  };
  const appApiKey = opts.appApiKey ?? (process.env.EVCS_APP_API_KEY || randomBytes(18).toString('base64url'));
  const adminApiKey = opts.adminApiKey ?? process.env.EVCS_ADMIN_API_KEY ?? randomBytes(24).toString('base64url');
  step('seed validated, simulator built, demo partners started');
  const cloud = await startLocalCloud({
    topology,
    ...(opts.oems?.length
      ? { oems: opts.oems.map((name) => ({ name, functions: oemFunctions(topology, name, oemProfile(name, seedAsFiled.profiles)) })) }
      : {}),
    appApiKey,
    port: opts.port ?? 0,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.dynamoEndpoint ? { dynamoEndpoint: opts.dynamoEndpoint } : {}),
    ...(opts.tablePrefix ? { tablePrefix: opts.tablePrefix } : {}),
    ...(opts.schedules === false ? { schedules: false } : {}),
    env: {
      OPERATOR_ID: seed.operatorId,
      // the simulator's loopback only where there is a simulator; otherwise OCPP alone, as in AWS
      PILE_TRANSPORT: (opts.simulator === false || overOcpp) && !opts.pileSimUrl ? 'ocpp' : 'local',
      ...(opts.pileSimUrl ? { PILE_SIM_URL: opts.pileSimUrl } : {}),
      ...(opts.env ?? {}),
    },
    logLevel: opts.logLevel ?? 'WARN',
    ...(opts.onInvoke ? { onInvoke: opts.onInvoke } : {}),
    ...(opts.maxBatchingWindowMs !== undefined ? { maxBatchingWindowMs: opts.maxBatchingWindowMs } : {}),
    ...(opts.ingestFirst ? { ingestFirst: true } : {}),
    // runtime diagnostics (a handler failure, a redrive, a DLQ move) — never secret values
    onLog: (line: string) => out.runtime(line),
    operatorKey: adminApiKey,
    extraRoutes: [
      ...consoleRoutes(opts.consoleDir),
      {
        method: 'GET',
        path: '/health',
        handle: async (_req, res) => {
          const ok = await isReady();
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: ok ? 'ok' : 'starting' }));
        },
      },
      ...(simulator ? simulatorRoutes(simulator) : []),
    ],
  });
  steps.push(...cloud.startSteps);
  stepAt = performance.now();
  // the API's URL is known only now (port 0): point the local pile transport at the embedded simulator
  if (simulator && !overOcpp && !cloud.env.PILE_SIM_URL) cloud.setEnv({ PILE_SIM_URL: `${cloud.apiUrl}${SIM_BASE_PATH}` });
  resetPileTransport();
  resetConfig();
  // a platform started again in this process listens on new ports: no client may keep the old endpoints
  resetPublishClient();
  resetSendClient();
  resetSecretsProvider();
  resetOcppSecretsClient();
  resetObjectsClient();
  clearPartnerCache();

  const preloaded = opts.preloadHandlers
    ? cloud.preload((fn) =>
        fn.triggers.some((t) => (t.type === 'queue' && t.queue === ConnectorStatusQueue.name) || t.type === 'websocket'),
      )
    : undefined;
  for (const p of seed.partners) await onboardFromSeed(p, seed.profiles);
  step('partners onboarded');
  await Promise.all([
    // the seed's stations, through the same loader as `npm run evcs -- stations import` (idempotent)
    importValidated(opts.seedFile, seedStations, { operatorId: seed.operatorId }),
    // every EquipmentID is an OCPP charge point: ws://…/ocpp/<EquipmentID> (passwords: `npm run evcs -- piles credentials`);
    // another table than the stations': registered while they import
    registerChargePoints(seedStations.stations, seed.chargePoints),
  ]);
  if (overOcpp && simulator) {
    const passwordOf = chargePointPasswords(await passwordKey());
    const seedPasswords = new Map(seed.chargePoints.flatMap((c) => (c.password ? [[c.chargePointId, c.password] as const] : [])));
    overOcpp.link.open(`${cloud.apiUrl.replace(/^http/, 'ws')}${OCPP_PATH}`, async (id) => seedPasswords.get(id) ?? passwordOf(id));
  }
  step('stations imported, charge points registered');
  await preloaded;
  step('handlers preloaded (the rest of it)');
  simulator?.start();
  const carParks = await startSeedCarParks(seedStations.stations, (line) => out.runtime(line));

  const untap = cloud.bus.tap((e) => {
    out.event(e);
    files?.event(e);
  });
  const runtimeFile = opts.dataDir ? join(opts.dataDir, RUNTIME_FILE) : undefined;
  if (runtimeFile) {
    // whole or not at all: a reader (the CLIs, a test waiting for the platform) never sees half of it
    writeJsonAtomic(runtimeFile, { apiUrl: cloud.apiUrl, pid: process.pid, env: cloud.env });
  }
  started = true;
  step('simulator started, car parks');

  return {
    apiUrl: cloud.apiUrl,
    appApiKey,
    seed,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    cloud,
    ...(simulator ? { simulator } : {}),
    ...(overOcpp && simulator ? { ocppLink: overOcpp.link } : {}),
    demoPartners,
    carParks,
    adminApiKey,
    startSteps: steps,
    logs: () => out.lines(),
    stop: async () => {
      untap();
      started = false;
      if (runtimeFile) rmSync(runtimeFile, { force: true });
      await simulator?.stop();
      await overOcpp?.link.stop();
      await cloud.stop();
      await Promise.all([...demoPartners.values()].map((d) => d.close()));
      await Promise.all(carParks.map((c) => c.stop()));
      setLogSink(undefined);
      // the last platform of the process stopping (tests may run two at once)
      if (--mirrors === 0) mirrorBundledCatalog(undefined);
      if (files) setMetricSink(undefined);
      await files?.close();
    },
  };
};

/** the running invocation's bundle holds `iface`'s schemas (infra/topology/catalog.ts); outside one, all */
const catalogs = new WeakMap<FunctionDecl, readonly string[] | undefined>();
/** platforms of this process started and not stopped: the mirror is on while any runs */
let mirrors = 0;
const holdsOwnCatalog = (iface: string): boolean => {
  const fn = currentFunction();
  if (!fn) return true;
  if (!catalogs.has(fn)) catalogs.set(fn, catalogInterfaces(fn));
  const own = catalogs.get(fn);
  return own === undefined || own.includes(iface);
};

/** the seed's stations without the equipment of the given charge points (those a real OCPP client plays) */
const withoutChargePoints = (stations: Seed['stations'], ids: ReadonlySet<string>): Seed['stations'] =>
  ids.size === 0
    ? stations
    : stations.map((st) => ({
        ...st,
        EquipmentInfos: (Array.isArray(st.EquipmentInfos) ? st.EquipmentInfos : []).filter(
          (e: { EquipmentID?: unknown }) => !ids.has(String(e.EquipmentID)),
        ),
      }));
