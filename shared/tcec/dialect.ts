/**
 * Dialects of T/CEC 102 Data on the wire (reference §3 conventions, §5.1, pitfalls §6.1–6.3, §6.11).
 *
 *   cec2016 — the standard's spellings: SevicePrice, SeviceMoney, TotalSeviceMoney,
 *             DetailSeviceMoney, BusineHours, ElecMoney; `Total` a number.
 *   xiaoju  — DiDi 小桔 contract 1.4.0: Service* instead of Sevice* everywhere; `ElectMoney` in the
 *             query_equip_charge_status RESPONSE only (its push keeps ElecMoney); `Total` of
 *             query_station_status as a string. BusineHours unchanged.
 *
 * toWire is strict about what OUR code hands it and emits exactly the partner's dialect: the
 * canonical Data is first validated against the catalog schema (a missing required field, a wrong
 * type or range, and a key the schema does not have are programming errors → ContractError, never
 * a silently different message), then written with keys in the schema's order, undefined/null
 * omitted, every number rounded to its field's precision. fromWire is the lenient parse (any
 * dialect, any key casing) of what a PARTNER sends into the canonical shape.
 */
import * as z from 'zod/mini';
import { atImport } from '../domain/once.ts';
import { type DataOf, type Direction, INTERFACES, type InterfaceName, type ParseResult, parseData } from './interfaces.ts';
import { PRECISION, round } from './money.ts';
import { formatPath, issueMessage, objectShapeOf, STATION_ATTRIBUTES } from './schemas.ts';

/** catalog fields no dialect writes: a profile adds them where a contract has them (profiles.ts) */
const PROFILE_ONLY_FIELDS: ReadonlySet<string> = /* @__PURE__ */ atImport(() => new Set(STATION_ATTRIBUTES));

export type Dialect = 'cec2016' | 'xiaoju';
export const DIALECTS: readonly Dialect[] = ['cec2016', 'xiaoju'] as const;

/** Decimal places per canonical field name (applied at any depth). Keys ending in `Money` are 2 dp. */
const FIELD_DP: Readonly<Record<string, number>> = {
  ElecPrice: PRECISION.price,
  SevicePrice: PRECISION.price,
  TotalPower: PRECISION.energy,
  DetailPower: PRECISION.energy,
  TotalOrderPower: PRECISION.energy,
  TotalDisputePower: PRECISION.energy,
  StationLng: PRECISION.coordinate,
  StationLat: PRECISION.coordinate,
  EquipmentLng: PRECISION.coordinate,
  EquipmentLat: PRECISION.coordinate,
  Power: PRECISION.power,
  ConnectorPower: PRECISION.power,
  StationRealTimePower: PRECISION.power,
  MeterValueStart: PRECISION.energy,
  MeterValueEnd: PRECISION.energy,
  StationElectricity: PRECISION.statsElectricity,
  EquipmentElectricity: PRECISION.statsElectricity,
  ConnectorElectricity: PRECISION.statsElectricity,
  CurrentA: PRECISION.currentVoltage,
  CurrentB: PRECISION.currentVoltage,
  CurrentC: PRECISION.currentVoltage,
  VoltageA: PRECISION.currentVoltage,
  VoltageB: PRECISION.currentVoltage,
  VoltageC: PRECISION.currentVoltage,
  Soc: PRECISION.soc,
};

/** Precision of a canonical field, or undefined when the field is not a decimal. */
export function fieldDp(key: string): number | undefined {
  if (Object.hasOwn(FIELD_DP, key)) return FIELD_DP[key];
  return key.endsWith('Money') ? PRECISION.money : undefined;
}

/** xiaoju renames, applied at any depth. */
const XIAOJU_RENAMES: Readonly<Record<string, string>> = {
  SevicePrice: 'ServicePrice',
  SeviceMoney: 'ServiceMoney',
  TotalSeviceMoney: 'TotalServiceMoney',
  DetailSeviceMoney: 'DetailServiceMoney',
};

// ---------------------------------------------------------------------------------------------
// schema walking

type Node =
  | { kind: 'object'; shape: Readonly<Record<string, z.core.$ZodType>> }
  | { kind: 'array'; element: z.core.$ZodType }
  | { kind: 'number' }
  | { kind: 'string' }
  | { kind: 'other' };

interface DefLike {
  type: string;
  innerType?: z.core.$ZodType;
  out?: z.core.$ZodType;
  element?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  values?: unknown[];
}

const nodes = new WeakMap<z.core.$ZodType, Node>();

