/**
 * zod schemas of the business Data of every T/CEC 102 interface (reference §3.0–3.14), request
 * and response, plus the shared objects (StationInfo, EquipmentInfo, ConnectorInfo,
 * ConnectorStatusInfo, PolicyInfo, ChargeDetail, OperatorInfo).
 *
 * The parsed output is the CANONICAL shape the domain reads and writes: standard cec2016
 * spellings (SevicePrice, SeviceMoney, TotalSeviceMoney, DetailSeviceMoney, BusineHours,
 * ElecMoney) and numeric `Total`. Key order of every object = the wire order (dialect.ts emits
 * keys in this order).
 *
 * Input is lenient where the field is not at stake (pitfalls §6.1, §6.3):
 *  - keys are matched case-insensitively and through a small alias table (DiDi/xiaoju
 *    Service* and ElectMoney, EquipmentMode, QrCode, SubPeriod) — one generic pre-pass per object;
 *  - `null` counts as absent; unknown keys are dropped;
 *  - numeric strings become numbers ("12.5" → 12.5) and finite numbers become ID strings (1 → "1").
 * and strict where it matters: required fields, lengths, enums, date formats, ranges.
 */
import { z } from 'zod';
import { decimalPlaces } from './money.ts';

// ---------------------------------------------------------------------------------------------
// limits

/** query_station_status: at most this many StationIDs per call (reference §1.8, [AC-cov]). */
export const MAX_STATION_IDS = 50;
/** query_stations_info: largest PageSize we accept (the standard names none; default 10). */
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_NO = 1;
const DEFAULT_PAGE_SIZE = 10;
/** StartChargeSeq & co.: 27 chars is the rule, but accept up to 64 on input (pitfall §6.17). */
const MAX_SEQ_LENGTH = 64;
/** SumPeriod range (§3.6, §3.9, §3.12). */
const MAX_PERIODS = 32;

// ---------------------------------------------------------------------------------------------
// lenient key pre-pass (generic, once)

/**
 * Spellings seen in the wild → canonical key (pitfalls §6.1, §6.2). Matching is
 * case-insensitive; an alias applies only inside an object that has the canonical key.
 */
const KEY_ALIASES: Readonly<Record<string, string>> = {
  ServicePrice: 'SevicePrice',
  ServiceMoney: 'SeviceMoney',
  TotalServiceMoney: 'TotalSeviceMoney',
  DetailServiceMoney: 'DetailSeviceMoney',
  ElectMoney: 'ElecMoney',
  BusinessHours: 'BusineHours',
  EquipmentMode: 'EquipmentModel',
  SubPeriod: 'SumPeriod',
};

type Shape = Record<string, z.ZodType>;

/** Builds (once per object schema) the lower-cased-key → canonical-key lookup. */
function keyLookup(shape: Shape): Map<string, string> {
  const m = new Map<string, string>();
  for (const k of Object.keys(shape)) m.set(k.toLowerCase(), k);
  for (const [alias, canonical] of Object.entries(KEY_ALIASES)) {
    if (Object.hasOwn(shape, canonical) && !m.has(alias.toLowerCase())) m.set(alias.toLowerCase(), canonical);
  }
  return m;
}

/** Renames the keys of a plain object onto the shape's canonical names; exact keys win over variants; null → absent. */
function normaliseKeys(shape: Shape, lookup: Map<string, string>, input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const src = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (v !== null && v !== undefined && Object.hasOwn(shape, k)) out[k] = v;
  }
  for (const [k, v] of Object.entries(src)) {
    if (v === null || v === undefined || Object.hasOwn(shape, k)) continue;
    const canonical = lookup.get(k.toLowerCase());
    if (canonical !== undefined && !Object.hasOwn(out, canonical)) out[canonical] = v;
  }
  return out;
}

/** Object registry used by dialect.ts to find an object's shape behind the lenient pre-pass. */
const objectShapes = new WeakMap<z.ZodType, Shape>();

/** A z.object behind the generic lenient key pre-pass. */
function lenientObject<S extends Shape>(shape: S) {
  const lookup = keyLookup(shape);
  const schema = z.preprocess((v) => normaliseKeys(shape, lookup, v), z.object(shape));
  objectShapes.set(schema, shape);
  return schema;
}

