/**
 * Data schemas of every T/CEC 102 interface (reference §3.0–3.14, pitfalls §6.1–6.3, §6.17, §6.18):
 * lenient where the reference says partners drift, strict where it matters, and every rejection
 * names the field (the Msg of Ret 4004).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  INTERFACE_NAMES,
  INTERFACES,
  type InterfaceName,
  parseData,
  parseRequestData,
  parseResponseData,
  resolveInterfaceName,
} from '../../../shared/tcec/interfaces.ts';
import {
  equipChargeStatusSchema,
  formatPath,
  formatZodIssue,
  isDate,
  isDateTime,
  isHHmmss,
  MAX_PAGE_SIZE,
  MAX_STATION_IDS,
  stationInfoSchema,
} from '../../../shared/tcec/schemas.ts';

const SEQ = 'MA59J8YL8202403150930450001';
const T0 = '2024-03-15 09:30:45';
const T1 = '2024-03-15 09:45:45';

const connector = (over: Record<string, unknown> = {}) => ({
  ConnectorID: '1010000000000000000000001',
  ConnectorName: '1号枪',
  ConnectorType: 4,
  VoltageUpperLimits: 750,
  VoltageLowerLimits: 200,
  Current: 250,
  Power: 120,
  ParkNo: 'A-01',
  NationalStandard: 2,
  ...over,
});
const equipment = (over: Record<string, unknown> = {}) => ({
  EquipmentID: '10100000000000000000001',
  ManufacturerID: 'MA59J8YL8',
  EquipmentModel: 'DC120',
  ProductionDate: '2023-06-01',
  EquipmentType: 1,
  ConnectorInfos: [connector()],
  EquipmentLng: 116.397128,
  EquipmentLat: 39.916527,
  Power: 120,
  EquipmentName: '1号桩',
  ...over,
});
const station = (over: Record<string, unknown> = {}) => ({
  StationID: 'ST0001',
  OperatorID: 'MA59J8YL8',
  EquipmentOwnerID: 'MA59J8YL8',
  StationName: '测试充电站（北京）',
  CountryCode: 'CN',
  AreaCode: '110108',
  Address: '北京市海淀区中关村大街1号',
  ServiceTel: '4000000000',
  StationType: 1,
  StationStatus: 50,
  ParkNums: 10,
  StationLng: 116.397128,
  StationLat: 39.916527,
  Construction: 255,
  BusineHours: '00:00-24:00',
  EquipmentInfos: [equipment()],
  ...over,
});
/** the fresh-5 golden vector plaintext (reference §4.3, tcec102-vectors.json) */
const FRESH5 = {
  StartChargeSeq: SEQ,
  StartChargeSeqStat: 2,
  ConnectorID: '1010000000000000000000001',
  ConnectorStatus: 3,
  CurrentA: 125.5,
  VoltageA: 380.2,
  Soc: 56.3,
  StartTime: T0,
  EndTime: T1,
  TotalPower: 12.35,
  ElecMoney: 10.03,
  SeviceMoney: 4.94,
  TotalMoney: 14.97,
  SumPeriod: 1,
  ChargeDetails: [
    {
      DetailStartTime: T0,
      DetailEndTime: T1,
      ElecPrice: 0.8123,
      SevicePrice: 0.4,
      DetailPower: 12.35,
      DetailElecMoney: 10.03,
      DetailSeviceMoney: 4.94,
    },
  ],
};
const order = {
  StartChargeSeq: SEQ,
  ConnectorID: '1010000000000000000000001',
  StartTime: T0,
  EndTime: T1,
  TotalPower: 12.35,
  TotalElecMoney: 10.03,
  TotalSeviceMoney: 4.94,
  TotalMoney: 14.97,
  StopReason: 0,
  SumPeriod: 1,
  ChargeDetails: FRESH5.ChargeDetails,
};

const INVOICE = {
  InvoiceSeq: SEQ,
  InvoiceStat: 2,
  StartChargeSeqs: [SEQ],
  BuyerName: 'Fleet Co',
  BuyerTaxID: '91110000MA01H3BQ2X',
  TotalMoney: 14.97,
  InvoiceNo: 'INV2026112300000001',
  IssueTime: T1,
  DownloadUrl: 'https://example.com/invoice.pdf',
  UrlExpireTime: T1,
};

