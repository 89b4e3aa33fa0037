/**
 * Partner profiles (the customised interconnection, "msp"): a profile is DATA saying how one
 * partner's contract differs from a dialect (reference §1.3, §5.1, §5.2, §5.5):
 *
 *   extends     a dialect (`cec2016`, `xiaoju`) or another profile
 *   servedAt    the path prefix its partners call (`/evcs/v1/`, or its own such as `/msp/bmw/v1/`)
 *   push        where its notifications go: token path, notifications under the base URL or at its
 *               root, a version segment
 *   rename      { <interface>: { <field path>: <new name> } }
 *   omit        { <interface>: [<field path>, …] }
 *   add         { <interface>: { <field path>: { const: value } | { fn: <named function> } } }
 *   map         { <interface>: { <field path>: { <canonical value>: <wire value> } } }
 *   extensions  extension interfaces its partners may call (catalog interfaces marked `extension`)
 *   supervision a government supervision platform's rules (§5.3, §1.8): the interfaces it receives,
 *               the deadline of each timed push (s from the event), the resend schedule, the charge
 *               status interval, the nightly check_charge_orders window, its base path and the
 *               names it calls interfaces by; extra fields are `add` entries computed by `fact`
 *
 * `<interface>` is a catalog name, optionally `.request` / `.response` (without: the directions
 * whose schema has the field). A field path names nested fields with `.` and array elements with
 * `[]`: `ChargeDetails[].DetailPower`; segments are catalog names (the dialect's spelling, such as
 * `ServiceMoney`, is accepted and read as the catalog's `SeviceMoney`).
 *
 * Applied ONLY at the edges (the gateway for what partners call, the push deliverer for what we
 * send), around the same core: `profileToWire` after `toWire` (exact out), `profileFromWire` before
 * `fromWire` (lenient in: the profile's spelling and the canonical one are both read). Nothing in
 * charging, baseinfo or push knows a profile exists. Validated at load: an unknown interface or
 * field, a rename onto a name that already exists, an unknown function → ProfileError naming it.
 */
import * as z from 'zod/mini';
import { atImport } from '../domain/once.ts';
import { DIALECTS, type Dialect, fieldDp, fromWire, toWire, wireName } from './dialect.ts';
import {
  type DataOf,
  type Direction,
  INTERFACE_NAMES,
  INTERFACES,
  type InterfaceName,
  type ParseResult,
  schemasBundled,
} from './interfaces.ts';
import { round } from './money.ts';
import { objectShapeOf, STATION_ATTRIBUTES } from './schemas.ts';

// ---------------------------------------------------------------------------------------------
// the data

/** What a computed field is computed from: the canonical object that holds it and who is talking. */
interface ComputeContext {
  /** our OperatorID (the platform's) */
  readonly ourOperatorId: string;
  /** the partner's OperatorID */
  readonly partnerOperatorId: string;
  /** the canonical object the field is added to (StationInfo, StationStatusInfo, the Data itself…) */
  readonly parent: Readonly<Record<string, unknown>>;
  /** the added field's name */
  readonly field: string;
  /** what the push carries beside its Data (a supervision push: the order's facts, shared/push/supervision.ts) */
  readonly facts?: Readonly<Record<string, string | number>> | undefined;
}

/**
 * The named functions a profile may compute a field from. Each returns undefined when it has
 * nothing to say, and the field is then left out (never a made-up value).
 */
const PROFILE_FUNCTIONS = {
  /** our OperatorID (DiDi: `OperatorID` in the query_equip_auth answer) */
  ourOperatorId: (c: ComputeContext) => c.ourOperatorId,
  /** our OperatorID followed by the StationID (DiDi: `FullStationID` in station status) */
  fullStationId: (c: ComputeContext) => (typeof c.parent.StationID === 'string' ? `${c.ourOperatorId}${c.parent.StationID}` : undefined),
  /** the station attribute of the same name from the station model (DiDi's StationInfo ints) */
  stationAttribute: (c: ComputeContext) => (typeof c.parent[c.field] === 'number' ? c.parent[c.field] : undefined),
  /** TotalMoney in fen (integer cents) */
  moneyInFen: (c: ComputeContext) => (typeof c.parent.TotalMoney === 'number' ? Math.round(c.parent.TotalMoney * 100) : undefined),
  /** the charging duration in whole seconds, from StartTime and EndTime */
  durationSeconds: (c: ComputeContext) => {
    const t = (v: unknown) => (typeof v === 'string' ? Date.parse(`${v.replace(' ', 'T')}Z`) : Number.NaN);
    const s = (t(c.parent.EndTime) - t(c.parent.StartTime)) / 1000;
    return Number.isFinite(s) && s >= 0 ? s : undefined;
  },
  /** the fact of the field's name the push carries (a supervision order's UserName, MeterValueStart, Vin…) */
  fact: (c: ComputeContext) => c.facts?.[c.field],
} as const satisfies Record<string, (c: ComputeContext) => unknown>;
type ProfileFunction = keyof typeof PROFILE_FUNCTIONS;
const FUNCTION_NAMES = /* @__PURE__ */ atImport(() => Object.keys(PROFILE_FUNCTIONS) as [ProfileFunction, ...ProfileFunction[]]);

/** AreaCode prefixes (GB/T 2260 digits): '11' Beijing, '5101' Chengdu */
export const AreaCodePrefixSchema = /* @__PURE__ */ atImport(() =>
  z.string().check(z.regex(/^\d{2,6}$/, 'an AreaCode prefix: 2 to 6 digits')),
);