/** The canonical shape (in wire order) of an object schema made here, else undefined. */
export function objectShapeOf(schema: z.ZodType): Readonly<Shape> | undefined {
  return objectShapes.get(schema);
}

// ---------------------------------------------------------------------------------------------
// field builders

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const coerceNumber = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  return NUMERIC.test(t) ? Number(t) : v;
};
const coerceString = (v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v);

/** string, max length; numbers are accepted and stringified */
const str = (max: number) => z.preprocess(coerceString, z.string().max(max));
/** non-empty identifier string ≤ max; numbers accepted (ConnectorID 1 → "1") */
const id = (max: number) => z.preprocess(coerceString, z.string().min(1).max(max));
/** exactly `len` characters (OperatorID, CountryCode) */
const fixed = (len: number) => z.preprocess(coerceString, z.string().length(len));
/** business sequence number: non-empty, ≤ 64 on input (27 is checked by business logic) */
const seq = () => id(MAX_SEQ_LENGTH);
/** integer in [min, max]; numeric strings accepted */
const int = (min: number, max: number = Number.MAX_SAFE_INTEGER) => z.preprocess(coerceNumber, z.number().int().min(min).max(max));
/** one of the listed integer codes; numeric strings accepted */
const code = <const T extends readonly [number, ...number[]]>(values: T) => z.preprocess(coerceNumber, z.literal(values));
/** finite decimal ≥ 0 (money, energy, prices, power); numeric strings accepted */
const amount = () => z.preprocess(coerceNumber, z.number().min(0));
/** finite decimal (currents, voltages) */
const decimal = () => z.preprocess(coerceNumber, z.number());
/** coordinate within ±limit, at most 6 decimals */
const coordinate = (limit: number) =>
  z.preprocess(
    coerceNumber,
    z
      .number()
      .min(-limit)
      .max(limit)
      .refine((x) => decimalPlaces(x) <= 6, { message: 'at most 6 decimal places' }),
  );
const succStat = () => code([0, 1]);
/** FailReason / ConfirmResult style 0–99 codes */
const reason = () => int(0, 99);
const startChargeSeqStat = () => code([1, 2, 3, 4, 5]);
const connectorStatus = () => code([0, 1, 2, 3, 4, 255]);
const sumPeriod = () => int(0, MAX_PERIODS);

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
const validDate = (y: number, mo: number, d: number): boolean => y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
const validTime = (h: number, mi: number, s: number): boolean => h <= 23 && mi <= 59 && s <= 59;

const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMMSS_RE = /^(\d{2})(\d{2})(\d{2})$/;
// a regex group that did not match is undefined → NaN, which no validDate/validTime accepts

/** strict 'yyyy-MM-dd HH:mm:ss' with a real calendar date */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME_RE.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3])) && validTime(Number(m[4]), Number(m[5]), Number(m[6]));
}
/** strict 'yyyy-MM-dd' with a real calendar date */
export function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}
/** strict 'HHmmss' */
export function isHHmmss(s: string): boolean {
  const m = HHMMSS_RE.exec(s);
  return !!m && validTime(Number(m[1]), Number(m[2]), Number(m[3]));
}

const dateTime = () => z.string().refine(isDateTime, { message: "expected 'yyyy-MM-dd HH:mm:ss'" });
const date = () => z.string().refine(isDate, { message: "expected 'yyyy-MM-dd'" });
const dateOrDateTime = () =>
  z.string().refine((s) => isDate(s) || isDateTime(s), { message: "expected 'yyyy-MM-dd' or 'yyyy-MM-dd HH:mm:ss'" });
const hhmmss = () => z.preprocess(coerceString, z.string().refine(isHHmmss, { message: "expected 'HHmmss'" }));

// ---------------------------------------------------------------------------------------------
// shared objects (§3.1, §3.2, §3.6, §3.12, 102.2 OperatorInfo)

/**
 * §3.1 ConnectorInfo fields, in wire order. The station import (shared/domain/station-records.ts)
 * builds its stricter rules from these same fields: one schema family for StationInfo.
 */
