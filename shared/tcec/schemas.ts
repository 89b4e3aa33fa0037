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

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { decimalPlaces } from './money.ts';

// zod/mini carries no messages of its own: the English ones (as full zod) for every Msg we build
z.config(en());

/** `z.preprocess` of full zod, in zod/mini's terms: the input passes `fn`, then `schema` */
const preprocess = <S extends z.core.$ZodType>(fn: (v: unknown) => unknown, schema: S) => z.pipe(z.transform(fn), schema);

// ---------------------------------------------------------------------------------------------
// built lazily: a schema is built on its first use and kept (issue 9 §4). Building every schema of
// the catalog at import cost ~22 ms of CPU in every function; a function builds only the schemas of
// the interfaces it serves, pushes or calls (test/unit/tcec/lazy-catalog.test.ts).

const built: unknown[] = [];

/** `build` run once, on the first call; its result kept (the same schema object ever after). */
/* @__NO_SIDE_EFFECTS__ */
function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) {
      value = build();
      built.push(value);
    }
    return value;
  };
}

/** The schemas (and field sets) built so far in this process, in build order: what the laziness test reads. */
export const builtSchemas = (): readonly unknown[] => [...built];

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

type Shape = Record<string, z.core.$ZodType>;

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
const objectShapes = new WeakMap<z.core.$ZodType, Shape>();

/** A z.object behind the generic lenient key pre-pass. */
function lenientObject<S extends Shape>(shape: S) {
  const lookup = keyLookup(shape);
  const schema = preprocess((v) => normaliseKeys(shape, lookup, v), z.object(shape));
  objectShapes.set(schema, shape);
  return schema;
}

