/**
 * Partner catalogs for roaming out: we call the partner's query_* interfaces (the customer side of
 * T/CEC 102) with the outbound set the partner issued to us, through the signed client the pushes
 * use (shared/tcec/client.ts: token cached in the push table and shared with the pushes, one retry
 * after a 4002; never an automatic retry of a start or stop).
 *
 *   syncPartnerCatalog   query_stations_info, every page; the first pull is complete, later pulls
 *                        ask only for what changed since the last complete pull (LastQueryTime)
 *   partnerPolicy        query_equip_business_policy of a connector, cached (POLICY_MAX_AGE)
 *   pollPartnerStatus    query_station_status of every stored station, 50 per call — the slow
 *                        fallback to the partner's status pushes; a poll's answer is stamped
 *                        with when it was ASKED, so it never overwrites a newer push
 */
import { createHash } from 'node:crypto';
import { logger } from '#powertools';
import { config } from '../config.ts';
import type { TariffPeriod } from '../domain/billing.ts';
import { roamingOf } from '../domain/partners.ts';
import {
  getCachedPolicy,
  getCatalogState,
  listPartnerStations,
  putCachedPolicy,
  putCatalogState,
  putPartnerStations,
} from '../store/partner-catalog.ts';
import { listPartners, type Partner } from '../store/partners.ts';
import { DynamoTokenCache } from '../store/push-token-cache.ts';
import { putPartnerConnectorStatus } from '../store/roaming.ts';
import { getPartnerSecrets } from '../store/secrets.ts';
import { TcecClient, TcecTransportError } from '../tcec/client.ts';
import { type InterfaceName, parseResponseData, type RequestData, type ResponseData } from '../tcec/interfaces.ts';
import { MAX_PAGE_SIZE, MAX_STATION_IDS } from '../tcec/schemas.ts';
import { createSeqGenerator } from '../tcec/seq.ts';
import { formatDateTime } from '../tcec/time.ts';

/** T/CEC requests made by this process (the bench reads it). */
export const outboundRequests = { count: 0 };
const countingFetch: typeof fetch = (input, init) => {
  outboundRequests.count++;
  return fetch(input, init);
};

const tokenCache = new DynamoTokenCache();
const clients = new Map<string, TcecClient>();

/** A partner's failure to answer as the protocol says (transport errors propagate as they are). */
class PartnerCallError extends Error {
  override readonly name = 'PartnerCallError';
}

/** The signed client for a roam-out partner (one per partner and outbound set). */
export const clientFor = async (partner: Partner): Promise<TcecClient> => {
  if (!roamingOf(partner).out || !partner.outbound) throw new PartnerCallError(`partner ${partner.operatorId} does not roam out`);
  const secrets = (await getPartnerSecrets(partner.operatorId))?.outbound;
  if (!secrets) throw new PartnerCallError(`partner ${partner.operatorId} has no outbound secret set`);
  const key = `${partner.operatorId}|${partner.outbound.baseUrl}|${createHash('sha256').update(JSON.stringify(secrets)).digest('hex')}`;
  let c = clients.get(key);
  if (!c) {
    c = new TcecClient(
      {
        baseUrl: partner.outbound.baseUrl,
        ourOperatorId: config().OPERATOR_ID,
        secrets,
        partnerId: partner.operatorId,
        ...(partner.outbound.paths ? { paths: partner.outbound.paths } : {}),
      },
      { tokenCache, fetch: countingFetch },
    );
    clients.set(key, c);
  }
  return c;
};

/** Call a partner's interface; the verified, catalog-checked response Data, or a PartnerCallError. */
export const callPartner = async <N extends InterfaceName>(partner: Partner, iface: N, data: unknown): Promise<ResponseData<N>> => {
  const client = await clientFor(partner);
  const res = await client.call(iface, data);
  if (res.ret !== 0) throw new PartnerCallError(`${iface} at ${partner.operatorId}: Ret ${res.ret} ${res.msg}`);
  if (!res.sigVerified) throw new PartnerCallError(`${iface} at ${partner.operatorId}: the answer's Sig did not verify`);
  const parsed = parseResponseData(iface, res.data);
  if (!parsed.ok) throw new PartnerCallError(`${iface} at ${partner.operatorId}: ${parsed.msg}`);
  return parsed.value;
};

const nextSeq = createSeqGenerator();
/** A business sequence number (StartChargeSeq, EquipAuthSeq, EquipBizSeq) under OUR OperatorID: 27 characters. */
export const bizSeq = (): string => {
  const s = nextSeq();
  return `${config().OPERATOR_ID}${s.timeStamp}${s.seq}`;
};

/** the next incremental pull asks from a little before the last one started (partner clocks drift) */
const OVERLAP_MS = 5 * 60_000;