export const connectorInfoFields = {
  ConnectorID: id(26),
  ConnectorName: str(30).optional(),
  /** 1 household socket, 2 AC socket, 3 AC plug with cable, 4 DC gun, 5 wireless pad, 6 other */
  ConnectorType: code([1, 2, 3, 4, 5, 6]),
  VoltageUpperLimits: int(0),
  VoltageLowerLimits: int(0),
  Current: int(0),
  /** kW, 1 dp */
  Power: amount(),
  ParkNo: str(10).optional(),
  /** 1 GB/T 2011, 2 GB/T 2015 */
  NationalStandard: code([1, 2]),
};
/** §3.1 ConnectorInfo */
const ConnectorInfoSchema = lenientObject(connectorInfoFields);

/** §3.1 EquipmentInfo fields, in wire order */
export const equipmentInfoFields = {
  EquipmentID: id(23),
  ManufacturerID: str(9).optional(),
  ManufacturerName: str(30).optional(),
  EquipmentModel: str(20).optional(),
  ProductionDate: date().optional(),
  /** 1 DC, 2 AC, 3 AC/DC, 4 wireless, 5 other */
  EquipmentType: code([1, 2, 3, 4, 5]),
  ConnectorInfos: z.array(ConnectorInfoSchema),
  EquipmentLng: coordinate(180).optional(),
  EquipmentLat: coordinate(90).optional(),
  /** kW, 1 dp */
  Power: amount(),
  EquipmentName: str(30).optional(),
};
/** §3.1 EquipmentInfo */
const EquipmentInfoSchema = lenientObject(equipmentInfoFields);

/**
 * Station attributes some partners' contracts carry in StationInfo (DiDi 1.4.0, reference §5.1):
 * facility flags and counts, all integers. Part of the station model (imported with the station)
 * but not of the 2016 standard: the base dialects never write them (dialect.ts), a profile adds
 * them (shared/tcec/profiles.ts).
 */
export const STATION_ATTRIBUTES = [
  'HasParkingLock',
  'FreeParking',
  'SubPark',
  'DutyNum',
  'Wc',
  'Rainshed',
  'Lounge',
  'LightMeal',
  'Shop',
  'LimitFreeParking',
] as const;
function stationAttributeFields() {
  return Object.fromEntries(STATION_ATTRIBUTES.map((k) => [k, int(0, 9999).optional()])) as Record<
    (typeof STATION_ATTRIBUTES)[number],
    z.ZodOptional<ReturnType<typeof int>>
  >;
}

/** §3.1 StationInfo fields, in wire order. CountryCode 2 characters (`CN`); AreaCode ≤ 20 (GB/T 2260, 6 digits in practice). */
export const stationInfoFields = {
  StationID: id(20),
  OperatorID: fixed(9),
  EquipmentOwnerID: fixed(9),
  StationName: id(50),
  CountryCode: fixed(2),
  AreaCode: id(20),
  Address: id(50),
  StationTel: str(30).optional(),
  ServiceTel: str(30),
  /** 1 public, 50 private, 100 bus, 101 sanitation, 102 logistics, 103 taxi, 255 other */
  StationType: code([1, 50, 100, 101, 102, 103, 255]),
  /** 0 unknown, 1 under construction, 5 closed, 6 maintenance, 50 in use */
  StationStatus: code([0, 1, 5, 6, 50]),
  /** 0 = unknown */
  ParkNums: int(0).default(0),
  StationLng: coordinate(180),
  StationLat: coordinate(90),
  SiteGuide: str(100).optional(),
  /** 1–11 (see §3.1), 255 other */
  Construction: code([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]),
  Pictures: z.array(z.string().max(512)).optional(),
  MatchCars: str(100).optional(),
  ParkInfo: str(100).optional(),
  BusineHours: str(100).optional(),
  ElectricityFee: str(256).optional(),
  ServiceFee: str(100).optional(),
  ParkFee: str(100).optional(),
  Payment: str(20).optional(),
  /** 0 no reservation, 1 reservation supported */
  SupportOrder: code([0, 1]).default(0),
  Remark: str(100).optional(),
  EquipmentInfos: z.array(EquipmentInfoSchema).optional(),
  ...stationAttributeFields(),
};
/** §3.1 StationInfo */
export const StationInfoSchema = lenientObject(stationInfoFields);

/** §3.2 ConnectorStatusInfo */
const ConnectorStatusInfoSchema = lenientObject({
  ConnectorID: id(26),
  /** 0 offline, 1 idle, 2 occupied, 3 charging, 4 reserved, 255 fault */
  Status: connectorStatus(),
  /** 0 unknown, 10 free, 50 occupied */
  ParkStatus: code([0, 10, 50]).optional(),
  /** 0 unknown, 10 unlocked, 50 locked */
  LockStatus: code([0, 10, 50]).optional(),
});

