/**
 * The four baseinfo interfaces (T/CEC 102 §3.1, §3.2, §3.4, §3.6) as functions of a partner and
 * canonical (cec2016-spelled) Data typed by the catalog (shared/tcec/interfaces.ts); the Lambda
 * handlers in functions/baseinfo are one line each.
 *
 * Partner scoping, the rule for all four: a station that is not granted is indistinguishable from
 * one that does not exist —
 *   §3.1 it is never listed and never counted in ItemSize/PageCount;
 *   §3.2 it is silently left out (like an unknown StationID);
 *   §3.4 Ret 4004 "StationID: no such station" (same text as for an unknown one);
 *   §3.6 SuccStat 1, FailReason 1 "no business policy for this connector" (same as an unknown
 *        connector or a station without PolicyInfos): the reference defines no "unknown
 *        connector" reason for this interface, and a distinct answer would leak existence.
 *
 * The request schemas (shared/tcec/schemas.ts) already answer 4004 for what they can express:
 * PageNo ≥ 1, PageSize 1–MAX_PAGE_SIZE, LastQueryTime as 'yyyy-MM-dd HH:mm:ss', 1–50 StationIDs,
 * stats dates; this module does not repeat those checks.
 */

import { type Grantee, inRegion, isStationGranted } from '../domain/grants.ts';
import { paginate } from '../domain/paging.ts';
import { supervisionRegion } from '../domain/partner-profile.ts';
import { whToStatsKwh } from '../domain/station-stats.ts';
import { finishedOrderEnergyWh } from '../store/order-energy.ts';
import {
  getConnectorRef,
  getStationConnectors,
  getStationInfos,
  getStationMeta,
  listRegionIndex,
  listStationIndex,
} from '../store/stations.ts';
import type { RequestData, ResponseData } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';
import { formatDate, parseDate, parseDateTime } from '../tcec/time.ts';

/**
 * The stations of `ids` the partner may see, in order. A supervision platform sees its region
 * (§5.3): the stations' AreaCodes are read for it (its queries are rare; a commercial partner's
 * grant list costs no read).
 */
const grantedIds = async (partner: Grantee, ids: readonly string[]): Promise<string[]> => {
  const region = supervisionRegion(partner);
  if (!region) return ids.filter((id) => isStationGranted(partner, id));
  const area = new Map((await getStationInfos(ids)).map((i) => [i.StationID, i.AreaCode]));
  return ids.filter((id) => inRegion(region, area.get(id)));
};

// ── §3.1 query_stations_info ──

export const queryStationsInfo = async (
  partner: Grantee,
  data: RequestData<'query_stations_info'>,
): Promise<ResponseData<'query_stations_info'>> => {
  let sinceMs: number | undefined;
  if (data.LastQueryTime) {
    const since = parseDateTime(data.LastQueryTime);
    if (!since) throw new TcecError(Ret.BizError, 'LastQueryTime: expected yyyy-MM-dd HH:mm:ss');
    // "changed after" a time given to the second: from the next whole second on
    sinceMs = since.getTime() + 999;
  }
  // a supervision platform: its region's stations from the byArea index (read proportional to the region)
  const region = supervisionRegion(partner);
  const ids = (
    region
      ? (await listRegionIndex(region, sinceMs)).map((e) => e.stationId)
      : await grantedIds(
          partner,
          (await listStationIndex(sinceMs)).map((e) => e.stationId),
        )
  ).sort();
  const page = paginate(ids, data.PageNo, data.PageSize);
  return { PageNo: page.PageNo, PageCount: page.PageCount, ItemSize: page.ItemSize, StationInfos: await getStationInfos(page.items) };
};

// ── §3.2 query_station_status ──