/** One valid example of each direction of each interface. */
const SAMPLES: Record<InterfaceName, { request: unknown; response: unknown }> = {
  query_token: {
    request: { OperatorID: '123456789', OperatorSecret: '1234567890abcdef' },
    // DiDi's published token response (reference §4.2)
    response: {
      OperatorID: '123456789',
      SuccStat: 0,
      AccessToken: 'kVnStIRknCCOBdXgJrmu8rb3pcccifKW2NcQrysKKIzb7iQBxkkjeq3WoGdjgrIL',
      TokenAvailableTime: 7200,
      FailReason: 0,
    },
  },
  query_stations_info: {
    request: { LastQueryTime: '2024-01-01 00:00:00', PageNo: 1, PageSize: 10 },
    response: { PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [station()] },
  },
  query_station_status: {
    request: { StationIDs: ['ST00000000001'] },
    response: {
      Total: 1,
      StationStatusInfos: [
        { StationID: 'ST0001', ConnectorStatusInfos: [{ ConnectorID: '1', Status: 1, ParkStatus: 10, LockStatus: 10 }] },
      ],
    },
  },
  notification_stationStatus: {
    request: { ConnectorStatusInfo: { ConnectorID: '1', Status: 3 } },
    response: { Status: 0 },
  },
  query_station_stats: {
    request: { StationID: 'ST0001', StartTime: '2024-03-01', EndTime: '2024-03-31' },
    response: {
      StationStats: {
        StationID: 'ST0001',
        StartTime: '2024-03-01',
        EndTime: '2024-03-31',
        StationElectricity: 1234.5,
        EquipmentStatsInfos: [
          { EquipmentID: 'E1', EquipmentElectricity: 1234.5, ConnectorStatsInfos: [{ ConnectorID: 'C1', ConnectorElectricity: 1234.5 }] },
        ],
      },
    },
  },
  query_equip_auth: {
    request: { EquipAuthSeq: SEQ, ConnectorID: '1' },
    response: { EquipAuthSeq: SEQ, ConnectorID: '1', SuccStat: 0, FailReason: 0 },
  },
  query_equip_business_policy: {
    request: { EquipBizSeq: SEQ, ConnectorID: '1' },
    response: {
      EquipBizSeq: SEQ,
      ConnectorID: '1',
      SuccStat: 0,
      FailReason: 0,
      SumPeriod: 2,
      PolicyInfos: [
        { StartTime: '000000', ElecPrice: 0.3, SevicePrice: 0.8 },
        { StartTime: '080000', ElecPrice: 1.2, SevicePrice: 0.8 },
      ],
    },
  },
  query_start_charge: {
    request: { StartChargeSeq: SEQ, ConnectorID: '1', QRCode: 'hlht://1.MA59J8YL8/' },
    response: { StartChargeSeq: SEQ, StartChargeSeqStat: 1, ConnectorID: '1', SuccStat: 0, FailReason: 0 },
  },
  notification_start_charge_result: {
    request: { StartChargeSeq: SEQ, StartChargeSeqStat: 2, ConnectorID: '1', StartTime: T0, IdentCode: '1234' },
    response: { StartChargeSeq: SEQ, SuccStat: 0, FailReason: 0 },
  },
  query_equip_charge_status: {
    request: { StartChargeSeq: SEQ },
    response: FRESH5,
  },
  notification_equip_charge_status: {
    request: FRESH5,
    response: { StartChargeSeq: SEQ, SuccStat: 0 },
  },
  query_stop_charge: {
    request: { StartChargeSeq: SEQ, ConnectorID: '1' },
    response: { StartChargeSeq: SEQ, StartChargeSeqStat: 3, SuccStat: 0, FailReason: 0 },
  },
  notification_stop_charge_result: {
    request: { StartChargeSeq: SEQ, StartChargeSeqStat: 4, ConnectorID: '1', SuccStat: 0, FailReason: 0 },
    response: { StartChargeSeq: SEQ, SuccStat: 0, FailReason: 0 },
  },
  notification_charge_order_info: {
    request: order,
    response: { StartChargeSeq: SEQ, ConnectorID: '1010000000000000000000001', ConfirmResult: 0 },
  },
  check_charge_orders: {
    request: {
      CheckOrderSeq: SEQ,
      StartTime: '2024-03-15 00:00:00',
      EndTime: '2024-03-15 23:59:59',
      OrderCount: 1,
      TotalOrderPower: 12.35,
      TotalOrderMoney: 14.97,
      ChargeOrders: [{ StartChargeSeq: SEQ, TotalPower: 12.35, TotalMoney: 14.97 }],
    },
    response: {
      CheckOrderSeq: SEQ,
      StartTime: '2024-03-15 00:00:00',
      EndTime: '2024-03-15 23:59:59',
      TotalDisputeOrder: 1,
      TotalDisputePower: 12.35,
      TotalDisputeMoney: 14.97,
      DisputeOrders: [{ StartChargeSeq: SEQ, TotalPower: 12.35, TotalMoney: 14.97, DisputeReason: 2 }],
    },
  },
  query_charge_info: {
    request: { StartChargeSeq: SEQ },
    response: { ...order, StartChargeSeqStat: 4 },
  },
  notification_charge_order_info_for_bonus: {
    request: {
      ...order,
      ChargeModel: 3,
      UserName: 'MA01H3BQ2',
      StationID: 'ST0001',
      EquipmentID: 'EQ0001',
      ConnectorPower: 60,
      ChargeLast: 900,
      MeterValueStart: 1000.5,
      MeterValueEnd: 1012.85,
    },
    response: { StartChargeSeq: SEQ, ConnectorID: '1010000000000000000000001', ConfirmResult: 0 },
  },
  notification_records_amount_info: {
    request: {
      StartChargeSeq: SEQ,
      ConnectorID: '1010000000000000000000001',
      StationID: 'ST0001',
      EndTime: T1,
      TotalPower: 12.35,
      TotalMoney: 14.97,
    },
    response: { StartChargeSeq: SEQ, SuccStat: 0, FailReason: 0 },
  },
  notification_station_change: {
    request: { StationID: 'ST0001', ChangeType: 2, ChangeTime: T1 },
    response: { SuccStat: 0, FailReason: 0 },
  },
  notification_stationInfo: {
    request: { StationInfo: station() },
    response: { Status: 0 },
  },
  notification_realtime_power_info: {
    request: { SupStationPowerInfos: [{ StationID: 'ST0001', DataTime: T1, StationRealTimePower: 120.5, ChargingConnectors: 2 }] },
    response: { SuccStat: 0, FailReason: 0 },
  },
  query_ground_locks: {
    request: { StationID: 'ST0001' },
    response: { groundLocks: [{ LockNum: 'L01', WorkplaceName: 'B1-017', LockStatus: 50, ConnectorID: '1010000000000000000000001' }] },
  },
  query_ground_lock_auth: {
    request: { StationIDs: ['ST0001'], Lat: 31.2, Lng: 121.4 },
    response: { LocksAuth: [{ StationID: 'ST0001', Auth: true }] },
  },
  query_drop_lock: {
    request: { StationID: 'ST0001', LockNum: 'L01' },
    response: { result: true, DropCode: 123456, FailReason: 0 },
  },
  query_drop_lock_result: {
    request: { StationID: 'ST0001', LockNum: 'L01', DropCode: 123456 },
    response: { LockNum: 'L01', DropCode: 123456, DropInfo: 'dropped', LockStatus: 10 },
  },
  query_parking_free_info: {
    request: { StartChargeSeq: SEQ },
    response: { StartChargeSeq: SEQ, Duration: 120, QrCode: '', CarNumber: '沪A12345', WaiverStatus: 3 },
  },
  query_parking_station: {
    request: { StationID: 'ST0001' },
    response: { WaiverType: 1, Duration: 240, Note: '120 min free per charging session, at most 240 min' },
  },
  query_parking_free_wave: {
    request: { StartChargeSeq: SEQ, CarNumber: '沪A12345' },
    response: { SuccStat: 0, FailReasonMsg: '' },
  },
  modify_parking_fee_wave_car_number: {
    request: { StartChargeSeq: SEQ, CarNumber: '沪A12345' },
    response: { SuccStat: 0, FailReasonMsg: '' },
  },
  query_reserve_connector: {
    request: { ReserveSeq: SEQ, ConnectorID: '1010000000000000000000001', ReserveMinutes: 15 },
    response: {
      ReserveSeq: SEQ,
      ConnectorID: '1010000000000000000000001',
      SuccStat: 0,
      FailReason: 0,
      ExpireTime: T1,
      ReserveFee: 1.5,
    },
  },
  query_cancel_reservation: {
    request: { ReserveSeq: SEQ },
    response: { ReserveSeq: SEQ, SuccStat: 0, FailReason: 0, ReserveStat: 3 },
  },
  query_order_settlement: {
    request: { StartChargeSeq: SEQ },
    response: { StartChargeSeq: SEQ, ConnectorID: '1010000000000000000000001', SettleStatus: 1, PayableMoney: 14.97 },
  },
  query_order_pay: {
    request: { StartChargeSeq: SEQ, PaySeq: 'PAY0001', PayMoney: 14.97 },
    response: {
      StartChargeSeq: SEQ,
      ConnectorID: '1010000000000000000000001',
      SettleStatus: 2,
      PayableMoney: 14.97,
      PaidMoney: 14.97,
      PaySeq: 'PAY0001',
      PaidTime: T1,
      SuccStat: 0,
      FailReason: 0,
    },
  },
  notification_order_settlement: {
    request: { StartChargeSeq: SEQ, ConnectorID: '1010000000000000000000001', SettleStatus: 1, PayableMoney: 14.97 },
    response: { StartChargeSeq: SEQ, SuccStat: 0, FailReason: 0 },
  },
  query_start_charge_coupon: {
    request: { StartChargeSeq: SEQ, ConnectorID: '1010000000000000000000001', CouponID: 'CPN-0001', PhoneNum: '13800000000' },
    response: {
      StartChargeSeq: SEQ,
      StartChargeSeqStat: 1,
      ConnectorID: '1010000000000000000000001',
      SuccStat: 0,
      FailReason: 0,
      CouponID: 'CPN-0001',
    },
  },
  query_invoice_apply: {
    request: { InvoiceSeq: SEQ, StartChargeSeqs: [SEQ], BuyerName: 'Fleet Co', BuyerTaxID: '91110000MA01H3BQ2X' },
    response: { InvoiceSeq: SEQ, SuccStat: 0, FailReason: 0, InvoiceStat: 1 },
  },
  query_invoice_info: {
    request: { InvoiceSeq: SEQ },
    response: INVOICE,
  },
  notification_invoice_info: {
    request: INVOICE,
    response: { InvoiceSeq: SEQ, SuccStat: 0, FailReason: 0 },
  },
  query_vin_bind: {
    request: { Vin: 'LSVAU2180N2183294', PlateNum: '京AD12345' },
    response: { Vin: 'LSVAU2180N2183294', SuccStat: 0, FailReason: 0 },
  },
  query_vin_unbind: {
    request: { Vin: 'LSVAU2180N2183294' },
    response: { Vin: 'LSVAU2180N2183294', SuccStat: 1, FailReason: 1 },
  },
  notification_vin_start_charge: {
    request: {
      StartChargeSeq: SEQ,
      ConnectorID: '1010000000000000000000001',
      Vin: 'LSVAU2180N2183294',
      PlateNum: '京AD12345',
      PlugTime: T0,
    },
    response: { StartChargeSeq: SEQ, SuccStat: 0, FailReason: 0 },
  },
  query_start_charge_prepay: {
    request: { StartChargeSeq: SEQ, ConnectorID: '1010000000000000000000001', PrepayMoney: 50 },
    response: {
      StartChargeSeq: SEQ,
      StartChargeSeqStat: 1,
      ConnectorID: '1010000000000000000000001',
      SuccStat: 0,
      FailReason: 0,
      PrepayMoney: 50,
    },
  },
};