/** §3.6 PolicyInfo fields, in wire order */
export const policyInfoFields = {
  /** 'HHmmss', period start */
  StartTime: hhmmss(),
  /** yuan/kWh, 4 dp */
  ElecPrice: amount(),
  /** yuan/kWh, 4 dp (xiaoju: ServicePrice) */
  SevicePrice: amount(),
};
/** §3.6 PolicyInfo */
export const PolicyInfoSchema = lenientObject(policyInfoFields);

/** §3.12 ChargeDetail */
const ChargeDetailSchema = lenientObject({
  DetailStartTime: dateTime(),
  DetailEndTime: dateTime(),
  ElecPrice: amount(),
  SevicePrice: amount(),
  /** kWh, 2 dp */
  DetailPower: amount(),
  DetailElecMoney: amount(),
  DetailSeviceMoney: amount(),
});

// ---------------------------------------------------------------------------------------------
// §3.0 query_token

export const QueryTokenRequestSchema = lenientObject({
  OperatorID: fixed(9),
  OperatorSecret: id(64),
});

export const QueryTokenResponseSchema = lenientObject({
  OperatorID: str(64),
  SuccStat: succStat(),
  AccessToken: str(256).default(''),
  /** seconds */
  TokenAvailableTime: int(0).default(0),
  /** 0 none, 1 no such operator, 2 wrong secret, 3–99 custom */
  FailReason: reason().default(0),
});

// §3.1 query_stations_info

export const QueryStationsInfoRequestSchema = lenientObject({
  /** absent / '' ⇒ all stations */
  LastQueryTime: z.preprocess((v) => (v === '' ? undefined : v), dateTime().optional()),
  PageNo: int(1).default(DEFAULT_PAGE_NO),
  PageSize: int(1, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});

export const QueryStationsInfoResponseSchema = lenientObject({
  PageNo: int(1),
  /** total pages */
  PageCount: int(0),
  /** total stations */
  ItemSize: int(0),
  StationInfos: z.array(StationInfoSchema),
});

// §3.2 query_station_status

export const QueryStationStatusRequestSchema = lenientObject({
  StationIDs: z.array(id(20)).min(1).max(MAX_STATION_IDS),
});

const StationStatusInfoSchema = lenientObject({
  StationID: id(20),
  ConnectorStatusInfos: z.array(ConnectorStatusInfoSchema),
});

export const QueryStationStatusResponseSchema = lenientObject({
  /** a number in canonical form; xiaoju sends/expects the string "1" (dialect.ts) */
  Total: int(0),
  StationStatusInfos: z.array(StationStatusInfoSchema),
});

// §3.3 notification_stationStatus

export const NotificationStationStatusRequestSchema = lenientObject({
  ConnectorStatusInfo: ConnectorStatusInfoSchema,
});

export const NotificationStationStatusResponseSchema = lenientObject({
  /** 0 accepted, 1 dropped/ignored (do not retry) */
  Status: code([0, 1]),
});

// §3.4 query_station_stats

export const QueryStationStatsRequestSchema = lenientObject({
  StationID: id(20),
  StartTime: dateOrDateTime(),
  EndTime: dateOrDateTime(),
});

const ConnectorStatsInfoSchema = lenientObject({
  ConnectorID: id(26),
  /** kWh, 1 dp */
  ConnectorElectricity: amount(),
});
const EquipmentStatsInfoSchema = lenientObject({
  EquipmentID: id(23),
  EquipmentElectricity: amount(),
  ConnectorStatsInfos: z.array(ConnectorStatsInfoSchema),
});
const StationStatsSchema = lenientObject({
  StationID: id(20),
  StartTime: dateOrDateTime(),
  EndTime: dateOrDateTime(),
  StationElectricity: amount(),
  EquipmentStatsInfos: z.array(EquipmentStatsInfoSchema),
});

export const QueryStationStatsResponseSchema = lenientObject({
  StationStats: StationStatsSchema,
});

// §3.5 query_equip_auth

export const QueryEquipAuthRequestSchema = lenientObject({
  EquipAuthSeq: seq(),
  ConnectorID: id(26),
});

export const QueryEquipAuthResponseSchema = lenientObject({
  EquipAuthSeq: seq(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  /** 0 none, 1 not plugged in, 2 device check failed, 3–99 custom */
  FailReason: reason(),
});

// §3.6 query_equip_business_policy

export const QueryEquipBusinessPolicyRequestSchema = lenientObject({
  EquipBizSeq: seq(),
  ConnectorID: id(26),
});

export const QueryEquipBusinessPolicyResponseSchema = lenientObject({
  EquipBizSeq: seq(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  /** 0 none, 1 no business policy, 2–99 custom */
  FailReason: reason(),
  SumPeriod: sumPeriod().default(0),
  PolicyInfos: z.array(PolicyInfoSchema).max(MAX_PERIODS).optional(),
});

// §3.7 query_start_charge

export const QueryStartChargeRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  /** rest of the scanned QR code (also accepted as QrCode) */
  QRCode: str(256).optional(),
});

export const QueryStartChargeResponseSchema = lenientObject({
  StartChargeSeq: seq(),
  /** 1 starting, 2 charging, 3 stopping, 4 finished, 5 unknown */
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  /** 0 none, 1 device does not exist, 2 device offline, 3–99 custom */
  FailReason: reason(),
});

// §3.8 notification_start_charge_result

export const NotificationStartChargeResultRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: id(26),
  StartTime: dateTime(),
  /** stop-charging verification code shown to the driver */
  IdentCode: str(64).optional(),
});

