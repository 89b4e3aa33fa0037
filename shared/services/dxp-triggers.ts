/**
 * The supervision reporting of changes (issue 13): what the `dxp-changes` queue and the realtime
 * power schedule run (functions/dxp/dxp-changes.ts, functions/dxp/dxp-realtime-power.ts).
 *
 *   StationChanged, ConnectorStatusChanged → a change record per event, by hour (exports' `stations`
 *       and `statuses` objects; shared/store/dxp-changes.ts), and for a station change the
 *       notification_station_change and notification_stationInfo (its document as stored now)
 *       pushes of the platforms of its region that receive them
 *   every 5 minutes → notification_realtime_power_info of every platform whose interval is due: the
 *       power of each station of its region from the latest charging-process samples
 *
 * Pure rules: shared/domain/supervision-triggers.ts; deliveries go to the supervision lane
 * (`push-supervision`) with each profile's resend schedule, like every other supervision push.
 */
import type { DxpChangesQueue } from '../../events/queues.ts';
import { config } from '../config.ts';
import type { ChangeLine } from '../domain/dxp-export.ts';
import { pushable } from '../domain/grants.ts';
import { profileOf, supervisionRegion } from '../domain/partner-profile.ts';
import { chinaHour } from '../domain/process-samples.ts';
import {
  type PowerSample,
  realtimePowerPlans,
  stationChangePlans,
  stationInfoPlans,
  stationPowers,
} from '../domain/supervision-triggers.ts';
import { enqueueDeliveries } from '../push/queue.ts';
import { type Supervisor, supervisionDeliveries, supervisorView } from '../push/supervision.ts';
import { appendChanges, type ChangeRecord } from '../store/dxp-changes.ts';
import { listPartners } from '../store/partners.ts';
import { samplesSince } from '../store/process-samples.ts';
import { getStationInfos, listRegionIndex } from '../store/stations.ts';
import { formatDateTime } from '../tcec/time.ts';

type ChangeEvent = ReturnType<(typeof DxpChangesQueue)['parse']>;

/** The supervision platforms that can receive pushes: active, with an endpoint and a supervision profile. */
const supervisors = async (): Promise<Supervisor[]> =>
  (await listPartners()).flatMap((p) => {
    if (p.kind !== 'supervision' || !pushable(p)) return [];
    const rules = profileOf(p).supervision;
    return rules ? [{ operatorId: p.operatorId, rules, region: supervisionRegion(p) ?? [] }] : [];
  });

/** An event's change record (what the export's line says). */
export const changeRecordOf = (e: ChangeEvent): ChangeRecord => {
  if (e['detail-type'] === 'StationChanged') {
    const d = e.detail;
    const Time = Date.parse(d.changedAt);
    const line: ChangeLine = {
      StationID: d.StationID,
      ...(d.AreaCode ? { AreaCode: d.AreaCode } : {}),
      Created: d.created,
      Info: d.info,
      Tariff: d.tariff,
      EquipmentIDs: d.equipment,
      Time,
    };
    return { kind: 'stations', hour: chinaHour(Time), id: d.StationID, version: 0, line };
  }
  const d = e.detail;
  const Time = Date.parse(d.observedAt);
  const line: ChangeLine = {
    ConnectorID: d.ConnectorID,
    StationID: d.StationID,
    Status: d.status,
    ...(d.previousStatus !== undefined ? { PreviousStatus: d.previousStatus } : {}),
    ParkStatus: d.parkStatus,
    LockStatus: d.lockStatus,
    Time,
    Version: d.version,
  };
  return { kind: 'statuses', hour: chinaHour(Time), id: d.ConnectorID, version: d.version, line };
};

/**
 * A batch of change events: their records (one BatchWrite per 25), then the station-change pushes.
 * Idempotent: a redelivered event rewrites the same record and plans the same delivery ids.
 */
