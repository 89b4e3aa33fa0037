/**
 * Pure planners of the supervision pushes that no charging session causes (issue 13, reference §5.3):
 *
 *   a station changed (StationChanged)    → notification_station_change, one per kind of change, to
 *                                            each platform of the station's region that receives it;
 *                                            notification_stationInfo (provincial), the station's whole
 *                                            StationInfo when it was created or its info changed
 *   the realtime-power schedule (5 min)    → notification_realtime_power_info: per platform whose
 *                                            interval is due, the charging power of every station
 *                                            of its region, in pages of at most 100 stations
 *
 * No I/O: the service reads partners, stations and samples and turns the plans into deliveries
 * (shared/push/supervision.ts `supervisionDeliveries`).
 */
import { inRegion } from './grants.ts';
import { periodicDue } from './sla.ts';

/** What a planner needs of a supervision platform. */
export interface SupervisorView {
  readonly operatorId: string;
  readonly region: readonly string[];
  readonly interfaces: ReadonlySet<string>;
  /** notification_realtime_power_info every so many seconds (its profile's `realtimePowerSeconds`) */
  readonly realtimePowerSeconds?: number | undefined;
}

type TriggeredInterface = 'notification_station_change' | 'notification_realtime_power_info' | 'notification_stationInfo';

/** One push to one platform: the service makes it a delivery with the platform's resend schedule. */
export interface PushPlan {
  readonly operatorId: string;
  readonly iface: TriggeredInterface;
  /** stable per push: the delivery id is `<iface>:<operatorId>:<subject>` (a redelivered event plans the same ids) */
  readonly subject: string;
  readonly data: Record<string, unknown>;
  /** ordering: per (platform, key) an older version is never pushed after a newer one (shared/store/push-gate.ts) */
  readonly gate?: { readonly key: string; readonly version: number };
}

/** ChangeType of notification_station_change: 1 station info (its equipment included), 2 tariff. */
const STATION_CHANGE_TYPES = { info: 1, tariff: 2 } as const;

export interface StationChange {
  readonly StationID: string;
  readonly AreaCode?: string | undefined;
  readonly created: boolean;
  readonly info: boolean;
  readonly tariff: boolean;
  /** `yyyy-MM-dd HH:mm:ss` China time */
  readonly ChangeTime: string;
}

/** The notification_station_change pushes of one station change. */
export const stationChangePlans = (c: StationChange, supervisors: readonly SupervisorView[]): PushPlan[] => {
  const types = [...(c.created || c.info ? [STATION_CHANGE_TYPES.info] : []), ...(c.tariff ? [STATION_CHANGE_TYPES.tariff] : [])];
  if (!types.length) return [];
  return supervisors
    .filter((s) => s.interfaces.has('notification_station_change') && inRegion(s.region, c.AreaCode))
    .flatMap((s) =>
      types.map((ChangeType) => ({
        operatorId: s.operatorId,
        iface: 'notification_station_change' as const,
        subject: `${c.StationID}:${ChangeType}:${c.ChangeTime}`,
        data: { StationID: c.StationID, ChangeType, ChangeTime: c.ChangeTime },
      })),
    );
};

/**
 * The notification_stationInfo pushes of one station change (provincial: station info on change,
 * §5.3 [IX-PROV]): the station's StationInfo as stored now (`info`), to each platform of its region
 * that receives the interface, when the station was created or its info or equipment changed (a
 * tariff is not StationInfo). Gated per station by the change time (`changedAtMs`): a redelivered or
 * late older change is never pushed after a newer one.
 */
export const stationInfoPlans = (
  c: StationChange & { readonly changedAtMs: number },
  info: Record<string, unknown> | undefined,
  supervisors: readonly SupervisorView[],
): PushPlan[] => {
  if (!info || !(c.created || c.info)) return [];
  return supervisors
    .filter((s) => s.interfaces.has('notification_stationInfo') && inRegion(s.region, c.AreaCode))
    .map((s) => ({
      operatorId: s.operatorId,
      iface: 'notification_stationInfo' as const,
      subject: `${c.StationID}:${c.ChangeTime}`,
      data: { StationInfo: info },
      gate: { key: `stationInfo:${c.StationID}`, version: c.changedAtMs },
    }));
};

/** A charging sample: the connector's power at `t` during an order. */
export interface PowerSample {
  readonly StartChargeSeq: string;
  readonly ConnectorID: string;
  readonly StationID: string;
  /** epoch ms */
  readonly t: number;
  readonly powerKw: number;
}

export interface StationPower {
  readonly StationID: string;
  /** kW, 1 dp */
  readonly StationRealTimePower: number;
  readonly ChargingConnectors: number;
}

/**
 * Each station's power now: per order its LATEST sample no older than `freshMs` (an order whose
 * samples stopped is no longer charging), summed per station; every listed station appears, 0 when
 * nothing charges there. A connector counts once.
 */
export const stationPowers = (
  samples: readonly PowerSample[],
  stationIds: readonly string[],
  now: number,
  freshMs: number,
): StationPower[] => {
  const latest = new Map<string, PowerSample>();
  for (const s of samples) {
    if (s.t > now || s.t <= now - freshMs) continue;
    const cur = latest.get(s.StartChargeSeq);
    if (!cur || s.t > cur.t) latest.set(s.StartChargeSeq, s);
  }
  const byStation = new Map<string, { kw: number; connectors: Set<string> }>();
  for (const s of latest.values()) {
    const st = byStation.get(s.StationID) ?? { kw: 0, connectors: new Set<string>() };
    st.kw += Math.max(0, s.powerKw);
    st.connectors.add(s.ConnectorID);
    byStation.set(s.StationID, st);
  }
  return [...new Set(stationIds)].sort().map((StationID) => {
    const st = byStation.get(StationID);
    return { StationID, StationRealTimePower: Math.round((st?.kw ?? 0) * 10) / 10, ChargingConnectors: st?.connectors.size ?? 0 };
  });
};

/** stations per notification_realtime_power_info (the catalog's page limit) */
const POWER_PAGE_SIZE = 100;

/**
 * The notification_realtime_power_info pushes of one run of the schedule (every `scheduleSeconds`):
 * to each platform that receives it and whose interval is due at `now`, its region's stations
 * (`areaOf`: StationID → AreaCode) with their power, `DataTime` = now.
 */
export const realtimePowerPlans = (o: {
  supervisors: readonly SupervisorView[];
  powers: readonly StationPower[];
  areaOf: ReadonlyMap<string, string | undefined>;
  now: number;
  scheduleSeconds: number;
  /** `yyyy-MM-dd HH:mm:ss` China time of `now` */
  dataTime: string;
}): PushPlan[] =>
  o.supervisors
    .filter(
      (s) =>
        s.interfaces.has('notification_realtime_power_info') &&
        periodicDue(Math.floor(o.now / 1000), s.realtimePowerSeconds ?? o.scheduleSeconds, o.scheduleSeconds),
    )
    .flatMap((s) => {
      const mine = o.powers.filter((p) => inRegion(s.region, o.areaOf.get(p.StationID)));
      const plans: PushPlan[] = [];
      for (let i = 0; i < mine.length; i += POWER_PAGE_SIZE)
        plans.push({
          operatorId: s.operatorId,
          iface: 'notification_realtime_power_info',
          subject: `${o.dataTime.replace(/\D/g, '')}:${i / POWER_PAGE_SIZE}`,
          data: { SupStationPowerInfos: mine.slice(i, i + POWER_PAGE_SIZE).map((p) => ({ ...p, DataTime: o.dataTime })) },
        });
      return plans;
    });