/** the common reply {StartChargeSeq, SuccStat, FailReason} of §3.8, §3.9, §3.11 */
export const ChargeNotificationResponseSchema = lenientObject({
  StartChargeSeq: seq(),
  SuccStat: succStat(),
  /** 0 none, 1 receive failed, 2–99 custom */
  FailReason: reason().default(0),
});

// §3.9 query_equip_charge_status / notification_equip_charge_status

export const QueryEquipChargeStatusRequestSchema = lenientObject({
  StartChargeSeq: seq(),
});

/** the charging snapshot — the query's response and the notification's request */
export const EquipChargeStatusSchema = lenientObject({
  StartChargeSeq: seq(),
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: id(26),
  /** 1 idle, 2 occupied, 3 charging, 4 reserved, 255 fault (0 offline tolerated) */
  ConnectorStatus: connectorStatus(),
  /** A, 1 dp; DC output current goes here */
  CurrentA: decimal(),
  CurrentB: decimal().optional(),
  CurrentC: decimal().optional(),
  /** V, 1 dp; DC output voltage goes here */
  VoltageA: decimal(),
  VoltageB: decimal().optional(),
  VoltageC: decimal().optional(),
  /** %, 1 dp */
  Soc: z.preprocess(coerceNumber, z.number().min(0).max(100)).default(0),
  StartTime: dateTime(),
  /** time of this sample */
  EndTime: dateTime(),
  /** kWh, 2 dp */
  TotalPower: amount(),
  /** yuan, 2 dp (xiaoju query response: ElectMoney) */
  ElecMoney: amount().default(0),
  /** yuan, 2 dp (xiaoju: ServiceMoney) */
  SeviceMoney: amount().default(0),
  TotalMoney: amount().default(0),
  SumPeriod: sumPeriod().default(0),
  ChargeDetails: z.array(ChargeDetailSchema).max(MAX_PERIODS).optional(),
});
export type EquipChargeStatus = z.infer<typeof EquipChargeStatusSchema>;

// §3.10 query_stop_charge

export const QueryStopChargeRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
});

export const QueryStopChargeResponseSchema = lenientObject({
  StartChargeSeq: seq(),
  StartChargeSeqStat: startChargeSeqStat(),
  SuccStat: succStat(),
  /** 0 none, 1 device does not exist, 2 device offline, 3 already stopped, 4–99 custom */
  FailReason: reason(),
});

// §3.11 notification_stop_charge_result

export const NotificationStopChargeResultRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  FailReason: reason(),
});

// §3.12 notification_charge_order_info