/**
 * The schema of a profile spec: built on the first custom profile it checks (a seed's, a partner's).
 * The built-in profiles are typed constants, checked by test/unit/tcec/profiles.test.ts, so a function
 * serving partners under built-in profiles never builds it (issue 9 §4: ~5 ms of CPU at import).
 */
const profileSpecSchema = (() => {
  let schema: ReturnType<typeof buildProfileSpecSchema> | undefined;
  return () => {
    schema ??= buildProfileSpecSchema();
    return schema;
  };
})();

function buildProfileSpecSchema() {
  const Scalar = z.union([z.string(), z.number(), z.boolean()]);
  const FieldPath = z
    .string()
    .check(
      z.regex(/^[A-Za-z][A-Za-z0-9_]*(?:\[\])?(?:\.[A-Za-z][A-Za-z0-9_]*(?:\[\])?)*$/, 'a field path such as ChargeDetails[].DetailPower'),
    );
  const FieldName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a field name'));
  const PerInterface = <T extends z.core.$ZodType>(v: T) => z.optional(z.record(z.string(), v));
  const HHmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm'));
  const posInt = () => z.int().check(z.positive());

  const SupervisionSpecSchema = z.strictObject({
    /** the pushes it receives (catalog names), check_charge_orders for the nightly check */
    interfaces: z.array(z.string()).check(z.minLength(1)),
    /** seconds from the event to the delivered (Ret 0) push, per interface: later is an SLA breach */
    deadlines: z.optional(z.record(z.string(), posInt())),
    /** seconds before each resend of a failed push; after the last one the push goes to the DLQ */
    resendSeconds: z.array(posInt()).check(z.minLength(1), z.maxLength(30)),
    /**
     * Ret codes that END a push, per interface: the platform already holds the data (provincial: Ret
     * 4015 on an order, §1.6/§5.3 [IX-PROV]); the push counts as delivered with that Ret, no resend, no DLQ
     */
    finalRets: z.optional(z.record(z.string(), z.array(z.int()).check(z.minLength(1), z.maxLength(10)))),
    /** notification_realtime_power_info every so many seconds (a multiple of the schedule's 5 min; infra/topology/dxp.ts) */
    realtimePowerSeconds: z.optional(posInt()),
    /** notification_equip_charge_status cadence while charging */
    statusIntervalSeconds: z.optional(posInt()),
    /** the nightly check_charge_orders (China time) for the previous day */
    check: z.optional(z.strictObject({ from: HHmm, to: HHmm })),
    /**
     * the charging-process sample resolution of its exports, s: at most one sample per order and
     * slot of this many seconds (floor(time / sampleSeconds), the first of the slot). A divisor of
     * 3600 (a slot never straddles an hour: the hourly parts and the day's export keep the same
     * samples). Absent: every stored sample (PROCESS_SAMPLE_SECONDS, default 30 s); finer than that
     * gives the stored resolution.
     */
    sampleSeconds: z.optional(
      posInt().check(
        z.lte(3600),
        z.refine((v) => 3600 % v === 0, 'a divisor of 3600 (1, 2, …, 30, 60, …, 3600)'),
      ),
    ),
    /** how fast our answers to its queries must be (ms; documented, measured by the gateway bench) */
    queryAnswerMs: z.optional(posInt()),
    /** AreaCode prefixes of its region when the partner entry gives none */
    areaCodes: z.optional(z.array(AreaCodePrefixSchema)),
    /** the path under the partner's origin its interfaces live at (`evcs/20160701`) */
    basePath: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/, 'a path such as evcs/20160701'))),
    /** the name it calls an interface by (Chengdu: check_charge_orders → check_charge_order) */
    names: z.optional(z.record(z.string(), z.string().check(z.regex(/^[A-Za-z_]+$/)))),
  });
  return z.strictObject({
    /** a dialect or another profile */
    extends: z.string().check(z.minLength(1)),
    description: z.optional(z.string().check(z.maxLength(300))),
    /** the path prefix partners call, with slashes on both ends: `/evcs/v1/`, `/msp/bmw/v1/` */
    servedAt: z.optional(z.string().check(z.regex(/^\/(?:[A-Za-z0-9._-]+\/)+$/, 'a path prefix such as /msp/<profile>/v1/'))),
    push: z.optional(
      z.strictObject({
        /** query_token's path from the ROOT of the partner's base URL (DiDi: `evcs/sdk/query_token`) */
        tokenPath: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._/-]+$/))),
        /** notifications and check_charge_orders: under the partner's base URL (default) or at its root */
        notificationsAt: z.optional(z.enum(['base', 'root'])),
        /** a version segment between the base URL and the interface name (`v1.0`) */
        version: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._-]+$/))),
      }),
    ),
    rename: PerInterface(z.record(FieldPath, FieldName)),
    omit: PerInterface(z.array(FieldPath)),
    add: PerInterface(z.record(FieldPath, z.union([z.strictObject({ const: Scalar }), z.strictObject({ fn: z.enum(FUNCTION_NAMES) })]))),
    map: PerInterface(z.record(FieldPath, z.record(z.string(), Scalar))),
    extensions: z.optional(z.array(z.string())),
    supervision: z.optional(SupervisionSpecSchema),
    /** an OEM's profile (one-to-one msp deployment): its partners are served by its own stack only, never the core's (not inherited) */
    oem: z.optional(z.boolean()),
  });
}
export type ProfileSpec = z.infer<ReturnType<typeof buildProfileSpecSchema>>;
type SupervisionSpec = NonNullable<ProfileSpec['supervision']>;