/** The canonical shape (in wire order) of an object schema made here, else undefined. */
export function objectShapeOf(schema: z.core.$ZodType): Readonly<Shape> | undefined {
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
const str = (max: number) => preprocess(coerceString, z.string().check(z.maxLength(max)));
/** non-empty identifier string ≤ max; numbers accepted (ConnectorID 1 → "1") */
const id = (max: number) => preprocess(coerceString, z.string().check(z.minLength(1), z.maxLength(max)));
/** exactly `len` characters (OperatorID, CountryCode) */
const fixed = (len: number) => preprocess(coerceString, z.string().check(z.length(len)));
/** business sequence number: non-empty, ≤ 64 on input (27 is checked by business logic) */
const seq = () => id(MAX_SEQ_LENGTH);
/** integer in [min, max]; numeric strings accepted */
const int = (min: number, max: number = Number.MAX_SAFE_INTEGER) => preprocess(coerceNumber, z.int().check(z.minimum(min), z.maximum(max)));
/** one of the listed integer codes; numeric strings accepted */
const code = <const T extends readonly [number, ...number[]]>(values: T) => preprocess(coerceNumber, z.literal(values));
/** finite decimal ≥ 0 (money, energy, prices, power); numeric strings accepted */
const amount = () => preprocess(coerceNumber, z.number().check(z.minimum(0)));
/** finite decimal (currents, voltages) */
const decimal = () => preprocess(coerceNumber, z.number());
/** coordinate within ±limit, at most 6 decimals */
const coordinate = (limit: number) =>
  preprocess(
    coerceNumber,
    z.number().check(
      z.minimum(-limit),
      z.maximum(limit),
      z.refine((x) => decimalPlaces(x) <= 6, { message: 'at most 6 decimal places' }),
    ),
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

const dateTime = () => z.string().check(z.refine(isDateTime, { message: "expected 'yyyy-MM-dd HH:mm:ss'" }));
const date = () => z.string().check(z.refine(isDate, { message: "expected 'yyyy-MM-dd'" }));
const dateOrDateTime = () =>
  z.string().check(z.refine((s) => isDate(s) || isDateTime(s), { message: "expected 'yyyy-MM-dd' or 'yyyy-MM-dd HH:mm:ss'" }));
const hhmmss = () => preprocess(coerceString, z.string().check(z.refine(isHHmmss, { message: "expected 'HHmmss'" })));

// ---------------------------------------------------------------------------------------------
// shared objects (§3.1, §3.2, §3.6, §3.12, 102.2 OperatorInfo)

/**
 * §3.1 ConnectorInfo fields, in wire order. The station import (shared/domain/station-records.ts)
 * builds its stricter rules from these same fields: one schema family for StationInfo.
 */
export const connectorInfoFields = lazy(() => ({
  ConnectorID: id(26),
  ConnectorName: z.optional(str(30)),
  /** 1 household socket, 2 AC socket, 3 AC plug with cable, 4 DC gun, 5 wireless pad, 6 other */
  ConnectorType: code([1, 2, 3, 4, 5, 6]),
  VoltageUpperLimits: int(0),
  VoltageLowerLimits: int(0),
  Current: int(0),
  /** kW, 1 dp */
  Power: amount(),
  ParkNo: z.optional(str(10)),
  /** 1 GB/T 2011, 2 GB/T 2015 */
  NationalStandard: code([1, 2]),
}));
/** §3.1 ConnectorInfo */
const connectorInfoSchema = lazy(() => lenientObject(connectorInfoFields()));

/** §3.1 EquipmentInfo fields, in wire order */
export const equipmentInfoFields = lazy(() => ({
  EquipmentID: id(23),
  ManufacturerID: z.optional(str(9)),
  ManufacturerName: z.optional(str(30)),
  EquipmentModel: z.optional(str(20)),
  ProductionDate: z.optional(date()),
  /** 1 DC, 2 AC, 3 AC/DC, 4 wireless, 5 other */
  EquipmentType: code([1, 2, 3, 4, 5]),
  ConnectorInfos: z.array(connectorInfoSchema()),
  EquipmentLng: z.optional(coordinate(180)),
  EquipmentLat: z.optional(coordinate(90)),
  /** kW, 1 dp */
  Power: amount(),
  EquipmentName: z.optional(str(30)),
}));
/** §3.1 EquipmentInfo */
const equipmentInfoSchema = lazy(() => lenientObject(equipmentInfoFields()));

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
  return Object.fromEntries(STATION_ATTRIBUTES.map((k) => [k, z.optional(int(0, 9999))])) as Record<
    (typeof STATION_ATTRIBUTES)[number],
    z.ZodMiniOptional<ReturnType<typeof int>>
  >;
}

/** §3.1 StationInfo fields, in wire order. CountryCode 2 characters (`CN`); AreaCode ≤ 20 (GB/T 2260, 6 digits in practice). */
export const stationInfoFields = lazy(() => ({
  StationID: id(20),
  OperatorID: fixed(9),
  EquipmentOwnerID: fixed(9),
  StationName: id(50),
  CountryCode: fixed(2),
  AreaCode: id(20),
  Address: id(50),
  StationTel: z.optional(str(30)),
  ServiceTel: str(30),
  /** 1 public, 50 private, 100 bus, 101 sanitation, 102 logistics, 103 taxi, 255 other */
  StationType: code([1, 50, 100, 101, 102, 103, 255]),
  /** 0 unknown, 1 under construction, 5 closed, 6 maintenance, 50 in use */
  StationStatus: code([0, 1, 5, 6, 50]),
  /** 0 = unknown */
  ParkNums: z._default(int(0), 0),
  StationLng: coordinate(180),
  StationLat: coordinate(90),
  SiteGuide: z.optional(str(100)),
  /** 1–11 (see §3.1), 255 other */
  Construction: code([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]),
  Pictures: z.optional(z.array(z.string().check(z.maxLength(512)))),
  MatchCars: z.optional(str(100)),
  ParkInfo: z.optional(str(100)),
  BusineHours: z.optional(str(100)),
  ElectricityFee: z.optional(str(256)),
  ServiceFee: z.optional(str(100)),
  ParkFee: z.optional(str(100)),
  Payment: z.optional(str(20)),
  /** 0 no reservation, 1 reservation supported */
  SupportOrder: z._default(code([0, 1]), 0),
  Remark: z.optional(str(100)),
  EquipmentInfos: z.optional(z.array(equipmentInfoSchema())),
  ...stationAttributeFields(),
}));
/** §3.1 StationInfo */
export const stationInfoSchema = lazy(() => lenientObject(stationInfoFields()));

/** §3.2 ConnectorStatusInfo */
const connectorStatusInfoSchema = lazy(() =>
  lenientObject({
    ConnectorID: id(26),
    /** 0 offline, 1 idle, 2 occupied, 3 charging, 4 reserved, 255 fault */
    Status: connectorStatus(),
    /** 0 unknown, 10 free, 50 occupied */
    ParkStatus: z.optional(code([0, 10, 50])),
    /** 0 unknown, 10 unlocked, 50 locked */
    LockStatus: z.optional(code([0, 10, 50])),
  }),
);

/** §3.6 PolicyInfo fields, in wire order */
export const policyInfoFields = lazy(() => ({
  /** 'HHmmss', period start */
  StartTime: hhmmss(),
  /** yuan/kWh, 4 dp */
  ElecPrice: amount(),
  /** yuan/kWh, 4 dp (xiaoju: ServicePrice) */
  SevicePrice: amount(),
}));
/** §3.6 PolicyInfo */
export const policyInfoSchema = lazy(() => lenientObject(policyInfoFields()));

/** §3.12 ChargeDetail */
const chargeDetailSchema = lazy(() =>
  lenientObject({
    DetailStartTime: dateTime(),
    DetailEndTime: dateTime(),
    ElecPrice: amount(),
    SevicePrice: amount(),
    /** kWh, 2 dp */
    DetailPower: amount(),
    DetailElecMoney: amount(),
    DetailSeviceMoney: amount(),
  }),
);

// ---------------------------------------------------------------------------------------------
// §3.0 query_token

export const queryTokenRequestSchema = lazy(() =>
  lenientObject({
    OperatorID: fixed(9),
    OperatorSecret: id(64),
  }),
);

export const queryTokenResponseSchema = lazy(() =>
  lenientObject({
    OperatorID: str(64),
    SuccStat: succStat(),
    AccessToken: z._default(str(256), ''),
    /** seconds */
    TokenAvailableTime: z._default(int(0), 0),
    /** 0 none, 1 no such operator, 2 wrong secret, 3–99 custom */
    FailReason: z._default(reason(), 0),
  }),
);

// §3.1 query_stations_info

export const queryStationsInfoRequestSchema = lazy(() =>
  lenientObject({
    /** absent / '' ⇒ all stations */
    LastQueryTime: preprocess((v) => (v === '' ? undefined : v), z.optional(dateTime())),
    PageNo: z._default(int(1), DEFAULT_PAGE_NO),
    PageSize: z._default(int(1, MAX_PAGE_SIZE), DEFAULT_PAGE_SIZE),
  }),
);

export const queryStationsInfoResponseSchema = lazy(() =>
  lenientObject({
    PageNo: int(1),
    /** total pages */
    PageCount: int(0),
    /** total stations */
    ItemSize: int(0),
    StationInfos: z.array(stationInfoSchema()),
  }),
);

// §3.2 query_station_status

export const queryStationStatusRequestSchema = lazy(() =>
  lenientObject({
    StationIDs: z.array(id(20)).check(z.minLength(1), z.maxLength(MAX_STATION_IDS)),
  }),
);

const stationStatusInfoSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    ConnectorStatusInfos: z.array(connectorStatusInfoSchema()),
  }),
);