const chargeOrderShape = {
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  StartTime: dateTime(),
  EndTime: dateTime(),
  /** kWh, 2 dp */
  TotalPower: amount(),
  TotalElecMoney: amount(),
  /** xiaoju: TotalServiceMoney */
  TotalSeviceMoney: amount(),
  TotalMoney: amount(),
  /** 0 user, 1 customer platform, 2 BMS, 3 charger fault, 4 disconnected, 5–99 custom (7: prepayment reached) */
  StopReason: int(0, 99),
  SumPeriod: sumPeriod(),
  ChargeDetails: z.array(ChargeDetailSchema).max(MAX_PERIODS).optional(),
  /** ours, prepaid orders only (query_start_charge_prepay): yuan prepaid, used by the bill, given back */
  PrepayMoney: amount().optional(),
  ConsumedMoney: amount().optional(),
  RefundMoney: amount().optional(),
  /** ours, orders that used a coupon (query_start_charge_coupon): its id and the service fee it took off (yuan) */
  CouponID: str(32).optional(),
  DiscountMoney: amount().optional(),
};

export const ChargeOrderInfoSchema = lenientObject(chargeOrderShape);

export const NotificationChargeOrderInfoResponseSchema = lenientObject({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  /** 0 accepted, 1 disputed, 2–99 custom */
  ConfirmResult: reason(),
});

// §3.13 check_charge_orders

const CheckChargeOrderItemSchema = lenientObject({
  StartChargeSeq: seq(),
  TotalPower: amount(),
  TotalMoney: amount(),
});
export const CheckChargeOrdersRequestSchema = lenientObject({
  CheckOrderSeq: seq(),
  StartTime: dateTime(),
  EndTime: dateTime(),
  OrderCount: int(0),
  /** kWh */
  TotalOrderPower: amount(),
  /** yuan */
  TotalOrderMoney: amount(),
  ChargeOrders: z.array(CheckChargeOrderItemSchema),
});

const DisputeOrderSchema = lenientObject({
  StartChargeSeq: seq(),
  TotalPower: amount(),
  TotalMoney: amount(),
  /** 1 not found, 2 amount wrong, 3 energy wrong, 4–99 custom */
  DisputeReason: int(1, 99),
});

export const CheckChargeOrdersResponseSchema = lenientObject({
  CheckOrderSeq: seq(),
  StartTime: dateTime(),
  EndTime: dateTime(),
  TotalDisputeOrder: int(0),
  TotalDisputePower: amount(),
  TotalDisputeMoney: amount(),
  DisputeOrders: z.array(DisputeOrderSchema).default([]),
});

// §3.14 query_charge_info (our extension: order detail by StartChargeSeq)

export const QueryChargeInfoRequestSchema = lenientObject({
  StartChargeSeq: seq(),
});

/**
 * The §3.12 order fields plus `StartChargeSeqStat`; fields unknown before the session ends
 * (ConnectorID for an order never started, StartTime, EndTime, StopReason) are optional.
 */
export const QueryChargeInfoResponseSchema = lenientObject({
  StartChargeSeq: chargeOrderShape.StartChargeSeq,
  /** order status: 1 starting, 2 charging, 3 stopping, 4 finished, 5 unknown */
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: chargeOrderShape.ConnectorID.optional(),
  StartTime: chargeOrderShape.StartTime.optional(),
  EndTime: chargeOrderShape.EndTime.optional(),
  TotalPower: chargeOrderShape.TotalPower,
  TotalElecMoney: chargeOrderShape.TotalElecMoney,
  TotalSeviceMoney: chargeOrderShape.TotalSeviceMoney,
  TotalMoney: chargeOrderShape.TotalMoney,
  StopReason: chargeOrderShape.StopReason.optional(),
  SumPeriod: chargeOrderShape.SumPeriod,
  ChargeDetails: chargeOrderShape.ChargeDetails,
  PrepayMoney: chargeOrderShape.PrepayMoney,
  ConsumedMoney: chargeOrderShape.ConsumedMoney,
  RefundMoney: chargeOrderShape.RefundMoney,
  CouponID: chargeOrderShape.CouponID,
  DiscountMoney: chargeOrderShape.DiscountMoney,
});

// ours: query_start_charge_prepay (预支付; no public contract, reference §5.5)

/** the largest prepayment accepted, yuan */
const MAX_PREPAY_YUAN = 5000;

