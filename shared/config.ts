/**
 * The one config module: reads the environment once (per environment: see runWithEnv), validates
 * it with zod, and is the only place that knows environment variable names. The CDK stack and the local runtime both set
 * exactly these variables (see `infra/topology/types.ts` envName for TABLE_ / QUEUE_URL_).
 *
 * AWS endpoints are NOT configured here: the AWS SDK reads AWS_ENDPOINT_URL_<SERVICE> itself,
 * which is how the local runtime points the real SDK at its loopback servers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as z from 'zod/mini';
import { envName } from '../infra/topology/types.ts';

const intFromEnv = (def: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.positive(), z.maximum(max))), def);

const EnvSchema = z.object({
  /** our own 9-character OperatorID (组织机构代码) */
  OPERATOR_ID: z._default(z.string().check(z.regex(/^[0-9A-Z]{9}$/)), 'MA5GS8X01'),
  /** Secrets Manager name prefix for every secret the platform reads, e.g. `evcs/` */
  SECRETS_PREFIX: z._default(z.string(), 'evcs/'),
  EVENT_BUS_NAME: z._default(z.string(), 'evcs'),
  /** lifetime of the tokens we issue (TokenAvailableTime), seconds */
  TOKEN_TTL_SECONDS: intFromEnv(7200),
  /** accepted clock skew of a request TimeStamp, seconds either side */
  TIMESTAMP_WINDOW_SECONDS: intFromEnv(600),
  /** requests larger than this are refused before parsing (Ret 4003) */
  MAX_BODY_BYTES: intFromEnv(256 * 1024),
  /** how long handlers cache secrets read from Secrets Manager, seconds */
  SECRETS_CACHE_SECONDS: intFromEnv(300),
  /** grace period during which a rotated-out inbound secret set stays valid, seconds */
  ROTATION_GRACE_SECONDS: intFromEnv(7 * 24 * 3600),
  /** a start the pile has not answered within this many seconds finishes the order (≤ 900) */
  START_TIMEOUT_SECONDS: intFromEnv(60, 900),
  /** a stop the pile has not confirmed within this many seconds closes the order on the last reading (≤ 900) */
  STOP_TIMEOUT_SECONDS: intFromEnv(60, 900),
  /** stranded sessions (shared/domain/stranded.ts): connector offline and no meter reading for this long ends the order */
  STRANDED_OFFLINE_SECONDS: intFromEnv(900),
  /** … connector idle (Available, no StopTransaction) and no meter reading for this long */
  STRANDED_IDLE_SECONDS: intFromEnv(600),
  /** … no meter reading for this long, whatever the connector reports */
  STRANDED_SILENT_SECONDS: intFromEnv(1800),
  /** a session on a partner's pile without the partner's final order this many hours after its start raises an alarm (the roaming session sweep) */
  ROAMING_FINAL_ORDER_HOURS: intFromEnv(12, 24 * 30),
  /**
   * a session on a partner's pile still without the partner's final order this many hours after its
   * last sign of life (its start, or the partner's newest figures) is abandoned: disputed once, no longer swept
   */
  ROAMING_ABANDON_HOURS: intFromEnv(48, 24 * 90),
  /**
   * how the pile gateway reaches the piles: OCPP 1.6J over the WebSocket API (`ocpp`); `local` adds
   * the local simulator's loopback for charge points that are not connected over OCPP
   */
  PILE_TRANSPORT: z._default(z.enum(['ocpp', 'local']), 'ocpp'),
  /** base URL of the local pile simulator's endpoints (`<url>/commands`); required when PILE_TRANSPORT=local */
  PILE_SIM_URL: z.optional(z.url()),
  /** the WebSocket API's management endpoint (PostToConnection), `https://<api>.execute-api.<region>.amazonaws.com/<stage>` */
  OCPP_CALLBACK_URL: z.optional(z.url()),
  /** the heartbeat interval a BootNotification grants, seconds */
  OCPP_HEARTBEAT_SECONDS: intFromEnv(300),
  /** an outgoing OCPP call unanswered after this many seconds has timed out */
  OCPP_CALL_TIMEOUT_SECONDS: intFromEnv(30, 900),
  /** a disconnected charge point's connectors go offline after this many seconds unless it reconnects */
  OCPP_OFFLINE_GRACE_SECONDS: intFromEnv(60, 900),
  /**
   * MeterValueSampleInterval the platform sets on a charge point after its boot, s (issue 9 §2):
   * T/CEC's charge-status cadence (50 s, reference §3.9), so each reading is one push
   */
  OCPP_METER_SAMPLE_SECONDS: intFromEnv(50, 3600),
  /** ClockAlignedDataInterval it sets, s: a reading on every tariff-period boundary (T/CEC periods start on the half hour) */
  OCPP_CLOCK_ALIGNED_SECONDS: intFromEnv(1800, 86_400),
  /**
   * how long after a boot the metering is set, s (+ up to half of it, spread by charge point): after
   * the boot's statuses, so a fleet booting at once is ready first; its first minute runs on its own metering
   */
  OCPP_CONFIGURE_AFTER_SECONDS: intFromEnv(60, 600),
  /** DataTransfer vendorIds accepted (comma-separated); every other DataTransfer is refused */
  OCPP_DATA_TRANSFER_VENDORS: z._default(z.string(), ''),
  /** charging-process samples kept for supervision reporting: at most one per this many seconds per session */
  PROCESS_SAMPLE_SECONDS: intFromEnv(30),
  /** how long a kept sample stays in DynamoDB after its hour (the exports hold it in S3 from then on), days */
  PROCESS_SAMPLE_TTL_DAYS: intFromEnv(35),
  /** the code version written into every export manifest (the deploy pipeline sets it; git describe locally) */
  CODE_VERSION: z._default(z.string().check(z.minLength(1)), 'unversioned'),
  /** S3 addressed by path (`<endpoint>/<bucket>/<key>`): the local S3-compatible server (AWS_ENDPOINT_URL_S3) */
  S3_FORCE_PATH_STYLE: z._default(z.enum(['true', 'false']), 'false'),
  /** parking: the first retry of a waiver the car park's gate failed, seconds (doubling per receive) */
  PARKING_RETRY_SECONDS: intFromEnv(15, 900),
  /** parking: how long a call to a car park's gateway (gate, locks) may take, ms */
  CAR_PARK_TIMEOUT_MS: intFromEnv(2000, 10_000),
  /** set in an OEM stack's functions only (infra/oem-stack.ts): the OEM they serve; absent = the core */
  OEM_NAME: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/))),
  /** set on the core's functions an OEM stack leaves out (they read the core's buckets): they serve OEM partners too */
  OEM_PARTNERS_SERVED: z.optional(z.enum(['true'])),
  /**
   * the table that holds the durable marks of accepted envelopes (set for the functions of
   * state-changing interfaces by their `{ replay: 'put' }` grant, infra/topology/environment.ts);
   * absent: replay protection is the in-process cache alone
   */
  REPLAY_TABLE: z.optional(z.string().check(z.minLength(1))),
});

