/**
 * `npm start` — the whole platform on one laptop, on embedded defaults:
 * API (shaped like API Gateway), event bus, queues, scheduler, DynamoDB Local (real AWS
 * DynamoDB-compatible server on loopback, needs Java 17), and the demo seed.
 *
 *   npm start -- [--port 8080] [--seed FILE] [--data-dir .data] [--fresh] [--json-logs] [--verbose]
 *                [--sim-speed N] [--sim-url URL]
 *
 * Output: one line per T/CEC request, push attempt, pile command and event, plus warnings and errors;
 * --json-logs prints the handlers' Powertools JSON lines instead, --verbose those at DEBUG (and metrics).
 *
 * --sim-speed N  the pile simulator runs at N × real time (60: a 1-hour session per minute)
 * --sim-url URL  no embedded simulator; pile commands go to an external one (infra/local/simulator/main.ts)
 * --sim-protocol ocpp|direct  ocpp (default): every simulated pile is an OCPP 1.6J client of the local gateway;
 *                direct: the simulator's events enter through emitPileEvents, commands over its loopback
 * --sim-outages on|off  on (default): simulated piles go offline and connectors fault at random (about
 *                1 % of piles and 0.5 % of connectors per simulated hour); off: never (load benchmarks, where a
 *                pile outage answered correctly would read as a platform error)
 * --no-sim       no simulator at all: charge points connect over OCPP (ws://127.0.0.1:<port>/ocpp/<EquipmentID>)
 * --oem NAME     serve OEM NAME as its stack does, on its own port: a built-in OEM profile or one of the
 *                seed's `profiles` marked "oem": true (validated before anything starts)
 *
 * Ctrl-C stops everything it started.
 */

// first: settings the handler modules read at import
import './process-env.ts';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSeed, SeedError } from '../../shared/seed.ts';
import { oemProfile, oemStackName } from '../topology/oem.ts';
import { startBanner } from './banner.ts';
import { ensureConsoleBuild } from './console.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, DEFAULT_SEED } from './defaults.ts';
import { JAVA_REQUIRED, javaAvailable } from './dynamodb.ts';
import { startPlatform } from './platform.ts';

/**
 * Timing rules of the charging flow read from the shell and handed to every function, e.g.
 * `STRANDED_IDLE_SECONDS=30 npm start` (shared/config.ts validates them); nothing else of the shell
 * reaches a handler.
 */
const TIMING_FROM_SHELL = [
  'START_TIMEOUT_SECONDS',
  'STOP_TIMEOUT_SECONDS',
  'STRANDED_OFFLINE_SECONDS',
  'STRANDED_IDLE_SECONDS',
  'STRANDED_SILENT_SECONDS',
] as const;

const USAGE = `usage: npm start -- [--port N] [--seed FILE] [--data-dir DIR] [--fresh] [--json-logs] [--verbose] [--sim-speed N] [--sim-url URL] [--sim-protocol ocpp|direct] [--sim-outages on|off] [--no-sim] [--oem NAME]…`;

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      seed: { type: 'string', default: DEFAULT_SEED },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      fresh: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'json-logs': { type: 'boolean', default: false },
      'sim-speed': { type: 'string', default: '1' },
      'sim-url': { type: 'string' },
      /** serve an OEM's profile (infra/topology/oem.ts) under its own prefix, as its OEM stack does */
      oem: { type: 'string', multiple: true, default: [] },
      'no-sim': { type: 'boolean', default: false },
      'sim-protocol': { type: 'string', default: 'ocpp' },
      'sim-outages': { type: 'string', default: 'on' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const simSpeed = Number(values['sim-speed']);
  if (!Number.isFinite(simSpeed) || simSpeed <= 0) throw new Error(`--sim-speed must be a positive number, got ${values['sim-speed']}`);
  const simProtocol = values['sim-protocol'];
  if (simProtocol !== 'ocpp' && simProtocol !== 'direct') throw new Error(`--sim-protocol must be ocpp or direct, got ${simProtocol}`);
  const simOutages = values['sim-outages'];
  if (simOutages !== 'on' && simOutages !== 'off') throw new Error(`--sim-outages must be on or off, got ${simOutages}`);
  // an unknown OEM (not a built-in, nor one of the seed's profiles marked oem) fails before anything starts
  const seedProfiles = values.oem.length ? readSeed(resolve(values.seed)).profiles : {};
  const oems = values.oem.map((name) => ({ name, profile: oemProfile(name, seedProfiles) }));
  if (!javaAvailable()) {
    console.error(`${JAVA_REQUIRED}, then run npm start again.`);
    process.exit(1);
  }

  // the operator console (console/): built only when missing or older than its sources
  if (await ensureConsoleBuild()) console.log('operator console built (console/dist)');
  const platform = await startPlatform({
    port,
    seedFile: resolve(values.seed),
    dataDir: resolve(values['data-dir']),
    fresh: values.fresh,
    logLevel: values.verbose ? 'DEBUG' : 'INFO',
    logs: values.verbose || values['json-logs'] ? 'json' : 'pretty',
    simSpeed,
    simProtocol,
    ...(values['sim-url'] ? { pileSimUrl: values['sim-url'] } : {}),
    ...(values['no-sim']
      ? { simulator: false as const }
      : simOutages === 'off'
        ? { simulator: { offlineRatePerHour: 0, faultRatePerHour: 0 } }
        : {}),
    ...(oems.length ? { oems: oems.map((o) => o.name) } : {}),
    preloadHandlers: true,
    env: Object.fromEntries(TIMING_FROM_SHELL.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
  });

  const seedFile = resolve(values.seed);
  const builtInSeed = seedFile === resolve(DEFAULT_SEED);
  if (builtInSeed && !platform.seed.partners[0]) throw new Error('the seed names no partner: nothing to demo');
  console.log(
    startBanner({
      apiUrl: platform.apiUrl,
      seed: platform.seed,
      seedFile,
      builtInSeed,
      ...(platform.dataDir ? { dataDir: platform.dataDir } : {}),
      fresh: values.fresh,
      piles: platform.simulator
        ? `${platform.simulator.size()} simulated connectors at ${simSpeed}×${platform.ocppLink ? ', piles on OCPP 1.6J' : ''} (control: POST ${platform.apiUrl}/local/sim/connectors/<ConnectorID>)`
        : values['no-sim']
          ? 'no simulator: real chargers connect over OCPP'
          : `external simulator at ${values['sim-url'] ?? '(none)'}`,
      defaultPort: port === DEFAULT_PORT,
      appApiKey: { key: platform.appApiKey, fromEnv: Boolean(process.env.EVCS_APP_API_KEY) },
      adminApiKey: platform.adminApiKey,
      adminKeyGenerated: !process.env.EVCS_ADMIN_API_KEY,
    }),
  );

  // each OEM on its own port, as its own stack (its functions serve its partners only; the core's API refuses them)
  for (const o of oems)
    console.log(
      `OEM ${o.name} (stack ${oemStackName(o.name)}): ${platform.cloud.oemApiUrls[o.name]}${o.profile.servedAt}<interface> — partners with "profile": "${o.name}"`,
    );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await platform.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
};

main().catch((err: unknown) => {
  if (err instanceof SeedError) console.error(err.message);
  else console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