export const QueryStartChargePrepayRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  QRCode: str(256).optional(),
  /** yuan, 2 dp, > 0: what the user paid in advance; the session stops when the bill reaches it */
  PrepayMoney: z.preprocess(
    coerceNumber,
    z
      .number()
      .gt(0, 'must be more than 0')
      .max(MAX_PREPAY_YUAN)
      .refine((x) => decimalPlaces(x) <= 2, { message: 'at most 2 decimal places' }),
  ),
});

export const QueryStartChargePrepayResponseSchema = lenientObject({
  StartChargeSeq: seq(),
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  FailReason: reason(),
  /** the prepayment the order holds (yuan) */
  PrepayMoney: amount(),
});

// ours: query_start_charge_coupon (卡券; reference §5.5: StarCharge's coupon interface is the only public trace)

export const QueryStartChargeCouponRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  QRCode: str(256).optional(),
  /** the coupon (shared/domain/coupons.ts) */
  CouponID: z.preprocess(coerceString, z.string().regex(/^[A-Za-z0-9_-]{4,32}$/, 'CouponID: 4–32 letters, digits, _ or -')),
  /** the user it was issued to: phone number and/or the partner's user id (at least one) */
  PhoneNum: z.preprocess(coerceString, z.string().regex(/^\+?\d{5,20}$/, 'PhoneNum: 5–20 digits')).optional(),
  UserID: str(64).optional(),
  // (one of PhoneNum and UserID is required: checked by the charging service, Ret 4004)
});

export const QueryStartChargeCouponResponseSchema = lenientObject({
  StartChargeSeq: seq(),
  StartChargeSeqStat: startChargeSeqStat(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  /** §3.7 codes, and 10 coupon unknown (or not this user's), 11 coupon not valid now or here, 12 coupon already used */
  FailReason: reason(),
  CouponID: str(32),
});

// ours: pay after charging (充电后支付): query_order_settlement, query_order_pay, notification_order_settlement

/** yuan with at most 2 decimals, ≥ 0 (what a partner says it paid) */
const money2dp = () =>
  z.preprocess(
    coerceNumber,
    z
      .number()
      .min(0)
      .refine((x) => decimalPlaces(x) <= 2, { message: 'at most 2 decimal places' }),
  );

const settlementShape = {
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  /** 0 not billed yet (the order runs), 1 payable to us, 2 paid */
  SettleStatus: code([0, 1, 2]),
  /** yuan owed to us: the order's TotalMoney once finished, 0 while it runs */
  PayableMoney: amount(),
  PaidMoney: amount().optional(),
  /** the partner's payment reference */
  PaySeq: seq().optional(),
  PaidTime: dateTime().optional(),
};

export const OrderSettlementSchema = lenientObject(settlementShape);

export const QueryOrderSettlementRequestSchema = lenientObject({
  StartChargeSeq: seq(),
});

export const QueryOrderPayRequestSchema = lenientObject({
  StartChargeSeq: seq(),
  PaySeq: seq(),
  /** yuan, 2 dp: must be the payable amount */
  PayMoney: money2dp(),
});

export const QueryOrderPayResponseSchema = lenientObject({
  ...settlementShape,
  SuccStat: succStat(),
  /** 0 none, 1 no such order, 2 not payable yet, 3 not the payable amount, 4 already paid under another PaySeq */
  FailReason: reason(),
});

// ---------------------------------------------------------------------------------------------
// extension: reservation (预约充电). No public contract (reference §5.5): ours, in the T/CEC style.

/** ReserveSeq: like StartChargeSeq, the partner's OperatorID + 18 characters (27; checked by business logic) */
export const QueryReserveConnectorRequestSchema = lenientObject({
  ReserveSeq: seq(),
  ConnectorID: id(26),
  /** how long to hold the connector, minutes (the station's policy bounds it) */
  ReserveMinutes: int(1, 1440),
});

export const QueryReserveConnectorResponseSchema = lenientObject({
  ReserveSeq: seq(),
  ConnectorID: id(26),
  SuccStat: succStat(),
  /**
   * 0 none, 1 connector unknown, 2 the station takes no reservations, 3 ReserveMinutes beyond the
   * station's limit, 4 connector busy (plugged, charging), 5 already reserved, 6 connector offline or faulted
   */
  FailReason: reason(),
  /** when the reservation lapses (success only) */
  ExpireTime: dateTime().optional(),
  /** the reservation fee, yuan (0 when the station charges none) */
  ReserveFee: chargeOrderShape.TotalMoney.optional(),
});

export const QueryCancelReservationRequestSchema = lenientObject({
  ReserveSeq: seq(),
});

export const QueryCancelReservationResponseSchema = lenientObject({
  ReserveSeq: seq(),
  SuccStat: succStat(),
  /** 0 none, 1 no such reservation, 2 already ended (used, cancelled or expired) */
  FailReason: reason(),
  /** 1 active, 2 used by a session, 3 cancelled, 4 expired */
  ReserveStat: code([1, 2, 3, 4]).optional(),
});

// ---------------------------------------------------------------------------------------------
// error messages (Ret 4004 Msg)

/** `EquipmentInfos[0].ConnectorInfos[2].ConnectorID` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? 'Data' : out;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  string: 'a string',
  array: 'an array',
  object: 'an object',
  int: 'an integer',
  boolean: 'a boolean',
};

/** Short English message of one zod issue, without the path. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message) || ('input' in issue && issue.input === undefined)) return 'required';
      if (issue.expected === 'int') return 'must be an integer';
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.exact) return issue.origin === 'string' ? `must be exactly ${max} characters` : `must have exactly ${max} items`;
      if (issue.origin === 'string') return `at most ${max} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${max} items`;
      return issue.inclusive === false ? `must be < ${max}` : `must be ≤ ${max}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.exact) return issue.origin === 'string' ? `must be exactly ${min} characters` : `must have exactly ${min} items`;
      if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `at least ${min} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at least ${min} item${min === 1 ? '' : 's'}`;
      return issue.inclusive === false ? `must be > ${min}` : `must be ≥ ${min}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** `path: message` of the first issue, e.g. `StationIDs: at most 50 items` — the Msg of Ret 4004. */
export function formatZodIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'Data: invalid';
  return `${formatPath(issue.path)}: ${issueMessage(issue)}`;
}