export const queryStationStatusResponseSchema = lazy(() =>
  lenientObject({
    /** a number in canonical form; xiaoju sends/expects the string "1" (dialect.ts) */
    Total: int(0),
    StationStatusInfos: z.array(stationStatusInfoSchema()),
  }),
);

// §3.3 notification_stationStatus

export const notificationStationStatusRequestSchema = lazy(() =>
  lenientObject({
    ConnectorStatusInfo: connectorStatusInfoSchema(),
  }),
);

export const notificationStationStatusResponseSchema = lazy(() =>
  lenientObject({
    /** 0 accepted, 1 dropped/ignored (do not retry) */
    Status: code([0, 1]),
  }),
);

// §3.4 query_station_stats

export const queryStationStatsRequestSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    StartTime: dateOrDateTime(),
    EndTime: dateOrDateTime(),
  }),
);

const connectorStatsInfoSchema = lazy(() =>
  lenientObject({
    ConnectorID: id(26),
    /** kWh, 1 dp */
    ConnectorElectricity: amount(),
  }),
);
const equipmentStatsInfoSchema = lazy(() =>
  lenientObject({
    EquipmentID: id(23),
    EquipmentElectricity: amount(),
    ConnectorStatsInfos: z.array(connectorStatsInfoSchema()),
  }),
);
const stationStatsSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    StartTime: dateOrDateTime(),
    EndTime: dateOrDateTime(),
    StationElectricity: amount(),
    EquipmentStatsInfos: z.array(equipmentStatsInfoSchema()),
  }),
);

export const queryStationStatsResponseSchema = lazy(() =>
  lenientObject({
    StationStats: stationStatsSchema(),
  }),
);

// §3.5 query_equip_auth

export const queryEquipAuthRequestSchema = lazy(() =>
  lenientObject({
    EquipAuthSeq: seq(),
    ConnectorID: id(26),
  }),
);

export const queryEquipAuthResponseSchema = lazy(() =>
  lenientObject({
    EquipAuthSeq: seq(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    /** 0 none, 1 not plugged in, 2 device check failed, 3–99 custom */
    FailReason: reason(),
  }),
);

// §3.6 query_equip_business_policy

export const queryEquipBusinessPolicyRequestSchema = lazy(() =>
  lenientObject({
    EquipBizSeq: seq(),
    ConnectorID: id(26),
  }),
);

export const queryEquipBusinessPolicyResponseSchema = lazy(() =>
  lenientObject({
    EquipBizSeq: seq(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    /** 0 none, 1 no business policy, 2–99 custom */
    FailReason: reason(),
    SumPeriod: z._default(sumPeriod(), 0),
    PolicyInfos: z.optional(z.array(policyInfoSchema()).check(z.maxLength(MAX_PERIODS))),
  }),
);

// §3.7 query_start_charge

export const queryStartChargeRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
    /** rest of the scanned QR code (also accepted as QrCode) */
    QRCode: z.optional(str(256)),
  }),
);

export const queryStartChargeResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    /** 1 starting, 2 charging, 3 stopping, 4 finished, 5 unknown */
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    /** 0 none, 1 device does not exist, 2 device offline, 3–99 custom */
    FailReason: reason(),
  }),
);

// §3.8 notification_start_charge_result

