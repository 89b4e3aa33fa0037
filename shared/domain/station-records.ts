/**
 * Stations, equipment, connectors and time-of-use policies: strict validation of imported data
 * (the seed's `stations` JSON and a CSV with one row per connector) against T/CEC 102 §3.1/§3.6
 * (reference tables: lengths, enums, GCJ-02 coordinates with at most 6 decimals, power with 1),
 * normalisation into one canonical shape, and content hashes for idempotent re-import. No AWS, no I/O
 * (the loader that reads files and writes the table is shared/services/station-import.ts).
 *
 * Validation collects EVERY problem, each as `<where>: <field>: <message>` — `stations[3].
 * EquipmentInfos[0].ConnectorInfos[1].Power` for JSON, `row 12, field ConnectorPower` for CSV —
 * so an operator fixes a file in one pass. Nothing is written unless there are no problems.
 *
 * IDs (StationID, EquipmentID, ConnectorID) are restricted to `[0-9A-Za-z_.-]`: they become
 * DynamoDB key parts (`STATION#<id>`) and partners echo them back in requests.
 *
 * CSV format (UTF-8, RFC 4180, header row with these column names, any order; one row per
 * connector; empty cell = absent):
 *   station:   StationID, OperatorID, EquipmentOwnerID, StationName, CountryCode, AreaCode, Address,
 *              StationTel, ServiceTel, StationType, StationStatus, ParkNums, StationLng, StationLat,
 *              SiteGuide, Construction, Pictures (URLs separated by `|`), MatchCars, ParkInfo,
 *              BusineHours, ElectricityFee, ServiceFee, ParkFee, Payment, SupportOrder, Remark,
 *              PolicyInfos (`HHmmss/ElecPrice/SevicePrice` periods separated by `;`,
 *              e.g. `000000/0.3500/0.4000;080000/1.0500/0.8000`), and the optional station
 *              attributes HasParkingLock, FreeParking, SubPark, DutyNum, Wc, Rainshed, Lounge,
 *              LightMeal, Shop, LimitFreeParking (integers; DiDi's StationInfo, reference §5.1)
 *   equipment: EquipmentID, ManufacturerID, ManufacturerName, EquipmentModel, ProductionDate,
 *              EquipmentType, EquipmentLng, EquipmentLat, EquipmentPower, EquipmentName
 *   connector: ConnectorID, ConnectorName, ConnectorType, VoltageUpperLimits, VoltageLowerLimits,
 *              Current, ConnectorPower, ParkNo, NationalStandard
 * Station and equipment columns repeat on every row of that station/equipment and must agree
 * (a disagreement is reported with both rows).
 */
import { z } from 'zod';
import {
  connectorInfoFields,
  equipmentInfoFields,
  isHHmmss,
  type policyInfoFields,
  STATION_ATTRIBUTES,
  stationInfoFields,
} from '../tcec/schemas.ts';
import { parseDate } from '../tcec/time.ts';
import { contentHash } from './content-hash.ts';
import { type CsvRecord, CsvSyntaxError, parseCsv } from './csv.ts';
import { CarParkGatewayUrlSchema, ParkingSpacesSchema, parkingSpacesProblems } from './ground-locks.ts';
import { ParkingPolicySchema, parkingPolicyProblem } from './parking.ts';
import { reservationPolicySchema } from './reservation.ts';
import { validateTariff } from './tariff.ts';

// ───────────────────────────── field rules ─────────────────────────────
//
// One schema family: the import rules are the protocol's StationInfo / EquipmentInfo /
// ConnectorInfo / PolicyInfo fields (shared/tcec/schemas.ts) made stricter. `stricter` keeps the
// protocol's key set (plus the import's own extras: PolicyInfos, the EquipmentMode spelling) and
// lets the compiler check that every stricter field's output is a valid value of the protocol
// field, so an imported station is always a valid §3.1 StationInfo
// (test/unit/domain/station-records.test.ts parses every imported station with StationInfoSchema).