const reqMsg = (name: InterfaceName, data: unknown): string => {
  const r = parseRequestData(name, data);
  if (r.ok) throw new Error(`expected ${name} to reject ${JSON.stringify(data)}`);
  return r.msg;
};
const resMsg = (name: InterfaceName, data: unknown): string => {
  const r = parseResponseData(name, data);
  if (r.ok) throw new Error(`expected ${name} response to reject ${JSON.stringify(data)}`);
  return r.msg;
};

describe('catalog (interfaces.ts)', () => {
  it('declares the 15 standard interfaces, the extensions and 5 supervision pushes, each with its section and implementer', () => {
    const flag = (n: InterfaceName, k: 'extension' | 'supervision') => (INTERFACES[n] as { extension?: boolean; supervision?: boolean })[k];
    expect(INTERFACE_NAMES.filter((n) => !flag(n, 'extension') && !flag(n, 'supervision'))).toHaveLength(15);
    expect(INTERFACE_NAMES.filter((n) => flag(n, 'supervision'))).toHaveLength(5);
    for (const name of INTERFACE_NAMES) expect(INTERFACES[name].name).toBe(name);
    expect(INTERFACES.query_token.implementedBy).toBe('both');
    expect(INTERFACES.notification_stationStatus.implementedBy).toBe('partner');
    expect(INTERFACES.check_charge_orders.implementedBy).toBe('partner');
    expect(INTERFACES.query_start_charge.implementedBy).toBe('cpo');
    expect(INTERFACES.query_charge_info.extension).toBe(true);
    expect(INTERFACE_NAMES.filter((n) => (INTERFACES[n] as { extension?: boolean }).extension)).toContain('query_charge_info');
    // an extension with no public contract is marked as ours (docs/conformance.md names it so)
    expect(INTERFACES.query_reserve_connector).toMatchObject({ extension: true, ours: true });
    expect(INTERFACE_NAMES.filter((n) => (INTERFACES[n] as { extension?: boolean }).extension)).toEqual(
      expect.arrayContaining(['query_charge_info', 'query_start_charge_prepay']),
    );
    expect(INTERFACES.query_station_stats.section).toBe('3.4');
  });

  it('§1.3: resolves the alias notification_station_status, stays case-sensitive otherwise', () => {
    expect(resolveInterfaceName('notification_station_status')).toBe('notification_stationStatus');
    expect(resolveInterfaceName('notification_stationStatus')).toBe('notification_stationStatus');
    expect(resolveInterfaceName('Query_Token')).toBeUndefined();
    expect(resolveInterfaceName('toString')).toBeUndefined();
  });

  it.each(INTERFACE_NAMES)('%s: the sample request and response parse', (name) => {
    const s = SAMPLES[name];
    const req = parseData(name, 'request', s.request);
    const res = parseData(name, 'response', s.response);
    expect(req.ok ? 'ok' : req.msg).toBe('ok');
    expect(res.ok ? 'ok' : res.msg).toBe('ok');
  });

  it('every interface rejects a non-object Data with a message', () => {
    for (const name of INTERFACE_NAMES) {
      const r = parseRequestData(name, 'not json object');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.msg).toBe('Data: expected an object');
    }
  });
});