/** Profile names: lower-case words, as in a URL segment. */
export const ProfileNameSchema = /* @__PURE__ */ atImport(() =>
  z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'a profile name: lower-case letters, digits, -')),
);

const EVCS_PREFIX = '/evcs/v1/';

/** the supervision order's extra fields (§5.3), each from the push's facts */
const ORDER_FACTS = ['UserName', 'StationID', 'EquipmentID', 'ConnectorPower', 'ChargeLast', 'MeterValueStart', 'MeterValueEnd'];
const facts = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, { fn: 'fact' as const }]));

/** Government supervision platforms (§5.3, §1.8, §3.12–3.13): partners of kind `supervision` name one. */
const SUPERVISION_PROFILES: Readonly<Record<string, ProfileSpec>> = /* @__PURE__ */ atImport(() => ({
  beijing: {
    extends: 'cec2016',
    description:
      'Beijing e充网: start/stop results within 50 s, charge status every 50 s, the bonus order within 150 s (resend 150 s … 1800 s, 3600 s), check_charge_orders 00:00–03:00, queries answered within 1 s',
    supervision: {
      interfaces: [
        'notification_stationStatus',
        'notification_start_charge_result',
        'notification_equip_charge_status',
        'notification_stop_charge_result',
        'notification_charge_order_info_for_bonus',
        'check_charge_orders',
      ],
      deadlines: {
        notification_start_charge_result: 50,
        notification_stop_charge_result: 50,
        notification_charge_order_info_for_bonus: 150,
      },
      // 150, 300, …, 1800 (every 150 s), then 3600
      resendSeconds: [...Array.from({ length: 12 }, (_, i) => 150 * (i + 1)), 3600],
      statusIntervalSeconds: 50,
      check: { from: '00:00', to: '03:00' },
      queryAnswerMs: 1000,
      areaCodes: ['11'],
      basePath: 'evcs/20160701',
    },
  },
  chengdu: {
    extends: 'cec2016',
    description:
      'Chengdu: the order within 30 s (resend 15/15/30/180/1800×4/3600 s) with the supervision fields, ChargeModel and Vin in the start result, subsidy records and station changes, status every 50 s',
    supervision: {
      interfaces: [
        'notification_stationStatus',
        'notification_start_charge_result',
        'notification_equip_charge_status',
        'notification_stop_charge_result',
        'notification_charge_order_info',
        'notification_records_amount_info',
        'notification_station_change',
        'check_charge_orders',
      ],
      deadlines: {
        notification_start_charge_result: 50,
        notification_stop_charge_result: 50,
        notification_charge_order_info: 30,
      },
      resendSeconds: [15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600],
      statusIntervalSeconds: 50,
      check: { from: '00:00', to: '03:00' },
      queryAnswerMs: 1000,
      areaCodes: ['5101'],
      basePath: 'evcs/20160701',
      names: { check_charge_orders: 'check_charge_order' },
    },
    add: {
      notification_start_charge_result: facts(['ChargeModel', 'Vin']),
      notification_charge_order_info: facts(ORDER_FACTS),
    },
  },
  provincial: {
    extends: 'cec2016',
    description:
      'A provincial platform: station info and status on change, charge status every 5 min, orders as OrderNo/TotalElect, real-time station power',
    supervision: {
      interfaces: [
        'notification_stationInfo',
        'notification_stationStatus',
        'notification_equip_charge_status',
        'notification_charge_order_info',
        'notification_realtime_power_info',
      ],
      // §1.8: resent more than 3 times about a minute apart, then less often
      resendSeconds: [60, 60, 60, 300, 900, 3600],
      // an order it already stored answers Ret 4015: final, not resent
      finalRets: { notification_charge_order_info: [4015] },
      statusIntervalSeconds: 300,
      realtimePowerSeconds: 300,
    },
    rename: { notification_charge_order_info: { StartChargeSeq: 'OrderNo', TotalPower: 'TotalElect' } },
  },
}));

/** The built-in profiles (reference §5.1 for DiDi 小桔 1.4.0). */
const BUILT_IN_PROFILES: Readonly<Record<string, ProfileSpec>> = /* @__PURE__ */ atImport(() => ({
  cec2016: { extends: 'cec2016', description: 'T/CEC 102-2016 as written (Sevice*, numeric Total)' },
  xiaoju: { extends: 'xiaoju', description: 'DiDi 小桔 spellings (Service*, ElectMoney in the query answer, Total a string)' },
  didi: {
    extends: 'xiaoju',
    description:
      "DiDi 小桔 1.4.0: xiaoju fields, DiDi's extra StationInfo ints, FullStationID, OperatorID in equip_auth; DiDi's push layout",
    push: { tokenPath: 'evcs/sdk/query_token', notificationsAt: 'root' },
    // DiDi 1.4.0's ground-lock and parking extensions (reference §5.1), on by default
    extensions: [
      'query_ground_locks',
      'query_ground_lock_auth',
      'query_drop_lock',
      'query_drop_lock_result',
      'query_parking_free_info',
      'query_parking_station',
      'query_parking_free_wave',
      'modify_parking_fee_wave_car_number',
    ],
    add: {
      'query_stations_info.response': Object.fromEntries(
        STATION_ATTRIBUTES.map((k) => [`StationInfos[].${k}`, { fn: 'stationAttribute' as const }]),
      ),
      'query_station_status.response': { 'StationStatusInfos[].FullStationID': { fn: 'fullStationId' } },
      'query_equip_auth.response': { OperatorID: { fn: 'ourOperatorId' } },
    },
  },
  'oem-example': {
    extends: 'cec2016',
    description:
      'An OEM (one-to-one msp deployment): its own prefix, the order push with the paid amount in fen, the charging time, the car (Vin, PlateNum: plug-and-charge) and a renamed money field',
    servedAt: '/msp/oem-example/v1/',
    oem: true,
    rename: { notification_charge_order_info: { TotalMoney: 'OrderMoney' } },
    add: {
      notification_charge_order_info: {
        OrderMoneyFen: { fn: 'moneyInFen' },
        ChargeSeconds: { fn: 'durationSeconds' },
        Oem: { const: 'oem-example' },
        // the car of a plug-and-charge order (shared/domain/vin.ts): left out when the order has none
        Vin: { fn: 'fact' },
        PlateNum: { fn: 'fact' },
      },
    },
    omit: { notification_charge_order_info: ['ChargeDetails[].DetailSeviceMoney'] },
    map: { notification_stationStatus: { 'ConnectorStatusInfo.Status': { '255': 9 } } },
  },
  ...SUPERVISION_PROFILES,
}));