// §5.3 government / municipal supervision platforms (same envelope, extra interfaces)

/**
 * The order for the operating bonus (Beijing e充网 運营考核奖励): the §3.12 order plus who charged
 * where and the meter readings. ChargeModel: 0 unknown, 1 city/province platform card-less start,
 * 2 card start, 3 other card-less start (Chengdu's list, §5.3).
 */
export const ChargeOrderForBonusSchema = lenientObject({
  ...chargeOrderShape,
  ChargeModel: int(0, 3),
  /** ≤ 20 characters (Chengdu) */
  UserName: str(20).optional(),
  StationID: id(20),
  EquipmentID: id(23),
  /** kW, 1 dp */
  ConnectorPower: amount(),
  /** charging duration, s */
  ChargeLast: int(0),
  /** kWh, 2 dp */
  MeterValueStart: amount(),
  MeterValueEnd: amount(),
});

/**
 * Chengdu's subsidy record (补贴标准) of one order. The public traces name the interface only
 * (§5.3 [ZJ-svc]); these fields are our reading: the order's energy and money it is paid on.
 */
export const RecordsAmountInfoSchema = lenientObject({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  StationID: id(20),
  EndTime: dateTime(),
  /** kWh, 2 dp */
  TotalPower: amount(),
  TotalMoney: amount(),
});

/** Chengdu's station change (车主邦: tariff or station info changed); fields beyond StationID are our reading. */
export const StationChangeSchema = lenientObject({
  StationID: id(20),
  /** 1 station info, 2 tariff, 3 opened/closed */
  ChangeType: int(1, 3),
  ChangeTime: dateTime(),
});

/** the reply {SuccStat, FailReason} of a supervision push without a StartChargeSeq */
export const SupervisionReplySchema = lenientObject({
  SuccStat: succStat(),
  FailReason: reason().default(0),
});

/** A provincial platform's real-time power of each station (Data `{SupStationPowerInfos:[…]}`, §5.3 [IX-PROV]). */
const StationPowerInfoSchema = lenientObject({
  StationID: id(20),
  /** sampling time */
  DataTime: dateTime(),
  /** kW, 1 dp: the sum over the station's charging connectors */
  StationRealTimePower: amount(),
  /** connectors charging at that time */
  ChargingConnectors: int(0),
});
export const RealtimePowerInfoSchema = lenientObject({
  SupStationPowerInfos: z.array(StationPowerInfoSchema).min(1).max(MAX_PAGE_SIZE),
});