export const notificationStartChargeResultRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: id(26),
    StartTime: dateTime(),
    /** stop-charging verification code shown to the driver */
    IdentCode: z.optional(str(64)),
  }),
);

/** the common reply {StartChargeSeq, SuccStat, FailReason} of §3.8, §3.9, §3.11 */
export const chargeNotificationResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    SuccStat: succStat(),
    /** 0 none, 1 receive failed, 2–99 custom */
    FailReason: z._default(reason(), 0),
  }),
);

// §3.9 query_equip_charge_status / notification_equip_charge_status

export const queryEquipChargeStatusRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
  }),
);

/** the charging snapshot — the query's response and the notification's request */
export const equipChargeStatusSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: id(26),
    /** 1 idle, 2 occupied, 3 charging, 4 reserved, 255 fault (0 offline tolerated) */
    ConnectorStatus: connectorStatus(),
    /** A, 1 dp; DC output current goes here */
    CurrentA: decimal(),
    CurrentB: z.optional(decimal()),
    CurrentC: z.optional(decimal()),
    /** V, 1 dp; DC output voltage goes here */
    VoltageA: decimal(),
    VoltageB: z.optional(decimal()),
    VoltageC: z.optional(decimal()),
    /** %, 1 dp */
    Soc: z._default(preprocess(coerceNumber, z.number().check(z.minimum(0), z.maximum(100))), 0),
    StartTime: dateTime(),
    /** time of this sample */
    EndTime: dateTime(),
    /** kWh, 2 dp */
    TotalPower: amount(),
    /** yuan, 2 dp (xiaoju query response: ElectMoney) */
    ElecMoney: z._default(amount(), 0),
    /** yuan, 2 dp (xiaoju: ServiceMoney) */
    SeviceMoney: z._default(amount(), 0),
    TotalMoney: z._default(amount(), 0),
    SumPeriod: z._default(sumPeriod(), 0),
    ChargeDetails: z.optional(z.array(chargeDetailSchema()).check(z.maxLength(MAX_PERIODS))),
  }),
);
export type EquipChargeStatus = z.infer<ReturnType<typeof equipChargeStatusSchema>>;

// §3.10 query_stop_charge

export const queryStopChargeRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
  }),
);

export const queryStopChargeResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    StartChargeSeqStat: startChargeSeqStat(),
    SuccStat: succStat(),
    /** 0 none, 1 device does not exist, 2 device offline, 3 already stopped, 4–99 custom */
    FailReason: reason(),
  }),
);

// §3.11 notification_stop_charge_result

export const notificationStopChargeResultRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    FailReason: reason(),
  }),
);

// §3.12 notification_charge_order_info

const chargeOrderShape = lazy(() => ({
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
  ChargeDetails: z.optional(z.array(chargeDetailSchema()).check(z.maxLength(MAX_PERIODS))),
  /** ours, prepaid orders only (query_start_charge_prepay): yuan prepaid, used by the bill, given back */
  PrepayMoney: z.optional(amount()),
  ConsumedMoney: z.optional(amount()),
  RefundMoney: z.optional(amount()),
  /** ours, orders that used a coupon (query_start_charge_coupon): its id and the service fee it took off (yuan) */
  CouponID: z.optional(str(32)),
  DiscountMoney: z.optional(amount()),
  /**
   * ours, orders that started on the partner's reservation (query_reserve_connector): its ReserveSeq and
   * fee (yuan), which is also the first line of ChargeDetails (zero prices and power) and in the totals
   */
  ReserveSeq: z.optional(str(27)),
  ReserveMoney: z.optional(amount()),
}));

export const chargeOrderInfoSchema = lazy(() => lenientObject(chargeOrderShape()));

export const notificationChargeOrderInfoResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
    /** 0 accepted, 1 disputed, 2–99 custom */
    ConfirmResult: reason(),
  }),
);

// §3.13 check_charge_orders

const checkChargeOrderItemSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    TotalPower: amount(),
    TotalMoney: amount(),
  }),
);
export const checkChargeOrdersRequestSchema = lazy(() =>
  lenientObject({
    CheckOrderSeq: seq(),
    StartTime: dateTime(),
    EndTime: dateTime(),
    OrderCount: int(0),
    /** kWh */
    TotalOrderPower: amount(),
    /** yuan */
    TotalOrderMoney: amount(),
    ChargeOrders: z.array(checkChargeOrderItemSchema()),
  }),
);

const disputeOrderSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    TotalPower: amount(),
    TotalMoney: amount(),
    /** 1 not found, 2 amount wrong, 3 energy wrong, 4–99 custom */
    DisputeReason: int(1, 99),
  }),
);

export const checkChargeOrdersResponseSchema = lazy(() =>
  lenientObject({
    CheckOrderSeq: seq(),
    StartTime: dateTime(),
    EndTime: dateTime(),
    TotalDisputeOrder: int(0),
    TotalDisputePower: amount(),
    TotalDisputeMoney: amount(),
    DisputeOrders: z._default(z.array(disputeOrderSchema()), []),
  }),
);