// ---------------------------------------------------------------------------------------------
// validation and resolution

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

type Seg = { name: string; each: boolean };
const segments = (path: string): Seg[] =>
  path.split('.').map((s) => (s.endsWith('[]') ? { name: s.slice(0, -2), each: true } : { name: s, each: false }));

interface Op {
  readonly path: readonly Seg[];
  readonly text: string;
}
interface RenameOp extends Op {
  readonly to: string;
}
interface AddOp extends Op {
  readonly value: { const: string | number | boolean } | { fn: ProfileFunction };
}
interface MapOp extends Op {
  /** canonical value (as text) → wire value */
  readonly values: Readonly<Record<string, string | number | boolean>>;
}
interface Changes {
  rename: RenameOp[];
  omit: Op[];
  add: AddOp[];
  map: MapOp[];
}

export interface Profile {
  readonly name: string;
  readonly dialect: Dialect;
  readonly servedAt: string;
  readonly push: NonNullable<ProfileSpec['push']>;
  readonly extensions: ReadonlySet<InterfaceName>;
  /** the spec chain's field changes (its own and its bases') as written */
  readonly entries: readonly Entry[];
  /** the field changes of an interface and direction, resolved against the catalog on first use */
  readonly changes: (iface: InterfaceName, dir: Direction) => Changes | undefined;
  /** the flattened spec (for docs) */
  readonly spec: ProfileSpec;
  /** a supervision platform's rules, validated against the catalog */
  readonly supervision?: Supervision;
}

/** A supervision profile's rules, resolved: interface names checked against the catalog. */
export interface Supervision extends Omit<SupervisionSpec, 'interfaces' | 'deadlines' | 'finalRets'> {
  readonly interfaces: ReadonlySet<InterfaceName>;
  readonly deadlines: Readonly<Partial<Record<InterfaceName, number>>>;
  readonly finalRets: Readonly<Partial<Record<InterfaceName, readonly number[]>>>;
}

/** Validate a supervision section (names in the catalog, deadlines of listed interfaces, a sane window). */
function resolveSupervision(name: string, spec: SupervisionSpec): Supervision {
  const at = (k: string) => `profiles.${name}.supervision.${k}`;
  const interfaces = new Set<InterfaceName>();
  for (const [i, n] of spec.interfaces.entries()) {
    if (!(INTERFACE_NAMES as readonly string[]).includes(n)) throw new ProfileError(`${at(`interfaces.${i}`)}: unknown interface '${n}'`);
    if (INTERFACES[n as InterfaceName].implementedBy === 'cpo')
      throw new ProfileError(`${at(`interfaces.${i}`)}: '${n}' is served by us, not pushed to the platform`);
    interfaces.add(n as InterfaceName);
  }
  for (const section of ['deadlines', 'names', 'finalRets'] as const)
    for (const k of Object.keys(spec[section] ?? {}))
      if (!interfaces.has(k as InterfaceName)) throw new ProfileError(`${at(`${section}.${k}`)}: not one of its interfaces`);
  for (const [k, rets] of Object.entries(spec.finalRets ?? {}))
    for (const [i, r] of rets.entries())
      if (r === 0 || r === -1 || r === 500 || r === 4002)
        throw new ProfileError(`${at(`finalRets.${k}.${i}`)}: Ret ${r} cannot be final (0 is success; -1, 500, 4002 are retried)`);
  if (spec.check && !interfaces.has('check_charge_orders'))
    throw new ProfileError(`${at('check')}: a check window without check_charge_orders among its interfaces`);
  if (spec.check && spec.check.from >= spec.check.to) throw new ProfileError(`${at('check')}: from must be before to`);
  if (spec.realtimePowerSeconds !== undefined && !interfaces.has('notification_realtime_power_info'))
    throw new ProfileError(`${at('realtimePowerSeconds')}: without notification_realtime_power_info among its interfaces`);
  if (interfaces.has('notification_equip_charge_status') && !spec.statusIntervalSeconds)
    throw new ProfileError(`${at('statusIntervalSeconds')}: needed for notification_equip_charge_status`);
  return {
    ...spec,
    interfaces,
    deadlines: (spec.deadlines ?? {}) as Supervision['deadlines'],
    finalRets: (spec.finalRets ?? {}) as Supervision['finalRets'],
  };
}

const DIRECTIONS: readonly Direction[] = ['request', 'response'];

