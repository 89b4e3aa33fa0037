/**
 * Wire dialects (reference §3 conventions, §5.1 DiDi/xiaoju, pitfalls §6.2, §6.3, §6.11) and the
 * exact-decimal helpers behind them.
 */
import { describe, expect, it } from 'vitest';
import { ContractError, DIALECTS, fieldDp, fromWire, toWire } from '../../../shared/tcec/dialect.ts';
import {
  decimalPlaces,
  fenToYuan,
  kwhToWh,
  priceToUnits,
  round,
  toScaledInt,
  unitsToPrice,
  whToKwh,
  yuanToFen,
} from '../../../shared/tcec/money.ts';

const SEQ = 'MA59J8YL8202403150930450001';
const T0 = '2024-03-15 09:30:45';
const T1 = '2024-03-15 09:45:45';

/** fresh-5 plaintext, byte for byte (reference §4.3 / tcec102-vectors.json) */
const FRESH5_PLAINTEXT =
  '{"StartChargeSeq":"MA59J8YL8202403150930450001","StartChargeSeqStat":2,"ConnectorID":"1010000000000000000000001","ConnectorStatus":3,"CurrentA":125.5,"VoltageA":380.2,"Soc":56.3,"StartTime":"2024-03-15 09:30:45","EndTime":"2024-03-15 09:45:45","TotalPower":12.35,"ElecMoney":10.03,"SeviceMoney":4.94,"TotalMoney":14.97,"SumPeriod":1,"ChargeDetails":[{"DetailStartTime":"2024-03-15 09:30:45","DetailEndTime":"2024-03-15 09:45:45","ElecPrice":0.8123,"SevicePrice":0.4,"DetailPower":12.35,"DetailElecMoney":10.03,"DetailSeviceMoney":4.94}]}';

const policy = {
  // keys deliberately out of order, float noise
  PolicyInfos: [
    { SevicePrice: 0.8, ElecPrice: 0.30000000000000004, StartTime: '000000' },
    { StartTime: '080000', ElecPrice: 1.23456, SevicePrice: 0.8123 },
  ],
  SumPeriod: 2,
  FailReason: 0,
  SuccStat: 0,
  ConnectorID: '1010000000000000000000001',
  EquipBizSeq: SEQ,
};

const status = {
  StartChargeSeq: SEQ,
  StartChargeSeqStat: 2,
  ConnectorID: '1010000000000000000000001',
  ConnectorStatus: 3,
  CurrentA: 125.54999,
  VoltageA: 380.25,
  Soc: 56.3,
  StartTime: T0,
  EndTime: T1,
  TotalPower: 12.345,
  ElecMoney: 10.03 - 0.000001,
  SeviceMoney: 4.94,
  TotalMoney: 10.03 + 4.94, // 14.969999999999999 in binary floating point
  SumPeriod: 1,
  CurrentB: undefined,
  ChargeDetails: [
    {
      DetailStartTime: T0,
      DetailEndTime: T1,
      ElecPrice: 0.8123,
      SevicePrice: 0.4,
      DetailPower: 12.345,
      DetailElecMoney: 10.03,
      DetailSeviceMoney: 4.94,
    },
  ],
};

const orderInfo = {
  StartChargeSeq: SEQ,
  ConnectorID: '1010000000000000000000001',
  StartTime: '2024-03-15 07:30:00',
  EndTime: '2024-03-15 08:30:00',
  TotalPower: 20,
  TotalElecMoney: 0.1 + 0.2,
  TotalSeviceMoney: 16.246,
  TotalMoney: 16.546,
  StopReason: 2,
  SumPeriod: 2,
  ChargeDetails: [
    {
      DetailStartTime: '2024-03-15 07:30:00',
      DetailEndTime: '2024-03-15 08:00:00',
      ElecPrice: 0.03,
      SevicePrice: 0.8123,
      DetailPower: 10,
      DetailElecMoney: 0.3,
      DetailSeviceMoney: 8.123,
    },
    {
      DetailStartTime: '2024-03-15 08:00:00',
      DetailEndTime: '2024-03-15 08:30:00',
      ElecPrice: 0,
      SevicePrice: 0.8123,
      DetailPower: 10,
      DetailElecMoney: 0,
      DetailSeviceMoney: 8.123,
    },
  ],
};

const json = (x: unknown) => JSON.stringify(x);

