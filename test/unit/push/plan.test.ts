/**
 * The pure push planner (shared/push/plan.ts), called directly: which partners a status change
 * reaches (§3.3), the start-result push (§3.8), a charge-status sample push (§3.9) — their ids,
 * ordering gates and Data, each Data checked against the catalog's request schema of the push.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../../events/baseinfo.ts';
import { OrderFinished, OrderProgress, OrderStarted } from '../../../events/orders.ts';
import type { Partner } from '../../../shared/domain/partners.ts';
import { type Delivery, deliverySchema } from '../../../shared/push/messages.ts';
import { equipStatusPush, finishPushes, startResultPush, stationStatusPushes } from '../../../shared/push/plan.ts';
import { parseRequestData } from '../../../shared/tcec/interfaces.ts';

const NOW = Date.UTC(2026, 10, 23, 1, 30, 47);

const partner = (operatorId: string, over: Partial<Partner> = {}): Partner => ({
  operatorId,
  name: operatorId,
  dialect: 'cec2016',
  stations: '*',
  status: 'active',
  features: { queryChargeInfo: false },
  outbound: { baseUrl: `https://${operatorId}.example/evcs/v1/` },
  ...over,
});

/** a planned push is a valid queue message whose Data the partner's interface accepts */
const expectWellFormed = (d: Delivery): void => {
  expect(deliverySchema().safeParse(d).success).toBe(true);
  const r = parseRequestData(d.iface as Parameters<typeof parseRequestData>[0], d.data);
  expect(r.ok ? 'ok' : r.msg).toBe('ok');
  expect(d).toMatchObject({ kind: 'push', v: 1, attempt: 0, permanent: 0, createdAt: NOW });
};

describe('stationStatusPushes (§3.3 notification_stationStatus)', () => {
  const e = ConnectorStatusChanged.sample;

  it('one push per partner granted the station that can receive pushes, in the partners’ order', () => {
    const partners = [
      partner('MA0000001'),
      partner('MA0000002', { stations: ['OTHER'] }),
      partner('MA0000003', { status: 'suspended' }),
      partner('MA0000004', { outbound: undefined }),
      partner('MA0000005', { stations: ['X', e.StationID] }),
    ];
    const ds = stationStatusPushes(e, partners, NOW);
    expect(ds.map((d) => d.partner)).toEqual(['MA0000001', 'MA0000005']);
    for (const d of ds) expectWellFormed(d);
  });

  it('carries the connector status, gated by the connector and its status version, with an id stable per version', () => {
    const [d] = stationStatusPushes(e, [partner('MA0000001')], NOW);
    expect(d).toMatchObject({
      id: `notification_stationStatus:MA0000001:${e.ConnectorID}:${e.version}`,
      iface: 'notification_stationStatus',
      data: { ConnectorStatusInfo: { ConnectorID: e.ConnectorID, Status: e.status, ParkStatus: e.parkStatus, LockStatus: e.lockStatus } },
      gate: { key: `CONNECTOR#${e.ConnectorID}`, version: e.version },
    });
    // the previous status and the observation time are not part of the pushed Data
    expect(Object.keys(d?.data.ConnectorStatusInfo as object).sort()).toEqual(['ConnectorID', 'LockStatus', 'ParkStatus', 'Status']);
    const [next] = stationStatusPushes({ ...e, version: e.version + 1 }, [partner('MA0000001')], NOW);
    expect(next?.id).not.toBe(d?.id);
    expect(next?.gate?.version).toBeGreaterThan(d?.gate?.version ?? Number.POSITIVE_INFINITY);
  });

  it('a supervision platform is reached by region, not by the grant list: a status without an AreaCode reaches none', () => {
    const sup = partner('MA0SUPER1', { kind: 'supervision', areaCodes: ['110'], stations: [e.StationID] });
    expect(stationStatusPushes(e, [sup], NOW)).toEqual([]);
  });

  it('no partners, or none granted: no pushes', () => {
    expect(stationStatusPushes(e, [], NOW)).toEqual([]);
    expect(stationStatusPushes(e, [partner('MA0000002', { stations: [] })], NOW)).toEqual([]);
  });
});