export type Config = z.infer<typeof EnvSchema> & {
  tableName(logical: string): string;
  queueUrl(logical: string): string;
  bucketName(logical: string): string;
};

/** An environment: `process.env`, or one function's own variables in the local runtime. */
export type Env = Readonly<Record<string, string | undefined>>;

const scope = new AsyncLocalStorage<Env>();

/**
 * Run `fn` (and everything it awaits) with `env` as its environment. The local runtime runs each
 * invocation inside its function's own environment, derived from the topology as the stack derives
 * the deployed one (infra/topology/environment.ts): a missing grant fails locally as in AWS.
 */
export const runWithEnv = <T>(env: Env, fn: () => T): T => scope.run(env, fn);

/** The environment of the current invocation: its scope when one is active, else `process.env`. */
const currentEnv = (): Env => scope.getStore() ?? process.env;

/**
 * A value built from the environment once per environment object (once per process in Lambda, once
 * per function locally): caches of configuration never leak from one function's scope to another's.
 */
export const perEnvironment = <T>(build: (env: Env) => T): { get(): T; reset(): void } => {
  let cache = new WeakMap<Env, T>();
  return {
    get() {
      const env = currentEnv();
      let v = cache.get(env);
      if (v === undefined) {
        v = build(env);
        cache.set(env, v);
      }
      return v;
    },
    reset() {
      cache = new WeakMap();
    },
  };
};

const build = (env: Env): Config => {
  const parsed = EnvSchema.parse(env);
  return {
    ...parsed,
    tableName(logical) {
      const v = env[envName('TABLE', logical)];
      if (!v) throw new Error(`configuration: ${envName('TABLE', logical)} is not set (no grant on table '${logical}'?)`);
      return v;
    },
    queueUrl(logical) {
      const v = env[envName('QUEUE_URL', logical)];
      if (!v) throw new Error(`configuration: ${envName('QUEUE_URL', logical)} is not set (no grant on queue '${logical}'?)`);
      return v;
    },
    bucketName(logical) {
      const v = env[envName('BUCKET', logical)];
      if (!v) throw new Error(`configuration: ${envName('BUCKET', logical)} is not set (no grant on bucket '${logical}'?)`);
      return v;
    },
  };
};

const configs = perEnvironment(build);

/** The configuration of the current environment (see currentEnv), read and validated on first use. */
export const config = (): Config => configs.get();

/** For tests and tools that change process.env after the first call. */
export const resetConfig = (): void => configs.reset();