type Shape = Readonly<Record<string, z.core.$ZodType>>;
interface DefLike {
  type: string;
  innerType?: z.core.$ZodType;
  out?: z.core.$ZodType;
  element?: z.core.$ZodType;
  shape?: Shape;
}
const defOf = (s: z.core.$ZodType): DefLike => (s as unknown as { _zod: { def: DefLike } })._zod.def;
/** an object schema's shape, an array's element, behind optional/default/pipe wrappers */
function unwrap(s: z.core.$ZodType): { shape?: Shape; element?: z.core.$ZodType } {
  const shape = objectShapeOf(s);
  if (shape) return { shape };
  const d = defOf(s);
  if (d.type === 'object') return { shape: d.shape ?? {} };
  if (d.type === 'array' && d.element) return { element: d.element };
  const inner = d.innerType ?? (d.type === 'pipe' ? d.out : undefined);
  return inner ? unwrap(inner) : {};
}

/** every spelling a dialect writes for a catalog key (for reading a path written in the dialect's spelling) */
const canonicalKey = (
  shape: Shape,
  key: string,
  iface: InterfaceName,
  dir: Direction,
  dialect: Dialect,
  top: boolean,
): string | undefined => {
  if (Object.hasOwn(shape, key)) return key;
  for (const k of Object.keys(shape)) if (wireName(iface, dir, dialect, k, top) === key) return k;
  return undefined;
};

/**
 * Resolve `path` in the catalog schema of iface/dir: the canonical segments and the shape of the
 * object holding the last one, or a message saying which segment is wrong. `leafMayBeNew`: for
 * `add`, the last segment names a field not in the schema.
 */
function resolvePath(
  iface: InterfaceName,
  dir: Direction,
  dialect: Dialect,
  path: string,
  leafMayBeNew: boolean,
): { segs: Seg[]; parent: Shape } | { error: string } {
  const segs = segments(path);
  let shape = unwrap(INTERFACES[iface][dir]).shape as Shape;
  const out: Seg[] = [];
  for (const [i, seg] of segs.entries()) {
    const last = i === segs.length - 1;
    const key = canonicalKey(shape, seg.name, iface, dir, dialect, i === 0);
    if (key === undefined) {
      if (last && leafMayBeNew && !seg.each) return { segs: [...out, seg], parent: shape };
      return { error: `${seg.name} is not a field of ${i === 0 ? `${iface} ${dir}` : out.map((s) => s.name).join('.')}` };
    }
    const u = unwrap(shape[key] as z.core.$ZodType);
    if (seg.each && !u.element) return { error: `${key} is not an array (drop the [])` };
    if (!seg.each && u.element && !last) return { error: `${key} is an array: write ${key}[]` };
    out.push({ name: key, each: seg.each });
    if (last) return { segs: out, parent: shape };
    const next = seg.each ? unwrap(u.element as z.core.$ZodType).shape : u.shape;
    if (!next) return { error: `${key} has no fields` };
    shape = next;
  }
  return { error: 'empty path' };
}

const splitKey = (key: string): { iface: InterfaceName; dirs: readonly Direction[]; explicit: boolean } | undefined => {
  const m = /^([A-Za-z_]+)(?:\.(request|response))?$/.exec(key);
  if (!m || !(INTERFACE_NAMES as readonly string[]).includes(m[1] as string)) return undefined;
  const dir = m[2] as Direction | undefined;
  return { iface: m[1] as InterfaceName, dirs: dir ? [dir] : DIRECTIONS, explicit: dir !== undefined };
};

/** the direction we write: the response of what we serve, the request of what we push */
const outDirection = (iface: InterfaceName): Direction => (INTERFACES[iface].implementedBy === 'partner' ? 'request' : 'response');

const isDialect = (s: string): s is Dialect => (DIALECTS as readonly string[]).includes(s);

/**
 * Validate and resolve every profile (built-ins plus `custom`, a seed's `profiles`): the chain of
 * `extends` down to a dialect, each change checked against the catalog. Throws ProfileError naming
 * the profile, the interface and the field.
 */
