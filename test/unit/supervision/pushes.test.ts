/**
 * Supervision pushes (issue 13, reference §5.3, §1.8): for each shipped profile, one session's
 * pushes carry the profile's interfaces and fields and are timed against its deadlines (the clock
 * is injected: the SLA timer is measured, never waited for); a platform that is down gets the
 * profile's resend schedule and then the DLQ — nothing lost.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../../events/baseinfo.ts';
import { OrderFinished, OrderProgress, OrderStarted } from '../../../events/orders.ts';
import { periodicDue, slaOutcome } from '../../../shared/domain/sla.ts';
import type { Delivery } from '../../../shared/push/messages.ts';
import { afterFailure } from '../../../shared/push/policy.ts';
import {
  supervisionFinishPushes,
  supervisionProgressPushes,
  supervisionStartPushes,
  supervisionStatusPushes,
} from '../../../shared/push/supervision.ts';
import { profileToWire } from '../../../shared/tcec/profiles.ts';
import { formatDateTime, parseDateTime } from '../../../shared/tcec/time.ts';
import { profiles, supervisors } from '../../support/supervision.ts';

const { BJ, CD, PV, ALL } = supervisors(['11', '51']);
const station = (AreaCode: string) => ({ AreaCode, EquipmentID: 'EQ0001', ConnectorPower: 60 });
const meter = { firstWh: 1_000_123, lastWh: 1_045_333 };
const started = OrderStarted.sample;
const finished = { ...OrderFinished.sample, StartChargeSeq: started.StartChargeSeq };
const stopAt = parseDateTime(finished.bill.EndTime)?.getTime() ?? 0;
const NOW = stopAt;

const wireOf = (d: Delivery, profile: string) =>
  profileToWire(profiles.get(profile) as never, d.iface, 'request', d.data, {
    ourOperatorId: 'MA01H3BQ2',
    partnerOperatorId: d.partner,
    facts: d.supervision?.facts,
  });
const byIface = (ds: readonly Delivery[], partner: string) =>
  Object.fromEntries(ds.filter((d) => d.partner === partner).map((d) => [d.iface, d]));

describe('a session in Beijing (AreaCode 110105)', () => {
  const at = station('110105');
  const finish = supervisionFinishPushes(finished, ALL, at, meter, NOW);
  const bj = byIface(finish, BJ.operatorId);

  it('reaches Beijing and the provincial platform of the region, not Chengdu', () => {
    expect(new Set(finish.map((d) => d.partner))).toEqual(new Set([BJ.operatorId, PV.operatorId]));
    expect(Object.keys(bj).sort()).toEqual(['notification_charge_order_info_for_bonus', 'notification_stop_charge_result']);
  });

  it('the bonus order carries ChargeModel, UserName, StationID, EquipmentID, ConnectorPower, ChargeLast, MeterValueStart/End', () => {
    const wire = wireOf(bj.notification_charge_order_info_for_bonus as Delivery, 'beijing');
    expect(wire).toMatchObject({
      StartChargeSeq: finished.StartChargeSeq,
      ChargeModel: 3,
      UserName: finished.OperatorID,
      StationID: finished.StationID,
      EquipmentID: 'EQ0001',
      ConnectorPower: 60,
      ChargeLast: 3600,
      MeterValueStart: 1000.12,
      MeterValueEnd: 1045.33,
      TotalPower: finished.bill.TotalPower,
    });
  });

  it('its SLA timer: the order is due 150 s after the stop; 149 s is in time, 151 s a breach', () => {
    const sla = bj.notification_charge_order_info_for_bonus?.supervision?.sla;
    expect(sla).toEqual({ eventAt: stopAt, deadlineSeconds: 150 });
    if (!sla) return;
    expect(slaOutcome(sla, stopAt + 149_000)).toEqual({ latencyMs: 149_000, breached: false, lateByMs: 0 });
    expect(slaOutcome(sla, stopAt + 151_000)).toEqual({ latencyMs: 151_000, breached: true, lateByMs: 1000 });
    expect(bj.notification_stop_charge_result?.supervision?.sla?.deadlineSeconds).toBe(50);
  });

  it('the start result within 50 s of the start; charge status at every 50 s sample', () => {
    const start = supervisionStartPushes(started, ALL, at, NOW).find((d) => d.partner === BJ.operatorId);
    expect(start?.supervision?.sla).toEqual({ eventAt: parseDateTime(started.StartTime)?.getTime(), deadlineSeconds: 50 });
    const sample = { ...OrderProgress.sample, StartTime: '2026-11-23 09:30:00', EndTime: '2026-11-23 09:30:50' };
    const progress = supervisionProgressPushes(sample, ALL, at, 50, NOW);
    expect(progress.map((d) => d.partner)).toEqual([BJ.operatorId]); // provincial: not at 50 s
    // the start result on the order's key below every charge status: never pushed after one
    expect(start?.gate).toEqual({ key: progress[0]?.gate?.key, version: 0 });
  });

  it('a failed order push follows 150, 300, …, 1800, 3600 s, then the DLQ: every resend kept, none lost', () => {
    expect(resendsUntilParked(bj.notification_charge_order_info_for_bonus as Delivery)).toEqual([
      150, 300, 450, 600, 750, 900, 1050, 1200, 1350, 1500, 1650, 1800, 3600,
    ]);
  });
});

describe('a session in Chengdu (AreaCode 510104)', () => {
  const at = station('510104');
  const finish = supervisionFinishPushes(finished, ALL, at, meter, NOW);
  const cd = byIface(finish, CD.operatorId);

  it('the order with the supervision fields within 30 s, its subsidy record, the stop result', () => {
    expect(Object.keys(cd).sort()).toEqual([
      'notification_charge_order_info',
      'notification_records_amount_info',
      'notification_stop_charge_result',
    ]);
    const wire = wireOf(cd.notification_charge_order_info as Delivery, 'chengdu');
    expect(wire).toMatchObject({ UserName: finished.OperatorID, StationID: finished.StationID, EquipmentID: 'EQ0001', ChargeLast: 3600 });
    expect(wire).not.toHaveProperty('ChargeModel'); // in the start result only
    expect(cd.notification_charge_order_info?.supervision?.sla).toEqual({ eventAt: stopAt, deadlineSeconds: 30 });
    expect(slaOutcome({ eventAt: stopAt, deadlineSeconds: 30 }, stopAt + 31_000).breached).toBe(true);
  });

  it('ChargeModel in the start result', () => {
    const start = supervisionStartPushes(started, ALL, at, NOW).find((d) => d.partner === CD.operatorId) as Delivery;
    expect(wireOf(start, 'chengdu')).toMatchObject({ ChargeModel: 3, StartChargeSeq: started.StartChargeSeq });
  });

  it('a failed order push follows 15/15/30/180/1800×4/3600 s, then the DLQ', () => {
    expect(resendsUntilParked(cd.notification_charge_order_info as Delivery)).toEqual([15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600]);
  });
});

describe('the provincial platform', () => {
  const at = station('510104');
  it('charge status every 5 min (every sixth 50 s sample), status on change, orders as OrderNo/TotalElect', () => {
    const due = [];
    for (let s = 50; s <= 900; s += 50) if (periodicDue(s, 300, 50)) due.push(s);
    expect(due).toEqual([300, 600, 900]);
    const sample = { ...OrderProgress.sample, StartTime: '2026-11-23 09:30:00', EndTime: '2026-11-23 09:35:00' };
    expect(supervisionProgressPushes(sample, [PV], at, 50, NOW)).toHaveLength(1);
    // readings 50 s ± jitter apart (the pile's clock): one push per 5 min crossed, counted from the previous progress
    const times = [48, 101, 149, 197, 252, 301, 349, 398, 452, 497, 549, 602, 650];
    const pushedAt = times.filter((t, i) => {
      const end = new Date(Date.parse('2026-11-23T09:30:00+08:00') + t * 1000);
      const p = {
        ...OrderProgress.sample,
        StartTime: '2026-11-23 09:30:00',
        EndTime: formatDateTime(end),
        ...(i > 0 ? { previousAt: Date.parse('2026-11-23T09:30:00+08:00') + (times[i - 1] as number) * 1000 } : {}),
      };
      const pushes = supervisionProgressPushes(p, [PV], at, 50, NOW);
      expect(pushes.every((d) => !('previousAt' in (d.data as object)))).toBe(true);
      return pushes.length > 0;
    });
    expect(pushedAt).toEqual([301, 602]);
    const status = supervisionStatusPushes(ConnectorStatusChanged.sample, ALL, at, NOW);
    expect(status.map((d) => d.partner).sort()).toEqual([CD.operatorId, PV.operatorId]);
    const order = supervisionFinishPushes(finished, [PV], at, meter, NOW)[0] as Delivery;
    expect(wireOf(order, 'provincial')).toMatchObject({ OrderNo: finished.StartChargeSeq, TotalElect: finished.bill.TotalPower });
    expect(order.supervision?.sla).toBeUndefined(); // no deadline in its profile
  });
});

describe('outside every region', () => {
  it('no supervision push at all', () => {
    const at = station('440305');
    expect(supervisionFinishPushes(finished, ALL, at, meter, NOW)).toEqual([]);
    expect(supervisionStatusPushes(ConnectorStatusChanged.sample, ALL, at, NOW)).toEqual([]);
    expect(supervisionStartPushes(started, ALL, {}, NOW)).toEqual([]);
  });
});

/** Fail the push again and again (the platform is down): the delays it is resent after, until parked. */
function resendsUntilParked(first: Delivery): number[] {
  const cfg = { PUSH_BACKOFF_SECONDS: [10], PUSH_MAX_ATTEMPTS: 20, PUSH_PERMANENT_ATTEMPTS: 3, PUSH_MAX_AGE_SECONDS: 3 * 24 * 3600 };
  const waits: number[] = [];
  let m = first;
  let now = m.createdAt;
  for (let i = 0; i < 50; i++) {
    const next = afterFailure(m, { class: 'transport', msg: 'connect ECONNREFUSED' }, now, cfg);
    if (next.action === 'park') {
      expect(next.message.parked?.reason).toMatch(/failed attempts/);
      expect(next.message.data).toEqual(first.data); // the DLQ holds the whole push, for replay
      return waits;
    }
    const wait = ((next.message.notBefore ?? now) - now) / 1000;
    waits.push(wait);
    now += wait * 1000;
    m = next.message;
  }
  throw new Error('never parked');
}

describe('the nightly check_charge_orders window (Beijing 00:00–03:00 China time, previous day)', () => {
  it('due from its minute until the window closes, never after', async () => {
    const { checkDue } = await import('../../../shared/domain/sla.ts');
    const china = (hhmm: string) => new Date(`2026-11-24T${hhmm}:00+08:00`);
    expect(checkDue(0, 180, china('00:00'))).toBe(true);
    expect(checkDue(0, 180, china('02:59'))).toBe(true);
    expect(checkDue(0, 180, china('03:00'))).toBe(false);
    expect(checkDue(0, 180, china('23:59'))).toBe(false);
    expect(checkDue(30, 180, china('00:29'))).toBe(false);
  });
});
