/**
 * Test support for the baseinfo tests: the small station fixture seed and a logged-in partner.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Platform, PlatformOptions } from '../../infra/local/platform.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import { STATIONS_SEED } from '../fixtures/stations.ts';
import { callAs, startTestPlatform, tokenFor } from './platform.ts';

/** four stations FX0001–FX0004 (FX0004 has no prices); partner 2 (xiaoju) is granted FX0001 and FX0003 */
export { STATIONS_SEED };

/** The fixture platform WITHOUT the embedded pile simulator: connector statuses come only from the test. */
export const startStationsPlatform = (opts: Partial<PlatformOptions> = {}): Promise<Platform> =>
  startTestPlatform({ seedFile: STATIONS_SEED, simulator: false, ...opts });

export interface Caller {
  partner: SeedPartner;
  call(iface: string, data: unknown): Promise<{ ret: number; msg: string; data: unknown; sigVerified: boolean; raw: { body: string } }>;
}

/** A partner with a fresh token; `call` returns the verified, decrypted response. */
export const loggedIn = async (platform: Platform, index: number): Promise<Caller> => {
  const partner = platform.seed.partners[index]!;
  const token = await tokenFor(platform.apiUrl, partner);
  return {
    partner,
    call: async (iface, data) => {
      const r = await callAs(platform.apiUrl, partner, iface, data, token);
      return { ret: r.ret, msg: r.msg, data: r.data, sigVerified: r.sigVerified, raw: { body: r.raw.body } };
    },
  };
};

export interface StationsCtx {
  platform: Platform;
  /** partner 1 (cec2016), granted every station */
  p1: Caller;
  /** partner 2 (xiaoju), granted FX0001 and FX0003 only */
  p2: Caller;
}

/** One station fixture platform for a test file (no pile simulator), with both partners logged in. */
export const useStationsPlatform = (opts: Partial<PlatformOptions> = {}): StationsCtx => {
  const ctx = {} as StationsCtx;
  beforeAll(async () => {
    ctx.platform = await startStationsPlatform(opts);
    ctx.p1 = await loggedIn(ctx.platform, 0);
    ctx.p2 = await loggedIn(ctx.platform, 1);
  });
  afterAll(async () => ctx.platform?.stop());
  return ctx;
};