export const recordChanges = async (events: readonly ChangeEvent[], now: number): Promise<{ records: number; pushes: number }> => {
  const records = events.map(changeRecordOf);
  const ttl = Math.floor(now / 1000) + config().PROCESS_SAMPLE_TTL_DAYS * 86_400;
  await appendChanges(records, ttl);
  const stationChanges = events.flatMap((e) => (e['detail-type'] === 'StationChanged' ? [e.detail] : []));
  if (!stationChanges.length) return { records: records.length, pushes: 0 };
  const sups = await supervisors();
  const views = sups.map(supervisorView);
  const changes = stationChanges.map((d) => ({
    StationID: d.StationID,
    AreaCode: d.AreaCode,
    created: d.created,
    info: d.info,
    tariff: d.tariff,
    ChangeTime: formatDateTime(new Date(d.changedAt)),
    changedAtMs: Date.parse(d.changedAt),
  }));
  // the documents only of stations a notification_stationInfo goes out for (one BatchGet per 100)
  const wanted = changes.filter((c) => stationInfoPlans(c, {}, views).length > 0).map((c) => c.StationID);
  const docs = new Map(
    (wanted.length ? await getStationInfos([...new Set(wanted)]) : []).map((i) => [i.StationID, i as unknown as Record<string, unknown>]),
  );
  const plans = changes.flatMap((c) => [...stationChangePlans(c, views), ...stationInfoPlans(c, docs.get(c.StationID), views)]);
  const deliveries = supervisionDeliveries(plans, sups, now);
  if (deliveries.length) await enqueueDeliveries(deliveries);
  return { records: records.length, pushes: deliveries.length };
};

/** how often the realtime power schedule runs (infra/topology/dxp.ts) */
const REALTIME_POWER_SCHEDULE_SECONDS = 300;

/**
 * One run of the realtime power schedule. No read at all when no platform receives the interface;
 * else the platforms' regions (byArea index), their stations' documents (AreaCodes) and only the
 * sample batches with a sample within twice the freshness window (a batch's last sample is its
 * sort key: a few minutes of samples, not the whole current hour).
 */
export const runRealtimePower = async (now: number): Promise<{ pushes: number }> => {
  const sups = (await supervisors()).filter((s) => s.rules.interfaces.has('notification_realtime_power_info'));
  if (!sups.length) return { pushes: 0 };
  // a charging order files a sample at least every PROCESS_SAMPLE_SECONDS; one missing for 4 of them has stopped
  const freshMs = Math.max(120, 4 * config().PROCESS_SAMPLE_SECONDS) * 1000;
  const views = sups.map(supervisorView);
  // the stations of the platforms' regions only (byArea index), then their documents (AreaCodes)
  const inRegions = await listRegionIndex(views.flatMap((v) => v.region));
  const infos = await getStationInfos(inRegions.map((s) => s.stationId));
  const areaOf = new Map(infos.map((s) => [s.StationID, (s as { AreaCode?: string }).AreaCode]));
  const since = now - 2 * freshMs;
  const hours = [...new Set([chinaHour(since), chinaHour(now)])];
  const samples: PowerSample[] = [];
  for (const h of hours)
    for (const b of await samplesSince(h, since))
      for (const [t, , , kw] of b.samples)
        samples.push({ StartChargeSeq: b.StartChargeSeq, ConnectorID: b.ConnectorID, StationID: b.StationID, t, powerKw: kw });
  const inAnyRegion = [...areaOf.keys()];
  const plans = realtimePowerPlans({
    supervisors: views,
    powers: stationPowers(samples, inAnyRegion, now, freshMs),
    areaOf,
    now,
    scheduleSeconds: REALTIME_POWER_SCHEDULE_SECONDS,
    dataTime: formatDateTime(new Date(now)),
  });
  const deliveries = supervisionDeliveries(plans, sups, now);
  if (deliveries.length) await enqueueDeliveries(deliveries);
  return { pushes: deliveries.length };
};