describe('toWire — exact output per dialect', () => {
  it('DIALECTS lists both', () => {
    expect(DIALECTS).toEqual(['cec2016', 'xiaoju']);
  });

  it('query_equip_business_policy response, cec2016', () => {
    expect(json(toWire('query_equip_business_policy', 'response', policy, 'cec2016'))).toBe(
      '{"EquipBizSeq":"MA59J8YL8202403150930450001","ConnectorID":"1010000000000000000000001","SuccStat":0,"FailReason":0,"SumPeriod":2,"PolicyInfos":[{"StartTime":"000000","ElecPrice":0.3,"SevicePrice":0.8},{"StartTime":"080000","ElecPrice":1.2346,"SevicePrice":0.8123}]}',
    );
  });

  it('query_equip_business_policy response, xiaoju (ServicePrice)', () => {
    expect(json(toWire('query_equip_business_policy', 'response', policy, 'xiaoju'))).toBe(
      '{"EquipBizSeq":"MA59J8YL8202403150930450001","ConnectorID":"1010000000000000000000001","SuccStat":0,"FailReason":0,"SumPeriod":2,"PolicyInfos":[{"StartTime":"000000","ElecPrice":0.3,"ServicePrice":0.8},{"StartTime":"080000","ElecPrice":1.2346,"ServicePrice":0.8123}]}',
    );
  });

  it('query_equip_charge_status response, cec2016 (ElecMoney, SeviceMoney) — 14.969999… becomes 14.97', () => {
    expect(json(toWire('query_equip_charge_status', 'response', status, 'cec2016'))).toBe(
      '{"StartChargeSeq":"MA59J8YL8202403150930450001","StartChargeSeqStat":2,"ConnectorID":"1010000000000000000000001","ConnectorStatus":3,"CurrentA":125.5,"VoltageA":380.3,"Soc":56.3,"StartTime":"2024-03-15 09:30:45","EndTime":"2024-03-15 09:45:45","TotalPower":12.35,"ElecMoney":10.03,"SeviceMoney":4.94,"TotalMoney":14.97,"SumPeriod":1,"ChargeDetails":[{"DetailStartTime":"2024-03-15 09:30:45","DetailEndTime":"2024-03-15 09:45:45","ElecPrice":0.8123,"SevicePrice":0.4,"DetailPower":12.35,"DetailElecMoney":10.03,"DetailSeviceMoney":4.94}]}',
    );
  });

  it('query_equip_charge_status response, xiaoju (ElectMoney, ServiceMoney, ServicePrice, DetailServiceMoney)', () => {
    expect(json(toWire('query_equip_charge_status', 'response', status, 'xiaoju'))).toBe(
      '{"StartChargeSeq":"MA59J8YL8202403150930450001","StartChargeSeqStat":2,"ConnectorID":"1010000000000000000000001","ConnectorStatus":3,"CurrentA":125.5,"VoltageA":380.3,"Soc":56.3,"StartTime":"2024-03-15 09:30:45","EndTime":"2024-03-15 09:45:45","TotalPower":12.35,"ElectMoney":10.03,"ServiceMoney":4.94,"TotalMoney":14.97,"SumPeriod":1,"ChargeDetails":[{"DetailStartTime":"2024-03-15 09:30:45","DetailEndTime":"2024-03-15 09:45:45","ElecPrice":0.8123,"ServicePrice":0.4,"DetailPower":12.35,"DetailElecMoney":10.03,"DetailServiceMoney":4.94}]}',
    );
  });

  it('§5.1: the xiaoju notification_equip_charge_status push keeps ElecMoney (ServiceMoney still renamed)', () => {
    const w = toWire('notification_equip_charge_status', 'request', status, 'xiaoju');
    expect(Object.keys(w)).toContain('ElecMoney');
    expect(Object.keys(w)).not.toContain('ElectMoney');
    expect(w.ServiceMoney).toBe(4.94);
    expect(w).not.toHaveProperty('SeviceMoney');
  });

  it('notification_charge_order_info request, cec2016', () => {
    expect(json(toWire('notification_charge_order_info', 'request', orderInfo, 'cec2016'))).toBe(
      '{"StartChargeSeq":"MA59J8YL8202403150930450001","ConnectorID":"1010000000000000000000001","StartTime":"2024-03-15 07:30:00","EndTime":"2024-03-15 08:30:00","TotalPower":20,"TotalElecMoney":0.3,"TotalSeviceMoney":16.25,"TotalMoney":16.55,"StopReason":2,"SumPeriod":2,"ChargeDetails":[{"DetailStartTime":"2024-03-15 07:30:00","DetailEndTime":"2024-03-15 08:00:00","ElecPrice":0.03,"SevicePrice":0.8123,"DetailPower":10,"DetailElecMoney":0.3,"DetailSeviceMoney":8.12},{"DetailStartTime":"2024-03-15 08:00:00","DetailEndTime":"2024-03-15 08:30:00","ElecPrice":0,"SevicePrice":0.8123,"DetailPower":10,"DetailElecMoney":0,"DetailSeviceMoney":8.12}]}',
    );
  });

  it('notification_charge_order_info request, xiaoju (TotalServiceMoney, ServicePrice, DetailServiceMoney)', () => {
    expect(json(toWire('notification_charge_order_info', 'request', orderInfo, 'xiaoju'))).toBe(
      '{"StartChargeSeq":"MA59J8YL8202403150930450001","ConnectorID":"1010000000000000000000001","StartTime":"2024-03-15 07:30:00","EndTime":"2024-03-15 08:30:00","TotalPower":20,"TotalElecMoney":0.3,"TotalServiceMoney":16.25,"TotalMoney":16.55,"StopReason":2,"SumPeriod":2,"ChargeDetails":[{"DetailStartTime":"2024-03-15 07:30:00","DetailEndTime":"2024-03-15 08:00:00","ElecPrice":0.03,"ServicePrice":0.8123,"DetailPower":10,"DetailElecMoney":0.3,"DetailServiceMoney":8.12},{"DetailStartTime":"2024-03-15 08:00:00","DetailEndTime":"2024-03-15 08:30:00","ElecPrice":0,"ServicePrice":0.8123,"DetailPower":10,"DetailElecMoney":0,"DetailServiceMoney":8.12}]}',
    );
  });

  it('§4.3 fresh-5: canonical → cec2016 reproduces the golden plaintext byte for byte', () => {
    const parsed = fromWire('notification_equip_charge_status', 'request', JSON.parse(FRESH5_PLAINTEXT));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(json(toWire('notification_equip_charge_status', 'request', parsed.value, 'cec2016'))).toBe(FRESH5_PLAINTEXT);
  });

  it('query_station_status: Total is a number in cec2016 and the string "1" in xiaoju', () => {
    const canonical = { Total: 1, StationStatusInfos: [{ StationID: 'ST1', ConnectorStatusInfos: [{ ConnectorID: '1', Status: 1 }] }] };
    expect(json(toWire('query_station_status', 'response', canonical, 'cec2016'))).toBe(
      '{"Total":1,"StationStatusInfos":[{"StationID":"ST1","ConnectorStatusInfos":[{"ConnectorID":"1","Status":1}]}]}',
    );
    expect(json(toWire('query_station_status', 'response', canonical, 'xiaoju'))).toBe(
      '{"Total":"1","StationStatusInfos":[{"StationID":"ST1","ConnectorStatusInfos":[{"ConnectorID":"1","Status":1}]}]}',
    );
  });

  it('StationInfo: BusineHours kept in both dialects; coordinates 6 dp, Power 1 dp; ID numbers become strings', () => {
    const st = {
      StationID: 'ST1',
      OperatorID: 'MA59J8YL8',
      EquipmentOwnerID: 'MA59J8YL8',
      StationName: 'S',
      CountryCode: 'CN',
      AreaCode: '110108',
      Address: 'A',
      ServiceTel: '400',
      StationType: 1,
      StationStatus: 50,
      ParkNums: 0,
      StationLng: 116.3971284999,
      StationLat: 39.9165275,
      Construction: 255,
      BusineHours: '24h',
      SupportOrder: 0,
      EquipmentInfos: [
        {
          EquipmentID: 'E1',
          EquipmentType: 1,
          Power: 119.96,
          ConnectorInfos: [
            {
              ConnectorID: 7,
              ConnectorType: 4,
              VoltageUpperLimits: 750,
              VoltageLowerLimits: 200,
              Current: 250,
              Power: 60.04,
              NationalStandard: 2,
            },
          ],
        },
      ],
    };
    for (const d of DIALECTS) {
      const w = toWire('query_stations_info', 'response', { PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [st] }, d);
      const s = (w.StationInfos as Record<string, unknown>[])[0]!;
      expect(s.BusineHours).toBe('24h');
      expect(s.StationLng).toBe(116.397128);
      expect(s.StationLat).toBe(39.916528);
      const e = (s.EquipmentInfos as Record<string, unknown>[])[0]!;
      expect(e.Power).toBe(120);
      const c = (e.ConnectorInfos as Record<string, unknown>[])[0]!;
      expect(c.Power).toBe(60);
      expect(c.ConnectorID).toBe('7');
    }
  });

  it('query_station_stats: electricity at 0.1 kWh', () => {
    const w = toWire(
      'query_station_stats',
      'response',
      {
        StationStats: {
          StationID: 'S',
          StartTime: '2024-03-01',
          EndTime: '2024-03-31',
          StationElectricity: 1234.56,
          EquipmentStatsInfos: [
            { EquipmentID: 'E', EquipmentElectricity: 1234.55, ConnectorStatsInfos: [{ ConnectorID: 'C', ConnectorElectricity: 0.05 }] },
          ],
        },
      },
      'cec2016',
    );
    expect(json(w)).toBe(
      '{"StationStats":{"StationID":"S","StartTime":"2024-03-01","EndTime":"2024-03-31","StationElectricity":1234.6,"EquipmentStatsInfos":[{"EquipmentID":"E","EquipmentElectricity":1234.6,"ConnectorStatsInfos":[{"ConnectorID":"C","ConnectorElectricity":0.1}]}]}}',
    );
  });

  it('refuses a non-object canonical value (programming error)', () => {
    expect(() => toWire('query_token', 'response', undefined, 'cec2016')).toThrow(TypeError);
    expect(() => toWire('query_token', 'response', [1], 'cec2016')).toThrow(TypeError);
  });

  it('refuses an unknown key at any depth instead of dropping it, naming the field', () => {
    for (const d of DIALECTS) {
      expect(() => toWire('query_equip_business_policy', 'response', { ...policy, internalTariffId: 'tariff#42' }, d)).toThrow(
        /internalTariffId: not a field/,
      );
      const nested = { ...policy, PolicyInfos: [{ StartTime: '000000', ElecPrice: 1, SevicePrice: 1, Discount: 0.5 }] };
      expect(() => toWire('query_equip_business_policy', 'response', nested, d)).toThrow(ContractError);
      expect(() => toWire('query_equip_business_policy', 'response', nested, d)).toThrow(/PolicyInfos\[0\]\.Discount/);
    }
  });

  it('refuses a missing required field and a wrong type, naming the field and not the value', () => {
    const { TotalPower: _omitted, ...noPower } = status;
    expect(() => toWire('query_equip_charge_status', 'response', noPower, 'cec2016')).toThrow(/TotalPower: required/);
    const badType = { ...status, StartTime: 20240315 };
    const err = (() => {
      try {
        toWire('query_equip_charge_status', 'response', badType, 'xiaoju');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ContractError);
    expect((err as ContractError).field).toBe('StartTime');
    expect((err as ContractError).message).not.toContain('20240315');
    expect(() => toWire('query_equip_charge_status', 'response', { ...status, ConnectorStatus: 7 }, 'cec2016')).toThrow(
      /ConnectorStatus: must be one of/,
    );
  });

  it('a null or undefined field counts as absent, not as unknown', () => {
    expect(
      json(toWire('query_token', 'response', { OperatorID: 'MA59J8YL8', SuccStat: 1, AccessToken: null, Extra: undefined }, 'cec2016')),
    ).toBe('{"OperatorID":"MA59J8YL8","SuccStat":1}');
  });
});

describe('fromWire', () => {
  it('parses the xiaoju query_equip_charge_status response back to canonical', () => {
    const wire = JSON.parse(json(toWire('query_equip_charge_status', 'response', status, 'xiaoju')));
    const r = fromWire('query_equip_charge_status', 'response', wire);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.ElecMoney).toBe(10.03);
      expect(r.value.SeviceMoney).toBe(4.94);
      expect(r.value.ChargeDetails?.[0]?.DetailSeviceMoney).toBe(4.94);
    }
  });

  it('xiaoju Total "1" → 1', () => {
    expect(fromWire('query_station_status', 'response', { Total: '1', StationStatusInfos: [] })).toEqual({
      ok: true,
      value: { Total: 1, StationStatusInfos: [] },
    });
  });

  it('reports the field of a bad value', () => {
    expect(
      fromWire('query_equip_business_policy', 'response', {
        ...policy,
        PolicyInfos: [{ StartTime: '0800', ElecPrice: 1, ServicePrice: 1 }],
      }),
    ).toEqual({
      ok: false,
      msg: "PolicyInfos[0].StartTime: expected 'HHmmss'",
    });
  });
});

