/**
 * The topology's vocabulary: one typed declaration of every function, table, queue and
 * schedule. Two readers turn it into a running system:
 *   - the CDK app (`infra/stack.ts`) → API Gateway routes, Lambda functions, rules, queues, tables;
 *   - the local runtime (`infra/local/`) → an in-process cloud with the same wiring.
 * Nothing here imports AWS or CDK: it is plain data, safe to read from tests and tools.
 */

/** L0 core (never degraded) … L3 peripheral. Tiers drive memory, timeouts, alarms, retry budgets. */
export type Tier = 'L0' | 'L1' | 'L2' | 'L3';

type Service = 'evcs' | 'charging' | 'baseinfo' | 'push' | 'piles' | 'parking' | 'msp' | 'reconcile' | 'dxp' | 'ops' | 'roaming';

type AttributeType = 'S' | 'N';

export interface KeyDecl {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDecl {
  readonly name: string;
  readonly partitionKey: KeyDecl;
  readonly sortKey?: KeyDecl;
  /**
   * what the index copies besides the keys: the non-key attributes its readers need (INCLUDE), none
   * (`[]`, KEYS_ONLY), or, when absent, the whole item (ALL). An update that touches no projected
   * attribute costs no index write.
   */
  readonly projection?: readonly string[];
}

export interface TableDecl {
  /** logical name; env var `TABLE_<NAME>` (upper snake) carries the physical name */
  readonly name: string;
  readonly description: string;
  readonly partitionKey: KeyDecl;
  readonly sortKey?: KeyDecl;
  /** epoch-seconds attribute DynamoDB deletes expired items by */
  readonly ttlAttribute?: string;
  readonly indexes?: readonly IndexDecl[];
  /** the data is the business record (orders): retain on stack deletion, point-in-time recovery */
  readonly critical?: boolean;
}

/** An EventBridge rule pattern, in EventBridge's own JSON shape. */
export interface EventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail?: Record<string, unknown>;
}

export interface QueueDecl {
  /** logical name; env var `QUEUE_URL_<NAME>` carries the URL */
  readonly name: string;
  readonly description: string;
  readonly tier: Tier;
  /** must exceed the consumer's timeout (AWS recommends 6×) */
  readonly visibilityTimeoutSeconds: number;
  /** deliveries before a message moves to the queue's DLQ */
  readonly maxReceiveCount: number;
  /** EventBridge rules whose matching events are delivered into this queue */
  readonly subscribe?: readonly EventPattern[];
  /** how long the DLQ keeps messages (days, ≤ 14) */
  readonly dlqRetentionDays?: number;
  /**
   * alarm when the oldest message is older than this (default by tier); raise it for a queue that
   * holds delayed retries on purpose
   */
  readonly ageAlarmSeconds?: number;
  /**
   * A FIFO queue (name `<physical>.fifo`, FIFO DLQ): every message names a MessageGroupId; SQS
   * hands out a group's messages in order, one batch of a group in flight at a time, and drops a
   * MessageDeduplicationId seen in the last 5 minutes. No per-message DelaySeconds.
   */
  readonly fifo?: boolean;
}

export type Trigger =
  /** API Gateway HTTP API route; the handler receives a payload-v2 event */
  | {
      readonly type: 'http';
      readonly method: 'POST' | 'GET' | 'DELETE';
      readonly path: string;
      /**
       * Who may call the route, checked before the function runs as API Gateway does. Absent: anyone
       * (T/CEC routes authenticate in the gateway). `app`: our own apps' backend (the app API; AWS:
       * IAM/SigV4; locally `Authorization: Bearer <app key>`). `operator`: the operator's staff (the
       * admin API; AWS: a Cognito JWT authorizer; locally `Authorization: Bearer <admin key>`).
       */
      readonly auth?: 'app' | 'operator';
    }
  /** EventBridge rule → function (async invoke; failures go to the function's on-failure DLQ) */
  | { readonly type: 'event'; readonly pattern: EventPattern }
  /** SQS event source mapping with partial batch responses (ReportBatchItemFailures) */
  | {
      readonly type: 'queue';
      readonly queue: string;
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds?: number;
      readonly maxConcurrency?: number;
    }
  /** EventBridge Scheduler; `rate(5 minutes)` or `cron(0 1 * * ? *)` */
  | { readonly type: 'schedule'; readonly expression: string }
  /**
   * a route of the OCPP WebSocket API (API Gateway WebSocket API in AWS, the local runtime's
   * `ws://…/ocpp/<chargePointId>`): `$default` answers each frame in its route response
   */
  | { readonly type: 'websocket'; readonly route: '$connect' | '$disconnect' | '$default' };