type Fields = Record<string, z.core.$ZodType>;
/** The protocol object's fields with some replaced by stricter ones (unknown keys refused). */
const stricter = <F extends Fields, S extends { [K in keyof F]?: z.core.$ZodType<z.output<F[K]>> }>(fields: F, strict: S) =>
  z.object({ ...fields, ...strict } as Omit<F, keyof S> & S).strict();

const ID = /^[0-9A-Za-z_.-]+$/;
const id = (max: number) => z.string().min(1, 'is required').max(max, `at most ${max} characters`).regex(ID, 'only letters, digits, _ . -');
const text = (max: number) => z.string().max(max, `at most ${max} characters`);
const requiredText = (max: number) => text(max).min(1, 'is required');
const orgCode = z.string().regex(/^[0-9A-Za-z]{9}$/, 'must be 9 letters or digits');

const decimals = (dp: number) => (v: number) => Math.abs(v * 10 ** dp - Math.round(v * 10 ** dp)) < 1e-6;
const int = (msg = 'must be an integer') => z.number({ error: 'must be a number' }).int(msg);
const oneOf = <T extends number>(values: readonly T[], what: string) =>
  z
    .number({ error: 'must be a number' })
    .refine((v) => (values as readonly number[]).includes(v), `${what}: one of ${values.join(', ')}`)
    .transform((v) => v as T);
const coordinate = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .min(min, `must be within ${min}…${max}`)
    .max(max, `must be within ${min}…${max}`)
    .refine(decimals(6), 'at most 6 decimals (GCJ-02)');
const power = z
  .number({ error: 'must be a number' })
  .positive('must be > 0')
  .max(10_000, 'at most 10000 kW')
  .refine(decimals(1), 'at most 1 decimal (kW)');

const STATION_TYPES = [1, 50, 100, 101, 102, 103, 255] as const;
const STATION_STATUSES = [0, 1, 5, 6, 50] as const;
const CONSTRUCTIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255] as const;
const EQUIPMENT_TYPES = [1, 2, 3, 4, 5] as const;
const CONNECTOR_TYPES = [1, 2, 3, 4, 5, 6] as const;

const price = z.number({ error: 'must be a number' }).min(0, 'must be ≥ 0');
const ImportPolicySchema = z
  .object({
    StartTime: z.string().refine(isHHmmss, 'must be HHmmss') satisfies z.ZodType<
      z.output<ReturnType<typeof policyInfoFields>['StartTime']>
    >,
    ElecPrice: price satisfies z.ZodType<z.output<ReturnType<typeof policyInfoFields>['ElecPrice']>>,
    SevicePrice: price.optional(),
    /** DiDi spelling, accepted on input */
    ServicePrice: price.optional(),
  })
  .strict()
  .transform((p, ctx) => {
    const sevice = p.SevicePrice ?? p.ServicePrice;
    if (sevice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SevicePrice'], message: 'is required' });
      return z.NEVER;
    }
    return { StartTime: p.StartTime, ElecPrice: p.ElecPrice, SevicePrice: sevice };
  });

const ImportConnectorSchema = stricter(connectorInfoFields(), {
  ConnectorID: id(26),
  ConnectorName: text(30).optional(),
  ConnectorType: oneOf(CONNECTOR_TYPES, 'ConnectorType'),
  VoltageUpperLimits: int().min(0, 'must be ≥ 0').max(2000, 'at most 2000 V'),
  VoltageLowerLimits: int().min(0, 'must be ≥ 0').max(2000, 'at most 2000 V'),
  Current: int().min(0, 'must be ≥ 0').max(2000, 'at most 2000 A'),
  Power: power,
  ParkNo: text(10).optional(),
  NationalStandard: oneOf([1, 2] as const, 'NationalStandard'),
}).superRefine((c, ctx) => {
  if (c.VoltageLowerLimits > c.VoltageUpperLimits)
    ctx.addIssue({ code: 'custom', path: ['VoltageLowerLimits'], message: 'must not exceed VoltageUpperLimits' });
});