export function loadProfiles(custom: Readonly<Record<string, unknown>> = {}): ReadonlyMap<string, Profile> {
  const specs = new Map<string, ProfileSpec>();
  for (const [name, raw] of Object.entries({ ...BUILT_IN_PROFILES, ...custom })) {
    // a built-in is a typed constant, checked by the tests: only a custom spec is parsed
    if (!Object.hasOwn(custom, name)) {
      specs.set(name, raw as ProfileSpec);
      continue;
    }
    const n = ProfileNameSchema.safeParse(name);
    if (!n.success) throw new ProfileError(`profiles.${name}: ${n.error.issues[0]?.message ?? 'invalid name'}`);
    const r = profileSpecSchema().safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new ProfileError(`profiles.${name}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
    }
    if (Object.hasOwn(custom, name) && Object.hasOwn(BUILT_IN_PROFILES, name))
      throw new ProfileError(`profiles.${name}: a built-in profile of that name exists`);
    specs.set(name, r.data);
  }
  const out = new Map<string, Profile>();
  const resolve = (name: string, seen: readonly string[]): Profile => {
    const done = out.get(name);
    if (done) return done;
    const spec = specs.get(name);
    if (!spec) throw new ProfileError(`profiles.${seen.at(-1) ?? name}.extends: unknown profile or dialect '${name}'`);
    if (seen.includes(name)) throw new ProfileError(`profiles.${name}.extends: a cycle (${[...seen, name].join(' → ')})`);
    const base =
      spec.extends === name && isDialect(name)
        ? undefined
        : isDialect(spec.extends) && !specs.has(spec.extends)
          ? undefined
          : resolve(spec.extends, [...seen, name]);
    const dialect: Dialect = base?.dialect ?? (isDialect(spec.extends) ? spec.extends : 'cec2016');
    const p = buildProfile(name, spec, dialect, base, Object.hasOwn(custom, name));
    out.set(name, p);
    return p;
  };
  for (const name of specs.keys()) resolve(name, []);
  return out;
}

/** Check every field change of `profile` (its bases' included) against the catalog: ProfileError naming the first that does not resolve. */
export function checkProfile(profile: Profile): void {
  checkEntries(profile.entries, profile.dialect);
}

/** One field change as a profile's spec writes it (section, interface key, field path), with the profile that wrote it. */
interface Entry {
  readonly from: string;
  readonly section: 'rename' | 'omit' | 'add' | 'map';
  readonly key: string;
  readonly path: string;
  readonly value?: unknown;
}

/** the entries of one spec, in the order they apply (within a section: the base's first, then the spec's) */
function entriesOf(name: string, spec: ProfileSpec): Entry[] {
  const out: Entry[] = [];
  for (const [key, fields] of Object.entries(spec.rename ?? {}))
    for (const [path, to] of Object.entries(fields)) out.push({ from: name, section: 'rename', key, path, value: to });
  for (const [key, paths] of Object.entries(spec.omit ?? {}))
    for (const path of paths) out.push({ from: name, section: 'omit', key, path });
  for (const [key, fields] of Object.entries(spec.add ?? {}))
    for (const [path, value] of Object.entries(fields)) out.push({ from: name, section: 'add', key, path, value });
  for (const [key, fields] of Object.entries(spec.map ?? {}))
    for (const [path, values] of Object.entries(fields)) out.push({ from: name, section: 'map', key, path, value: values });
  return out;
}

const where = (e: Entry, withPath = true) => `profiles.${e.from}.${e.section}.${e.key}${withPath ? `.${e.path}` : ''}`;

/** the interface of an entry and the directions it applies to; ProfileError for an interface not in the catalog */
function targetsOf(e: Entry): { iface: InterfaceName; dirs: readonly Direction[] } {
  const k = splitKey(e.key);
  if (!k) throw new ProfileError(`${where(e, false)}: unknown interface '${e.key}'`);
  // an added field without a direction goes where we write: our answers, our pushes
  return { iface: k.iface, dirs: e.section === 'add' && !k.explicit ? [outDirection(k.iface)] : k.dirs };
}

/**
 * The op of entry `e` in one direction (resolved against the catalog schema, which this builds), or
 * the reason its path is not in that direction's Data. ProfileError for a rename onto an existing
 * name or an added field that exists.
 */
function opOf(e: Entry, iface: InterfaceName, dir: Direction, dialect: Dialect): { error: string } | { op: Op } {
  const r = resolvePath(iface, dir, dialect, e.path, e.section === 'add');
  if ('error' in r) return r;
  const leaf = r.segs.at(-1) as Seg;
  switch (e.section) {
    case 'rename': {
      const to = e.value as string;
      const top = r.segs.length === 1;
      const taken = Object.keys(r.parent).some((f) => f !== leaf.name && (f === to || wireName(iface, dir, dialect, f, top) === to));
      if (taken) throw new ProfileError(`${where(e)}: renames ${leaf.name} to ${to}, which already exists`);
      return { op: { path: r.segs, text: e.path, to } as RenameOp };
    }
    case 'add': {
      const profileOnly = (STATION_ATTRIBUTES as readonly string[]).includes(leaf.name);
      if (Object.hasOwn(r.parent, leaf.name) && !profileOnly)
        throw new ProfileError(`${where(e)}: ${leaf.name} already exists (rename or map it instead)`);
      return { op: { path: r.segs, text: e.path, value: e.value } as AddOp };
    }
    case 'map':
      return { op: { path: r.segs, text: e.path, values: e.value } as MapOp };
    default:
      return { op: { path: r.segs, text: e.path } };
  }
}

/**
 * Every entry resolves in at least one of its directions (else ProfileError naming it): a profile
 * checked against the catalog. In a Lambda bundle that holds only its own interfaces' schemas
 * (shared/tcec/interfaces.ts, `schemasBundled`), an entry of another interface is checked by the
 * functions serving or calling it, not here: its name still is (an unknown interface is an error).
 */
function checkEntries(entries: readonly Entry[], dialect: Dialect): void {
  for (const e of entries) {
    const { iface, dirs } = targetsOf(e);
    if (!schemasBundled(iface)) continue;
    let firstError = '';
    let found = 0;
    for (const dir of dirs) {
      const r = opOf(e, iface, dir, dialect);
      if ('error' in r) firstError ||= r.error;
      else found++;
    }
    if (found === 0) throw new ProfileError(`${where(e)}: ${firstError}`);
  }
}

/** The changes of one interface and direction, resolved on first use (building that direction's schema only) and kept. */
function lazyChanges(entries: readonly Entry[], dialect: Dialect): (iface: InterfaceName, dir: Direction) => Changes | undefined {
  const resolved = new Map<string, Changes | undefined>();
  return (iface, dir) => {
    const k = `${iface}.${dir}`;
    if (resolved.has(k)) return resolved.get(k);
    const c: Changes = { rename: [], omit: [], add: [], map: [] };
    for (const e of entries) {
      if (splitKey(e.key)?.iface !== iface) continue;
      if (!targetsOf(e).dirs.includes(dir)) continue;
      const r = opOf(e, iface, dir, dialect);
      if ('op' in r) (c[e.section] as Op[]).push(r.op);
    }
    // renames of the deepest fields first, so a renamed object's own fields are still found
    c.rename.sort((a, b) => b.path.length - a.path.length);
    const any = c.rename.length + c.omit.length + c.add.length + c.map.length > 0;
    resolved.set(k, any ? c : undefined);
    return any ? c : undefined;
  };
}

/**
 * A resolved profile. Its own field changes are checked against the catalog when `check` (a seed's or
 * a partner's custom profile: an error is the operator's, reported at load); the built-ins' are
 * checked by test/unit/tcec/profiles.test.ts (`checkProfile`), so resolving them at load would only
 * build schemas a function may never use. Either way each interface and direction is resolved on
 * first use.
 */
function buildProfile(name: string, spec: ProfileSpec, dialect: Dialect, base: Profile | undefined, check: boolean): Profile {
  const own = entriesOf(name, spec);
  if (check) checkEntries(own, dialect);
  const entries = [...(base?.entries ?? []), ...own];
  const extensions = new Set<InterfaceName>(base?.extensions ?? []);
  for (const e of spec.extensions ?? []) {
    const decl = (INTERFACES as Readonly<Record<string, { extension?: boolean }>>)[e];
    if (!decl?.extension) throw new ProfileError(`profiles.${name}.extensions: '${e}' is not an extension interface of the catalog`);
    extensions.add(e as InterfaceName);
  }
  const merge = <T>(a: Record<string, T> | undefined, b: Record<string, T> | undefined) => (a || b ? { ...a, ...b } : undefined);
  const flat: ProfileSpec = {
    extends: spec.extends,
    ...(spec.description ? { description: spec.description } : {}),
    servedAt: spec.servedAt ?? base?.servedAt ?? EVCS_PREFIX,
    ...(spec.push || base?.push ? { push: { ...base?.push, ...spec.push } } : {}),
  };
  for (const section of ['rename', 'omit', 'add', 'map'] as const) {
    const m = merge(base?.spec[section] as Record<string, never> | undefined, spec[section] as Record<string, never> | undefined);
    if (m) (flat as Record<string, unknown>)[section] = m;
  }
  if (extensions.size) flat.extensions = [...extensions];
  // an OEM's own profile only: a profile extending it (another prefix, served by the core) is not the OEM's
  if (spec.oem) flat.oem = true;
  const supervisionSpec = spec.supervision ?? base?.spec.supervision;
  if (supervisionSpec) flat.supervision = supervisionSpec;
  return {
    ...(supervisionSpec ? { supervision: resolveSupervision(name, supervisionSpec) } : {}),
    name,
    dialect,
    servedAt: flat.servedAt as string,
    push: flat.push ?? {},
    extensions,
    entries,
    changes: lazyChanges(entries, dialect),
    spec: flat,
  };
}

// ---------------------------------------------------------------------------------------------
// application

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Visit the objects holding the last segment: `visit(wireParent, canonicalParent, wireKey)` for
 * every match (arrays walked element by element, in step in the wire and canonical trees).
 */
function walk(
  segs: readonly Seg[],
  wire: unknown,
  canonical: unknown,
  keyOf: (seg: string, depth: number) => string,
  visit: (w: Obj, c: Obj, key: string) => void,
  depth = 0,
): void {
  if (!isObj(wire)) return;
  const c = isObj(canonical) ? canonical : {};
  const seg = segs[0] as Seg;
  const key = keyOf(seg.name, depth);
  if (segs.length === 1) {
    if (seg.each) return;
    visit(wire, c, key);
    return;
  }
  const wv = wire[key];
  const cv = c[seg.name];
  if (seg.each) {
    if (!Array.isArray(wv)) return;
    for (const [i, w] of wv.entries()) walk(segs.slice(1), w, Array.isArray(cv) ? cv[i] : undefined, keyOf, visit, depth + 1);
  } else {
    walk(segs.slice(1), wv, cv, keyOf, visit, depth + 1);
  }
}

export interface EdgeContext {
  readonly ourOperatorId: string;
  readonly partnerOperatorId: string;
  /** the facts a supervision push carries for the profile's `fact` fields */
  readonly facts?: Readonly<Record<string, string | number>> | undefined;
}

/**
 * Canonical Data → the exact wire Data of `profile`: the dialect's `toWire` (strict about our
 * Data), then the profile's value maps, additions, omissions and renames. Throws ContractError as
 * toWire does.
 */
export function profileToWire(profile: Profile, iface: InterfaceName, direction: Direction, canonical: unknown, ctx: EdgeContext): Obj {
  const wire = toWire(iface, direction, canonical, profile.dialect);
  const c = profile.changes(iface, direction);
  if (!c) return wire;
  const keyOf = (seg: string, depth: number) => wireName(iface, direction, profile.dialect, seg, depth === 0);
  for (const op of c.map) {
    walk(op.path, wire, canonical, keyOf, (w, _c, key) => {
      if (w[key] === undefined) return;
      const to = op.values[String(w[key])];
      if (to !== undefined) w[key] = to;
    });
  }
  for (const op of c.add) {
    const leaf = (op.path.at(-1) as Seg).name;
    walk(
      op.path,
      wire,
      canonical,
      (seg, depth) => (seg === leaf && depth === op.path.length - 1 ? seg : keyOf(seg, depth)),
      (w, cp, key) => {
        const v =
          'const' in op.value
            ? op.value.const
            : PROFILE_FUNCTIONS[op.value.fn]({
                ourOperatorId: ctx.ourOperatorId,
                partnerOperatorId: ctx.partnerOperatorId,
                facts: ctx.facts,
                parent: cp,
                field: leaf,
              });
        if (v === undefined || v === null) return;
        const dp = typeof v === 'number' ? fieldDp(leaf) : undefined;
        w[key] = dp === undefined ? v : round(v as number, dp);
      },
    );
  }
  for (const op of c.omit) {
    walk(op.path, wire, canonical, keyOf, (w, _c, key) => {
      delete w[key];
    });
  }
  for (const op of c.rename) {
    walk(op.path, wire, canonical, keyOf, (w, _c, key) => {
      if (!Object.hasOwn(w, key)) return;
      // keep the key order: rebuild the object with the new name in the old one's place
      const entries = Object.entries(w).map(([k, v]) => [k === key ? op.to : k, v] as const);
      for (const k of Object.keys(w)) delete w[k];
      for (const [k, v] of entries) w[k] = v;
    });
  }
  return wire;
}

/**
 * Wire Data in `profile`'s spelling (or the canonical one: lenient) → canonical, validated: renames
 * undone, value maps reversed, then the lenient `fromWire` (which drops the added fields). `msg`
 * names the offending field, as fromWire's does.
 */
export function profileFromWire<N extends InterfaceName, D extends Direction>(
  profile: Profile,
  iface: N,
  direction: D,
  wire: unknown,
): ParseResult<DataOf<N, D>> {
  const c = profile.changes(iface, direction);
  if (!c || !isObj(wire)) return fromWire(iface, direction, wire);
  const data = structuredClone(wire);
  const keyOf = (seg: string, depth: number) => wireName(iface, direction, profile.dialect, seg, depth === 0);
  // renamed objects first (shallowest), so the paths below them are found under their own names
  for (const op of [...c.rename].reverse()) {
    const parentSegs = op.path.slice(0, -1);
    const leaf = op.path.at(-1) as Seg;
    const visit = (w: Obj) => {
      if (!Object.hasOwn(w, op.to)) return;
      const key = keyOf(leaf.name, op.path.length - 1);
      // the canonical spelling wins when both are sent
      if (w[key] === undefined || w[key] === null) w[key] = w[op.to];
      delete w[op.to];
    };
    if (parentSegs.length === 0) visit(data);
    else
      walk(
        [...parentSegs, { name: '\0', each: false }],
        data,
        undefined,
        (s, d) => (s === '\0' ? s : keyOf(s, d)),
        (w) => visit(w),
      );
  }
  for (const op of c.map) {
    walk(op.path, data, undefined, keyOf, (w, _c, key) => {
      if (w[key] === undefined) return;
      for (const [from, to] of Object.entries(op.values)) {
        if (String(w[key]) === String(to)) {
          w[key] = Number.isNaN(Number(from)) ? from : Number(from);
          return;
        }
      }
    });
  }
  return fromWire(iface, direction, data);
}

/** Is `profile` an OEM's own (`oem: true`): its partners are served by the OEM's stack, never by the core? */
export const isOemProfile = (profile: Profile): boolean => profile.spec.oem === true;

/** May a partner under `profile` call the extension interface `iface`? */
export const profileEnables = (profile: Profile, iface: InterfaceName): boolean => profile.extensions.has(iface);

/** The interfaces a partner platform implements that we push to (the push layout applies to these). */
const ROOT_INTERFACES: ReadonlySet<string> = /* @__PURE__ */ atImport(
  () => new Set(INTERFACE_NAMES.filter((n) => INTERFACES[n].implementedBy === 'partner')),
);

/**
 * Absolute URLs of the partner-side interfaces under `profile`'s push layout, for the client's
 * `paths`: the token at `<origin>/<tokenPath>`, notifications at the root of the base URL or under
 * it, with the version segment. An explicit per-partner path override still wins (the caller
 * spreads its own paths after these).
 */
export function pushPaths(profile: Profile, baseUrl: string): Record<string, string> {
  if (profile.supervision) return supervisionPaths(profile.supervision, baseUrl);
  const { tokenPath, notificationsAt, version } = profile.push;
  if (!tokenPath && !notificationsAt && !version) return {};
  const u = new URL(baseUrl);
  const origin = u.origin;
  const base = baseUrl.replace(/\/+$/, '');
  const under = (b: string, iface: string) => `${b}${version ? `/${version}` : ''}/${iface}`;
  const out: Record<string, string> = {};
  out.query_token = tokenPath ? `${origin}/${tokenPath.replace(/^\/+/, '')}` : under(base, 'query_token');
  for (const iface of ROOT_INTERFACES) out[iface] = notificationsAt === 'root' ? under(origin, iface) : under(base, iface);
  return out;
}

/** A supervision platform's interfaces: `<origin>/<basePath>/<its name for the interface>` (§5.3: `…/evcs/20160701/`). */
function supervisionPaths(sup: Supervision, baseUrl: string): Record<string, string> {
  if (!sup.basePath && !sup.names) return {};
  const base = sup.basePath ? `${new URL(baseUrl).origin}/${sup.basePath}` : baseUrl.replace(/\/+$/, '');
  const out: Record<string, string> = { query_token: `${base}/query_token` };
  for (const iface of ROOT_INTERFACES) out[iface] = `${base}/${sup.names?.[iface as InterfaceName] ?? iface}`;
  return out;
}