// §3.14 query_charge_info (our extension: order detail by StartChargeSeq)

export const queryChargeInfoRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
  }),
);

/**
 * The §3.12 order fields plus `StartChargeSeqStat`; fields unknown before the session ends
 * (ConnectorID for an order never started, StartTime, EndTime, StopReason) are optional.
 */
export const queryChargeInfoResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: chargeOrderShape().StartChargeSeq,
    /** order status: 1 starting, 2 charging, 3 stopping, 4 finished, 5 unknown */
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: z.optional(chargeOrderShape().ConnectorID),
    StartTime: z.optional(chargeOrderShape().StartTime),
    EndTime: z.optional(chargeOrderShape().EndTime),
    TotalPower: chargeOrderShape().TotalPower,
    TotalElecMoney: chargeOrderShape().TotalElecMoney,
    TotalSeviceMoney: chargeOrderShape().TotalSeviceMoney,
    TotalMoney: chargeOrderShape().TotalMoney,
    StopReason: z.optional(chargeOrderShape().StopReason),
    SumPeriod: chargeOrderShape().SumPeriod,
    ChargeDetails: chargeOrderShape().ChargeDetails,
    PrepayMoney: chargeOrderShape().PrepayMoney,
    ConsumedMoney: chargeOrderShape().ConsumedMoney,
    RefundMoney: chargeOrderShape().RefundMoney,
    CouponID: chargeOrderShape().CouponID,
    DiscountMoney: chargeOrderShape().DiscountMoney,
    ReserveSeq: chargeOrderShape().ReserveSeq,
    ReserveMoney: chargeOrderShape().ReserveMoney,
  }),
);

// ours: query_start_charge_prepay (预支付; no public contract, reference §5.5)

/** the largest prepayment accepted, yuan */
const MAX_PREPAY_YUAN = 5000;

export const queryStartChargePrepayRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
    QRCode: z.optional(str(256)),
    /** yuan, 2 dp, > 0: what the user paid in advance; the session stops when the bill reaches it */
    PrepayMoney: preprocess(
      coerceNumber,
      z.number().check(
        z.gt(0, 'must be more than 0'),
        z.maximum(MAX_PREPAY_YUAN),
        z.refine((x) => decimalPlaces(x) <= 2, { message: 'at most 2 decimal places' }),
      ),
    ),
  }),
);

export const queryStartChargePrepayResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    FailReason: reason(),
    /** the prepayment the order holds (yuan) */
    PrepayMoney: amount(),
  }),
);

// ours: query_start_charge_coupon (卡券; reference §5.5: StarCharge's coupon interface is the only public trace)

export const queryStartChargeCouponRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
    QRCode: z.optional(str(256)),
    /** the coupon (shared/domain/coupons.ts) */
    CouponID: preprocess(coerceString, z.string().check(z.regex(/^[A-Za-z0-9_-]{4,32}$/, 'CouponID: 4–32 letters, digits, _ or -'))),
    /** the user it was issued to: phone number and/or the partner's user id (at least one) */
    PhoneNum: z.optional(preprocess(coerceString, z.string().check(z.regex(/^\+?\d{5,20}$/, 'PhoneNum: 5–20 digits')))),
    UserID: z.optional(str(64)),
    // (one of PhoneNum and UserID is required: checked by the charging service, Ret 4004)
  }),
);

export const queryStartChargeCouponResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    StartChargeSeqStat: startChargeSeqStat(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    /** §3.7 codes, and 10 coupon unknown (or not this user's), 11 coupon not valid now or here, 12 coupon already used */
    FailReason: reason(),
    CouponID: str(32),
  }),
);

// ours: pay after charging (充电后支付): query_order_settlement, query_order_pay, notification_order_settlement

/** yuan with at most 2 decimals, ≥ 0 (what a partner says it paid) */
const money2dp = () =>
  preprocess(
    coerceNumber,
    z.number().check(
      z.minimum(0),
      z.refine((x) => decimalPlaces(x) <= 2, { message: 'at most 2 decimal places' }),
    ),
  );

const settlementShape = lazy(() => ({
  StartChargeSeq: seq(),
  ConnectorID: id(26),
  /** 0 not billed yet (the order runs), 1 payable to us, 2 paid */
  SettleStatus: code([0, 1, 2]),
  /** yuan owed to us: the order's TotalMoney once finished, 0 while it runs */
  PayableMoney: amount(),
  PaidMoney: z.optional(amount()),
  /** the partner's payment reference */
  PaySeq: z.optional(seq()),
  PaidTime: z.optional(dateTime()),
}));

export const orderSettlementSchema = lazy(() => lenientObject(settlementShape()));

export const queryOrderSettlementRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
  }),
);

export const queryOrderPayRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    PaySeq: seq(),
    /** yuan, 2 dp: must be the payable amount */
    PayMoney: money2dp(),
  }),
);

