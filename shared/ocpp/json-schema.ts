/**
 * The JSON-schema subset the OCPP 1.6J schemas use, checked by walking the schema: `type`, `enum`,
 * `multipleOf`, `maxLength`, `format: date-time`, `items`, `required`, `additionalProperties: false`
 * and `properties` (shared/ocpp/generate-schemas.ts refuses any other keyword when it writes the
 * schemas). It answers what ocpp-rpc's ajv answers (`allErrors` off: the first error only, its
 * keyword, path and message), keyword for keyword in ajv's order: the type, then `enum`, then the
 * number, string, array and object keywords in that order (`required`, `additionalProperties`,
 * then each property as the schema lists them). test/unit/ocpp/validators.test.ts holds it to
 * ocpp-rpc's answers, on a table and on payloads generated from every schema.
 *
 * Why not ajv's compiled code, as before: that was 66 KB of every OCPP bundle for 28 schemas
 * (each property's checks and error objects written out, nested schemas inlined where used), where
 * the schemas themselves are ~10 KB and this walk ~1 KB (issue 9 §4).
 */

export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly enum?: readonly (string | number | boolean)[];
  /** ocpp-rpc's tolerant multipleOf: |x/m − round(x/m)| < 1e-6 passes */
  readonly multipleOf?: number;
  /** in characters (code points: a surrogate pair is one, as ajv's ucs2length counts) */
  readonly maxLength?: number;
  readonly format?: 'date-time';
  readonly items?: JsonSchema;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
}

/** The first error, as ajv reports it (its `schemaPath` and `params` are read by nothing here). */
export interface SchemaError {
  keyword: string;
  /** JSON pointer to the failing value: '' (the payload), '/meterValue/0/timestamp' */
  instancePath: string;
  message: string;
}

/** the keywords this walk implements: the generator refuses a schema with any other */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  'type',
  'enum',
  'multipleOf',
  'maxLength',
  'format',
  'items',
  'required',
  'additionalProperties',
  'properties',
]);

const isObject = (d: unknown): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d);

/** ajv's type checks (an integer is a finite number without a fraction) */
const IS_TYPE: Readonly<Record<NonNullable<JsonSchema['type']>, (d: unknown) => boolean>> = {
  object: isObject,
  array: Array.isArray,
  string: (d) => typeof d === 'string',
  integer: (d) => typeof d === 'number' && Number.isInteger(d),
  number: (d) => typeof d === 'number' && Number.isFinite(d),
  boolean: (d) => typeof d === 'boolean',
};

const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;
const TIME = /^(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)?$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RFC 3339 date-time as ajv-formats 2 (ocpp-rpc's) reads it: a real calendar date, `T`, `t` or a
 * space, a time of day (a leap second only at 23:59:60), fractions of a second allowed; the zone is
 * optional (ajv-formats 2 accepts a time without one).
 */
const isDateTime = (s: string): boolean => {
  const parts = s.split(/t|\s/i);
  if (parts.length !== 2) return false;
  const d = DATE.exec(parts[0] as string);
  const t = TIME.exec(parts[1] as string);
  if (!d || !t) return false;
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (days === undefined || day < 1 || day > days) return false;
  const [h, m, sec] = [Number(t[1]), Number(t[2]), Number(t[3])];
  return (h <= 23 && m <= 59 && sec <= 59) || (h === 23 && m === 59 && sec === 60);
};

/** a property name as a JSON-pointer segment */
const pointer = (key: string | number): string =>
  typeof key === 'number' || !/[~/]/.test(key) ? `/${key}` : `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** an error at `instancePath` */
const error = (keyword: string, instancePath: string, message: string): SchemaError => ({ keyword, instancePath, message });

/** The first rule `data` breaks in `schema`, in ajv's order; undefined when it is valid. */
export function firstError(schema: JsonSchema, data: unknown, path = ''): SchemaError | undefined {
  if (schema.type && !IS_TYPE[schema.type](data)) return error('type', path, `must be ${schema.type}`);
  // the enums are of strings: `includes` (SameValueZero) and ajv's === differ only for NaN
  if (schema.enum && !schema.enum.includes(data as string)) return error('enum', path, 'must be equal to one of the allowed values');
  if (typeof data === 'number') {
    if (schema.multipleOf !== undefined) {
      const q = data / schema.multipleOf;
      if (Math.abs(Math.round(q) - q) >= 1e-6) return error('multipleOf', path, 'must pass "multipleOf" keyword validation');
    }
  } else if (typeof data === 'string') {
    // UTF-16 units ≥ code points: count the code points only when the units are over
    if (schema.maxLength !== undefined && data.length > schema.maxLength && [...data].length > schema.maxLength)
      return error('maxLength', path, `must NOT have more than ${schema.maxLength} characters`);
    if (schema.format === 'date-time' && !isDateTime(data)) return error('format', path, 'must match format "date-time"');
  } else if (Array.isArray(data)) {
    if (schema.items)
      for (let i = 0; i < data.length; i++) {
        const e = firstError(schema.items, data[i], path + pointer(i));
        if (e) return e;
      }
  } else if (isObject(data)) {
    if (schema.required)
      for (const key of schema.required)
        if (data[key] === undefined) return error('required', path, `must have required property '${key}'`);
    const props = schema.properties;
    if (schema.additionalProperties === false)
      for (const key in data)
        if (!props || !Object.hasOwn(props, key)) return error('additionalProperties', path, 'must NOT have additional properties');
    if (props)
      for (const key in props) {
        const value = data[key];
        if (value === undefined) continue;
        const e = firstError(props[key] as JsonSchema, value, path + pointer(key));
        if (e) return e;
      }
  }
  return undefined;
}
