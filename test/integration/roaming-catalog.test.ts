/**
 * Issue 12 §2 (partner catalogs): platform A pulls platform B's stations over T/CEC (all pages, then
 * incrementally), stores them apart from its own with the owner OperatorID, pulls B's tariff of a
 * connector on demand (cached), and polls B's connector status without overwriting a newer push.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundRequests, partnerPolicy, pollPartnerStatus, syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';
import { listPartnerStations } from '../../shared/store/partner-catalog.ts';
import { getPartner } from '../../shared/store/partners.ts';
import { getPartnerConnectorStatus, putPartnerConnectorStatus } from '../../shared/store/roaming.ts';
import { type PlatformPair, startPlatformPair } from '../support/roaming.ts';

let pair: PlatformPair;
beforeAll(async () => {
  pair = await startPlatformPair();
});
afterAll(async () => pair?.stop());

const B = 'MA5GS8X01';
const partnerB = () => pair.asA(async () => (await getPartner(B, { fresh: true }))!);

describe('query_stations_info (customer side: A pulls B’s catalog)', () => {
  it('first pull: every page, stored apart from A’s own stations with the owner OperatorID; then incremental', async () => {
    const p = await partnerB();
    const first = await pair.asA(() => syncPartnerCatalog(p, new Date()));
    expect(first).toMatchObject({ operatorId: B, incremental: false, pages: 1, stations: 4 });
    expect(first.requests).toBeGreaterThanOrEqual(1); // + query_token the first time
    const stored = await pair.asA(() => listPartnerStations(B));
    expect(stored.map((s) => s.StationID).sort()).toEqual(['FX0001', 'FX0002', 'FX0003', 'FX0004']);
    expect(stored.every((s) => s.OperatorID === B)).toBe(true);

    const again = await pair.asA(() => syncPartnerCatalog(p, new Date()));
    expect(again.incremental).toBe(true);
    expect(again.requests).toBe(1); // the token is cached: one request for one page
  });

  it('query_equip_business_policy on demand, then from the cache', async () => {
    const p = await partnerB();
    const before = outboundRequests.count;
    const tariff = await pair.asA(() => partnerPolicy(p, 'FX0001E01C1'));
    expect(tariff?.[1]).toEqual({ startTime: '080000', elecPrice: 1.05, servicePrice: 0.8 });
    expect(await pair.asA(() => partnerPolicy(p, 'FX0001E01C1'))).toEqual(tariff);
    expect(outboundRequests.count - before).toBe(1);
  });

  it('query_station_status poll: stamped with when it was asked, so a push that arrived meanwhile stays', async () => {
    const p = await partnerB();
    const later = Date.now() + 60_000; // a push that arrived after the poll was sent
    await pair.asA(() => putPartnerConnectorStatus({ OperatorID: B, ConnectorID: 'FX0001E01C1', Status: 3, at: later, source: 'push' }));
    const seen = await pair.asA(() => pollPartnerStatus(p));
    expect(seen).toBeGreaterThanOrEqual(9);
    expect(await pair.asA(() => getPartnerConnectorStatus(B, 'FX0001E01C1'))).toMatchObject({ Status: 3, source: 'push' });
    expect(await pair.asA(() => getPartnerConnectorStatus(B, 'FX0002E01C1'))).toMatchObject({ source: 'poll' });
  });

  it('a partner that does not answer as the protocol says: the sync fails with the reason, nothing half-stored', async () => {
    const p = await partnerB();
    const wrong = { ...p, outbound: { baseUrl: `${pair.bUrl}/nowhere/` } };
    await expect(pair.asA(() => syncPartnerCatalog(wrong, new Date()))).rejects.toThrow();
    expect(await pair.asA(() => listPartnerStations(B))).toHaveLength(4);
  });
});
