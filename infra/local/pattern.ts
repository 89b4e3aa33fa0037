/**
 * EventBridge event-pattern matching, for the local bus: the subset of the content-filtering
 * language the topology uses, with EventBridge's semantics.
 *
 * Supported, per field (leaf values are arrays of conditions; a field matches if ANY condition
 * matches; when the event's value is an array, it matches if ANY element matches):
 *   - exact values: strings, numbers, booleans, `null`
 *   - `{ prefix: "abc" }`, `{ suffix: "xyz" }`, `{ "equals-ignore-case": "Abc" }`
 *   - `{ "anything-but": v | [v…] | { prefix: "x" } | { suffix: "x" } }` (field must be present)
 *   - `{ exists: true | false }`
 *   - `{ numeric: [">", 0, "<=", 5] }` (one or two comparisons; `=` too)
 *   - nested objects (`detail: { a: { b: [...] } }`) and a top-level or nested `$or: [pattern, …]`
 * Every key in the pattern must match (AND). Unknown operators throw (a typo in a rule must not
 * silently match nothing).
 */

export type Pattern = Readonly<Record<string, unknown>>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PatternError extends Error {
  override name = 'PatternError';
}

const MISSING = Symbol('missing');
type Value = unknown | typeof MISSING;

const numericOps = new Set(['<', '<=', '=', '>', '>=']);

const compare = (op: string, a: number, b: number): boolean => {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      throw new PatternError(`numeric: unknown operator '${op}'`);
  }
};

/** one condition object against one (scalar) value; MISSING = field absent */
const matchOperator = (cond: Record<string, unknown>, value: Value): boolean => {
  const keys = Object.keys(cond);
  const op = keys[0];
  if (keys.length !== 1 || op === undefined)
    throw new PatternError(`a condition object must have exactly one operator, got ${JSON.stringify(cond)}`);
  const arg = cond[op];
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw new PatternError('exists: expects true or false');
      return arg ? value !== MISSING : value === MISSING;
    case 'prefix':
      if (typeof arg !== 'string') throw new PatternError('prefix: expects a string');
      return typeof value === 'string' && value.startsWith(arg);
    case 'suffix':
      if (typeof arg !== 'string') throw new PatternError('suffix: expects a string');
      return typeof value === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new PatternError('equals-ignore-case: expects a string');
      return typeof value === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'anything-but': {
      if (value === MISSING) return false;
      if (isPlainObject(arg)) return !matchOperator(arg, value);
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((e) => e === value);
    }
    case 'numeric': {
      if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4))
        throw new PatternError('numeric: expects [op, n] or [op, n, op, n]');
      if (typeof value !== 'number') return false;
      for (let i = 0; i < arg.length; i += 2) {
        const o = arg[i];
        const n = arg[i + 1];
        if (typeof o !== 'string' || !numericOps.has(o) || typeof n !== 'number')
          throw new PatternError(`numeric: bad comparison ${JSON.stringify(arg)}`);
        if (!compare(o, value, n)) return false;
      }
      return true;
    }
    default:
      throw new PatternError(`unsupported pattern operator '${op}'`);
  }
};

const matchCondition = (cond: unknown, value: Value): boolean => {
  if (isPlainObject(cond)) {
    // exists:false / anything-but need the whole-field view, handled by the caller for arrays
    return matchOperator(cond, value);
  }
  if (value === MISSING) return false;
  return cond === value;
};

const matchLeaf = (conditions: readonly unknown[], value: Value): boolean => {
  if (Array.isArray(value)) {
    // an array field matches if any element matches; `exists` is about the field itself
    return conditions.some((c) => {
      if (isPlainObject(c) && 'exists' in c) return matchOperator(c, value.length === 0 ? MISSING : value);
      return value.some((el: unknown) => matchCondition(c, el));
    });
  }
  return conditions.some((c) => matchCondition(c, value));
};

/** Does `event` (an EventBridge event, or any sub-object of it) match `pattern`? */
export const matchPattern = (pattern: Pattern, event: unknown): boolean => {
  for (const [key, cond] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(cond) || cond.length === 0) throw new PatternError('$or: expects a non-empty array of patterns');
      if (!cond.some((p) => isPlainObject(p) && matchPattern(p, event))) return false;
      continue;
    }
    const value: Value = isPlainObject(event) && Object.hasOwn(event, key) ? event[key] : MISSING;
    if (Array.isArray(cond)) {
      if (cond.length === 0) throw new PatternError(`'${key}': an empty array matches nothing`);
      if (isPlainObject(value)) return false; // a leaf condition never matches an object
      if (!matchLeaf(cond, value)) return false;
    } else if (isPlainObject(cond)) {
      // nested pattern: an absent object can still match if every nested condition is exists:false
      if (value === MISSING) {
        if (!matchPattern(cond, {})) return false;
      } else if (!isPlainObject(value) || !matchPattern(cond, value)) return false;
    } else {
      throw new PatternError(`'${key}': pattern values must be arrays or objects, got ${JSON.stringify(cond)}`);
    }
  }
  return true;
};
