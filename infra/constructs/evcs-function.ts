/**
 * THE function construct: every Lambda of the platform is one of these, and every function
 * default lives here (runtime, arm64, tracing, one-file bundling with local esbuild, source maps, an
 * explicit log group with the tier's retention, memory/timeout from the tier, Powertools
 * environment, tags, alarms) — after the pattern of Powertools for AWS Lambda TypeScript's
 * `function-with-logstream-construct.ts`, composed rather than subclassed so the log group,
 * alarms and on-failure queue live under the function's own construct path.
 *
 * Grants are least privilege and declared in the topology (`decl.grants`); `bindTable`,
 * `bindQueue` etc. are the only ways to widen a function's role. The environment (including the
 * TABLE_/QUEUE_URL_ variable of each grant) is derived by infra/topology/environment.ts, the same
 * derivation the local runtime runs each invocation with.
 */
import * as path from 'node:path';
import { ArnFormat, type CfnElement, Duration, Names, Stack, Tags } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPLAY_KEY_PREFIX } from '../../shared/domain/replay.ts';
import { INTERFACE_NAMES } from '../../shared/tcec/interfaces.ts';
import { catalogInterfaces } from '../topology/catalog.ts';
import { functionEnvironment, REPLAY_MARKS_TABLE } from '../topology/environment.ts';
import { type FunctionDecl, type Grant, TIER_DEFAULTS, type TierDefaults } from '../topology/types.ts';
import { ALARM_PERIOD, type AlarmTopics, declaredAlarmMetric } from './alarm-topics.ts';
import { acknowledgeFunction, acknowledgeOnFailureQueue, grantAcknowledgement, type NagAcknowledgement, nagResource } from './nag.ts';

/** CDK context key: `true` makes every bundle also write esbuild's metafile (index.meta.json) — the cold-start bench reads it. */
export const BUNDLE_METAFILE_CONTEXT = 'evcs:bundleMetafile';

/**
 * The SDK's default credential chain (`@aws-sdk/credential-provider-node`) tries the environment
 * first, and Lambda always sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN: the
 * SSO, ini-file, process, web-identity and login providers after it are never called in a
 * function, nor the remote ones at its end (container credentials over HTTP, EC2 instance
 * metadata). The chain reaches them by dynamic `import()` only, so leaving them (and the STS/SSO
 * clients they carry, `@aws-sdk/nested-clients`) out of the bundle changes no code path in Lambda
 * and takes ~130 KB off every bundle (bench/coldstart.bench.ts). A function run with AWS_PROFILE
 * set would fail to load them: Lambda never sets it. Locally nothing is bundled.
 */
export const LAMBDA_UNREACHED_SDK_MODULES = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

/**
 * `@smithy/core/event-streams` (~15 KB): the protocols' `HttpProtocol` loads it by dynamic
 * `import()` only when an operation's input or output is an event stream, and no operation a
 * function without S3 calls has one (DynamoDB, SQS, EventBridge, Secrets Manager, the WebSocket
 * management API): left out of those bundles. The S3 client imports it statically
 * (SelectObjectContent), so a function that writes to a bucket keeps it (`holdsS3Client`). A
 * read-only bucket grant is for links presigned without the S3 client (shared/store/object-links.ts,
 * query_invoice_info): left out there too. A function that imported the S3 client without a write
 * grant would fail to load — the coldstart bench imports every bundle, and
 * test/infra/bundling.test.ts checks all three kinds.
 */
export const EVENT_STREAMS_MODULE = '@smithy/core/event-streams';

/**
 * SDK dependencies every bundle takes in place of the package's own module: a smaller module of
 * ours with the API the SDK calls (repository-relative; esbuild resolves it from the project root,
 * where the construct runs it). `mnemonist/lru-cache`: the DynamoDB client's endpoint cache,
 * ~7 KB of mnemonist helpers for a cache endpoint discovery (off) leaves empty — shared/sdk/lru-cache.ts.
 */
export const SDK_ALIASES: Readonly<Record<string, string>> = { 'mnemonist/lru-cache': './shared/sdk/lru-cache.ts' };

/** Whether a function's bundle keeps the S3 client's event streams: it writes to a bucket (EVENT_STREAMS_MODULE). */
export const holdsS3Client = (decl: Pick<FunctionDecl, 'grants'>): boolean => decl.grants.some((g) => 'bucket' in g && g.access !== 'read');