const ImportEquipmentSchema = stricter(equipmentInfoFields(), {
  EquipmentID: id(23),
  ManufacturerID: orgCode.optional(),
  ManufacturerName: text(30).optional(),
  EquipmentModel: text(20).optional(),
  /** a typo seen in one document (reference §6), accepted on input */
  EquipmentMode: text(20).optional(),
  ProductionDate: z
    .string()
    .refine((s) => parseDate(s) !== undefined, 'must be a real date yyyy-MM-dd')
    .optional(),
  EquipmentType: oneOf(EQUIPMENT_TYPES, 'EquipmentType'),
  ConnectorInfos: z.array(ImportConnectorSchema, { error: 'must be an array' }).min(1, 'at least one connector'),
  EquipmentLng: coordinate(-180, 180).optional(),
  EquipmentLat: coordinate(-90, 90).optional(),
  Power: power,
  EquipmentName: text(30).optional(),
}).transform(({ EquipmentMode, ...e }) => ({
  ...e,
  ...((e.EquipmentModel ?? EquipmentMode) ? { EquipmentModel: e.EquipmentModel ?? EquipmentMode } : {}),
}));

const ImportStationSchema = stricter(stationInfoFields(), {
  StationID: id(20),
  OperatorID: orgCode,
  EquipmentOwnerID: orgCode,
  StationName: requiredText(50),
  /** §3.1: 2 characters, `CN`; the import asks for an ISO 3166 alpha-2 code */
  CountryCode: z.string().regex(/^[A-Z]{2}$/, 'must be 2 upper-case letters (CN)'),
  /** §3.1: ≤ 20 characters, a GB/T 2260 division code — 6 digits in practice, which the import requires */
  AreaCode: z.string().regex(/^\d{6}$/, 'must be a 6-digit GB/T 2260 code'),
  Address: requiredText(50),
  StationTel: text(30).optional(),
  ServiceTel: requiredText(30),
  StationType: oneOf(STATION_TYPES, 'StationType'),
  StationStatus: oneOf(STATION_STATUSES, 'StationStatus'),
  ParkNums: int().min(0, 'must be ≥ 0').default(0),
  StationLng: coordinate(-180, 180),
  StationLat: coordinate(-90, 90),
  SiteGuide: text(100).optional(),
  Construction: oneOf(CONSTRUCTIONS, 'Construction'),
  Pictures: z.array(z.string().max(512, 'at most 512 characters').url('must be a URL')).optional(),
  MatchCars: text(100).optional(),
  ParkInfo: text(100).optional(),
  BusineHours: text(100).optional(),
  ElectricityFee: text(256).optional(),
  ServiceFee: text(100).optional(),
  ParkFee: text(100).optional(),
  Payment: text(20).optional(),
  SupportOrder: oneOf([0, 1] as const, 'SupportOrder').default(0),
  Remark: text(100).optional(),
  EquipmentInfos: z.array(ImportEquipmentSchema, { error: 'must be an array' }),
  ...Object.fromEntries(STATION_ATTRIBUTES.map((k) => [k, int().min(0, 'must be ≥ 0').max(9999, 'at most 9999').optional()])),
  /** the station's time-of-use prices (T/CEC §3.6 PolicyInfos), valid for every connector */
  PolicyInfos: z.array(ImportPolicySchema, { error: 'must be an array' }).optional(),
  /** extension settings (never sent in StationInfo): reservation (shared/domain/reservation.ts) */
  ReservationPolicy: z.optional(reservationPolicySchema()),
  /** parking spaces with ground locks (shared/domain/ground-locks.ts) */
  ParkingSpaces: z.optional(ParkingSpacesSchema),
  /** the car park's parking fee waiver (shared/domain/parking.ts) */
  ParkingPolicy: z.optional(ParkingPolicySchema),
  /** the car park's gateway: locks and barrier (shared/domain/ground-locks.ts) */
  CarParkGatewayUrl: z.optional(CarParkGatewayUrlSchema),
}).superRefine((s, ctx) => {
  if (s.ParkingSpaces) {
    const connectors = new Set(s.EquipmentInfos.flatMap((e) => e.ConnectorInfos.map((c) => c.ConnectorID)));
    for (const p of parkingSpacesProblems(s.ParkingSpaces, connectors))
      ctx.addIssue({
        code: 'custom',
        path: ['ParkingSpaces', p.i, ...p.msg.split(': ', 1)],
        message: p.msg.slice(p.msg.indexOf(': ') + 2),
      });
  }
  const policyProblem = s.ParkingPolicy && parkingPolicyProblem(s.ParkingPolicy);
  if (policyProblem) ctx.addIssue({ code: 'custom', path: ['ParkingPolicy', 'CapMinutes'], message: policyProblem });
  if ((s.ParkingSpaces || s.ParkingPolicy) && !s.CarParkGatewayUrl)
    ctx.addIssue({
      code: 'custom',
      path: ['CarParkGatewayUrl'],
      message: 'required when the station lists ParkingSpaces or a ParkingPolicy',
    });
  if (s.PolicyInfos?.length) {
    const v = validateTariff(s.PolicyInfos.map((p) => ({ startTime: p.StartTime, elecPrice: p.ElecPrice, servicePrice: p.SevicePrice })));
    if (!v.ok) ctx.addIssue({ code: 'custom', path: ['PolicyInfos'], message: v.msg.replace(/^tariff/, '').replace(/^: /, '') });
  }
});