export type Grant =
  | { readonly table: string; readonly access: 'read' | 'write' | 'readWrite' }
  /** objects of a declared bucket; env var `BUCKET_<NAME>` carries the bucket's name */
  | { readonly bucket: string; readonly access: 'read' | 'write' | 'readWrite' }
  | { readonly bus: 'put' }
  | { readonly queue: string; readonly access: 'send' }
  /** read the queue's depth, read its DLQ and move messages back (shared/push/dlq.ts: list and replay) */
  | { readonly queue: string; readonly access: 'redrive' }
  /** send, and move messages to its DLQ itself (a consumer that counts its own attempts: shared/bus/send.ts `sendToDlq`) */
  | { readonly queue: string; readonly access: 'park' }
  /** read the partner/platform secrets under the platform's Secrets Manager prefix */
  | { readonly secrets: 'read' | 'readWrite' }
  /** send frames to the OCPP WebSocket API's connections (PostToConnection); OCPP_CALLBACK_URL names its endpoint */
  | { readonly websocket: 'post' }
  /**
   * mark accepted T/CEC envelopes durably (replay protection, shared/store/replay.ts): a conditional
   * PutItem in the `tokens` table under keys REPLAY#… only; REPLAY_TABLE names the table. Given by
   * `tcecInterface` to every interface whose function changes state (infra/topology/helpers.ts)
   */
  | { readonly replay: 'put' };

/**
 * `calls` of a function that serves and calls no T/CEC interface (it plans, feeds or exports what
 * others send): its bundle holds no catalog schema (catalogInterfaces in infra/topology/catalog.ts)
 */
export const CALLS_NONE: readonly string[] = [];

export interface FunctionDecl {
  /** unique, kebab-case; also the file name of the entry */
  readonly id: string;
  readonly service: Service;
  /** path of the handler module, relative to the repository root */
  readonly entry: string;
  /** exported handler name (default `handler`) */
  readonly handler?: string;
  readonly tier: Tier;
  readonly description: string;
  readonly triggers: readonly Trigger[];
  readonly grants: readonly Grant[];
  /** extra, non-secret environment */
  readonly environment?: Readonly<Record<string, string>>;
  /** overrides the tier default */
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
  /** exists only in the local runtime (simulator controls); never deployed */
  readonly localOnly?: boolean;
  /**
   * the T/CEC interfaces this function calls on partner platforms (pushes, reconciliation); CALLS_NONE: it
   * calls none, and with no catalog route its bundle holds no catalog schema (infra/topology/catalog.ts)
   */
  readonly calls?: readonly string[];
  /** alarms on the metrics this function emits (EMF): one line per flow signal; severity from the tier */
  readonly alarms?: readonly MetricAlarmDecl[];
  /** reserved concurrency; default by tier (L0 reserves, so an L1/L2 burst cannot starve it) */
  readonly reservedConcurrency?: number;
}

/**
 * An alarm on a metric a function emits with Powertools (namespace EVCS, dimension `service`), at
 * the function's tier severity. The mechanism every flow uses to alarm on its own signal, e.g.
 * `{ metric: 'PushParked', threshold: 0, description: 'a push was parked in the DLQ' }`.
 */
