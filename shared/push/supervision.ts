/**
 * Pure: platform events → the pushes they cause to GOVERNMENT SUPERVISION platforms (issue 13,
 * reference §5.3). A supervision platform receives every session and status change of its region
 * (AreaCode prefixes), not only its own orders, and only the interfaces its profile lists; each
 * push carries the profile's resend schedule, its SLA timer (event time + the profile's deadline)
 * and the facts the profile's extra fields are computed from. No AWS here.
 *
 *   ConnectorStatusChanged → notification_stationStatus (on change)
 *   OrderStarted (charging) → notification_start_charge_result (Chengdu: + ChargeModel, Vin)
 *   OrderProgress           → notification_equip_charge_status at the profile's interval (50 s, 5 min)
 *   OrderFinished (charged) → notification_stop_charge_result, the order (notification_charge_order_info
 *                             or Beijing's notification_charge_order_info_for_bonus), Chengdu's
 *                             notification_records_amount_info
 */
import type { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import type { OrderFinished, OrderProgress, OrderStarted } from '../../events/orders.ts';
import { OrderStatus } from '../domain/charging.ts';
import { inRegion } from '../domain/grants.ts';
import { chargeOrderOf } from '../domain/order-views.ts';
import { periodicDue } from '../domain/sla.ts';
import type { PushPlan, SupervisorView } from '../domain/supervision-triggers.ts';
import type { InterfaceName } from '../tcec/interfaces.ts';
import type { Supervision } from '../tcec/profiles.ts';
import { parseDateTime } from '../tcec/time.ts';
import { type Delivery, newDelivery, type PushInterface } from './messages.ts';
import { startResultGate } from './plan.ts';

/** A supervision partner that can receive pushes: its OperatorID, its profile's rules, its region. */
export interface Supervisor {
  readonly operatorId: string;
  readonly rules: Supervision;
  readonly region: readonly string[];
}

/** What the planner knows of the station a session or status change is at (read by the service). */
export interface StationFacts {
  readonly AreaCode?: string | undefined;
  /** the equipment holding the connector and the connector's rated power, kW */
  readonly EquipmentID?: string | undefined;
  readonly ConnectorPower?: number | undefined;
}

/** A finished order's meter register at its first and last sample, Wh (from the order's running bill). */
export interface MeterFacts {
  readonly firstWh: number;
  readonly lastWh: number;
}

const ms = (s: string): number => parseDateTime(s)?.getTime() ?? 0;

/** ChargeModel (§5.3 Chengdu): every session on our piles is started card-less through a platform: 1 when that is the supervision platform itself, else 3. */
const chargeModelOf = (s: Supervisor, orderPartner: string): number => (s.operatorId === orderPartner ? 1 : 3);

const receiving = (all: readonly Supervisor[], iface: InterfaceName, station: StationFacts): Supervisor[] =>
  all.filter((s) => s.rules.interfaces.has(iface) && inRegion(s.region, station.AreaCode));

const push = (
  s: Supervisor,
  iface: PushInterface,
  subject: string,
  data: Record<string, unknown>,
  now: number,
  extra: { eventAt?: number; facts?: Record<string, string | number>; gate?: Delivery['gate'] } = {},
): Delivery => {
  const deadline = s.rules.deadlines[iface];
  return newDelivery({
    id: `${iface}:${s.operatorId}:${subject}`,
    partner: s.operatorId,
    iface,
    data,
    ...(extra.gate ? { gate: extra.gate } : {}),
    createdAt: now,
    supervision: {
      resend: [...s.rules.resendSeconds],
      ...(deadline !== undefined && extra.eventAt !== undefined ? { sla: { eventAt: extra.eventAt, deadlineSeconds: deadline } } : {}),
      ...(extra.facts ? { facts: extra.facts } : {}),
    },
  });
};

/**
 * A failed attempt's Ret that ENDS the push for this platform (its profile's `finalRets`: provincial
 * Ret 4015 on an order = "already stored"): the push counts as delivered with that Ret — no resend,
 * no DLQ. Undefined for every other answer (and for commercial partners: no supervision rules).
 */
export const finalRetOf = (
  rules: Pick<Supervision, 'finalRets'> | undefined,
  iface: InterfaceName,
  failure: { ok: boolean; ret?: number | undefined },
): number | undefined =>
  !failure.ok && failure.ret !== undefined && rules?.finalRets[iface]?.includes(failure.ret) ? failure.ret : undefined;

export const supervisionStatusPushes = (
  e: DetailOf<typeof ConnectorStatusChanged>,
  all: readonly Supervisor[],
  station: StationFacts,
  now: number,
): Delivery[] =>
  receiving(all, 'notification_stationStatus', station).map((s) =>
    push(
      s,
      'notification_stationStatus',
      `${e.ConnectorID}:${e.version}`,
      { ConnectorStatusInfo: { ConnectorID: e.ConnectorID, Status: e.status, ParkStatus: e.parkStatus, LockStatus: e.lockStatus } },
      now,
      { gate: { key: `CONNECTOR#${e.ConnectorID}`, version: e.version } },
    ),
  );

export const supervisionStartPushes = (
  e: DetailOf<typeof OrderStarted>,
  all: readonly Supervisor[],
  station: StationFacts,
  now: number,
): Delivery[] =>
  e.succeeded
    ? receiving(all, 'notification_start_charge_result', station).map((s) =>
        push(
          s,
          'notification_start_charge_result',
          e.StartChargeSeq,
          {
            StartChargeSeq: e.StartChargeSeq,
            StartChargeSeqStat: e.StartChargeSeqStat,
            ConnectorID: e.ConnectorID,
            StartTime: e.StartTime,
          },
          now,
          // Vin (Chengdu): known for a plug-and-charge session (the charger reported it); ahead of the order's charge statuses (plan.ts startResultGate)
          {
            eventAt: ms(e.StartTime),
            facts: { ChargeModel: chargeModelOf(s, e.OperatorID), ...(e.Vin ? { Vin: e.Vin } : {}) },
            gate: startResultGate(e.StartChargeSeq),
          },
        ),
      )
    : [];

/**
 * `cadenceSeconds`: how often the charging service sends progress (PUSH_STATUS_INTERVAL_SECONDS). A
 * platform that wants it that often or more gets every progress; one that wants it less often (the
 * provincial 5 min) gets the progress that crosses each multiple of its interval since the start,
 * counted from the order's previous progress (`previousAt`: readings come 50 s ± the pile's jitter
 * apart, so the nominal cadence would push twice or skip one), or from the cadence when unknown.
 */
export const supervisionProgressPushes = (
  e: DetailOf<typeof OrderProgress>,
  all: readonly Supervisor[],
  station: StationFacts,
  cadenceSeconds: number,
  now: number,
): Delivery[] => {
  if (e.StartChargeSeqStat !== OrderStatus.Charging) return [];
  const elapsed = (ms(e.EndTime) - ms(e.StartTime)) / 1000;
  const gap = e.previousAt === undefined ? cadenceSeconds : (ms(e.EndTime) - e.previousAt) / 1000;
  const { StationID: _s, OperatorID: _o, previousAt: _p, ...data } = e;
  return receiving(all, 'notification_equip_charge_status', station)
    .filter((s) => {
      const every = s.rules.statusIntervalSeconds ?? cadenceSeconds;
      return every <= cadenceSeconds ? elapsed >= 0 : periodicDue(elapsed, every, gap);
    })
    .map((s) =>
      push(s, 'notification_equip_charge_status', `${e.StartChargeSeq}:${e.EndTime}`, data, now, {
        gate: { key: `ORDER#${e.StartChargeSeq}`, version: ms(e.EndTime) },
      }),
    );
};

export const supervisionFinishPushes = (
  e: DetailOf<typeof OrderFinished>,
  all: readonly Supervisor[],
  station: StationFacts,
  meter: MeterFacts | undefined,
  now: number,
): Delivery[] => {
  if (!e.charged) return [];
  const stoppedAt = ms(e.bill.EndTime);
  const order = chargeOrderOf({
    StartChargeSeq: e.StartChargeSeq,
    ConnectorID: e.ConnectorID,
    status: OrderStatus.Finished,
    stopReason: e.StopReason,
    soc: e.finalSoc,
    bill: e.bill,
  });
  const orderFacts = (s: Supervisor): Record<string, string | number> => ({
    ChargeModel: chargeModelOf(s, e.OperatorID),
    // the customer platform that started the session (we never learn the driver's name)
    UserName: e.OperatorID,
    StationID: e.StationID,
    ...(station.EquipmentID ? { EquipmentID: station.EquipmentID } : {}),
    ...(station.ConnectorPower !== undefined ? { ConnectorPower: station.ConnectorPower } : {}),
    ChargeLast: Math.max(0, Math.round((stoppedAt - ms(e.bill.StartTime)) / 1000)),
    ...(meter ? { MeterValueStart: meter.firstWh / 1000, MeterValueEnd: meter.lastWh / 1000 } : {}),
  });
  const out: Delivery[] = [];
  for (const s of all) {
    if (!inRegion(s.region, station.AreaCode)) continue;
    const has = (i: InterfaceName) => s.rules.interfaces.has(i);
    const timed = { eventAt: stoppedAt };
    if (has('notification_stop_charge_result'))
      out.push(
        push(
          s,
          'notification_stop_charge_result',
          e.StartChargeSeq,
          { StartChargeSeq: e.StartChargeSeq, StartChargeSeqStat: 4, ConnectorID: e.ConnectorID, SuccStat: 0, FailReason: 0 },
          now,
          timed,
        ),
      );
    const facts = orderFacts(s);
    if (has('notification_charge_order_info'))
      out.push(push(s, 'notification_charge_order_info', e.StartChargeSeq, order, now, { ...timed, facts }));
    if (has('notification_charge_order_info_for_bonus')) {
      // the bonus order carries its fields in its own schema: without the station's equipment or the meter it cannot be sent as the contract wants
      const bonus = { ...order, ...facts };
      out.push(push(s, 'notification_charge_order_info_for_bonus', e.StartChargeSeq, bonus, now, timed));
    }
    if (has('notification_records_amount_info'))
      out.push(
        push(
          s,
          'notification_records_amount_info',
          e.StartChargeSeq,
          {
            StartChargeSeq: e.StartChargeSeq,
            ConnectorID: e.ConnectorID,
            StationID: e.StationID,
            EndTime: e.bill.EndTime,
            TotalPower: e.bill.TotalPower,
            TotalMoney: e.bill.TotalMoney,
          },
          now,
          timed,
        ),
      );
  }
  return out;
};

/** What the pure trigger planners (shared/domain/supervision-triggers.ts) need of a platform. */
export const supervisorView = (s: Supervisor): SupervisorView => ({
  operatorId: s.operatorId,
  region: s.region,
  interfaces: s.rules.interfaces,
  realtimePowerSeconds: s.rules.realtimePowerSeconds,
});

/** Planned pushes → deliveries with each platform's resend schedule (a plan for an unknown platform is dropped). */
export const supervisionDeliveries = (plans: readonly PushPlan[], all: readonly Supervisor[], now: number): Delivery[] =>
  plans.flatMap((p) => {
    const s = all.find((x) => x.operatorId === p.operatorId);
    return s ? [push(s, p.iface, p.subject, p.data, now, p.gate ? { gate: p.gate } : {})] : [];
  });