describe('field precision table', () => {
  it('prices 4, money 2, energy 2, coordinates 6, power 1, stats 1, current/voltage 1, Soc 1; integers untouched', () => {
    expect(fieldDp('ElecPrice')).toBe(4);
    expect(fieldDp('SevicePrice')).toBe(4);
    expect(fieldDp('TotalDisputeMoney')).toBe(2);
    expect(fieldDp('DetailSeviceMoney')).toBe(2);
    expect(fieldDp('TotalPower')).toBe(2);
    expect(fieldDp('EquipmentLat')).toBe(6);
    expect(fieldDp('Power')).toBe(1);
    expect(fieldDp('StationElectricity')).toBe(1);
    expect(fieldDp('VoltageC')).toBe(1);
    expect(fieldDp('Soc')).toBe(1);
    expect(fieldDp('Total')).toBeUndefined();
    expect(fieldDp('VoltageUpperLimits')).toBeUndefined();
  });
});

describe('money.ts — exact decimals', () => {
  it('round: 14.969999 → 14.97, 0.1+0.2 → 0.3, 1.005 → 1.01 at 2 dp, 0.8123 untouched at 4 dp', () => {
    expect(round(14.969999, 2)).toBe(14.97);
    expect(round(10.03 + 4.94, 2)).toBe(14.97);
    expect(round(0.1 + 0.2, 2)).toBe(0.3);
    expect(round(1.005, 2)).toBe(1.01);
    expect(round(0.8123, 4)).toBe(0.8123);
    expect(round(1.00005, 4)).toBe(1.0001);
    expect(round(2.675, 2)).toBe(2.68);
    expect(round(1.45, 1)).toBe(1.5);
  });

  it('round: half away from zero for negatives, no -0, exponent forms', () => {
    expect(round(-1.005, 2)).toBe(-1.01);
    expect(round(-2.5, 0)).toBe(-3);
    expect(Object.is(round(-0.001, 2), 0)).toBe(true);
    expect(Object.is(round(-0, 2), 0)).toBe(true);
    expect(round(1e-7, 6)).toBe(0);
    expect(round(5e-7, 6)).toBe(0.000001);
    expect(round(1.23e21, 2)).toBe(1.23e21);
    expect(round(123.456, 0)).toBe(123);
    expect(() => round(Number.NaN, 2)).toThrow(RangeError);
    expect(() => round(1, 1.5)).toThrow(RangeError);
  });

  it('fen ↔ yuan, Wh → kWh (2 dp), price ↔ units (4 dp)', () => {
    expect(yuanToFen(14.97)).toBe(1497);
    expect(yuanToFen(10.03 + 4.94)).toBe(1497);
    expect(yuanToFen(1.005)).toBe(101);
    expect(yuanToFen(-0.015)).toBe(-2);
    expect(fenToYuan(1497)).toBe(14.97);
    expect(fenToYuan(-5)).toBe(-0.05);
    expect(fenToYuan(0)).toBe(0);
    expect(whToKwh(12345)).toBe(12.35);
    expect(whToKwh(12344)).toBe(12.34);
    expect(whToKwh(5)).toBe(0.01);
    expect(kwhToWh(12.345)).toBe(12345);
    expect(priceToUnits(0.8123)).toBe(8123);
    expect(priceToUnits(1.2)).toBe(12000);
    expect(unitsToPrice(8123)).toBe(0.8123);
    expect(unitsToPrice(3)).toBe(0.0003);
    expect(toScaledInt(0.29, 2)).toBe(29); // 0.29 * 100 = 28.999999999999996 in floats
  });

  it('decimalPlaces reads the shortest decimal form, including exponents', () => {
    expect(decimalPlaces(116.397128)).toBe(6);
    expect(decimalPlaces(116.3971281)).toBe(7);
    expect(decimalPlaces(1e-7)).toBe(7);
    expect(decimalPlaces(1.5e-6)).toBe(7);
    expect(decimalPlaces(12)).toBe(0);
    expect(decimalPlaces(1e21)).toBe(0);
    expect(decimalPlaces(-0.5)).toBe(1);
  });
});