/** esbuild `define`s that keep the schemas of `interfaces` only (see catalogInterfaces); none keeps all. */
const catalogDefines = (interfaces: readonly string[] | undefined): Record<string, string> =>
  interfaces
    ? Object.fromEntries(INTERFACE_NAMES.map((n) => [`process.env.EVCS_TCEC_${n}`, JSON.stringify(interfaces.includes(n) ? '1' : '')]))
    : {};

/** The CommonJS bundle's first line: strict mode for the whole file, as an ES module always is. */
export const STRICT_BANNER = '"use strict";';

/**
 * THE esbuild settings of every function (local esbuild, no Docker): the stack builds with these,
 * and bench/coldstart.bench.ts synthesises the stack to measure exactly what it deploys.
 * `metafile` only adds esbuild's input report next to the bundle; the bundle itself is the same.
 *
 * The output is one CommonJS file (`index.js`), which Lambda's Node.js runtime loads with `require`;
 * the inputs are still the packages' ES modules (`mainFields: module`), so esbuild tree-shakes the
 * SDK as before: the same bytes (±0.1 KB). Measured (issue 9 §4, bench/coldstart.bench.ts, which
 * loads each bundle as the runtime does): ~3 ms less CPU at every cold start than the same code as
 * an ES module bundle (A/B of the same code; 0–4 ms against main in the whole bench, within its
 * noise) — no module linking, no ES module facade for each node built-in it imports.
 * Nothing of ours needs ESM at run time (no top-level await, no `import.meta` in a function's code).
 * The banner keeps the semantics of the ES module it replaces: the whole file in strict mode.
 */
export const evcsBundling = (
  opts: { readonly metafile?: boolean; readonly eventStreams?: boolean; readonly interfaces?: readonly string[] } = {},
): BundlingOptions => ({
  forceDockerBundling: false,
  target: 'node20',
  format: OutputFormat.CJS,
  mainFields: ['module', 'main'],
  banner: STRICT_BANNER,
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  // the runtime ships an SDK v3, but not ours: we pin versions, so we bundle them — all but the
  // credential providers a Lambda never reaches (LAMBDA_UNREACHED_SDK_MODULES), and the event
  // streams where no client uses them (EVENT_STREAMS_MODULE)
  externalModules: [...LAMBDA_UNREACHED_SDK_MODULES, ...(opts.eventStreams ? [] : [EVENT_STREAMS_MODULE])],
  logLevel: LogLevel.WARNING,
  // the T/CEC catalog's schemas of the function's own interfaces only (catalogInterfaces)
  define: catalogDefines(opts.interfaces),
  esbuildArgs: { '--alias': Object.entries(SDK_ALIASES).map(([from, to]) => `${from}=${to}`) },
  ...(opts.metafile ? { metafile: true } : {}),
});

/** Environment keys that would carry a secret value: never allowed (secrets live in Secrets Manager). */
const SECRET_LIKE_ENV_KEY =
  /(data_?secret|sig_?secret|operator_?secret|secret_?(value|key|string)|password|passwd|private_?key|api_?key|credential)/i;

export interface EvcsFunctionProps {
  readonly decl: FunctionDecl;
  /** absolute path of the repository root (entries are relative to it) */
  readonly repoRoot: string;
  readonly operatorId: string;
  readonly secretsPrefix: string;
  readonly eventBus: events.IEventBus;
  readonly tables: ReadonlyMap<string, dynamodb.ITable>;
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  /** the topology's buckets (absent = none) */
  readonly buckets?: ReadonlyMap<string, s3.IBucket>;
  readonly alarms: AlarmTopics;
  /** the OCPP WebSocket API's stage (for the `websocket: 'post'` grant) */
  readonly webSocketStage?: apigwv2.WebSocketStage;
}

export type TableAccess = Extract<Grant, { table: string }>['access'];

const retentionFor = (days: number): logs.RetentionDays => {
  const values = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!values.includes(days)) throw new Error(`log retention of ${days} days is not a CloudWatch Logs retention value`);
  return days as logs.RetentionDays;
};

