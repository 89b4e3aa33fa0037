/**
 * Settings of the push service, read once per environment (zod-validated; see shared/config.ts). Kept apart from
 * shared/config.ts because only the push functions read them; all have production defaults.
 */
import * as z from 'zod/mini';
import { perEnvironment } from '../config.ts';
import { once } from '../domain/once.ts';

const int = (def: number) => z._default(z.coerce.number().check(z.int(), z.nonnegative()), def);

/** seconds before attempt n+1 (n = failed attempts so far, 1-based index into the list; the last repeats) */
const secondsList = (def: string) =>
  z.pipe(
    z.pipe(
      z._default(z.string(), def),
      z.transform((s: string) => s.split(',').map((x) => Number(x.trim()))),
    ),
    z.array(z.number().check(z.nonnegative())).check(z.minLength(1)),
  );

// built on first use: the charging functions import this module for one setting on one path
const pushEnvSchema = /* @__PURE__ */ once(() =>
  z.object({
    /** notification_equip_charge_status cadence while charging (§3.9, municipal 50 s) */
    PUSH_STATUS_INTERVAL_SECONDS: int(50),
    /** growing backoff between failed attempts: seconds → minutes → an hour */
    PUSH_BACKOFF_SECONDS: secondsList('10,30,60,120,300,600,900,1800,3600'),
    /** failed attempts (all classes) before a push is parked in the DLQ */
    PUSH_MAX_ATTEMPTS: int(20),
    /** failed attempts answered 4001/4003/4004 (a request the partner will not accept as is) before parking */
    PUSH_PERMANENT_ATTEMPTS: int(3),
    /** a push older than this (held by an open breaker, say) is parked */
    PUSH_MAX_AGE_SECONDS: int(3 * 24 * 3600),
    /** HTTP timeout of one push */
    PUSH_TIMEOUT_MS: int(5000),
    /** circuit breaker: consecutive failures that open it */
    PUSH_BREAKER_THRESHOLD: int(5),
    /** circuit breaker: how long it stays open before a half-open probe */
    PUSH_BREAKER_COOLDOWN_SECONDS: int(30),
    /** refresh a partner token this many seconds before it expires */
    PUSH_TOKEN_REFRESH_SKEW_SECONDS: int(60),
    /** pushes in flight to one partner at most, per deliverer process (shared/push/partner-limit.ts): a slow partner cannot take every poller */
    PUSH_PARTNER_CONCURRENCY: int(4),
    /** how long a deliverer trusts the circuit breaker it last read (0: read it for every push) */
    PUSH_BREAKER_CACHE_SECONDS: int(5),
  }),
);
export type PushConfig = z.infer<ReturnType<typeof pushEnvSchema>>;

const configs = /* @__PURE__ */ perEnvironment((env) => pushEnvSchema().parse(env));
export const pushConfig = (): PushConfig => configs.get();
export const resetPushConfig = (): void => configs.reset();
