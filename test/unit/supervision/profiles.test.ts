/**
 * Supervision profiles (issue 13, reference §5.3): the shipped profiles carry exactly the
 * interfaces, fields, deadlines and resend schedules of the reference; a profile naming an unknown
 * interface or field fails at load with its path; a supervision partner sees its region.
 */
import { describe, expect, it } from 'vitest';
import { inRegion, isStationGranted } from '../../../shared/domain/grants.ts';
import { supervisionRegion } from '../../../shared/domain/partner-profile.ts';
import { PartnerSchema } from '../../../shared/domain/partners.ts';
import { atResolution } from '../../../shared/domain/process-samples.ts';
import { loadProfiles, ProfileError, profileToWire, pushPaths } from '../../../shared/tcec/profiles.ts';

const profiles = loadProfiles();
const sup = (name: string) => {
  const s = profiles.get(name)?.supervision;
  if (!s) throw new Error(`${name} is not a supervision profile`);
  return s;
};
const SEQ = 'MA01H3BQ2202611230930450001';
const order = {
  StartChargeSeq: SEQ,
  ConnectorID: '1010000000000000000000001',
  StartTime: '2026-11-23 09:30:47',
  EndTime: '2026-11-23 10:30:47',
  TotalPower: 45.21,
  TotalElecMoney: 36.72,
  TotalSeviceMoney: 18.08,
  TotalMoney: 54.8,
  StopReason: 1,
  SumPeriod: 0,
};
const ctx = { ourOperatorId: 'MA01H3BQ2', partnerOperatorId: 'GOVBJ0001' };

describe('shipped supervision profiles (§5.3)', () => {
  it('beijing: the bonus order within 150 s, results within 50 s, status every 50 s, resend 150…1800, 3600, check 00:00–03:00', () => {
    const b = sup('beijing');
    expect([...b.interfaces].sort()).toEqual(
      [
        'check_charge_orders',
        'notification_charge_order_info_for_bonus',
        'notification_equip_charge_status',
        'notification_start_charge_result',
        'notification_stationStatus',
        'notification_stop_charge_result',
      ].sort(),
    );
    expect(b.deadlines).toEqual({
      notification_start_charge_result: 50,
      notification_stop_charge_result: 50,
      notification_charge_order_info_for_bonus: 150,
    });
    expect(b.resendSeconds).toEqual([150, 300, 450, 600, 750, 900, 1050, 1200, 1350, 1500, 1650, 1800, 3600]);
    expect(b.statusIntervalSeconds).toBe(50);
    expect(b.check).toEqual({ from: '00:00', to: '03:00' });
    expect(b.queryAnswerMs).toBe(1000);
  });

  it('beijing: interfaces live under <origin>/evcs/20160701/', () => {
    const paths = pushPaths(profiles.get('beijing') as never, 'https://hlht.zc3u.com/anything');
    expect(paths.notification_charge_order_info_for_bonus).toBe(
      'https://hlht.zc3u.com/evcs/20160701/notification_charge_order_info_for_bonus',
    );
    expect(paths.query_token).toBe('https://hlht.zc3u.com/evcs/20160701/query_token');
  });

  it('chengdu: order within 30 s, resend 15/15/30/180/1800×4/3600, its extra pushes, check_charge_order (singular)', () => {
    const c = sup('chengdu');
    expect(c.deadlines.notification_charge_order_info).toBe(30);
    expect(c.resendSeconds).toEqual([15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600]);
    expect(c.interfaces.has('notification_records_amount_info')).toBe(true);
    expect(c.interfaces.has('notification_station_change')).toBe(true);
    expect(pushPaths(profiles.get('chengdu') as never, 'http://hlht.cdczpt.com/').check_charge_orders).toBe(
      'http://hlht.cdczpt.com/evcs/20160701/check_charge_order',
    );
  });

  it('chengdu: ChargeModel and Vin in the start result, the supervision fields in the order, from the push facts', () => {
    const c = profiles.get('chengdu');
    if (!c) throw new Error('no chengdu');
    const start = profileToWire(
      c,
      'notification_start_charge_result',
      'request',
      { StartChargeSeq: SEQ, StartChargeSeqStat: 2, ConnectorID: order.ConnectorID, StartTime: order.StartTime },
      { ...ctx, facts: { ChargeModel: 3, Vin: 'LSVAU2180N2183294' } },
    );
    expect(start).toMatchObject({ ChargeModel: 3, Vin: 'LSVAU2180N2183294' });
    const facts = {
      UserName: 'MA01H3BQ2',
      StationID: 'ST0001',
      EquipmentID: 'EQ0001',
      ConnectorPower: 60.04,
      ChargeLast: 3600,
      MeterValueStart: 1000.123,
      MeterValueEnd: 1045.333,
    };
    const wire = profileToWire(c, 'notification_charge_order_info', 'request', order, { ...ctx, facts });
    expect(wire).toMatchObject({ ...facts, ConnectorPower: 60, MeterValueStart: 1000.12, MeterValueEnd: 1045.33 });
    // a fact the push does not carry is left out, never made up
    const bare = { StartChargeSeq: SEQ, StartChargeSeqStat: 2, ConnectorID: order.ConnectorID, StartTime: order.StartTime };
    expect(profileToWire(c, 'notification_start_charge_result', 'request', bare, { ...ctx, facts: { ChargeModel: 0 } })).not.toHaveProperty(
      'Vin',
    );
  });

  it('provincial: station status on change, charge status every 5 min, realtime power, OrderNo/TotalElect', () => {
    const p = sup('provincial');
    expect(p.statusIntervalSeconds).toBe(300);
    expect([...p.interfaces]).toContain('notification_realtime_power_info');
    const wire = profileToWire(profiles.get('provincial') as never, 'notification_charge_order_info', 'request', order, ctx);
    expect(wire).toMatchObject({ OrderNo: SEQ, TotalElect: 45.21 });
    expect(wire).not.toHaveProperty('StartChargeSeq');
  });
});