/**
 * A resource's ARN as cdk-nag names it in a policy of `stack`: `<LogicalId.Arn>` when the resource is
 * in that stack, or — a function in a nested service stack using a core table — the parameter the
 * nested stack receives it by (CDK names it `referenceto<unique id of the resource>Arn`).
 */
const nagArnOf = (stack: Stack, cfn: CfnElement): string =>
  Stack.of(cfn) === stack
    ? `<${stack.resolve(stack.getLogicalId(cfn)) as string}.Arn>`
    : `<referenceto${Names.nodeUniqueId(cfn.node).replace(/[^A-Za-z0-9]/g, '')}Arn>`;

export class EvcsFunction extends Construct {
  readonly decl: FunctionDecl;
  readonly tier: TierDefaults;
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;
  /** where failed async invocations (event / schedule triggers) end; only for such functions */
  readonly onFailureQueue: sqs.Queue | undefined;
  private readonly props: EvcsFunctionProps;

  constructor(scope: Construct, id: string, props: EvcsFunctionProps) {
    super(scope, id);
    const { decl } = props;
    this.props = props;
    this.decl = decl;
    this.tier = TIER_DEFAULTS[decl.tier];
    this.timeout = Duration.seconds(decl.timeoutSeconds ?? this.tier.timeoutSeconds);

    for (const key of Object.keys(decl.environment ?? {})) {
      if (SECRET_LIKE_ENV_KEY.test(key))
        throw new Error(`function ${decl.id}: environment key ${key} looks like a secret; secrets live in Secrets Manager`);
    }

    const reserved = decl.reservedConcurrency ?? this.tier.reservedConcurrency;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: retentionFor(this.tier.logRetentionDays) });

    this.fn = new NodejsFunction(this, 'Handler', {
      entry: path.resolve(props.repoRoot, decl.entry),
      handler: decl.handler ?? 'handler',
      projectRoot: props.repoRoot,
      depsLockFilePath: path.join(props.repoRoot, 'package-lock.json'),
      description: decl.description.slice(0, 256),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: decl.memoryMb ?? this.tier.memoryMb,
      ...(reserved !== undefined ? { reservedConcurrentExecutions: reserved } : {}),
      timeout: this.timeout,
      logGroup: this.logGroup,
      // advanced logging controls from the tier (issue 9 §2): JSON, no START/END/REPORT lines
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[this.tier.applicationLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel[this.tier.systemLogLevel],
      bundling: evcsBundling({
        metafile: this.node.tryGetContext(BUNDLE_METAFILE_CONTEXT) === true,
        // only the S3 client carries event-stream operations (EVENT_STREAMS_MODULE)
        eventStreams: holdsS3Client(decl),
        ...(catalogInterfaces(decl) ? { interfaces: catalogInterfaces(decl) } : {}),
      }),
      // the one derivation the local runtime uses too: common settings, the declared environment, TABLE_/QUEUE_URL_ per grant
      environment: functionEnvironment(decl, {
        operatorId: props.operatorId,
        secretsPrefix: props.secretsPrefix,
        eventBusName: props.eventBus.eventBusName,
        logLevel: 'INFO',
        tableName: (logical) => this.table(logical).tableName,
        queueUrl: (logical) => this.queue(logical).queueUrl,
        bucketName: (logical) => this.bucket(logical).bucketName,
        ...(props.webSocketStage ? { websocketCallbackUrl: props.webSocketStage.callbackUrl } : {}),
      }),
    });

    Tags.of(this).add('tier', decl.tier);
    Tags.of(this).add('service', decl.service);

    for (const grant of decl.grants) this.applyGrant(grant);

    this.onFailureQueue = decl.triggers.some((t) => t.type === 'event' || t.type === 'schedule') ? this.createOnFailureQueue() : undefined;

    this.createAlarms();
    acknowledgeFunction(this, this.grantAcknowledgements());
  }

  /** the wildcards the declared grants need, and only those (cdk-nag AwsSolutions-IAM5) */
  private grantAcknowledgements(): NagAcknowledgement[] {
    const stack = Stack.of(this);
    const acks: NagAcknowledgement[] = [];
    for (const grant of this.decl.grants) {
      if ('secrets' in grant) {
        acks.push(
          grantAcknowledgement(
            nagResource(stack, secretsPrefixArn(this, this.props.secretsPrefix)),
            'partner secret sets are created at onboarding, after deploy: the grant covers the platform prefix, nothing else',
          ),
        );
      } else if ('websocket' in grant && this.props.webSocketStage) {
        const stage = this.props.webSocketStage;
        const api = stack.formatArn({ service: 'execute-api', resource: stage.api.apiId });
        acks.push(
          grantAcknowledgement(
            nagResource(stack, `${api}/${stage.stageName}/*/@connections/*`),
            'PostToConnection on the OCPP API’s connections: a connection id exists only once a charge point connects',
          ),
        );
      } else if ('bucket' in grant) {
        const bucket = this.bucket(grant.bucket);
        const cfn = bucket.node.defaultChild;
        const arn = cfn ? nagArnOf(stack, cfn as CfnElement) : nagResource(stack, bucket.bucketArn);
        acks.push(
          grantAcknowledgement(`${arn}/*`, `the bucket's objects (${grant.access} by ${this.decl.id}); keys are generated per period`),
        );
      } else if ('table' in grant) {
        const table = this.table(grant.table);
        const cfn = table.node.defaultChild;
        // a table of this stack is named by its logical id, one of the parent stack by the nested stack's
        // parameter, an imported one (an OEM stack) by its ARN
        const arn = cfn ? nagArnOf(stack, cfn as CfnElement) : nagResource(stack, table.tableArn);
        acks.push(grantAcknowledgement(`${arn}/index/*`, `the table's secondary indexes (queried by ${this.decl.id})`));
      }
    }
    return acks;
  }

  /** Table access (`TABLE_<NAME>` comes with the environment: infra/topology/environment.ts). */
  bindTable(table: dynamodb.ITable, access: TableAccess): void {
    if (access === 'read') table.grantReadData(this.fn);
    else if (access === 'write') table.grantWriteData(this.fn);
    else table.grantReadWriteData(this.fn);
  }

  /** SendMessage (`QUEUE_URL_<NAME>` comes with the environment: infra/topology/environment.ts). */
  bindQueue(queue: sqs.IQueue): void {
    queue.grantSendMessages(this.fn);
  }

  /** The queue's depth, and its DLQ read and emptied back into it (shared/push/dlq.ts: list, replay). */
  bindRedrive(queue: sqs.IQueue): void {
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
    const dlq = queue instanceof sqs.Queue ? queue.deadLetterQueue?.queue : undefined;
    if (!dlq) throw new Error(`function ${this.props.decl.id}: a redrive grant on queue ${queue.node.id}, which has no DLQ`);
    dlq.grantConsumeMessages(this.fn);
  }

  /** SendMessage to the queue's DLQ, found through its RedrivePolicy (shared/bus/send.ts `sendToDlq`). */
  bindPark(queue: sqs.IQueue): void {
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
    const dlq = queue instanceof sqs.Queue ? queue.deadLetterQueue?.queue : undefined;
    if (!dlq) throw new Error(`function ${this.props.decl.id}: a park grant on queue ${queue.node.id}, which has no DLQ`);
    dlq.grantSendMessages(this.fn);
  }

  /** The secrets under the platform's prefix, and nothing else. */
  bindSecrets(access: 'read' | 'readWrite'): void {
    const actions = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    if (access === 'readWrite') actions.push('secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret', 'secretsmanager:UpdateSecret');
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [secretsPrefixArn(this, this.props.secretsPrefix)] }));
  }

  /** PostToConnection on the OCPP WebSocket API's connections only; OCPP_CALLBACK_URL names its management endpoint. */
  bindWebSocketPost(): void {
    const stage = this.props.webSocketStage;
    if (!stage) throw new Error(`function ${this.decl.id}: a websocket grant needs the stack's OCPP WebSocket API`);
    stage.grantManagementApiAccess(this.fn); // OCPP_CALLBACK_URL comes with the environment (infra/topology/environment.ts)
  }

  /**
   * A conditional PutItem of replay marks (shared/store/replay.ts) and nothing else: only under keys
   * REPLAY#… of the marks' table, so a function that marks envelopes cannot write a token.
   */
  bindReplayMarks(): void {
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [this.table(REPLAY_MARKS_TABLE).tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${REPLAY_KEY_PREFIX}*`] } },
      }),
    );
  }

  private applyGrant(grant: Grant): void {
    if ('table' in grant) {
      this.bindTable(this.table(grant.table), grant.access);
    } else if ('bus' in grant) {
      this.props.eventBus.grantPutEventsTo(this.fn);
    } else if ('queue' in grant) {
      const queue = this.queue(grant.queue);
      this.bindQueue(queue);
      if (grant.access === 'redrive') this.bindRedrive(queue);
      if (grant.access === 'park') this.bindPark(queue);
    } else if ('secrets' in grant) {
      this.bindSecrets(grant.secrets);
    } else if ('bucket' in grant) {
      this.bindBucket(this.bucket(grant.bucket), grant.access);
    } else if ('replay' in grant) {
      this.bindReplayMarks();
    } else {
      this.bindWebSocketPost();
    }
  }

  private table(logical: string): dynamodb.ITable {
    const table = this.props.tables.get(logical);
    if (!table) throw new Error(`function ${this.props.decl.id}: grant on undeclared table '${logical}'`);
    return table;
  }

  /**
   * Object access (`BUCKET_<NAME>` comes with the environment: infra/topology/environment.ts): the
   * exact actions the objects store (shared/store/objects.ts) calls, not the CDK's wildcard sets.
   */
  bindBucket(bucket: s3.IBucket, access: 'read' | 'write' | 'readWrite'): void {
    const objectActions = [
      ...(access !== 'write' ? ['s3:GetObject'] : []),
      ...(access !== 'read' ? ['s3:PutObject', 's3:DeleteObject'] : []),
    ];
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: objectActions, resources: [bucket.arnForObjects('*')] }));
    if (access !== 'write') this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  }

  private bucket(logical: string): s3.IBucket {
    const bucket = this.props.buckets?.get(logical);
    if (!bucket) throw new Error(`function ${this.props.decl.id}: grant on undeclared bucket '${logical}'`);
    return bucket;
  }

  private queue(logical: string): sqs.IQueue {
    const queue = this.props.queues.get(logical);
    if (!queue) throw new Error(`function ${this.props.decl.id}: grant on undeclared queue '${logical}'`);
    return queue;
  }

  private createOnFailureQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'OnFailureDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.fn.configureAsyncInvoke({
      retryAttempts: this.tier.retryAttempts,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(queue),
    });
    acknowledgeOnFailureQueue(queue);
    this.props.alarms.alarm(this, 'OnFailureDlqAlarm', {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      threshold: 0,
      severity: this.tier.severity,
      description: `${this.decl.id}: events the function could not process are in its on-failure DLQ`,
    });
    return queue;
  }

  private createAlarms(): void {
    const { alarms } = this.props;
    const { severity } = this.tier;
    const l0 = this.decl.tier === 'L0';
    // L0 pages at the first bad 5 minutes; other tiers need 2 of the last 3.
    const window = l0 ? { evaluationPeriods: 1, datapointsToAlarm: 1 } : { evaluationPeriods: 3, datapointsToAlarm: 2 };
    alarms.alarm(this, 'ErrorsAlarm', {
      metric: this.fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 0,
      severity,
      description: `${this.decl.id}: invocation errors`,
      ...window,
    });
    alarms.alarm(this, 'ThrottlesAlarm', {
      metric: this.fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 0,
      severity,
      description: `${this.decl.id}: throttled invocations`,
      ...window,
    });
    // every interface we serve: p99 near the timeout means partners are about to see 5xx
    if (this.decl.triggers.some((t) => t.type === 'http')) {
      alarms.alarm(this, 'LatencyAlarm', {
        metric: this.fn.metricDuration({ period: ALARM_PERIOD, statistic: 'p99' }),
        threshold: Math.round(this.timeout.toMilliseconds() * 0.8),
        severity,
        description: `${this.decl.id}: p99 duration above 80% of the timeout`,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    }
    // the flow's own signals, declared next to the function (topology `alarms`)
    for (const a of this.decl.alarms ?? []) {
      alarms.alarm(this, `${a.metric}Alarm`, {
        metric: declaredAlarmMetric(this.decl.service, a),
        threshold: a.threshold,
        severity,
        description: `${this.decl.id}: ${a.description}`,
        ...window,
      });
    }
  }
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>*` */
const secretsPrefixArn = (scope: Construct, prefix: string): string =>
  Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