export const queryOrderPayResponseSchema = lazy(() =>
  lenientObject({
    ...settlementShape(),
    SuccStat: succStat(),
    /** 0 none, 1 no such order, 2 not payable yet, 3 not the payable amount, 4 already paid under another PaySeq */
    FailReason: reason(),
  }),
);

// ---------------------------------------------------------------------------------------------
// extension: reservation (预约充电). No public contract (reference §5.5): ours, in the T/CEC style.

/** ReserveSeq: like StartChargeSeq, the partner's OperatorID + 18 characters (27; checked by business logic) */
export const queryReserveConnectorRequestSchema = lazy(() =>
  lenientObject({
    ReserveSeq: seq(),
    ConnectorID: id(26),
    /** how long to hold the connector, minutes (the station's policy bounds it) */
    ReserveMinutes: int(1, 1440),
  }),
);

export const queryReserveConnectorResponseSchema = lazy(() =>
  lenientObject({
    ReserveSeq: seq(),
    ConnectorID: id(26),
    SuccStat: succStat(),
    /**
     * 0 none, 1 connector unknown, 2 the station takes no reservations, 3 ReserveMinutes beyond the
     * station's limit, 4 connector busy (plugged, charging), 5 already reserved, 6 connector offline or faulted,
     * 7 (a repeat of the ReserveSeq) the charger refused the reservation or never answered: withdrawn
     */
    FailReason: reason(),
    /** when the reservation lapses (success only) */
    ExpireTime: z.optional(dateTime()),
    /** the reservation fee, yuan (0 when the station charges none) */
    ReserveFee: z.optional(amount()),
    /** what the reservation bills if it expires unused (a no-show): ReserveFee + the policy's NoShowFee, yuan */
    NoShowMoney: z.optional(amount()),
  }),
);

export const queryCancelReservationRequestSchema = lazy(() =>
  lenientObject({
    ReserveSeq: seq(),
  }),
);

export const queryCancelReservationResponseSchema = lazy(() =>
  lenientObject({
    ReserveSeq: seq(),
    SuccStat: succStat(),
    /** 0 none, 1 no such reservation, 2 already ended (used, cancelled or expired) */
    FailReason: reason(),
    /** 1 active, 2 used by a session, 3 cancelled, 4 expired, 5 refused by the charger (withdrawn) */
    ReserveStat: z.optional(code([1, 2, 3, 4, 5])),
    /** ReserveStat 4 (expired unused, a no-show): what it bills, yuan (ReserveFee + the policy's NoShowFee) */
    NoShowMoney: z.optional(amount()),
  }),
);

// ---------------------------------------------------------------------------------------------
// DiDi 1.4.0 ground locks and parking (reference §5.1, §5.5; field names as DiDi's contract, the
// lower-case `groundLocks`, `result` and `LocksAuth` included). What DiDi leaves unsaid (the codes'
// values, FailReason) is ours: docs/conformance.md.

const lockNum = () => id(16);
/** LockStatus (§3.2): 0 unknown (faulted), 10 unlocked (dropped), 50 locked (raised) */
const lockStatus = () => code([0, 10, 50]);

export const queryGroundLocksRequestSchema = lazy(() => lenientObject({ StationID: id(20) }));
export const queryGroundLocksResponseSchema = lazy(() =>
  lenientObject({
    groundLocks: z.array(
      lenientObject({
        LockNum: lockNum(),
        WorkplaceName: str(32),
        LockStatus: lockStatus(),
        /** ours: the connector whose space it locks */
        ConnectorID: z.optional(id(26)),
      }),
    ),
  }),
);

export const queryGroundLockAuthRequestSchema = lazy(() =>
  lenientObject({
    StationIDs: z.array(id(20)).check(z.minLength(1), z.maxLength(MAX_STATION_IDS)),
    Lat: z.optional(decimal()),
    Lng: z.optional(decimal()),
  }),
);
export const queryGroundLockAuthResponseSchema = lazy(() =>
  lenientObject({
    /** per asked station: may the caller drop its locks (granted and the station has locks) */
    LocksAuth: z.array(lenientObject({ StationID: id(20), Auth: z.boolean() })),
  }),
);

export const queryDropLockRequestSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    LockNum: lockNum(),
    Lat: z.optional(decimal()),
    Lng: z.optional(decimal()),
  }),
);
export const queryDropLockResponseSchema = lazy(() =>
  lenientObject({
    /** true: the lock is dropped for the caller */
    result: z.boolean(),
    /** ours: the one-time code of this drop (quote it in query_drop_lock_result) */
    DropCode: z.optional(int(100_000, 999_999)),
    /**
     * ours: 0 none, 1 unknown lock, 2 another partner's order or reservation holds it, 3 lock fault, 4 connector
     * unavailable, 5 the car park's system unreachable or timed out (nothing changed; try again)
     */
    FailReason: z.optional(reason()),
  }),
);

