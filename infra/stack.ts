/**
 * The production stack: reads THE topology (infra/topology) and turns every declaration into
 * AWS resources — DynamoDB tables, one EventBridge bus (archived, replayable), SQS queues with
 * DLQs, rules, schedules, one HTTP API, one Lambda per function — adding no wiring of its own.
 * `cdk synth` works offline: no lookups, no Docker (esbuild runs locally).
 */
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  type CfnElement,
  CfnOutput,
  Duration,
  NestedStack,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AlarmTopics } from './constructs/alarm-topics.ts';
import { EvcsBucket } from './constructs/evcs-bucket.ts';
import { EvcsFunction } from './constructs/evcs-function.ts';
import { EvcsQueue, toCdkPattern } from './constructs/evcs-queue.ts';
import { acknowledgeApi, acknowledgeOcppApi, acknowledgeOcppEdge, acknowledgeSchedulerRole, acknowledgeSecret } from './constructs/nag.ts';
import { OcppEdge } from './constructs/ocpp-edge.ts';
import { Operations } from './constructs/operations.ts';
import { OperatorAuth } from './constructs/operator-auth.ts';
import { PartnerLimits } from './constructs/partner-limits.ts';
import { SavedQueries } from './constructs/saved-queries.ts';
import { topology as realTopology } from './topology/index.ts';
import type { FunctionDecl, KeyDecl, TableDecl, Topology, Trigger } from './topology/types.ts';
import { envName } from './topology/types.ts';

const DEFAULT_OPERATOR_ID = 'MA5GS8X01';
const DEFAULT_SECRETS_PREFIX = 'evcs/';
const EVENT_BUS_NAME = 'evcs';
const EVENT_ARCHIVE_RETENTION_DAYS = 30;
/** HTTP API stage throttling defaults (requests/second, burst) */
const API_THROTTLE = { rateLimit: 500, burstLimit: 1000 } as const;
/** Cron schedules are written in the operator's local time. */
const SCHEDULE_TIME_ZONE = TimeZone.ASIA_SHANGHAI;

/** the services whose functions live in a nested stack of their own (functionScope) */
const NESTED_SERVICES: ReadonlySet<string> = new Set(['roaming', 'reconcile', 'dxp', 'msp', 'ops', 'parking']);

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface EvcsStackProps extends StackProps {
  /** our OperatorID; default: context `operatorId`, else MA5GS8X01 */
  readonly operatorId?: string;
  /** Secrets Manager name prefix; default: context `secretsPrefix`, else `evcs/` */
  readonly secretsPrefix?: string;
  /** the topology to deploy; default: THE topology (infra/topology) */
  readonly topology?: Topology;
  /** repository root the function entries are relative to; default: this repository */
  readonly repoRoot?: string;
}

/** The name of a core stack export an OEM stack imports (`EvcsInterconnect-table-orders`). */
export const coreExportName = (coreStackName: string, what: string): string => `${coreStackName}-${what}`;

/** `connector-status` → `ConnectorStatus` (readable construct ids / logical ids) */
export const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');

const attribute = (k: KeyDecl): dynamodb.Attribute => ({
  name: k.name,
  type: k.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

const unique = (kind: string, names: readonly string[]): void => {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`topology: duplicate ${kind} '${n}'`);
    seen.add(n);
  }
};