function nodeOf(schema: z.core.$ZodType): Node {
  const cached = nodes.get(schema);
  if (cached) return cached;
  let node: Node;
  const shape = objectShapeOf(schema);
  if (shape) {
    node = { kind: 'object', shape };
  } else {
    const def = (schema as unknown as { _zod: { def: DefLike } })._zod.def;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
      case 'catch':
        node = def.innerType ? nodeOf(def.innerType) : { kind: 'other' };
        break;
      case 'pipe':
        node = def.out ? nodeOf(def.out) : { kind: 'other' };
        break;
      case 'object':
        node = { kind: 'object', shape: def.shape ?? {} };
        break;
      case 'array':
        node = def.element ? { kind: 'array', element: def.element } : { kind: 'other' };
        break;
      case 'number':
        node = { kind: 'number' };
        break;
      case 'string':
        node = { kind: 'string' };
        break;
      case 'literal':
        node = def.values?.every((v) => typeof v === 'number') ? { kind: 'number' } : { kind: 'other' };
        break;
      default:
        node = { kind: 'other' };
    }
  }
  nodes.set(schema, node);
  return node;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface Ctx {
  iface: InterfaceName;
  direction: Direction;
  dialect: Dialect;
}

/** The name `dialect` gives the catalog field `key` of `iface`'s `direction` Data (`top`: a field of the Data object itself). */
export function wireName(iface: InterfaceName, direction: Direction, dialect: Dialect, key: string, top: boolean): string {
  return wireKey(key, { iface, direction, dialect }, top);
}

function wireKey(key: string, ctx: Ctx, top: boolean): string {
  if (ctx.dialect !== 'xiaoju') return key;
  if (top && key === 'ElecMoney' && ctx.iface === 'query_equip_charge_status' && ctx.direction === 'response') return 'ElectMoney';
  return XIAOJU_RENAMES[key] ?? key;
}

/**
 * Canonical Data that does not match its catalog schema: a bug in our code (a handler, a builder),
 * not a partner's input. `field` is the path of the offending field (never its value).
 */
export class ContractError extends TypeError {
  override readonly name = 'ContractError';

  constructor(
    readonly iface: InterfaceName,
    readonly direction: Direction,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${iface} ${direction} Data does not match the catalog: ${field}: ${problem}`);
  }
}

type Path = readonly PropertyKey[];

function emitValue(schema: z.core.$ZodType, value: unknown, key: string, ctx: Ctx, path: Path): unknown {
  const node = nodeOf(schema);
  switch (node.kind) {
    case 'object':
      return isPlainObject(value) ? emitObject(node.shape, value, ctx, false, path) : value;
    case 'array':
      return Array.isArray(value) ? value.map((v, i) => emitValue(node.element, v, key, ctx, [...path, i])) : value;
    case 'number': {
      const n = typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value.trim()) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return n;
      const dp = fieldDp(key);
      return dp === undefined ? n : round(n, dp);
    }
    case 'string':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}

function emitObject(
  shape: Readonly<Record<string, z.core.$ZodType>>,
  obj: Record<string, unknown>,
  ctx: Ctx,
  top: boolean,
  path: Path,
): Record<string, unknown> {
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(shape, key) && obj[key] !== undefined && obj[key] !== null) {
      throw new ContractError(ctx.iface, ctx.direction, formatPath([...path, key]), 'not a field of this object');
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const v = obj[key];
    if (v === undefined || v === null || PROFILE_ONLY_FIELDS.has(key)) continue;
    out[wireKey(key, ctx, top)] = emitValue(fieldSchema, v, key, ctx, [...path, key]);
  }
  return out;
}

const contractError = (iface: InterfaceName, direction: Direction, issues: readonly z.core.$ZodIssue[]): ContractError => {
  const issue = issues[0];
  return new ContractError(iface, direction, issue ? formatPath(issue.path) : 'Data', issue ? issueMessage(issue) : 'invalid');
};

/**
 * Canonical Data → the exact wire object of `dialect`. Strict: a key the catalog schema does not
 * have (at any depth) is refused, and the written object is validated against the catalog schema
 * (required fields, types, enums, ranges — after rounding, so 116.3971284 → 116.397128 is fine).
 * Throws ContractError (a TypeError) naming the first offending field: a programming error of the
 * caller (a handler, a builder), never a partner's input.
 */
export function toWire(iface: InterfaceName, direction: Direction, canonical: unknown, dialect: Dialect): Record<string, unknown> {
  if (!isPlainObject(canonical)) throw new ContractError(iface, direction, 'Data', 'must be an object');
  const schema: z.core.$ZodType = INTERFACES[iface][direction];
  const node = nodeOf(schema);
  if (node.kind !== 'object') throw new TypeError(`${iface} ${direction}: schema is not an object`);
  const ctx: Ctx = { iface, direction, dialect };
  const out = emitObject(node.shape, canonical, ctx, true, []);
  if (dialect === 'xiaoju' && iface === 'query_station_status' && direction === 'response' && typeof out.Total === 'number') {
    out.Total = String(out.Total);
  }
  // the lenient parse reads every dialect, so the written object is checked as the partner will read it
  const r = z.safeParse(schema, out);
  if (!r.success) throw contractError(iface, direction, r.error.issues);
  return out;
}

/** Wire Data (any dialect, any key casing) → canonical, validated; `msg` names the offending field. */
export function fromWire<N extends InterfaceName, D extends Direction>(iface: N, direction: D, wire: unknown): ParseResult<DataOf<N, D>> {
  return parseData(iface, direction, wire);
}