export const queryDropLockResultRequestSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    LockNum: lockNum(),
    /** ours: the code query_drop_lock answered; a spent or wrong one is refused (Ret 4004) */
    DropCode: z.optional(int(0, 999_999)),
  }),
);
export const queryDropLockResultResponseSchema = lazy(() =>
  lenientObject({
    LockNum: lockNum(),
    /** the code of the drop in force (0: none) */
    DropCode: int(0, 999_999),
    DropInfo: str(64),
    /** ours */
    LockStatus: z.optional(lockStatus()),
    /** ours: 5 the caller's last drop failed, the car park's system unreachable or timed out (the lock unchanged) */
    FailReason: z.optional(reason()),
  }),
);

/** a vehicle plate (checked by the business logic) */
const carNumber = () => str(16);

export const queryParkingFreeInfoRequestSchema = lazy(() => lenientObject({ StartChargeSeq: seq(), CarNumber: z.optional(carNumber()) }));
export const queryParkingFreeInfoResponseSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    /** free parking minutes the order earned */
    Duration: amount(),
    /** ours: empty (the gate reads the plate) */
    QrCode: z.optional(str(256)),
    CarNumber: z.optional(carNumber()),
    /** 0 none, 1 waiting for the plate, 2 sending to the gate, 3 applied at the gate */
    WaiverStatus: code([0, 1, 2, 3]),
  }),
);

export const queryParkingStationRequestSchema = lazy(() => lenientObject({ StationID: id(20) }));
export const queryParkingStationResponseSchema = lazy(() =>
  lenientObject({
    /** 0 no waiver, 1 per session, 2 per kWh (capped) */
    WaiverType: code([0, 1, 2]),
    /** the most free minutes one session earns */
    Duration: int(0),
    Note: str(200),
  }),
);

export const queryParkingFreeWaveRequestSchema = lazy(() => lenientObject({ StartChargeSeq: seq(), CarNumber: z.optional(carNumber()) }));
export const parkingSuccSchema = lazy(() =>
  lenientObject({
    SuccStat: succStat(),
    FailReasonMsg: z.optional(str(128)),
  }),
);

export const modifyParkingCarNumberRequestSchema = lazy(() => lenientObject({ StartChargeSeq: seq(), CarNumber: carNumber() }));

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
export function formatZodIssue(err: z.core.$ZodError): string {
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
export const chargeOrderForBonusSchema = lazy(() =>
  lenientObject({
    ...chargeOrderShape(),
    ChargeModel: int(0, 3),
    /** ≤ 20 characters (Chengdu) */
    UserName: z.optional(str(20)),
    StationID: id(20),
    EquipmentID: id(23),
    /** kW, 1 dp */
    ConnectorPower: amount(),
    /** charging duration, s */
    ChargeLast: int(0),
    /** kWh, 2 dp */
    MeterValueStart: amount(),
    MeterValueEnd: amount(),
  }),
);

/**
 * Chengdu's subsidy record (补贴标准) of one order. The public traces name the interface only
 * (§5.3 [ZJ-svc]); these fields are our reading: the order's energy and money it is paid on.
 */
export const recordsAmountInfoSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
    StationID: id(20),
    EndTime: dateTime(),
    /** kWh, 2 dp */
    TotalPower: amount(),
    TotalMoney: amount(),
  }),
);

/** Chengdu's station change (车主邦: tariff or station info changed); fields beyond StationID are our reading. */
export const stationChangeSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    /** 1 station info, 2 tariff, 3 opened/closed */
    ChangeType: int(1, 3),
    ChangeTime: dateTime(),
  }),
);

/** A provincial platform's station info on change (NOTIFICATION_STATION_INFO, §5.3 [IX-PROV]): the §3.1 StationInfo. */
export const stationInfoNotificationSchema = lazy(() =>
  lenientObject({
    StationInfo: stationInfoSchema(),
  }),
);

/** the reply {SuccStat, FailReason} of a supervision push without a StartChargeSeq */
export const supervisionReplySchema = lazy(() =>
  lenientObject({
    SuccStat: succStat(),
    FailReason: z._default(reason(), 0),
  }),
);

/** A provincial platform's real-time power of each station (Data `{SupStationPowerInfos:[…]}`, §5.3 [IX-PROV]). */
const stationPowerInfoSchema = lazy(() =>
  lenientObject({
    StationID: id(20),
    /** sampling time */
    DataTime: dateTime(),
    /** kW, 1 dp: the sum over the station's charging connectors */
    StationRealTimePower: amount(),
    /** connectors charging at that time */
    ChargingConnectors: int(0),
  }),
);
export const realtimePowerInfoSchema = lazy(() =>
  lenientObject({
    SupStationPowerInfos: z.array(stationPowerInfoSchema()).check(z.minLength(1), z.maxLength(MAX_PAGE_SIZE)),
  }),
);

