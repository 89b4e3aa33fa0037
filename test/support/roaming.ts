/**
 * Two platforms on one machine for the roaming tests (issue 12 §8). B is a separate `npm start`
 * process (its own local cloud: queues, bus, secrets, DynamoDB Local), the station fixture
 * (operator MA5GS8X01, stations FX0001–FX0004); A is the test's in-process platform, operator
 * MA01H3BQ2 — the OperatorID B's seed knows as its partner — roaming out to B with the set B issued
 * to it. (Two local clouds cannot share one process: the AWS SDK endpoints are process-wide.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Platform, PlatformOptions } from '../../infra/local/platform.ts';
import { portBelowEphemeral } from '../../infra/local/ports.ts';
import { runWithEnv } from '../../shared/config.ts';
import { readSeed } from '../../shared/seed.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { STATIONS_SEED } from '../fixtures/stations.ts';
import { eventually } from './eventually.ts';
import { startTestPlatform } from './platform.ts';

export interface PlatformPair {
  /** the customer side: OUR users, roaming out to B */
  a: Platform;
  /** the operator side (the piles): B's API URL */
  bUrl: string;
  /** run `fn` with A's configuration (its tables, its OperatorID), as one of A's functions would */
  asA<T>(fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

const A_INBOUND: SecretSet = {
  operatorSecret: 'pairAOpSecret001',
  dataSecret: 'pairADataKey0001',
  dataSecretIV: 'pairADataIV00001',
  sigSecret: 'pairASigKey00001',
};

const root = fileURLToPath(new URL('../..', import.meta.url));

/** the data dir of each child B (stopB stops its DynamoDB Local too) */
const dataDirs = new WeakMap<ChildProcess, string>();

/** `npm start -- --port 0 --seed … --data-dir …` as a child process; resolves with its API URL. */
export const startB = async (
  dataDir: string,
  seedFile = STATIONS_SEED,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<{ url: string; child: ChildProcess }> => {
  const child = spawn(
    join(root, 'node_modules/.bin/tsx'),
    [join(root, 'infra/local/main.ts'), '--port', '0', '--seed', seedFile, '--data-dir', dataDir, '--fresh', ...args],
    // its own process group: the stop takes tsx, node and whatever they started
    { cwd: root, env: { ...process.env, EVCS_DEMO_PARTNERS: 'off', ...env }, stdio: 'ignore', detached: true },
  );
  dataDirs.set(child, dataDir);
  const file = join(dataDir, 'local-cloud.json');
  const url = await eventually(
    async () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { apiUrl: string }).apiUrl : undefined),
    {
      timeoutMs: 600_000,
      intervalMs: 200,
      what: 'platform B to start',
    },
  );
  return { url: url as string, child };
};

/** A's seed: operator = the partner B's seed lists first; B as its one partner, roaming both ways. */
export const writeSeedOfA = (dir: string, bSeedFile: string, bUrl: string): string => {
  const bSeed = readSeed(bSeedFile);
  const asPartnerOfB = bSeed.partners[0]!; // A, as B knows it
  const file = join(dir, 'a-seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      operatorId: asPartnerOfB.operatorId,
      partners: [
        {
          operatorId: bSeed.operatorId,
          name: 'Platform B',
          roaming: { in: true, out: true },
          inbound: A_INBOUND,
          // the set B issued to A: A calls B with it
          outbound: { baseUrl: `${bUrl}/evcs/v1/`, ...asPartnerOfB.inbound },
        },
      ],
      stations: [],
    }),
  );
  return file;
};

