/**
 * The local platform = the local cloud (engine, from the topology) + the seed + the local-only
 * routes (/health). `npm start` and the integration tests both start it through here, so the
 * tests exercise exactly what a developer runs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topology } from '../topology/index.ts';
import { startLocalCloud, type LocalCloud } from './cloud.ts';
import { readSeed, type Seed } from '../../shared/seed.ts';
import { resetConfig } from '../../shared/config.ts';
import { clearPartnerCache } from '../../shared/store/partners.ts';
import { onboardFromSeed } from '../../shared/domain/onboarding.ts';
import { RUNTIME_FILE } from './defaults.ts';

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
}

export interface Platform {
  apiUrl: string;
  seed: Seed;
  dataDir?: string;
  cloud: LocalCloud;
  stop(): Promise<void>;
}

export const startPlatform = async (opts: PlatformOptions): Promise<Platform> => {
  const seed = readSeed(opts.seedFile); // validate before starting anything
  if (opts.dataDir && opts.fresh) rmSync(opts.dataDir, { recursive: true, force: true });
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });

  let ready = false;
  const cloud = await startLocalCloud({
    topology,
    port: opts.port ?? 0,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    env: { OPERATOR_ID: seed.operatorId, ...(opts.env ?? {}) },
    logLevel: opts.logLevel ?? 'WARN',
    extraRoutes: [
      {
        method: 'GET',
        path: '/health',
        handle: (_req, res) => {
          res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: ready ? 'ok' : 'starting' }));
        },
      },
    ],
  });
  resetConfig();
  clearPartnerCache();

  for (const p of seed.partners) await onboardFromSeed(p);

  const runtimeFile = opts.dataDir ? join(opts.dataDir, RUNTIME_FILE) : undefined;
  if (runtimeFile) {
    writeFileSync(runtimeFile, JSON.stringify({ apiUrl: cloud.apiUrl, pid: process.pid, env: cloud.env }, null, 2), { mode: 0o600 });
  }
  ready = true;

  return {
    apiUrl: cloud.apiUrl,
    seed,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    cloud,
    stop: async () => {
      ready = false;
      if (runtimeFile) rmSync(runtimeFile, { force: true });
      await cloud.stop();
    },
  };
};