export type StationWithPolicy = z.infer<typeof ImportStationSchema>;
export type PolicyInfo = { StartTime: string; ElecPrice: number; SevicePrice: number };
/** the station's extension settings, kept beside StationInfo (never part of it) */
const EXTENSION_KEYS = ['ReservationPolicy', 'ParkingSpaces', 'ParkingPolicy', 'CarParkGatewayUrl'] as const;
export type StationExtensions = Pick<StationWithPolicy, (typeof EXTENSION_KEYS)[number]>;
/** StationInfo exactly as §3.1 sends it (no PolicyInfos, no extension settings). */
export type StationInfo = Omit<StationWithPolicy, 'PolicyInfos' | (typeof EXTENSION_KEYS)[number]>;

// ───────────────────────────── validation ─────────────────────────────

export class StationImportError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file}: ${problems.length} problem(s), nothing imported\n  ${problems.slice(0, 200).join('\n  ')}${problems.length > 200 ? `\n  … ${problems.length - 200} more` : ''}`,
    );
  }
}

const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

export interface ValidationResult {
  readonly stations: StationWithPolicy[];
  /** `where: message`; empty when valid */
  readonly problems: string[];
}

/** Where a JSON path points: stations[i]… for JSON; CSV maps it to a row and a column. */
type Locate = (path: readonly PropertyKey[]) => string;

const jsonLocate: Locate = (path) => `stations${pathText(path).startsWith('[') ? '' : '.'}${pathText(path)}`;

/** Validate station objects; `operatorId` (ours) must be every station's OperatorID when given. */
export const validateStations = (input: readonly unknown[], opts: { operatorId?: string; locate?: Locate } = {}): ValidationResult => {
  const locate = opts.locate ?? jsonLocate;
  const problems: string[] = [];
  const stations: StationWithPolicy[] = [];
  const seen = { station: new Map<string, number>(), equipment: new Map<string, number>(), connector: new Map<string, number>() };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const arr = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];
  const dup = (kind: keyof typeof seen, key: string | undefined, i: number, path: PropertyKey[]) => {
    if (key === undefined) return;
    const first = seen[kind].get(key);
    if (first !== undefined) problems.push(`${locate(path)}: duplicate ${key} (also in stations[${first}])`);
    else seen[kind].set(key, i);
  };
  input.forEach((raw, i) => {
    const r = ImportStationSchema.safeParse(raw);
    if (!r.success) for (const issue of r.error.issues) problems.push(`${locate([i, ...issue.path])}: ${issue.message}`);
    else stations.push(r.data);
    // cross-record rules run on the raw object too, so one pass reports them alongside field problems
    const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const op = str(o.OperatorID);
    if (opts.operatorId && op && /^[0-9A-Za-z]{9}$/.test(op) && op !== opts.operatorId)
      problems.push(`${locate([i, 'OperatorID'])}: must be our OperatorID ${opts.operatorId}`);
    dup('station', str(o.StationID), i, [i, 'StationID']);
    arr(o.EquipmentInfos).forEach((e, j) => {
      dup('equipment', str(e.EquipmentID), i, [i, 'EquipmentInfos', j, 'EquipmentID']);
      for (const [k, c] of arr(e.ConnectorInfos).entries())
        dup('connector', str(c.ConnectorID), i, [i, 'EquipmentInfos', j, 'ConnectorInfos', k, 'ConnectorID']);
    });
  });
  return { stations: problems.length ? [] : stations, problems };
};

// ───────────────────────────── CSV ─────────────────────────────

const STATION_COLUMNS = [
  'StationID',
  'OperatorID',
  'EquipmentOwnerID',
  'StationName',
  'CountryCode',
  'AreaCode',
  'Address',
  'StationTel',
  'ServiceTel',
  'StationType',
  'StationStatus',
  'ParkNums',
  'StationLng',
  'StationLat',
  'SiteGuide',
  'Construction',
  'Pictures',
  'MatchCars',
  'ParkInfo',
  'BusineHours',
  'ElectricityFee',
  'ServiceFee',
  'ParkFee',
  'Payment',
  'SupportOrder',
  'Remark',
  'PolicyInfos',
  ...STATION_ATTRIBUTES,
] as const;
/** CSV column → EquipmentInfo field */
const EQUIPMENT_COLUMNS: Readonly<Record<string, string>> = {
  EquipmentID: 'EquipmentID',
  ManufacturerID: 'ManufacturerID',
  ManufacturerName: 'ManufacturerName',
  EquipmentModel: 'EquipmentModel',
  ProductionDate: 'ProductionDate',
  EquipmentType: 'EquipmentType',
  EquipmentLng: 'EquipmentLng',
  EquipmentLat: 'EquipmentLat',
  EquipmentPower: 'Power',
  EquipmentName: 'EquipmentName',
};
/** CSV column → ConnectorInfo field */
const CONNECTOR_COLUMNS: Readonly<Record<string, string>> = {
  ConnectorID: 'ConnectorID',
  ConnectorName: 'ConnectorName',
  ConnectorType: 'ConnectorType',
  VoltageUpperLimits: 'VoltageUpperLimits',
  VoltageLowerLimits: 'VoltageLowerLimits',
  Current: 'Current',
  ConnectorPower: 'Power',
  ParkNo: 'ParkNo',
  NationalStandard: 'NationalStandard',
};
export const CSV_COLUMNS: readonly string[] = [...STATION_COLUMNS, ...Object.keys(EQUIPMENT_COLUMNS), ...Object.keys(CONNECTOR_COLUMNS)];
const REQUIRED_COLUMNS = ['StationID', 'EquipmentID', 'ConnectorID'];
const NUMERIC = new Set([
  'StationType',
  'StationStatus',
  'ParkNums',
  'StationLng',
  'StationLat',
  'Construction',
  'SupportOrder',
  'EquipmentType',
  'EquipmentLng',
  'EquipmentLat',
  'Power',
  'ConnectorType',
  'VoltageUpperLimits',
  'VoltageLowerLimits',
  'Current',
  'NationalStandard',
  ...STATION_ATTRIBUTES,
]);
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

const cell = (field: string, v: string): unknown => (NUMERIC.has(field) && NUMBER_TEXT.test(v.trim()) ? Number(v.trim()) : v);

const parsePolicyCell = (v: string): unknown[] =>
  v
    .split(';')
    .filter((p) => p.trim() !== '')
    .map((p) => {
      const [StartTime, elec, sevice] = p.trim().split('/');
      const num = (x: string | undefined) => (x !== undefined && NUMBER_TEXT.test(x.trim()) ? Number(x.trim()) : x);
      return { StartTime, ElecPrice: num(elec), SevicePrice: num(sevice) };
    });

/** CSV text → station objects (then validated like JSON), reporting problems by row and column. */
export const validateStationsCsv = (csv: string, opts: { operatorId?: string } = {}): ValidationResult => {
  let records: CsvRecord[];
  try {
    records = parseCsv(csv);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { stations: [], problems: [err.message] };
    throw err;
  }
  const [header, ...rows] = records;
  if (!header) return { stations: [], problems: ['row 1: the header row is missing'] };
  const problems: string[] = [];
  const cols = header.fields.map((h) => h.trim());
  cols.forEach((c, i) => {
    if (!CSV_COLUMNS.includes(c)) problems.push(`row 1, column ${i + 1}: unknown column ${JSON.stringify(c)}`);
    if (cols.indexOf(c) !== i) problems.push(`row 1, column ${i + 1}: duplicate column ${c}`);
  });
  for (const r of REQUIRED_COLUMNS) if (!cols.includes(r)) problems.push(`row 1: required column ${r} is missing`);
  if (problems.length) return { stations: [], problems };
  if (rows.length === 0) return { stations: [], problems: ['the file has no data rows'] };

  interface Built {
    obj: Record<string, unknown> & { EquipmentInfos: Array<Record<string, unknown> & { ConnectorInfos: Record<string, unknown>[] }> };
    row: number;
    equipRows: number[];
    connRows: number[][];
  }
  const stations = new Map<string, Built>();
  const equipIndex = new Map<string, { station: Built; j: number }>();
  for (const rec of rows) {
    if (rec.fields.length !== cols.length) {
      problems.push(`row ${rec.row}: ${rec.fields.length} fields, the header has ${cols.length}`);
      continue;
    }
    const get = (c: string): string | undefined => {
      const v = rec.fields[cols.indexOf(c)];
      return v === undefined || v.trim() === '' ? undefined : v;
    };
    const stationFields: Record<string, unknown> = {};
    for (const c of STATION_COLUMNS) {
      const v = get(c);
      if (v === undefined) continue;
      stationFields[c] = c === 'Pictures' ? v.split('|').map((x) => x.trim()) : c === 'PolicyInfos' ? parsePolicyCell(v) : cell(c, v);
    }
    const equipFields: Record<string, unknown> = {};
    for (const [c, f] of Object.entries(EQUIPMENT_COLUMNS)) {
      const v = get(c);
      if (v !== undefined) equipFields[f] = cell(f, v);
    }
    const connFields: Record<string, unknown> = {};
    for (const [c, f] of Object.entries(CONNECTOR_COLUMNS)) {
      const v = get(c);
      if (v !== undefined) connFields[f] = cell(f, v);
    }
    const sid = String(stationFields.StationID ?? '');
    let st = stations.get(sid);
    if (!st) {
      st = { obj: { ...stationFields, EquipmentInfos: [] }, row: rec.row, equipRows: [], connRows: [] };
      stations.set(sid, st);
    } else {
      for (const c of STATION_COLUMNS) {
        if (JSON.stringify(stationFields[c]) !== JSON.stringify(st.obj[c]))
          problems.push(`row ${rec.row}, field ${c}: differs from row ${st.row} of station ${sid}`);
      }
    }
    const eid = String(equipFields.EquipmentID ?? '');
    let eq = equipIndex.get(`${sid}\u0000${eid}`);
    if (!eq) {
      st.obj.EquipmentInfos.push({ ...equipFields, ConnectorInfos: [] });
      st.equipRows.push(rec.row);
      st.connRows.push([]);
      eq = { station: st, j: st.obj.EquipmentInfos.length - 1 };
      equipIndex.set(`${sid}\u0000${eid}`, eq);
    } else {
      const first = st.obj.EquipmentInfos[eq.j];
      for (const f of Object.values(EQUIPMENT_COLUMNS)) {
        if (JSON.stringify(equipFields[f]) !== JSON.stringify(first?.[f])) {
          const col = Object.keys(EQUIPMENT_COLUMNS).find((k) => EQUIPMENT_COLUMNS[k] === f);
          problems.push(`row ${rec.row}, field ${col}: differs from row ${st.equipRows[eq.j]} of equipment ${eid}`);
        }
      }
    }
    st.obj.EquipmentInfos[eq.j]?.ConnectorInfos.push(connFields);
    st.connRows[eq.j]?.push(rec.row);
  }
  if (problems.length) return { stations: [], problems };

  const built = [...stations.values()];
  const locate: Locate = (path) => {
    const [i, ...rest] = path;
    const st = built[i as number];
    if (!st) return `row ?, ${pathText(path)}`;
    if (rest[0] === 'EquipmentInfos' && typeof rest[1] === 'number') {
      const j = rest[1];
      if (rest[2] === 'ConnectorInfos' && typeof rest[3] === 'number') {
        const field = String(rest[4] ?? 'ConnectorID');
        const col = Object.keys(CONNECTOR_COLUMNS).find((k) => CONNECTOR_COLUMNS[k] === field) ?? field;
        return `row ${st.connRows[j]?.[rest[3]] ?? st.row}, field ${col}`;
      }
      const field = String(rest[2] ?? 'EquipmentID');
      const col = Object.keys(EQUIPMENT_COLUMNS).find((k) => EQUIPMENT_COLUMNS[k] === field) ?? field;
      return `row ${st.equipRows[j] ?? st.row}, field ${col}`;
    }
    return `row ${st.row}, field ${String(rest[0] ?? 'StationID')}${rest.length > 1 ? pathText(rest.slice(1)) : ''}`;
  };
  return validateStations(
    built.map((b) => b.obj),
    { ...(opts.operatorId ? { operatorId: opts.operatorId } : {}), locate },
  );
};

// ───────────────────────────── canonical parts and hashes ─────────────────────────────

export interface StationParts {
  readonly stationId: string;
  /** the full StationInfo (with EquipmentInfos), as §3.1 returns it */
  readonly info: StationInfo;
  /** station-level fields only */
  readonly stationHash: string;
  readonly equipment: ReadonlyArray<{ equipmentId: string; hash: string }>;
  readonly connectors: ReadonlyArray<{ connectorId: string; equipmentId: string; hash: string }>;
  readonly policy: readonly PolicyInfo[];
  readonly policyHash: string;
  /** extension settings (reservation policy…) and their hash */
  readonly extensions: StationExtensions;
  readonly extensionsHash: string;
}

/** Split a validated station into the units whose changes are tracked separately. */
export const stationParts = (s: StationWithPolicy): StationParts => {
  const { PolicyInfos, EquipmentInfos, ReservationPolicy, ParkingSpaces, ParkingPolicy, CarParkGatewayUrl, ...stationOnly } = s;
  const policy = PolicyInfos ?? [];
  const extensions: StationExtensions = {
    ...(ReservationPolicy ? { ReservationPolicy } : {}),
    ...(ParkingSpaces ? { ParkingSpaces } : {}),
    ...(ParkingPolicy ? { ParkingPolicy } : {}),
    ...(CarParkGatewayUrl ? { CarParkGatewayUrl } : {}),
  };
  return {
    stationId: s.StationID,
    info: { ...stationOnly, EquipmentInfos },
    stationHash: contentHash(stationOnly),
    equipment: EquipmentInfos.map(({ ConnectorInfos: _c, ...e }) => ({ equipmentId: e.EquipmentID, hash: contentHash(e) })),
    connectors: EquipmentInfos.flatMap((e) =>
      e.ConnectorInfos.map((c) => ({ connectorId: c.ConnectorID, equipmentId: e.EquipmentID, hash: contentHash(c) })),
    ),
    policy,
    policyHash: contentHash(policy),
    extensions,
    extensionsHash: contentHash(extensions),
  };
};
