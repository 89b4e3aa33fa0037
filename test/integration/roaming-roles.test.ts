/**
 * Issue 12 §1 (partner roles), enforced both ways:
 *   - a partner that does not roam IN (`roaming.in: false`) is refused every operator-side interface
 *     (catalog `implementedBy: 'cpo'`: query_stations_info, query_equip_auth, query_start_charge, …)
 *     with a signed Ret 4004 — it may still obtain a token (query_token serves both roles);
 *   - a partner that does not roam OUT is never called by the catalog sync (nor by a direct sync).
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { runWithEnv } from '../../shared/config.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import { forEachRoamOutPartner, syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';
import { getPartner } from '../../shared/store/partners.ts';
import { callAs, DEMO_SEED, startTestPlatform, tokenFor } from '../support/platform.ts';

let platform: Platform;
let outOnly: SeedPartner; // roaming { in: false, out: true }
let inOnly: SeedPartner; // the default: in only
let partnerServer: Server;
/** the paths the stand-in partner endpoint was called on */
const hits: string[] = [];

beforeAll(async () => {
  // one stand-in endpoint for both partners' outbound baseUrls: it records who was called, answers nothing useful
  partnerServer = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(503).end();
  });
  await new Promise<void>((r) => partnerServer.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(partnerServer.address() as AddressInfo).port}`;
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { partners: Record<string, Record<string, unknown>>[] };
  seed.partners[0]!.roaming = { in: false, out: true };
  seed.partners[0]!.outbound = { ...seed.partners[0]!.outbound, baseUrl: `${base}/out-only/` };
  seed.partners[1]!.outbound = { ...seed.partners[1]!.outbound, baseUrl: `${base}/in-only/` };
  const file = join(mkdtempSync(join(tmpdir(), 'roaming-roles-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  platform = await startTestPlatform({ seedFile: file, simulator: false, demoPartners: false });
  [outOnly, inOnly] = platform.seed.partners as [SeedPartner, SeedPartner];
});
afterAll(async () => {
  await platform?.stop();
  await new Promise((r) => partnerServer?.close(r));
});

const asPlatform = <T>(fn: () => Promise<T>) => runWithEnv(platform.cloud.functionEnv('roaming-catalog-sync'), fn);

describe('roaming.in: false — no operator-side interface', () => {
  it.each([
    ['query_stations_info', { PageNo: 1, PageSize: 10 }],
    ['query_station_status', { StationIDs: ['S0001'] }],
    ['query_equip_auth', { EquipAuthSeq: `${'MA01H3BQ2'}20261123000000001`, ConnectorID: 'C1' }],
    ['query_equip_business_policy', { EquipBizSeq: `${'MA01H3BQ2'}20261123000000001`, ConnectorID: 'C1' }],
    ['query_start_charge', { StartChargeSeq: 'MA01H3BQ2202611230000000001', ConnectorID: 'C1', QRCode: '' }],
    ['query_stop_charge', { StartChargeSeq: 'MA01H3BQ2202611230000000001', ConnectorID: 'C1' }],
    ['query_equip_charge_status', { StartChargeSeq: 'MA01H3BQ2202611230000000001' }],
  ])('%s → signed Ret 4004 "does not roam in"', async (iface, data) => {
    const token = await tokenFor(platform.apiUrl, outOnly); // query_token serves both roles
    const r = await callAs(platform.apiUrl, outOnly, iface, data, token);
    expect(r.ret).toBe(4004);
    expect(r.msg).toBe(`OperatorID ${outOnly.operatorId} does not roam in with us`);
    expect(r.sigVerified).toBe(true);
  });

  it('a partner that roams in is served as before', async () => {
    const r = await callAs(
      platform.apiUrl,
      inOnly,
      'query_stations_info',
      { PageNo: 1, PageSize: 10 },
      await tokenFor(platform.apiUrl, inOnly),
    );
    expect(r.ret).toBe(0);
  });
});

describe('roaming.out: false — never called by the catalog sync', () => {
  it('the scheduled sync calls only the roam-out partner; a direct sync of an in-only partner calls nobody', async () => {
    hits.length = 0;
    const r = await asPlatform(() => forEachRoamOutPartner((p) => syncPartnerCatalog(p, new Date())));
    // the roam-out partner was called (and failed: the stand-in answers 503) — one failure, reported
    expect(r).toEqual({ ok: [], failed: 1 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.startsWith('/out-only/'))).toBe(true);

    hits.length = 0;
    const p = await asPlatform(async () => (await getPartner(inOnly.operatorId, { fresh: true }))!);
    await expect(asPlatform(() => syncPartnerCatalog(p, new Date()))).rejects.toThrow(/does not roam out/);
    expect(hits).toEqual([]);
  });
});