export const startPlatformPair = async (): Promise<PlatformPair> => {
  const dir = mkdtempSync(join(tmpdir(), 'roaming-pair-'));
  const b = await startB(join(dir, 'b'));
  try {
    const a = await startTestPlatform({ seedFile: writeSeedOfA(dir, STATIONS_SEED, b.url), simulator: false, demoPartners: false });
    const envA = a.cloud.functionEnv('roaming-catalog-sync');
    return {
      a,
      bUrl: b.url,
      asA: (fn) => runWithEnv(envA, fn),
      stop: async () => {
        await a.stop();
        await stopB(b.child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopB(b.child);
    throw err;
  }
};

export const stopB = async (child: ChildProcess): Promise<void> => {
  if (child.pid && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGTERM'); // the group: node itself gets it, not only the tsx wrapper
    await exited;
  }
  // B's DynamoDB Local runs in a process group of its own (its pid file under the data dir): it goes too
  const dataDir = dataDirs.get(child);
  const pidFile = dataDir ? join(dataDir, 'dynamodb', 'java.pid') : undefined;
  const pid = pidFile && existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  if (pid > 1) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  }
};

export interface TwoWayPair {
  /** platform A, in this process (operator MA01H3BQ2), its piles on a manual clock */
  a: Platform;
  /** platform B, a child `npm start` (operator MA5GS8X01, the station fixture), its simulator 60× real time */
  bUrl: string;
  bDataDir: string;
  /** B's app API bearer key */
  bAppKey: string;
  asA<T>(fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Issue 12 §8, both ways: A and B each the other's partner, roaming in AND out. A's port is chosen
 * first, so B's seed can name it as A's endpoint; A's own stations are the fixture's, renamed
 * (AX0001… at the same places as B's FX0001…).
 */
export const startTwoWayPair = async (
  /** how A is started (the benches start it without the test lanes' shared DynamoDB) */
  startA: (o: Partial<PlatformOptions> & { seedFile: string }) => Promise<Platform> = startTestPlatform,
): Promise<TwoWayPair> => {
  const dir = mkdtempSync(join(tmpdir(), 'roaming-two-way-'));
  const portA = await portBelowEphemeral();
  const fixture = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as Record<string, unknown> & {
    partners: Record<string, unknown>[];
    stations: unknown[];
  };
  const aAsKnownToB = { ...fixture.partners[0]! } as Record<string, unknown> & { operatorId: string; inbound: SecretSet };
  const bSeedFile = join(dir, 'b-seed.json');
  writeFileSync(
    bSeedFile,
    JSON.stringify({
      ...fixture,
      partners: [
        {
          ...aAsKnownToB,
          roaming: { in: true, out: true },
          // the set A issued to B: B calls A with it
          outbound: { baseUrl: `http://127.0.0.1:${portA}/evcs/v1/`, ...A_INBOUND },
        },
        ...fixture.partners.slice(1),
      ],
    }),
  );
  const bAppKey = 'two-way-b-app-key';
  const bDataDir = join(dir, 'b');
  const b = await startB(bDataDir, bSeedFile, { EVCS_APP_API_KEY: bAppKey }, ['--sim-speed', '60']);
  try {
    const aSeed = JSON.parse(readFileSync(writeSeedOfA(dir, bSeedFile, b.url), 'utf8')) as Record<string, unknown>;
    const aSeedFile = join(dir, 'a-seed-two-way.json');
    writeFileSync(
      aSeedFile,
      JSON.stringify({
        ...aSeed,
        stations: JSON.parse(
          JSON.stringify(fixture.stations).replaceAll('FX', 'AX').replaceAll(String(fixture.operatorId), String(aSeed.operatorId)),
        ),
      }),
    );
    const a = await startA({
      port: portA,
      seedFile: aSeedFile,
      demoPartners: false,
      simulator: { manualClock: true, offlineRatePerHour: 0, faultRatePerHour: 0, seed: 5, autoUnplug: false },
    });
    const envA = a.cloud.functionEnv('app-session-start');
    return {
      a,
      bUrl: b.url,
      bDataDir,
      bAppKey,
      asA: (fn) => runWithEnv(envA, fn),
      stop: async () => {
        await a.stop();
        await stopB(b.child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopB(b.child);
    throw err;
  }
};