describe('reference examples', () => {
  it('§4.3 fresh-5 charge status parses to itself (it is already canonical)', () => {
    const r = parseRequestData('notification_equip_charge_status', FRESH5);
    expect(r).toEqual({ ok: true, value: FRESH5 });
  });

  it('§4.2 DiDi token request (pretty-printed) and §4.3 fresh-4 StationIDs', () => {
    const tok = parseRequestData('query_token', JSON.parse('{"OperatorID":"123456789",\n"OperatorSecret":"1234567890abcdef"}'));
    expect(tok).toEqual({ ok: true, value: { OperatorID: '123456789', OperatorSecret: '1234567890abcdef' } });
    expect(parseRequestData('query_station_status', { StationIDs: ['ST00000000001'] })).toEqual({
      ok: true,
      value: { StationIDs: ['ST00000000001'] },
    });
  });

  it('§3.1 StationInfo: defaults ParkNums 0 and SupportOrder 0, keeps BusineHours', () => {
    const r = stationInfoSchema().parse(station({ ParkNums: undefined }));
    expect(r.ParkNums).toBe(0);
    expect(r.SupportOrder).toBe(0);
    expect(r.BusineHours).toBe('00:00-24:00');
  });
});

describe('lenient input (pitfalls §6.1–6.3)', () => {
  it('accepts the xiaoju spellings and normalises them to canonical', () => {
    const wire = {
      EquipBizSeq: SEQ,
      ConnectorID: '1',
      SuccStat: 0,
      FailReason: 0,
      SumPeriod: 1,
      PolicyInfos: [{ StartTime: '000000', ElecPrice: 0.8123, ServicePrice: 0.4 }],
    };
    const r = parseResponseData('query_equip_business_policy', wire);
    expect(r).toEqual({ ok: true, value: { ...wire, PolicyInfos: [{ StartTime: '000000', ElecPrice: 0.8123, SevicePrice: 0.4 }] } });

    const status = parseResponseData('query_equip_charge_status', {
      ...FRESH5,
      ElecMoney: undefined,
      SeviceMoney: undefined,
      ElectMoney: 10.03,
      ServiceMoney: 4.94,
      ChargeDetails: [
        { ...FRESH5.ChargeDetails[0], SevicePrice: undefined, DetailSeviceMoney: undefined, ServicePrice: 0.4, DetailServiceMoney: 4.94 },
      ],
    });
    expect(status).toEqual({ ok: true, value: FRESH5 });

    const o = parseRequestData('notification_charge_order_info', { ...order, TotalSeviceMoney: undefined, TotalServiceMoney: 4.94 });
    expect(o).toEqual({ ok: true, value: order });
  });

  it('accepts EquipmentMode, QrCode and SubPeriod for EquipmentModel, QRCode and SumPeriod', () => {
    const e = stationInfoSchema().parse(station({ EquipmentInfos: [{ ...equipment(), EquipmentModel: undefined, EquipmentMode: 'X1' }] }));
    expect(e.EquipmentInfos?.[0]?.EquipmentModel).toBe('X1');
    const s = parseRequestData('query_start_charge', { StartChargeSeq: SEQ, ConnectorID: '1', QrCode: 'abc' });
    expect(s).toEqual({ ok: true, value: { StartChargeSeq: SEQ, ConnectorID: '1', QRCode: 'abc' } });
    const p = parseResponseData('query_equip_business_policy', {
      EquipBizSeq: SEQ,
      ConnectorID: '1',
      SuccStat: 0,
      FailReason: 0,
      SubPeriod: 0,
    });
    expect(p.ok && p.value.SumPeriod).toBe(0);
  });

  it('matches keys case-insensitively at every depth; the exact key wins over a variant', () => {
    const r = parseRequestData('notification_stationStatus', { connectorstatusinfo: { connectorId: '7', STATUS: 1 } });
    expect(r).toEqual({ ok: true, value: { ConnectorStatusInfo: { ConnectorID: '7', Status: 1 } } });
    const both = parseResponseData('query_equip_business_policy', {
      EquipBizSeq: SEQ,
      ConnectorID: '1',
      SuccStat: 0,
      FailReason: 0,
      SumPeriod: 1,
      PolicyInfos: [{ StartTime: '000000', ElecPrice: 1, ServicePrice: 9, SevicePrice: 0.5 }],
    });
    expect(both.ok && both.value.PolicyInfos?.[0]?.SevicePrice).toBe(0.5);
  });

  it('coerces numeric strings to numbers and numbers to ID strings', () => {
    const r = parseRequestData('notification_equip_charge_status', {
      ...FRESH5,
      ConnectorID: 1,
      StartChargeSeqStat: '2',
      CurrentA: '125.5',
      TotalPower: '12.35',
      Soc: ' 56.3 ',
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.ConnectorID).toBe('1');
      expect(r.value.StartChargeSeqStat).toBe(2);
      expect(r.value.CurrentA).toBe(125.5);
      expect(r.value.TotalPower).toBe(12.35);
      expect(r.value.Soc).toBe(56.3);
    }
    expect(parseResponseData('query_station_status', { Total: '1', StationStatusInfos: [] })).toEqual({
      ok: true,
      value: { Total: 1, StationStatusInfos: [] },
    });
    expect(reqMsg('notification_equip_charge_status', { ...FRESH5, TotalPower: '12,35' })).toBe('TotalPower: expected a number');
  });

  it('optional keys may be absent or null; unknown keys are dropped; defaults apply', () => {
    const r = parseRequestData('notification_equip_charge_status', {
      StartChargeSeq: SEQ,
      StartChargeSeqStat: 2,
      ConnectorID: '1',
      ConnectorStatus: 3,
      CurrentA: 0,
      VoltageA: 0,
      CurrentB: null,
      StartTime: T0,
      EndTime: T1,
      TotalPower: 0,
      FullStationID: 'didi-extra',
    });
    expect(r).toEqual({
      ok: true,
      value: {
        StartChargeSeq: SEQ,
        StartChargeSeqStat: 2,
        ConnectorID: '1',
        ConnectorStatus: 3,
        CurrentA: 0,
        VoltageA: 0,
        Soc: 0,
        StartTime: T0,
        EndTime: T1,
        TotalPower: 0,
        ElecMoney: 0,
        SeviceMoney: 0,
        TotalMoney: 0,
        SumPeriod: 0,
      },
    });
  });

  it('query_stations_info: empty Data → PageNo 1, PageSize 10; LastQueryTime "" means all', () => {
    expect(parseRequestData('query_stations_info', {})).toEqual({ ok: true, value: { PageNo: 1, PageSize: 10 } });
    expect(parseRequestData('query_stations_info', { LastQueryTime: '', PageNo: '2', PageSize: MAX_PAGE_SIZE })).toEqual({
      ok: true,
      value: { PageNo: 2, PageSize: 100 },
    });
  });

  it('query_station_stats: Start/EndTime accept yyyy-MM-dd and yyyy-MM-dd HH:mm:ss', () => {
    expect(parseRequestData('query_station_stats', { StationID: 'S', StartTime: '2024-03-01', EndTime: '2024-03-31 23:59:59' }).ok).toBe(
      true,
    );
  });

  it('StartChargeSeq: a 20-digit simulator seq and a 64-char seq are accepted (pitfall §6.17)', () => {
    expect(parseRequestData('query_equip_charge_status', { StartChargeSeq: '12345678901234567890' }).ok).toBe(true);
    expect(parseRequestData('query_equip_charge_status', { StartChargeSeq: 'x'.repeat(64) }).ok).toBe(true);
  });
});