describe('a supervision profile that names an unknown interface or field fails at load, with its path', () => {
  const bad = (spec: unknown) => () => loadProfiles({ 'gov-x': spec as never });
  it.each([
    [
      { extends: 'beijing', supervision: { interfaces: ['notification_nope'], resendSeconds: [60] } },
      'profiles.gov-x.supervision.interfaces.0: unknown interface',
    ],
    [
      { extends: 'beijing', supervision: { interfaces: ['query_start_charge'], resendSeconds: [60] } },
      'profiles.gov-x.supervision.interfaces.0',
    ],
    [
      {
        extends: 'cec2016',
        supervision: { interfaces: ['notification_stationStatus'], deadlines: { notification_charge_order_info: 30 }, resendSeconds: [60] },
      },
      'profiles.gov-x.supervision.deadlines.notification_charge_order_info: not one of its interfaces',
    ],
    [
      { extends: 'cec2016', supervision: { interfaces: ['notification_equip_charge_status'], resendSeconds: [60] } },
      'statusIntervalSeconds',
    ],
    [
      { extends: 'beijing', add: { notification_charge_order_info_for_bonus: { 'Nope[].X': { fn: 'fact' } } } },
      'profiles.gov-x.add.notification_charge_order_info_for_bonus.Nope[].X',
    ],
    [
      { extends: 'beijing', supervision: { interfaces: ['check_charge_orders'], resendSeconds: [] } },
      'profiles.gov-x.supervision.resendSeconds',
    ],
    [
      { extends: 'cec2016', supervision: { interfaces: ['notification_stationStatus'], resendSeconds: [60], sampleSeconds: 7 } },
      'profiles.gov-x.supervision.sampleSeconds: a divisor of 3600',
    ],
    [
      { extends: 'cec2016', supervision: { interfaces: ['notification_stationStatus'], resendSeconds: [60], sampleSeconds: 7200 } },
      'profiles.gov-x.supervision.sampleSeconds',
    ],
  ])('%j', (spec, path) => {
    expect(bad(spec)).toThrow(ProfileError);
    expect(bad(spec)).toThrow(path);
  });
});