describe('startResultPush (§3.8 notification_start_charge_result)', () => {
  const e = OrderStarted.sample;

  it('to the order’s partner, with the start’s state and time, gated below every charge status of its order', () => {
    const d = startResultPush(e, NOW);
    expectWellFormed(d);
    expect(d).toMatchObject({
      id: `notification_start_charge_result:${e.OperatorID}:${e.StartChargeSeq}`,
      partner: e.OperatorID,
      iface: 'notification_start_charge_result',
      data: { StartChargeSeq: e.StartChargeSeq, StartChargeSeqStat: 2, ConnectorID: e.ConnectorID, StartTime: e.StartTime },
    });
    // the order's key, the lowest version: never pushed after one of the order's charge statuses (their version is the sample time)
    expect(d.gate).toEqual({ key: `ORDER#${e.StartChargeSeq}`, version: 0 });
    expect(equipStatusPush({ ...OrderProgress.sample, StartChargeSeq: e.StartChargeSeq }, NOW).gate?.key).toBe(d.gate?.key);
    expect(d.facts).toBeUndefined();
  });

  it('a refused start is pushed with its state (4); the failure text stays ours', () => {
    const d = startResultPush({ ...e, succeeded: false, StartChargeSeqStat: 4, failReason: 'pile refused' }, NOW);
    expectWellFormed(d);
    expect(d.data.StartChargeSeqStat).toBe(4);
    expect(JSON.stringify(d.data)).not.toContain('pile refused');
  });

  it('a plug-and-charge start carries the car as facts beside the Data, not in it', () => {
    const d = startResultPush({ ...e, Vin: 'LSVAU2180N2123456', PlateNum: '京A12345' }, NOW);
    expect(d.facts).toEqual({ Vin: 'LSVAU2180N2123456', PlateNum: '京A12345' });
    expect(d.data).not.toHaveProperty('Vin');
  });
});

describe('finishPushes: the start result an OrderFinished carries goes first (T/CEC: start → status → stop → order)', () => {
  const started = OrderStarted.sample;
  const finished = { ...OrderFinished.sample, StartChargeSeq: started.StartChargeSeq };
  const start = { StartChargeSeqStat: started.StartChargeSeqStat, StartTime: started.StartTime };

  it('ahead of the last charge status, stop result and order: the very push OrderStarted plans (same id, Data, gate)', () => {
    const out = finishPushes({ ...finished, start }, NOW);
    expect(out.map((d) => d.iface)).toEqual([
      'notification_start_charge_result',
      'notification_equip_charge_status',
      'notification_stop_charge_result',
      'notification_charge_order_info',
    ]);
    for (const d of out) expectWellFormed(d);
    // the same id: SQS deduplicates it against the planner's copy within 5 minutes; the same gate: one copy per order after
    expect(out[0]).toEqual(startResultPush(started, NOW));
  });

  it('a start that never began, stopped by the partner: the failed start result, then the stop result', () => {
    const failed = { StartChargeSeqStat: 4, StartTime: '2026-11-23 09:31:50' };
    const out = finishPushes({ ...finished, charged: false, StopReason: 5, start: failed }, NOW);
    expect(out.map((d) => [d.iface, d.data.StartChargeSeqStat])).toEqual([
      ['notification_start_charge_result', 4],
      ['notification_stop_charge_result', 4],
    ]);
    expect(out[0]!.data.StartTime).toBe(failed.StartTime);
  });

  it('without `start` (the order pushed a charge status: its start result went ahead of that) no start result', () => {
    expect(finishPushes(finished, NOW).map((d) => d.iface)).not.toContain('notification_start_charge_result');
  });

  it('nothing of the order to follow it (a failed start nobody stopped; a settlement has its own group): no copy', () => {
    const failed = { StartChargeSeqStat: 4, StartTime: '2026-11-23 09:31:50' };
    const alone = { ...finished, charged: false, stoppedByPartner: false, StopReason: 5, start: failed };
    expect(finishPushes(alone, NOW)).toEqual([]);
    const payable = { ...alone, bill: { ...finished.bill, PayableMoney: 0 } };
    expect(finishPushes(payable, NOW).map((d) => d.iface)).toEqual(['notification_order_settlement']);
  });
});

describe('equipStatusPush (§3.9 notification_equip_charge_status)', () => {
  const e = OrderProgress.sample;

  it('the sample’s live values and running bill, without the routing fields, gated by the sample time', () => {
    const d = equipStatusPush({ ...e, previousAt: NOW - 50_000 }, NOW);
    expectWellFormed(d);
    expect(d).toMatchObject({
      id: `notification_equip_charge_status:${e.OperatorID}:${e.StartChargeSeq}:${e.EndTime}`,
      partner: e.OperatorID,
      iface: 'notification_equip_charge_status',
      // 09:45:47 China time
      gate: { key: `ORDER#${e.StartChargeSeq}`, version: Date.UTC(2026, 10, 23, 1, 45, 47) },
    });
    const { StationID: _s, OperatorID: _o, ...expected } = e;
    expect(d.data).toEqual(expected);
    expect(d.data).not.toHaveProperty('previousAt');
  });

  it('a later sample outranks an earlier one and has its own id', () => {
    const a = equipStatusPush(e, NOW);
    const b = equipStatusPush({ ...e, EndTime: '2026-11-23 09:46:37' }, NOW);
    expect((b.gate?.version ?? 0) - (a.gate?.version ?? 0)).toBe(50_000);
    expect(b.id).not.toBe(a.id);
  });

  it('an EndTime that is not a protocol time orders first (version 0) instead of throwing', () => {
    expect(equipStatusPush({ ...e, EndTime: 'not a time' }, NOW).gate?.version).toBe(0);
  });
});
