/**
 * The supervision pushes no session causes (issue 13, reference §5.3): notification_station_change
 * when a station changes, to the platforms of its region whose profile receives it, and the
 * provincial notification_realtime_power_info on its schedule — pure planners
 * (shared/domain/supervision-triggers.ts), the clock injected.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorStatusChanged, StationChanged } from '../../../events/baseinfo.ts';
import { DxpChangesQueue } from '../../../events/queues.ts';
import {
  type PowerSample,
  realtimePowerPlans,
  type SupervisorView,
  stationChangePlans,
  stationInfoPlans,
  stationPowers,
} from '../../../shared/domain/supervision-triggers.ts';
import { supervisionDeliveries, supervisorView } from '../../../shared/push/supervision.ts';
import { changeRecordOf } from '../../../shared/services/dxp-triggers.ts';
import { fromWire } from '../../../shared/tcec/dialect.ts';
import { fixture } from '../../fixtures/stations.ts';
import { supervisors } from '../../support/supervision.ts';

const { CD, PV, ALL } = supervisors(['51']);
const VIEWS: SupervisorView[] = ALL.map(supervisorView);
const change = { StationID: 'CD0001', AreaCode: '510104', created: false, info: true, tariff: false, ChangeTime: '2026-11-23 09:30:47' };

describe('notification_stationInfo (provincial: station info on change)', () => {
  const info = { ...fixture()[0], StationID: 'CD0001', AreaCode: '510104' };
  const at = { ...change, changedAtMs: Date.parse('2026-11-23T01:30:47Z') };

  it('goes with the whole StationInfo to the provincial platform of the region only, valid against the catalog', () => {
    const plans = stationInfoPlans(at, info, VIEWS);
    expect(plans.map((p) => p.operatorId)).toEqual([PV.operatorId]);
    expect(plans[0]?.data).toEqual({ StationInfo: info });
    const [d] = supervisionDeliveries(plans, ALL, 1_000);
    expect(d).toMatchObject({
      iface: 'notification_stationInfo',
      id: `notification_stationInfo:${PV.operatorId}:CD0001:2026-11-23 09:30:47`,
      gate: { key: 'stationInfo:CD0001', version: at.changedAtMs },
      supervision: { resend: [...PV.rules.resendSeconds] },
    });
    expect(fromWire('notification_stationInfo', 'request', d?.data).ok).toBe(true);
  });

  it('for a created station or an info change only; outside the region, or without the document, nothing', () => {
    expect(stationInfoPlans({ ...at, info: false, created: true }, info, VIEWS)).toHaveLength(1);
    expect(stationInfoPlans({ ...at, info: false, tariff: true }, info, VIEWS)).toEqual([]);
    expect(stationInfoPlans({ ...at, AreaCode: '310115' }, info, VIEWS)).toEqual([]);
    expect(stationInfoPlans(at, undefined, VIEWS)).toEqual([]);
  });
});

describe('notification_station_change', () => {
  it('goes to the platforms of the region whose profile receives it (Chengdu), not Beijing nor the provincial one (notification_stationInfo)', () => {
    const plans = stationChangePlans(change, VIEWS);
    expect(plans.map((p) => p.operatorId).sort()).toEqual([CD.operatorId]);
    expect(plans[0]?.data).toEqual({ StationID: 'CD0001', ChangeType: 1, ChangeTime: '2026-11-23 09:30:47' });
    // a station outside every region: nobody
    expect(stationChangePlans({ ...change, AreaCode: '310115' }, VIEWS)).toEqual([]);
    expect(stationChangePlans({ ...change, AreaCode: undefined }, VIEWS)).toEqual([]);
  });

  it('one push per kind of change (1 info, 2 tariff); a created station is an info change; nothing changed, nothing sent', () => {
    const both = stationChangePlans({ ...change, tariff: true }, [supervisorView(CD)]);
    expect(both.map((p) => p.data.ChangeType)).toEqual([1, 2]);
    expect(new Set(both.map((p) => p.subject)).size).toBe(2);
    expect(stationChangePlans({ ...change, info: false, created: true }, [supervisorView(CD)]).map((p) => p.data.ChangeType)).toEqual([1]);
    expect(stationChangePlans({ ...change, info: false }, VIEWS)).toEqual([]);
  });

  it('becomes a delivery on the supervision lane with the profile’s resend schedule, valid against the catalog', () => {
    const [d] = supervisionDeliveries(stationChangePlans(change, [supervisorView(CD)]), ALL, 1_000);
    expect(d?.iface).toBe('notification_station_change');
    expect(d?.id).toBe(`notification_station_change:${CD.operatorId}:CD0001:1:2026-11-23 09:30:47`);
    expect(d?.supervision?.resend).toEqual([...CD.rules.resendSeconds]);
    expect(fromWire('notification_station_change', 'request', d?.data).ok).toBe(true);
  });

  it('a StationChanged event becomes a `stations` change record of its China-time hour', () => {
    const e = DxpChangesQueue.parse(
      JSON.stringify({
        version: '0',
        id: 'e1',
        'detail-type': 'StationChanged',
        source: StationChanged.source,
        account: '000000000000',
        time: '2026-11-23T01:30:47Z',
        region: 'ap-northeast-1',
        resources: [],
        detail: StationChanged.sample,
      }),
    );
    const r = changeRecordOf(e);
    expect(r).toMatchObject({ kind: 'stations', hour: '2026-11-23T09', id: 'ST0001', version: 0 });
    expect(r.line).toEqual({
      StationID: 'ST0001',
      AreaCode: '310115',
      Created: false,
      Info: true,
      Tariff: false,
      EquipmentIDs: ['EQ000101'],
      Time: Date.parse('2026-11-23T01:30:47.000Z'),
    });
  });
});

describe('connector status change records', () => {
  it('a ConnectorStatusChanged event becomes a `statuses` record of its China-time hour, keyed by connector and version', () => {
    const e = DxpChangesQueue.parse(
      JSON.stringify({
        version: '0',
        id: 'e2',
        'detail-type': 'ConnectorStatusChanged',
        source: ConnectorStatusChanged.source,
        account: '000000000000',
        time: '2026-11-23T15:59:59Z',
        region: 'ap-northeast-1',
        resources: [],
        detail: { ...ConnectorStatusChanged.sample, observedAt: '2026-11-23T15:59:59.500Z' },
      }),
    );
    const r = changeRecordOf(e);
    // 23:59:59 China time: the hour of the observation, not of the event's arrival
    expect(r).toMatchObject({
      kind: 'statuses',
      hour: '2026-11-23T23',
      id: ConnectorStatusChanged.sample.ConnectorID,
      version: 1763861447000042,
    });
    expect(r.line).toEqual({
      ConnectorID: ConnectorStatusChanged.sample.ConnectorID,
      StationID: 'ST0001',
      Status: 3,
      PreviousStatus: 2,
      ParkStatus: 50,
      LockStatus: 50,
      Time: Date.parse('2026-11-23T15:59:59.500Z'),
      Version: 1763861447000042,
    });
    // a first status (no previous one): no PreviousStatus in the line
    const { previousStatus: _p, ...first } = ConnectorStatusChanged.sample;
    const f = changeRecordOf(
      DxpChangesQueue.parse(
        JSON.stringify({
          version: '0',
          id: 'e3',
          'detail-type': 'ConnectorStatusChanged',
          source: ConnectorStatusChanged.source,
          account: '000000000000',
          time: '2026-11-23T01:00:00Z',
          region: 'ap-northeast-1',
          resources: [],
          detail: first,
        }),
      ),
    );
    expect(f.line).not.toHaveProperty('PreviousStatus');
  });
});

describe('notification_realtime_power_info', () => {
  const NOW = Date.parse('2026-11-23T02:05:00.000Z'); // 10:05 China time: a multiple of 5 min
  const at = (s: number) => NOW - s * 1000;
  const sample = (seq: string, station: string, connector: string, t: number, powerKw: number): PowerSample => ({
    StartChargeSeq: seq,
    StationID: station,
    ConnectorID: connector,
    t,
    powerKw,
  });
  const samples = [
    sample('A', 'CD0001', 'C1', at(90), 40),
    sample('A', 'CD0001', 'C1', at(30), 55.04), // A's latest
    sample('B', 'CD0001', 'C2', at(10), 7.02),
    sample('C', 'CD0002', 'C3', at(600), 60), // stopped reporting 10 min ago: not charging now
    sample('D', 'CD0002', 'C4', NOW + 1000, 99), // a clock ahead: ignored
  ];

  it('each station’s power is the sum of its orders’ latest fresh samples; every station listed, 0 when idle', () => {
    expect(stationPowers(samples, ['CD0002', 'CD0001', 'CD0001'], NOW, 120_000)).toEqual([
      { StationID: 'CD0001', StationRealTimePower: 62.1, ChargingConnectors: 2 },
      { StationID: 'CD0002', StationRealTimePower: 0, ChargingConnectors: 0 },
    ]);
  });

  const areaOf = new Map([
    ['CD0001', '510104'],
    ['CD0002', '510105'],
    ['BJ0001', '110105'],
  ]);
  const powers = stationPowers(samples, [...areaOf.keys()], NOW, 120_000);

  it('only the provincial platform receives it, with the stations of its region, DataTime = now', () => {
    const plans = realtimePowerPlans({
      supervisors: VIEWS,
      powers,
      areaOf,
      now: NOW,
      scheduleSeconds: 300,
      dataTime: '2026-11-23 10:05:00',
    });
    expect(plans).toHaveLength(1);
    expect(plans[0]?.operatorId).toBe(PV.operatorId);
    const infos = (plans[0]?.data.SupStationPowerInfos ?? []) as Array<Record<string, unknown>>;
    expect(infos.map((i) => i.StationID)).toEqual(['CD0001', 'CD0002']);
    expect(infos[0]).toEqual({ StationID: 'CD0001', StationRealTimePower: 62.1, ChargingConnectors: 2, DataTime: '2026-11-23 10:05:00' });
    const [d] = supervisionDeliveries(plans, ALL, NOW);
    expect(fromWire('notification_realtime_power_info', 'request', d?.data).ok).toBe(true);
  });

  it('follows the profile’s interval: a 15-minute platform is due at :00/:15/:30/:45 runs of the 5-minute schedule only', () => {
    const slow: SupervisorView = { ...supervisorView(PV), operatorId: 'GOVSLOW01', realtimePowerSeconds: 900 };
    const due = [0, 5, 10, 15, 20, 25, 30].map(
      (m) =>
        realtimePowerPlans({
          supervisors: [slow],
          powers,
          areaOf,
          now: Date.parse('2026-11-23T02:00:00.000Z') + m * 60_000 + 2_000, // a run 2 s late still counts
          scheduleSeconds: 300,
          dataTime: 'x',
        }).length > 0,
    );
    expect(due).toEqual([true, false, false, true, false, false, true]);
  });

  it('pages of at most 100 stations, each push its own stable id', () => {
    const many = new Map(Array.from({ length: 250 }, (_, i) => [`CD${String(i).padStart(4, '0')}`, '510104'] as const));
    const plans = realtimePowerPlans({
      supervisors: [supervisorView(PV)],
      powers: stationPowers([], [...many.keys()], NOW, 120_000),
      areaOf: many,
      now: NOW,
      scheduleSeconds: 300,
      dataTime: '2026-11-23 10:05:00',
    });
    expect(plans.map((p) => (p.data.SupStationPowerInfos as unknown[]).length)).toEqual([100, 100, 50]);
    expect(plans.map((p) => p.subject)).toEqual(['20261123100500:0', '20261123100500:1', '20261123100500:2']);
  });
});