export class EvcsStack extends Stack {
  readonly operatorId: string;
  readonly secretsPrefix: string;
  readonly topology: Topology;
  readonly bus: events.EventBus;
  readonly alarmTopics: AlarmTopics;
  readonly tables = new Map<string, dynamodb.Table>();
  readonly queues = new Map<string, EvcsQueue>();
  readonly functions = new Map<string, EvcsFunction>();
  readonly buckets = new Map<string, EvcsBucket>();
  readonly api: apigwv2.HttpApi;
  /** the admin API's authorizer (only when the topology declares an `auth: 'operator'` route) */
  private operatorAuth?: OperatorAuth;
  readonly apiStage: apigwv2.HttpStage;
  /** the OCPP 1.6J gateway charge points connect to (only when the topology declares websocket routes) */
  readonly ocppApi: apigwv2.WebSocketApi | undefined;
  readonly ocppStage: apigwv2.WebSocketStage | undefined;
  readonly platformSecret: secretsmanager.Secret;
  readonly repoRoot: string;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: EvcsStackProps = {}) {
    super(scope, id, {
      description: 'EVCS Interconnect: T/CEC 102 interconnection platform (API, functions, bus, queues, tables)',
      ...props,
    });
    this.topology = props.topology ?? realTopology;
    this.operatorId = props.operatorId ?? this.contextString('operatorId') ?? DEFAULT_OPERATOR_ID;
    this.secretsPrefix = props.secretsPrefix ?? this.contextString('secretsPrefix') ?? DEFAULT_SECRETS_PREFIX;
    if (!/^[0-9A-Z]{9}$/.test(this.operatorId)) throw new Error(`operatorId '${this.operatorId}' is not a 9-character OperatorID`);
    if (!/^[A-Za-z0-9/_+=.@-]+$/.test(this.secretsPrefix))
      throw new Error(`secretsPrefix '${this.secretsPrefix}' is not a valid secret name prefix`);
    const repoRoot = props.repoRoot ?? REPO_ROOT;
    this.repoRoot = repoRoot;

    unique(
      'table',
      this.topology.tables.map((t) => t.name),
    );
    unique(
      'queue',
      this.topology.queues.map((q) => q.name),
    );
    unique(
      'function',
      this.topology.functions.map((f) => f.id),
    );

    this.alarmTopics = new AlarmTopics(this, 'Alarms', { nested: true });

    for (const decl of this.topology.tables) this.tables.set(decl.name, this.createTable(decl));
    unique(
      'bucket',
      (this.topology.buckets ?? []).map((b) => b.name),
    );
    for (const decl of this.topology.buckets ?? [])
      this.buckets.set(decl.name, new EvcsBucket(this, `${pascal(decl.name)}Bucket`, { decl }));

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });
    this.bus.archive('Archive', {
      description: 'every event on the evcs bus, for replay',
      eventPattern: { account: [this.account] },
      retention: Duration.days(EVENT_ARCHIVE_RETENTION_DAYS),
    });

    for (const decl of this.topology.queues) {
      this.queues.set(decl.name, new EvcsQueue(this, `${pascal(decl.name)}Queue`, { decl, eventBus: this.bus, alarms: this.alarmTopics }));
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: 'evcs-interconnect',
      description: 'T/CEC 102 interfaces served to partner platforms',
      createDefaultStage: false,
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const usesWebSocket = this.topology.functions.some(
      (f) => !f.localOnly && (f.triggers.some((t) => t.type === 'websocket') || f.grants.some((g) => 'websocket' in g)),
    );
    if (usesWebSocket) {
      this.ocppApi = new apigwv2.WebSocketApi(this, 'OcppApi', {
        apiName: 'evcs-ocpp',
        description: 'OCPP 1.6J gateway: charge points connect with subprotocol ocpp1.6 and HTTP Basic auth (security profile 1)',
        routeSelectionExpression: '$request.body.action',
      });
      this.ocppStage = new apigwv2.WebSocketStage(this, 'OcppStage', {
        webSocketApi: this.ocppApi,
        stageName: 'ocpp',
        autoDeploy: true,
        throttle: API_THROTTLE,
        accessLogSettings: {
          destination: new apigwv2.LogGroupLogDestination(
            new logs.LogGroup(this, 'OcppAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
          ),
        },
      });
      acknowledgeOcppApi(this.ocppApi);
      // chargers are configured with wss://<edge>/ocpp/<chargePointId>: CloudFront + a rewrite to the stage (ocpp-edge.ts)
      const ocppDomain = this.node.tryGetContext('ocppDomain') as string | undefined;
      const ocppCertificateArn = this.node.tryGetContext('ocppCertificateArn') as string | undefined;
      const edge = new OcppEdge(this, 'OcppEdge', {
        api: this.ocppApi,
        stage: this.ocppStage,
        ...(ocppDomain && ocppCertificateArn ? { domain: { name: ocppDomain, certificateArn: ocppCertificateArn } } : {}),
      });
      acknowledgeOcppEdge(edge.distribution, ocppDomain !== undefined);
      new CfnOutput(this, 'OcppUrl', { value: edge.url, description: 'charge points connect to <this>/<chargePointId>' });
      new CfnOutput(this, 'OcppStageUrl', {
        value: this.ocppStage.url,
        description: 'the WebSocket stage behind the edge (takes ?chargePointId=<id>)',
      });
      new CfnOutput(this, 'OcppCallbackUrl', {
        value: this.ocppStage.callbackUrl,
        description: 'export OCPP_CALLBACK_URL=<this> (operator CLI: piles …)',
      });
    } else {
      this.ocppApi = undefined;
      this.ocppStage = undefined;
    }

    const queueMap = new Map<string, sqs.IQueue>([...this.queues].map(([name, q]) => [name, q.queue]));
    const routes = new Set<string>();
    for (const decl of this.topology.functions) {
      if (decl.localOnly) continue;
      const fn = new EvcsFunction(this.functionScope(decl), pascal(decl.id), {
        decl,
        repoRoot,
        operatorId: this.operatorId,
        secretsPrefix: this.secretsPrefix,
        eventBus: this.bus,
        tables: this.tables,
        queues: queueMap,
        buckets: new Map([...this.buckets].map(([name, b]) => [name, b.bucket])),
        alarms: this.alarmTopics,
        ...(this.ocppStage ? { webSocketStage: this.ocppStage } : {}),
      });
      this.functions.set(decl.id, fn);
      for (const [i, trigger] of decl.triggers.entries()) this.wireTrigger(fn, trigger, i, routes);
    }

    new PartnerLimits(this, 'PartnerLimits', { functions: this.functions.values(), alarms: this.alarmTopics });
    this.operations = new Operations(this.alarmTopics.host, 'Operations', {
      functions: this.functions,
      queues: this.queues,
      tables: this.tables,
      api: this.api,
    });
    // a nested stack of their own: each function's log group is a parameter of the stack that names it
    new SavedQueries(
      new NestedStack(this, 'LogQueries', { description: 'EVCS Interconnect saved Logs Insights queries, one per search key' }),
      'Queries',
      { functions: this.functions.values(), namePrefix: 'evcs/' },
    );

    this.platformSecret = new secretsmanager.Secret(this, 'PlatformSecret', {
      secretName: `${this.secretsPrefix}platform`,
      description: 'EVCS Interconnect platform secret (values never in environment or tables)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ operatorId: this.operatorId }),
        generateStringKey: 'signingKey',
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    acknowledgeApi(this.api);
    acknowledgeSecret(this.platformSecret);

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'base URL of the T/CEC interfaces' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, exportName: coreExportName(this.stackName, 'bus-name') });
    // what an OEM stack (infra/oem-stack.ts) references by import: the core's tables, queues and bus, never copies
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn, exportName: coreExportName(this.stackName, 'bus-arn') });
    new CfnOutput(this, 'SecretsPrefix', { value: this.secretsPrefix });
    // what the operator CLI (`npm run evcs`) needs in its environment to work against AWS
    for (const [logical, table] of this.tables) {
      new CfnOutput(this, `Table${pascal(logical)}`, {
        value: table.tableName,
        description: `export ${envName('TABLE', logical)}=<this>`,
        exportName: coreExportName(this.stackName, `table-${logical}`),
      });
    }
    for (const [logical, b] of this.buckets) {
      new CfnOutput(this, `Bucket${pascal(logical)}`, {
        value: b.bucket.bucketName,
        description: `export ${envName('BUCKET', logical)}=<this>`,
      });
    }
    for (const [logical, q] of this.queues) {
      new CfnOutput(this, `QueueUrl${pascal(logical)}`, {
        value: q.queue.queueUrl,
        description: `export ${envName('QUEUE_URL', logical)}=<this>`,
        exportName: coreExportName(this.stackName, `queue-url-${logical}`),
      });
      new CfnOutput(this, `QueueArn${pascal(logical)}`, {
        value: q.queue.queueArn,
        exportName: coreExportName(this.stackName, `queue-arn-${logical}`),
      });
    }
  }

  /**
   * Where a function's own resources (role, policy, log group, function, event source) live: the
   * core stack for the L0 services, a nested stack per service for the others — CloudFormation allows
   * 500 resources per stack, and a service added must not push the core over it. Its HTTP routes
   * (route, integration, invoke permission) follow it there; the API, queues, tables and the bus
   * stay in the core, and the references cross as nested-stack parameters.
   */
  private functionScope(decl: FunctionDecl): Construct {
    if (!NESTED_SERVICES.has(decl.service)) return this;
    const id = `${pascal(decl.service)}Service`;
    return (
      (this.node.tryFindChild(id) as NestedStack | undefined) ??
      new NestedStack(this, id, { description: `EVCS Interconnect ${decl.service}: its functions and their roles and logs` })
    );
  }

  private contextString(key: string): string | undefined {
    const v: unknown = this.node.tryGetContext(key);
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  }

  private createTable(decl: TableDecl): dynamodb.Table {
    const table = new dynamodb.Table(this, `${pascal(decl.name)}Table`, {
      partitionKey: attribute(decl.partitionKey),
      ...(decl.sortKey ? { sortKey: attribute(decl.sortKey) } : {}),
      ...(decl.ttlAttribute ? { timeToLiveAttribute: decl.ttlAttribute } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // the business record survives a stack deletion; caches and registries are rebuilt
      removalPolicy: decl.critical ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      ...(decl.critical ? { deletionProtection: true } : {}),
    });
    for (const index of decl.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        ...(index.projection === undefined
          ? { projectionType: dynamodb.ProjectionType.ALL }
          : index.projection.length === 0
            ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
            : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] }),
      });
    }
    return table;
  }

  /** the app API's authorizer (issue 12): IAM, one for every `auth: 'app'` route */
  private readonly appAuthorizer = new HttpIamAuthorizer();

  private operatorAuthorizer() {
    this.operatorAuth ??= new OperatorAuth(this, 'OperatorAuth', { apiEndpoint: this.api.apiEndpoint, repoRoot: this.repoRoot });
    return this.operatorAuth.authorizer;
  }

  private wireTrigger(fn: EvcsFunction, trigger: Trigger, i: number, routes: Set<string>): void {
    const decl: FunctionDecl = fn.decl;
    switch (trigger.type) {
      case 'http': {
        const routeKey = `${trigger.method} ${trigger.path}`;
        if (routes.has(routeKey)) throw new Error(`topology: route ${routeKey} declared twice (function ${decl.id})`);
        routes.add(routeKey);
        // the admin API: never without the operator's JWT (a Cognito authorizer, made once, in the core beside the API);
        // the app API: callers sign with SigV4 (our app backend's IAM role); T/CEC routes authenticate in the protocol
        const authorizer =
          trigger.auth === 'operator' ? this.operatorAuthorizer() : trigger.auth === 'app' ? this.appAuthorizer : undefined;
        const integration = new HttpLambdaIntegration(`${pascal(decl.id)}Integration${i}`, fn.fn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        if (Stack.of(fn.fn) === this) {
          this.api.addRoutes({
            path: trigger.path,
            methods: [apigwv2.HttpMethod[trigger.method]],
            integration,
            ...(authorizer ? { authorizer } : {}),
          });
        } else {
          // a nested service's route, its integration and its invoke permission live in the service's stack
          // beside its function (3 resources a route off the core's 500); the API's id (and the operator
          // authorizer's) cross as nested-stack parameters
          const route = new apigwv2.HttpRoute(fn, `Route${i}`, {
            httpApi: this.api,
            routeKey: apigwv2.HttpRouteKey.with(trigger.path, apigwv2.HttpMethod[trigger.method]),
            integration,
            ...(authorizer ? { authorizer } : {}),
          });
          // outside the API's subtree: the API's acknowledgement (a T/CEC route authenticates in the protocol) made here
          if (!authorizer) acknowledgeApi(route);
        }
        return;
      }
      case 'event': {
        new events.Rule(fn, `Event${i}`, {
          eventBus: this.bus,
          description: `${decl.id} ← ${trigger.pattern.source.join(',')} ${trigger.pattern['detail-type'].join(',')}`.slice(0, 512),
          eventPattern: toCdkPattern(trigger.pattern),
          targets: [
            new targets.LambdaFunction(fn.fn, {
              retryAttempts: fn.tier.retryAttempts,
              maxEventAge: Duration.hours(6),
              ...(fn.onFailureQueue ? { deadLetterQueue: fn.onFailureQueue } : {}),
            }),
          ],
        });
        return;
      }
      case 'queue': {
        const q = this.queues.get(trigger.queue);
        if (!q) throw new Error(`topology: function ${decl.id} consumes undeclared queue '${trigger.queue}'`);
        if (q.decl.visibilityTimeoutSeconds < fn.timeout.toSeconds()) {
          Annotations.of(fn).addWarningV2(
            'evcs:queueVisibility',
            `queue ${q.decl.name}: visibility timeout ${q.decl.visibilityTimeoutSeconds}s is shorter than ${decl.id}'s timeout ${fn.timeout.toSeconds()}s; Lambda refuses such a mapping`,
          );
        }
        let maxConcurrency = trigger.maxConcurrency;
        if (maxConcurrency !== undefined && maxConcurrency < 2) {
          // SQS event source mappings accept 2..1000; 1 is a local-runtime nicety
          Annotations.of(fn).addWarningV2(
            'evcs:maxConcurrency',
            `${decl.id}: maxConcurrency ${maxConcurrency} raised to 2 (the SQS event source minimum)`,
          );
          maxConcurrency = 2;
        }
        fn.fn.addEventSource(
          new SqsEventSource(q.queue, {
            batchSize: trigger.batchSize,
            reportBatchItemFailures: true,
            ...(trigger.maxBatchingWindowSeconds !== undefined
              ? { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) }
              : {}),
            ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
          }),
        );
        return;
      }
      case 'websocket': {
        if (!this.ocppApi) throw new Error(`topology: function ${decl.id} has a websocket route but the stack has no WebSocket API`);
        if (routes.has(`ws ${trigger.route}`))
          throw new Error(`topology: websocket route ${trigger.route} declared twice (function ${decl.id})`);
        routes.add(`ws ${trigger.route}`);
        this.ocppApi.addRoute(trigger.route, {
          integration: new WebSocketLambdaIntegration(`${pascal(decl.id)}Integration${i}`, fn.fn),
          // $default answers each CALL in its route response (no PostToConnection for a reply)
          ...(trigger.route === '$default' ? { returnResponse: true } : {}),
        });
        return;
      }
      case 'schedule': {
        new scheduler.Schedule(fn, `Schedule${i}`, {
          description: `${decl.id}: ${trigger.expression}`,
          schedule: scheduler.ScheduleExpression.expression(trigger.expression, SCHEDULE_TIME_ZONE),
          target: new LambdaInvoke(fn.fn, {
            // the handlers read the schedule's own clock from `time`, as in an EventBridge scheduled
            // event (the local scheduler sends the same); without an input Scheduler sends none
            input: scheduler.ScheduleTargetInput.fromObject({ time: scheduler.ContextAttribute.scheduledTime }),
            retryAttempts: fn.tier.retryAttempts,
            maxEventAge: Duration.hours(6),
            ...(fn.onFailureQueue ? { deadLetterQueue: fn.onFailureQueue } : {}),
          }),
        });
        // the scheduler makes the target's role in the function's stack (a nested service stack, or this one)
        const home = Stack.of(fn.fn);
        const fnLid = home.resolve(home.getLogicalId(fn.fn.node.defaultChild as CfnElement)) as string;
        for (const role of home.node.children.filter((c) => c.node.id.startsWith('SchedulerRoleForTarget-')))
          acknowledgeSchedulerRole(role, fnLid);
        return;
      }
    }
  }
}