// ours: invoices (开票; no public contract, reference §5.5): query_invoice_apply, query_invoice_info,
// notification_invoice_info (shared/domain/invoices.ts)

/** the most orders one invoice covers */
const MAX_INVOICE_ORDERS = 50;

export const queryInvoiceApplyRequestSchema = lazy(() =>
  lenientObject({
    /** the partner's id of the request: 27 characters starting with its OperatorID, like StartChargeSeq */
    InvoiceSeq: seq(),
    /** the partner's finished orders to invoice (1–50) */
    StartChargeSeqs: z.array(seq()).check(z.minLength(1), z.maxLength(MAX_INVOICE_ORDERS)),
    /** the buyer's name (any script; the PDF writes non-Latin characters as \uXXXX escapes) */
    BuyerName: id(100),
    /** the buyer's tax id (统一社会信用代码: 18 characters; older 15–20): digits and capital letters */
    BuyerTaxID: preprocess(coerceString, z.string().check(z.regex(/^[0-9A-Z]{15,20}$/, 'BuyerTaxID: 15–20 digits or capital letters'))),
    BuyerEmail: z.optional(str(100)),
  }),
);

export const queryInvoiceApplyResponseSchema = lazy(() =>
  lenientObject({
    InvoiceSeq: seq(),
    SuccStat: succStat(),
    /** 0 none, 1 order unknown (or another partner's), 2 order not finished, 3 order already invoiced, 4 an order listed twice, 5 nothing to invoice (TotalMoney 0) */
    FailReason: z._default(reason(), 0),
    /** the order the refusal is about */
    FailStartChargeSeq: z.optional(seq()),
    /** 1 applied (issuing), 2 issued */
    InvoiceStat: z.optional(int(1, 2)),
  }),
);

export const queryInvoiceInfoRequestSchema = lazy(() =>
  lenientObject({
    InvoiceSeq: seq(),
  }),
);

/** query_invoice_info's answer = notification_invoice_info's Data */
export const invoiceInfoSchema = lazy(() =>
  lenientObject({
    InvoiceSeq: seq(),
    /** 1 applied (issuing), 2 issued */
    InvoiceStat: int(1, 2),
    StartChargeSeqs: z.array(seq()).check(z.minLength(1), z.maxLength(MAX_INVOICE_ORDERS)),
    BuyerName: id(100),
    BuyerTaxID: id(20),
    /** yuan: Σ TotalMoney of the orders */
    TotalMoney: amount(),
    /** once issued: our invoice number, when, and a link to the PDF valid until UrlExpireTime */
    InvoiceNo: z.optional(id(32)),
    IssueTime: z.optional(dateTime()),
    DownloadUrl: z.optional(str(2048)),
    UrlExpireTime: z.optional(dateTime()),
  }),
);

export const notificationInvoiceInfoResponseSchema = lazy(() =>
  lenientObject({
    InvoiceSeq: seq(),
    SuccStat: succStat(),
    FailReason: z._default(reason(), 0),
  }),
);

// ---------------------------------------------------------------------------------------------
// extension: plug-and-charge (即插即充). No public contract (reference §5.5): ours, in the T/CEC style
// (shared/domain/vin.ts, README "Plug-and-charge").

/** ISO 3779 VIN: 17 characters, 0-9 and A-Z without I, O, Q */
export const VIN_RE = /^[A-HJ-NPR-Z0-9]{17}$/;
const vin = () => preprocess(coerceString, z.string().check(z.regex(VIN_RE, 'Vin: 17 characters, 0-9 and A-Z without I, O, Q (ISO 3779)')));

export const queryVinBindRequestSchema = lazy(() =>
  lenientObject({
    Vin: vin(),
    /** the car's plate (GB 36220), carried on its orders (the oem-example profile pushes it) */
    PlateNum: z.optional(str(16)),
  }),
);

export const queryVinBindResponseSchema = lazy(() =>
  lenientObject({
    Vin: vin(),
    SuccStat: succStat(),
    /** 0 none, 1 the VIN is bound to another partner, 2 PlateNum is not a vehicle plate */
    FailReason: z._default(reason(), 0),
  }),
);

export const queryVinUnbindRequestSchema = lazy(() => lenientObject({ Vin: vin() }));

export const queryVinUnbindResponseSchema = lazy(() =>
  lenientObject({
    Vin: vin(),
    SuccStat: succStat(),
    /** 0 none, 1 the VIN is not bound to this partner (unknown and another partner's look the same) */
    FailReason: z._default(reason(), 0),
  }),
);

/** notification_vin_start_charge: we started a session for a car the partner bound */
export const notificationVinStartChargeRequestSchema = lazy(() =>
  lenientObject({
    StartChargeSeq: seq(),
    ConnectorID: id(26),
    Vin: vin(),
    PlateNum: z.optional(str(16)),
    /** when the charger reported the car, 'yyyy-MM-dd HH:mm:ss' */
    PlugTime: dateTime(),
  }),
);