export const queryStationStatus = async (
  partner: Grantee,
  data: RequestData<'query_station_status'>,
): Promise<ResponseData<'query_station_status'>> => {
  const ids = await grantedIds(partner, [...new Set(data.StationIDs)]);
  const found = await Promise.all(
    ids.map(async (id) => {
      const connectors = await getStationConnectors(id);
      if (connectors.length === 0 && !(await getStationMeta(id))) return undefined; // unknown: left out
      return {
        StationID: id,
        ConnectorStatusInfos: connectors
          .sort((a, b) => a.connectorId.localeCompare(b.connectorId))
          .map((c) => ({ ConnectorID: c.connectorId, Status: c.status, ParkStatus: c.parkStatus, LockStatus: c.lockStatus })),
      };
    }),
  );
  const infos = found.filter((s): s is NonNullable<typeof s> => s !== undefined);
  return { Total: infos.length, StationStatusInfos: infos };
};

// ── §3.4 query_station_stats ──

/** `yyyy-MM-dd` or (reference §3.4, [EC-v]) `yyyy-MM-dd HH:mm:ss` → the China-local day's start. */
const statsDay = (field: string, v: string): Date => {
  const d = parseDate(v) ?? (parseDateTime(v) ? parseDate(v.slice(0, 10)) : undefined);
  if (!d) throw new TcecError(Ret.BizError, `${field}: expected yyyy-MM-dd, got ${JSON.stringify(v).slice(0, 40)}`);
  return d;
};

export const queryStationStats = async (
  partner: Grantee,
  data: RequestData<'query_station_stats'>,
): Promise<ResponseData<'query_station_stats'>> => {
  const start = statsDay('StartTime', data.StartTime);
  const end = statsDay('EndTime', data.EndTime);
  if (end < start) throw new TcecError(Ret.BizError, 'EndTime: must not be before StartTime');
  const [info] = (await grantedIds(partner, [data.StationID])).length ? await getStationInfos([data.StationID]) : [];
  if (!info) throw new TcecError(Ret.BizError, `StationID: no such station ${data.StationID}`);
  // both days inclusive: [StartTime 00:00, EndTime + 1 day 00:00) China time
  const energy = await finishedOrderEnergyWh(info.StationID, start.getTime(), end.getTime() + 86_400_000);
  let stationWh = 0;
  const equipment = info.EquipmentInfos.map((e) => {
    let equipWh = 0;
    const connectors = e.ConnectorInfos.map((c) => {
      const wh = energy.get(c.ConnectorID) ?? 0;
      equipWh += wh;
      return { ConnectorID: c.ConnectorID, ConnectorElectricity: whToStatsKwh(wh) };
    });
    stationWh += equipWh;
    return { EquipmentID: e.EquipmentID, EquipmentElectricity: whToStatsKwh(equipWh), ConnectorStatsInfos: connectors };
  });
  return {
    StationStats: {
      StationID: info.StationID,
      StartTime: formatDate(start),
      EndTime: formatDate(end),
      StationElectricity: whToStatsKwh(stationWh),
      EquipmentStatsInfos: equipment,
    },
  };
};

// ── §3.6 query_equip_business_policy ──

export const queryBusinessPolicy = async (
  partner: Grantee,
  data: RequestData<'query_equip_business_policy'>,
): Promise<ResponseData<'query_equip_business_policy'>> => {
  const none: ResponseData<'query_equip_business_policy'> = {
    EquipBizSeq: data.EquipBizSeq,
    ConnectorID: data.ConnectorID,
    SuccStat: 1,
    FailReason: 1,
    SumPeriod: 0,
    PolicyInfos: [],
  };
  const ref = await getConnectorRef(data.ConnectorID);
  if (!ref || (await grantedIds(partner, [ref.stationId])).length === 0) return none;
  const meta = await getStationMeta(ref.stationId);
  const policy = meta?.policy ?? [];
  if (policy.length === 0) return none;
  return {
    EquipBizSeq: data.EquipBizSeq,
    ConnectorID: data.ConnectorID,
    SuccStat: 0,
    FailReason: 0,
    SumPeriod: policy.length,
    PolicyInfos: policy.map((p) => ({ StartTime: p.StartTime, ElecPrice: p.ElecPrice, SevicePrice: p.SevicePrice })),
  };
};