describe('process-sample resolution (sampleSeconds)', () => {
  it('a profile sets it (a divisor of 3600); the shipped ones leave it to the stored resolution', () => {
    const custom = loadProfiles({
      'gov-x': { extends: 'cec2016', supervision: { interfaces: ['notification_stationStatus'], resendSeconds: [60], sampleSeconds: 60 } },
    });
    expect(custom.get('gov-x')?.supervision?.sampleSeconds).toBe(60);
    for (const name of ['beijing', 'chengdu', 'provincial']) expect(sup(name).sampleSeconds).toBeUndefined();
  });

  it('keeps per order the first sample of each slot, the same whatever the split into hours', () => {
    const t0 = Date.parse('2026-11-30T10:59:00+08:00');
    const line = (seq: string, s: number) => ({ StartChargeSeq: seq, Time: t0 + s * 1000 });
    const lines = [line('A', 0), line('A', 30), line('A', 59), line('A', 60), line('A', 61), line('A', 125), line('B', 30), line('B', 45)];
    const kept = atResolution(lines, 60);
    expect(kept.map((l) => [l.StartChargeSeq, (l.Time - t0) / 1000])).toEqual([
      ['A', 0],
      ['A', 60],
      ['A', 125],
      ['B', 30],
    ]);
    // split at the hour (11:00 = t0 + 60 s): the same lines
    expect([...atResolution(lines.slice(0, 3), 60), ...atResolution(lines.slice(3, 6), 60), ...atResolution(lines.slice(6), 60)]).toEqual(
      kept,
    );
    expect(atResolution(lines, undefined)).toEqual(lines);
  });
});

describe('a supervision partner', () => {
  const base = { operatorId: 'GOVBJ0001', name: 'Beijing e充网', kind: 'supervision' as const, profile: 'beijing' };
  it('needs a supervision profile and a region', () => {
    expect(() => PartnerSchema.parse({ ...base, profile: undefined })).toThrow(/profile/);
    expect(() => PartnerSchema.parse({ ...base, profile: 'didi' })).toThrow(/not a supervision profile/);
    expect(() => PartnerSchema.parse({ ...base, areaCodes: ['1'] })).toThrow(/AreaCode prefix/);
    expect(() => PartnerSchema.parse({ operatorId: 'MA01H3BQ2', name: 'x', areaCodes: ['11'] })).toThrow(/only a supervision partner/);
    expect(() => PartnerSchema.parse({ ...base, profile: 'provincial' })).toThrow(/needs areaCodes/);
  });

  it('sees every station whose AreaCode starts with one of its prefixes, whatever its grant list says', () => {
    const p = PartnerSchema.parse({ ...base, areaCodes: ['1101', '31'], stations: ['ST1'] });
    const region = supervisionRegion(p) ?? [];
    expect(region).toEqual(['1101', '31']);
    expect(isStationGranted(p, 'ST9', '110105', region)).toBe(true);
    expect(isStationGranted(p, 'ST9', '310115', region)).toBe(true);
    expect(isStationGranted(p, 'ST1', '510104', region)).toBe(false);
    expect(isStationGranted(p, 'ST1', undefined, region)).toBe(false);
    // its profile's region when the entry gives none
    expect(supervisionRegion(PartnerSchema.parse(base))).toEqual(['11']);
    // a commercial partner keeps its grant list
    expect(supervisionRegion(PartnerSchema.parse({ operatorId: 'MA01H3BQ2', name: 'x' }))).toBeUndefined();
    expect(inRegion(['11'], '110000')).toBe(true);
  });
});