export interface SyncSummary {
  operatorId: string;
  incremental: boolean;
  pages: number;
  stations: number;
  requests: number;
}

/** a page that got no answer in time is asked again: a query changes nothing at the partner */
const PAGE_ATTEMPTS = 3;

const askPage = async (partner: Partner, data: RequestData<'query_stations_info'>): Promise<ResponseData<'query_stations_info'>> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await callPartner(partner, 'query_stations_info', data);
    } catch (err) {
      if (!(err instanceof TcecTransportError) || attempt >= PAGE_ATTEMPTS) throw err;
      logger.warn('partner catalog page not answered; asked again', { OperatorID: partner.operatorId, PageNo: data.PageNo, attempt });
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
};

/** Pull a partner's stations (all pages) and store them; incremental after the first complete pull. */
export const syncPartnerCatalog = async (partner: Partner, now = new Date(), opts: { full?: boolean } = {}): Promise<SyncSummary> => {
  const before = outboundRequests.count;
  const state = await getCatalogState(partner.operatorId);
  const since = opts.full ? undefined : state?.lastQueryTime;
  const syncedAt = now.toISOString();
  let pages = 0;
  let stations = 0;
  for (let page = 1; ; page++) {
    const res = await askPage(partner, {
      PageNo: page,
      PageSize: MAX_PAGE_SIZE,
      ...(since ? { LastQueryTime: since } : {}),
    });
    pages++;
    stations += res.StationInfos.length;
    await putPartnerStations(partner.operatorId, res.StationInfos as unknown as Record<string, unknown>[], syncedAt);
    if (page >= res.PageCount || res.StationInfos.length === 0) break;
  }
  await putCatalogState(partner.operatorId, {
    lastQueryTime: formatDateTime(new Date(now.getTime() - OVERLAP_MS)),
    stations: since ? Math.max(state?.stations ?? 0, stations) : stations,
    syncedAt,
  });
  const summary = {
    operatorId: partner.operatorId,
    incremental: Boolean(since),
    pages,
    stations,
    requests: outboundRequests.count - before,
  };
  logger.info('partner catalog synced', { ...summary, OperatorID: partner.operatorId });
  return summary;
};

/** Every roam-out partner, each on its own (one partner's failure never skips the others). */
export const forEachRoamOutPartner = async <T>(fn: (p: Partner) => Promise<T>): Promise<{ ok: T[]; failed: number }> => {
  const partners = (await listPartners()).filter((p) => p.status === 'active' && roamingOf(p).out);
  const results = await Promise.allSettled(partners.map(fn));
  const ok: T[] = [];
  let failed = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') ok.push(r.value);
    else {
      failed++;
      logger.error('roaming partner call failed', { OperatorID: partners[i]?.operatorId, error: r.reason as Error });
    }
  });
  return { ok, failed };
};

/** A partner's tariff older than this is pulled again before a session starts. */
const POLICY_MAX_AGE_MS = 15 * 60_000;

/** The partner's tariff of a connector: cached, else query_equip_business_policy (undefined when the partner has none). */
export const partnerPolicy = async (partner: Partner, connectorId: string, now = new Date()): Promise<TariffPeriod[] | undefined> => {
  const cached = await getCachedPolicy(partner.operatorId, connectorId);
  if (cached && now.getTime() - cached.fetchedAt < POLICY_MAX_AGE_MS) return cached.tariff;
  const res = await callPartner(partner, 'query_equip_business_policy', { EquipBizSeq: bizSeq(), ConnectorID: connectorId });
  if (res.SuccStat !== 0 || !res.PolicyInfos?.length) return undefined;
  const tariff = res.PolicyInfos.map((p) => ({ startTime: p.StartTime, elecPrice: p.ElecPrice, servicePrice: p.SevicePrice }));
  await putCachedPolicy(partner.operatorId, connectorId, { tariff, fetchedAt: now.getTime() });
  return tariff;
};

/** Poll the status of every stored station of a partner (the fallback to its pushes). Returns connectors seen. */
export const pollPartnerStatus = async (partner: Partner): Promise<number> => {
  const ids = (await listPartnerStations(partner.operatorId)).map((s) => s.StationID);
  let seen = 0;
  for (let i = 0; i < ids.length; i += MAX_STATION_IDS) {
    const askedAt = Date.now();
    const res = await callPartner(partner, 'query_station_status', { StationIDs: ids.slice(i, i + MAX_STATION_IDS) });
    for (const st of res.StationStatusInfos) {
      for (const c of st.ConnectorStatusInfos) {
        await putPartnerConnectorStatus({
          OperatorID: partner.operatorId,
          ConnectorID: c.ConnectorID,
          Status: c.Status,
          at: askedAt,
          source: 'poll',
        });
        seen++;
      }
    }
  }
  return seen;
};
