/**
 * Content hashes of station records (shared/domain/station-records.ts): equal content ⇒ equal hash,
 * whatever the key order. Apart from the schemas, so the station store (on every baseinfo query's
 * path) needs neither them nor zod.
 */
import { createHash } from 'node:crypto';

/** JSON with sorted keys: equal content ⇒ equal text ⇒ equal hash. */
const stableJson = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
};
export const contentHash = (v: unknown): string => createHash('sha256').update(stableJson(v)).digest('base64url').slice(0, 22);

/** the extensions hash of a station with none (a META written before extensions existed has none) */
export const EMPTY_EXTENSIONS_HASH = /* @__PURE__ */ contentHash({});