describe('rejections name the field', () => {
  it('StationIDs: 51 items, 0 items, missing', () => {
    const ids = Array.from({ length: MAX_STATION_IDS + 1 }, (_, i) => `ST${i}`);
    expect(reqMsg('query_station_status', { StationIDs: ids })).toBe('StationIDs: at most 50 items');
    expect(parseRequestData('query_station_status', { StationIDs: ids.slice(0, 50) }).ok).toBe(true);
    expect(reqMsg('query_station_status', { StationIDs: [] })).toBe('StationIDs: at least 1 item');
    expect(reqMsg('query_station_status', {})).toBe('StationIDs: required');
    expect(reqMsg('query_station_status', { StationIDs: ['ok', 'x'.repeat(21)] })).toBe('StationIDs[1]: at most 20 characters');
  });

  it('PageSize 0 and 10000, PageNo 0, PageNo not an integer', () => {
    expect(reqMsg('query_stations_info', { PageSize: 0 })).toBe('PageSize: must be ≥ 1');
    expect(reqMsg('query_stations_info', { PageSize: 10000 })).toBe('PageSize: must be ≤ 100');
    expect(reqMsg('query_stations_info', { PageNo: 0 })).toBe('PageNo: must be ≥ 1');
    expect(reqMsg('query_stations_info', { PageNo: 1.5 })).toBe('PageNo: must be an integer');
  });

  it("date formats: '2024/01/01', LastQueryTime '20240101', ISO 'T', impossible calendar dates", () => {
    expect(reqMsg('query_station_stats', { StationID: 'S', StartTime: '2024/01/01', EndTime: '2024-01-02' })).toBe(
      "StartTime: expected 'yyyy-MM-dd' or 'yyyy-MM-dd HH:mm:ss'",
    );
    expect(reqMsg('query_stations_info', { LastQueryTime: '20240101' })).toBe("LastQueryTime: expected 'yyyy-MM-dd HH:mm:ss'");
    expect(reqMsg('query_stations_info', { LastQueryTime: '2024-01-01T00:00:00Z' })).toBe("LastQueryTime: expected 'yyyy-MM-dd HH:mm:ss'");
    expect(
      reqMsg('notification_start_charge_result', {
        StartChargeSeq: SEQ,
        StartChargeSeqStat: 2,
        ConnectorID: '1',
        StartTime: '2023-02-29 10:00:00',
      }),
    ).toBe("StartTime: expected 'yyyy-MM-dd HH:mm:ss'");
    expect(
      parseRequestData('notification_start_charge_result', {
        StartChargeSeq: SEQ,
        StartChargeSeqStat: 2,
        ConnectorID: '1',
        StartTime: '2024-02-29 10:00:00',
      }).ok,
    ).toBe(true);
    const badDate = station({ EquipmentInfos: [equipment({ ProductionDate: '2023-13-01' })] });
    expect(resMsg('query_stations_info', { PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [badDate] })).toBe(
      "StationInfos[0].EquipmentInfos[0].ProductionDate: expected 'yyyy-MM-dd'",
    );
  });

  it("policy StartTime must be 'HHmmss'", () => {
    const policy = (StartTime: unknown) => ({
      EquipBizSeq: SEQ,
      ConnectorID: '1',
      SuccStat: 0,
      FailReason: 0,
      SumPeriod: 1,
      PolicyInfos: [{ StartTime, ElecPrice: 1, SevicePrice: 1 }],
    });
    expect(resMsg('query_equip_business_policy', policy('08:00:00'))).toBe("PolicyInfos[0].StartTime: expected 'HHmmss'");
    expect(resMsg('query_equip_business_policy', policy('240000'))).toBe("PolicyInfos[0].StartTime: expected 'HHmmss'");
    expect(parseResponseData('query_equip_business_policy', policy('235959')).ok).toBe(true);
  });

  it('coordinates: 7 decimals and out-of-range are rejected, 6 decimals accepted', () => {
    const info = (s: Record<string, unknown>) => ({ PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [s] });
    expect(resMsg('query_stations_info', info(station({ StationLng: 116.3971281 })))).toBe(
      'StationInfos[0].StationLng: at most 6 decimal places',
    );
    expect(resMsg('query_stations_info', info(station({ StationLat: '39.9165271' })))).toBe(
      'StationInfos[0].StationLat: at most 6 decimal places',
    );
    expect(resMsg('query_stations_info', info(station({ StationLng: 180.5 })))).toBe('StationInfos[0].StationLng: must be ≤ 180');
    expect(resMsg('query_stations_info', info(station({ StationLat: -90.000001 })))).toBe('StationInfos[0].StationLat: must be ≥ -90');
    expect(resMsg('query_stations_info', info(station({ EquipmentInfos: [equipment({ EquipmentLng: 1e-7 })] })))).toBe(
      'StationInfos[0].EquipmentInfos[0].EquipmentLng: at most 6 decimal places',
    );
    expect(parseResponseData('query_stations_info', info(station({ StationLng: -179.999999, StationLat: 89.999999 }))).ok).toBe(true);
  });

  it('string lengths: StationID 21, EquipmentID 24, ConnectorID 27, StationName 51, Address 51, OperatorID ≠ 9', () => {
    const info = (s: Record<string, unknown>) => ({ PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [s] });
    expect(resMsg('query_stations_info', info(station({ StationID: 'x'.repeat(21) })))).toBe(
      'StationInfos[0].StationID: at most 20 characters',
    );
    expect(resMsg('query_stations_info', info(station({ StationName: '站'.repeat(51) })))).toBe(
      'StationInfos[0].StationName: at most 50 characters',
    );
    expect(parseResponseData('query_stations_info', info(station({ StationName: '站'.repeat(50) }))).ok).toBe(true);
    expect(resMsg('query_stations_info', info(station({ Address: 'a'.repeat(51) })))).toBe(
      'StationInfos[0].Address: at most 50 characters',
    );
    expect(resMsg('query_stations_info', info(station({ OperatorID: '12345678' })))).toBe(
      'StationInfos[0].OperatorID: must be exactly 9 characters',
    );
    expect(resMsg('query_stations_info', info(station({ EquipmentInfos: [equipment({ EquipmentID: 'e'.repeat(24) })] })))).toBe(
      'StationInfos[0].EquipmentInfos[0].EquipmentID: at most 23 characters',
    );
    expect(reqMsg('query_start_charge', { StartChargeSeq: SEQ, ConnectorID: 'c'.repeat(27) })).toBe('ConnectorID: at most 26 characters');
    expect(reqMsg('query_start_charge', { StartChargeSeq: SEQ, ConnectorID: '' })).toBe('ConnectorID: must not be empty');
    expect(reqMsg('query_start_charge', { StartChargeSeq: 'x'.repeat(65), ConnectorID: '1' })).toBe(
      'StartChargeSeq: at most 64 characters',
    );
    expect(reqMsg('query_token', { OperatorID: '1234567890', OperatorSecret: 's' })).toBe('OperatorID: must be exactly 9 characters');
  });

  it('nested required field: EquipmentInfos[0].ConnectorInfos[2].ConnectorID', () => {
    const s = station({
      EquipmentInfos: [equipment({ ConnectorInfos: [connector(), connector(), connector({ ConnectorID: undefined })] })],
    });
    const r = stationInfoSchema().safeParse(s);
    expect(r.success).toBe(false);
    if (!r.success) expect(formatZodIssue(r.error)).toBe('EquipmentInfos[0].ConnectorInfos[2].ConnectorID: required');
  });

  it('enums: StationType, StationStatus, Construction, EquipmentType, ConnectorType, NationalStandard', () => {
    const info = (s: Record<string, unknown>) => ({ PageNo: 1, PageCount: 1, ItemSize: 1, StationInfos: [s] });
    expect(resMsg('query_stations_info', info(station({ StationType: 2 })))).toBe(
      'StationInfos[0].StationType: must be one of 1, 50, 100, 101, 102, 103, 255',
    );
    expect(resMsg('query_stations_info', info(station({ StationStatus: 2 })))).toBe(
      'StationInfos[0].StationStatus: must be one of 0, 1, 5, 6, 50',
    );
    expect(resMsg('query_stations_info', info(station({ Construction: 12 })))).toMatch(
      /^StationInfos\[0\]\.Construction: must be one of 1, 2, .*11, 255$/,
    );
    expect(resMsg('query_stations_info', info(station({ EquipmentInfos: [equipment({ EquipmentType: 6 })] })))).toBe(
      'StationInfos[0].EquipmentInfos[0].EquipmentType: must be one of 1, 2, 3, 4, 5',
    );
    expect(
      resMsg('query_stations_info', info(station({ EquipmentInfos: [equipment({ ConnectorInfos: [connector({ ConnectorType: 7 })] })] }))),
    ).toBe('StationInfos[0].EquipmentInfos[0].ConnectorInfos[0].ConnectorType: must be one of 1, 2, 3, 4, 5, 6');
    expect(
      resMsg(
        'query_stations_info',
        info(station({ EquipmentInfos: [equipment({ ConnectorInfos: [connector({ NationalStandard: 3 })] })] })),
      ),
    ).toBe('StationInfos[0].EquipmentInfos[0].ConnectorInfos[0].NationalStandard: must be one of 1, 2');
  });

  it('enums: connector Status, ParkStatus, LockStatus, StartChargeSeqStat, StopReason, SuccStat', () => {
    expect(reqMsg('notification_stationStatus', { ConnectorStatusInfo: { ConnectorID: '1', Status: 5 } })).toBe(
      'ConnectorStatusInfo.Status: must be one of 0, 1, 2, 3, 4, 255',
    );
    expect(reqMsg('notification_stationStatus', { ConnectorStatusInfo: { ConnectorID: '1', Status: 1, ParkStatus: 20 } })).toBe(
      'ConnectorStatusInfo.ParkStatus: must be one of 0, 10, 50',
    );
    expect(reqMsg('notification_stationStatus', { ConnectorStatusInfo: { ConnectorID: '1', Status: 1, LockStatus: 1 } })).toBe(
      'ConnectorStatusInfo.LockStatus: must be one of 0, 10, 50',
    );
    expect(reqMsg('notification_equip_charge_status', { ...FRESH5, StartChargeSeqStat: 6 })).toBe(
      'StartChargeSeqStat: must be one of 1, 2, 3, 4, 5',
    );
    expect(reqMsg('notification_charge_order_info', { ...order, StopReason: 100 })).toBe('StopReason: must be ≤ 99');
    expect(
      reqMsg('notification_stop_charge_result', {
        StartChargeSeq: SEQ,
        StartChargeSeqStat: 4,
        ConnectorID: '1',
        SuccStat: 2,
        FailReason: 0,
      }),
    ).toBe('SuccStat: must be one of 0, 1');
    expect(reqMsg('notification_charge_order_info', { ...order, SumPeriod: 33 })).toBe('SumPeriod: must be ≤ 32');
  });

  it('money and energy must be non-negative numbers; Soc within 0..100', () => {
    expect(reqMsg('notification_charge_order_info', { ...order, TotalMoney: -0.01 })).toBe('TotalMoney: must be ≥ 0');
    expect(reqMsg('notification_equip_charge_status', { ...FRESH5, Soc: 100.1 })).toBe('Soc: must be ≤ 100');
    expect(
      reqMsg('notification_charge_order_info', { ...order, ChargeDetails: [{ ...FRESH5.ChargeDetails[0], DetailPower: 'abc' }] }),
    ).toBe('ChargeDetails[0].DetailPower: expected a number');
  });

  it('query_token: a missing OperatorSecret is named', () => {
    expect(reqMsg('query_token', { OperatorID: 'MA59J8YL8' })).toBe('OperatorSecret: required');
  });
});

