/**
 * The pile simulator on its own, next to a running local cloud:
 *
 *   npx tsx infra/local/simulator/main.ts [--api http://127.0.0.1:8080] [--sim-speed 60]
 *        [--port 8090] [--seed FILE] [--data-dir .data] [--offline-rate R] [--fault-rate R] [--no-announce]
 *
 * It reads the running cloud's environment from <data-dir>/local-cloud.json (bus endpoint, bus
 * name), publishes pile events to it through the real SDK, and serves the `/local/sim/...`
 * endpoints on its own port. Start the platform with `npm start -- --sim-url <printed URL>` so the
 * pile gateway sends its commands here instead of to an embedded simulator.
 */

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readSeed } from '../../../shared/seed.ts';
import { connect } from '../../cli/connect.ts';
import { DEFAULT_DATA_DIR, DEFAULT_SEED } from '../defaults.ts';
import { createPileSimulator, startSimulatorServer } from './index.ts';

const USAGE =
  'usage: npx tsx infra/local/simulator/main.ts [--api URL] [--sim-speed N] [--port N] [--seed FILE] [--data-dir DIR] [--offline-rate R] [--fault-rate R] [--no-announce]';

const num = (name: string, v: string, min = 0): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${v}`);
  return n;
};

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      'sim-speed': { type: 'string', default: '1' },
      port: { type: 'string', default: '8090' },
      seed: { type: 'string', default: DEFAULT_SEED },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      'offline-rate': { type: 'string', default: '0.01' },
      'fault-rate': { type: 'string', default: '0.005' },
      'no-announce': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE);
  const target = connect(values['data-dir']);
  if (target.target !== 'local')
    throw new Error(`no running local cloud: ${resolve(values['data-dir'])}/local-cloud.json not found (npm start first)`);
  const api = values.api ?? target.apiUrl;
  if (api) {
    const health = await fetch(`${api}/health`).catch(() => undefined);
    if (!health?.ok) throw new Error(`the local cloud at ${api} does not answer /health`);
  }
  const seed = readSeed(resolve(values.seed));
  const simSpeed = num('sim-speed', values['sim-speed']);
  if (simSpeed <= 0) throw new Error('--sim-speed must be > 0');
  const sim = createPileSimulator(seed.stations, {
    simSpeed,
    offlineRatePerHour: num('offline-rate', values['offline-rate']),
    faultRatePerHour: num('fault-rate', values['fault-rate']),
    announce: !values['no-announce'],
    log: (line) => console.error(line),
  });
  const server = await startSimulatorServer(sim, num('port', values.port));
  sim.start();
  console.log(
    [
      `pile simulator: ${sim.size()} connectors at ${simSpeed}× real time, events → ${api ?? 'the local bus'}`,
      `  endpoints  ${server.url}/connectors/<ConnectorID>   ${server.url}/commands`,
      `  platform   npm start -- --sim-url ${server.url}`,
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  const stop = async () => {
    await sim.stop();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
};

main().catch((err: unknown) => {
  console.error(`pile simulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