export interface MetricAlarmDecl {
  readonly metric: string;
  /** alarms when the 5-minute value is above this */
  readonly threshold: number;
  readonly description: string;
  /**
   * default Sum; `Average` of a 0/1 metric (1 = failed) is a failure share (0..1), the way to watch
   * a rate per partner (a Metrics Insights query aggregates one metric, it cannot divide two)
   */
  readonly statistic?: 'Sum' | 'Maximum' | 'Average';
  /**
   * `rate`: alarm on 100 × metric / (metric + these metrics), a percentage (failure rate);
   * `partner`: the metric is also emitted per partner (dimension OperatorID) and the alarm watches
   * the worst partner (a CloudWatch Metrics Insights query)
   */
  readonly per?: { readonly rateOf: readonly string[] } | 'partner';
}

/**
 * An S3 bucket: encrypted, versioned, public access blocked, SSL only (infra/constructs/evcs-bucket.ts);
 * locally a real S3-compatible server on loopback (infra/local/s3.ts). Functions reach it through a
 * `{ bucket, access }` grant, like a table.
 */
export interface BucketDecl {
  /** logical name; env var `BUCKET_<NAME>` (upper snake) carries the physical name */
  readonly name: string;
  readonly description: string;
  /** days after which current objects move to Glacier (the stack's context `<name>GlacierAfterDays` overrides) */
  readonly glacierAfterDays: number;
  /** days after which objects expire: the retention the data needs (absent = kept; the stack's context `<name>RetentionDays` overrides) */
  readonly retentionDays?: number;
  /** days a replaced (noncurrent) version is kept (absent: the retention in effect; both absent: kept) */
  readonly noncurrentVersionDays?: number;
}

export interface Topology {
  readonly tables: readonly TableDecl[];
  readonly queues: readonly QueueDecl[];
  readonly functions: readonly FunctionDecl[];
  /** S3 buckets (absent = none) */
  readonly buckets?: readonly BucketDecl[];
}

/** Per-tier defaults: the one place both runtimes read them from. */
export interface TierDefaults {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** alarm severity tag on this tier's alarms */
  readonly severity: 'critical' | 'high' | 'medium' | 'low';
  readonly logRetentionDays: number;
  /** async retries (EventBridge → Lambda) */
  readonly retryAttempts: number;
  /** reserved concurrency of each function of the tier (none: the account's shared pool) */
  readonly reservedConcurrency?: number;
  /**
   * Lambda's advanced logging controls (JSON format): the level of the function's own lines kept
   * (Powertools' JSON lines carry `level`; EMF lines carry none and count as INFO: kept), and of
   * Lambda's platform lines (START/END/REPORT are INFO: WARN drops them, ≈ 330 B per invocation;
   * errors and timeouts are still written). Issue 9 §2.
   */
  readonly applicationLogLevel: 'DEBUG' | 'INFO' | 'WARN';
  readonly systemLogLevel: 'DEBUG' | 'INFO' | 'WARN';
}

/** every tier: the handlers' INFO lines (the trace's story), none of Lambda's per-invocation lines */
const LOGS = { applicationLogLevel: 'INFO', systemLogLevel: 'WARN' } as const;

export const TIER_DEFAULTS: Readonly<Record<Tier, TierDefaults>> = {
  L0: {
    memoryMb: 1024,
    timeoutSeconds: 10,
    severity: 'critical',
    logRetentionDays: 90,
    retryAttempts: 2,
    reservedConcurrency: 20,
    ...LOGS,
  },
  L1: { memoryMb: 512, timeoutSeconds: 30, severity: 'high', logRetentionDays: 30, retryAttempts: 2, ...LOGS },
  L2: { memoryMb: 512, timeoutSeconds: 120, severity: 'medium', logRetentionDays: 30, retryAttempts: 2, ...LOGS },
  L3: { memoryMb: 256, timeoutSeconds: 60, severity: 'low', logRetentionDays: 14, retryAttempts: 1, ...LOGS },
};

/** `partners` → `TABLE_PARTNERS`, `push-status` → `QUEUE_URL_PUSH_STATUS` */
export const envName = (prefix: 'TABLE' | 'QUEUE_URL' | 'BUCKET', logical: string): string =>
  `${prefix}_${logical.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