describe('formatZodIssue', () => {
  it('joins paths with dots and brackets; empty path → Data', () => {
    expect(formatPath(['EquipmentInfos', 0, 'ConnectorInfos', 2, 'ConnectorID'])).toBe('EquipmentInfos[0].ConnectorInfos[2].ConnectorID');
    expect(formatPath([])).toBe('Data');
    const e = z.object({ a: z.string() }).safeParse({});
    expect(e.success).toBe(false);
    if (!e.success) expect(formatZodIssue(e.error)).toBe('a: required');
  });

  it('passes a custom refinement message through', () => {
    const e = equipChargeStatusSchema().safeParse({ ...FRESH5, EndTime: '2024-03-15 24:00:00' });
    expect(e.success).toBe(false);
    if (!e.success) expect(formatZodIssue(e.error)).toBe("EndTime: expected 'yyyy-MM-dd HH:mm:ss'");
  });
});

describe('date helpers', () => {
  it('isDateTime / isDate / isHHmmss are strict and calendar-aware', () => {
    expect(isDateTime('2024-02-29 23:59:59')).toBe(true);
    expect(isDateTime('1900-02-29 00:00:00')).toBe(false);
    expect(isDateTime('2000-02-29 00:00:00')).toBe(true);
    expect(isDateTime('2024-04-31 00:00:00')).toBe(false);
    expect(isDateTime('2024-01-01  00:00:00')).toBe(false);
    expect(isDate('2024-12-31')).toBe(true);
    expect(isDate('2024-00-10')).toBe(false);
    expect(isHHmmss('000000')).toBe(true);
    expect(isHHmmss('236000')).toBe(false);
    expect(isHHmmss('08000')).toBe(false);
  });
});
