/**
 * Per-partner request budget: a token bucket (pure; the caller keeps the buckets and passes the
 * time). A partner may send `burst` requests at once and `rps` per second sustained; a request
 * over budget is refused (T/CEC Ret -1, busy) without doing anything else.
 */
import * as z from 'zod/mini';
import { atImport } from './once.ts';

export const RateLimitSchema = /* @__PURE__ */ atImport(() =>
  z.object({
    /** sustained requests per second (fractions allowed: 0.5 = one request every 2 s) */
    rps: z.number().check(z.positive(), z.maximum(100_000)),
    /** requests accepted at once after an idle period (bucket size) */
    burst: z.int().check(z.positive(), z.maximum(100_000)),
  }),
);
export type RateLimit = z.infer<typeof RateLimitSchema>;

export interface Bucket {
  /** tokens left (fractional) */
  readonly tokens: number;
  /** when `tokens` was computed, ms since the epoch */
  readonly at: number;
}

/**
 * Take one token for a request at `nowMs`: the refilled bucket and whether the request is within
 * budget. A clock that goes backwards refills nothing (never a negative refill, never a free burst).
 */
export const takeToken = (bucket: Bucket | undefined, limit: RateLimit, nowMs: number): { allowed: boolean; bucket: Bucket } => {
  const elapsed = bucket ? Math.max(0, nowMs - bucket.at) : 0;
  const available = bucket ? Math.min(limit.burst, bucket.tokens + (elapsed / 1000) * limit.rps) : limit.burst;
  const at = bucket ? Math.max(bucket.at, nowMs) : nowMs;
  if (available >= 1) return { allowed: true, bucket: { tokens: available - 1, at } };
  return { allowed: false, bucket: { tokens: available, at } };
};

/** Seconds until the next token (for the busy message), rounded up, at least 1. */
export const retryAfterSeconds = (bucket: Bucket, limit: RateLimit): number => Math.max(1, Math.ceil((1 - bucket.tokens) / limit.rps));
