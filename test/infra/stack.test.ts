/**
 * Template assertions for the production stack, driven by the topology: every function, trigger,
 * grant, table and queue declared (now or later) is checked against what the stack synthesises.
 * Bundling is skipped here (see bundling.test.ts for a real esbuild run).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, type NestedStack, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { QUEUE_AGE_ALARM_SECONDS } from '../../infra/constructs/evcs-queue.ts';
import { topology } from '../../infra/topology/index.ts';
import { envName, type FunctionDecl, type Grant, TIER_DEFAULTS, type Topology } from '../../infra/topology/types.ts';
import { fixtureTopology } from '../fixtures/local-topology.ts';
import { actions, arnOf, type CfnRes, ref, resourcesOf, roleStatements, type Synth, synth } from './template.ts';

/** The local-runtime fixture plus grants of every kind and one local-only function. */
const infraFixture: Topology = {
  ...fixtureTopology,
  functions: [
    ...fixtureTopology.functions.map((f): FunctionDecl => {
      if (f.id === 'on-event')
        return {
          ...f,
          grants: [{ table: 'items', access: 'write' }, { bus: 'put' }, { queue: 'manual', access: 'send' }, { secrets: 'readWrite' }],
        };
      if (f.id === 'tick')
        return { ...f, tier: 'L2', grants: [{ table: 'plain', access: 'read' }, { secrets: 'read' }, { websocket: 'post' }] };
      if (f.id === 'echo-http')
        return { ...f, tier: 'L0', grants: [{ table: 'items', access: 'readWrite' }], environment: { FEATURE_X: 'on' } };
      return f;
    }),
    {
      id: 'sim-only',
      service: 'ops',
      entry: 'test/fixtures/handlers/http.ts',
      handler: 'plain',
      tier: 'L3',
      description: 'local only',
      triggers: [{ type: 'http', method: 'GET', path: '/local/sim' }],
      grants: [],
      localOnly: true,
    },
  ],
};

const SECRET_LIKE = /secret|password|passwd|private.?key|sigsecret|datasecret|operatorsecret/i;

const cases: readonly [string, Topology][] = [
  ['the real topology', topology],
  ['the fixture topology (queue, event, schedule triggers, every grant kind)', infraFixture],
];

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read by many assertions
const props = (r: CfnRes) => r.Properties as Record<string, any>;

describe.each(cases)('%s', (_name, topo) => {
  const s: Synth = synth({ topology: topo });
  const deployed = topo.functions.filter((f) => !f.localOnly);
  const fnLid = (id: string): string => s.lid(s.stack.functions.get(id)!.fn);
  const tableLid = (name: string): string => s.lid(s.stack.tables.get(name)!);
  const queueLid = (name: string): string => s.lid(s.stack.queues.get(name)!.queue);
  const dlqLid = (name: string): string => s.lid(s.stack.queues.get(name)!.dlq);
  const topicLid = (tier: FunctionDecl['tier']): string => s.lid(s.stack.alarmTopics.topic(TIER_DEFAULTS[tier].severity));
  const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => props(r));

  it('deploys exactly the non-local functions', () => {
    expect([...s.stack.functions.keys()].sort()).toEqual(deployed.map((f) => f.id).sort());
    // besides CDK's own BucketDeployment function, which copies the console's files (infra/console-stack.ts)
    const ours = s.ofType('AWS::Lambda::Function').filter(([lid]) => !lid.startsWith('CustomCDKBucketDeployment'));
    expect(ours).toHaveLength(deployed.length);
  });

  it('routes every http trigger to its function through a payload-v2 Lambda integration', () => {
    // the HTTP API's routes (the OCPP WebSocket API's are $connect/$disconnect/$default: test/infra/ocpp.test.ts)
    const routes = s
      .ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => props(r))
      .filter((r) => !String(r.RouteKey).startsWith('$'));
    const httpTriggers = deployed.flatMap((f) => f.triggers.flatMap((t) => (t.type === 'http' ? [{ f, t }] : [])));
    expect(routes).toHaveLength(httpTriggers.length);
    for (const { f, t } of httpTriggers) {
      const route = routes.find((r) => r.RouteKey === `${t.method} ${t.path}`);
      expect(route, `${t.method} ${t.path}`).toBeDefined();
      const integrationLid: string = route!.Target['Fn::Join'][1][1].Ref;
      expect(props(s.resources[integrationLid]!)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: arnOf(fnLid(f.id)),
      });
    }
    for (const f of topo.functions.filter((x) => x.localOnly)) {
      for (const t of f.triggers) if (t.type === 'http') expect(routes.some((r) => r.RouteKey === `${t.method} ${t.path}`)).toBe(false);
    }
  });

  it.each(deployed.map((f) => [f.id, f] as const))(
    '%s has the tier defaults: nodejs22.x, arm64, tracing, memory, timeout, log retention, tags',
    (_id, f) => {
      const tier = TIER_DEFAULTS[f.tier];
      const p = props(s.res(s.stack.functions.get(f.id)!.fn));
      expect(p).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: f.memoryMb ?? tier.memoryMb,
        Timeout: f.timeoutSeconds ?? tier.timeoutSeconds,
        Handler: `index.${f.handler ?? 'handler'}`,
        // advanced logging controls from the tier (issue 9 §2): no START/END/REPORT lines
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: tier.applicationLogLevel, SystemLogLevel: tier.systemLogLevel },
      });
      expect(p.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'tier', Value: f.tier },
          { Key: 'service', Value: f.service },
        ]),
      );
      const logGroup = s.resources[p.LoggingConfig.LogGroup.Ref as string]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(props(logGroup).RetentionInDays).toBe(tier.logRetentionDays);
    },
  );

  it.each(deployed.map((f) => [f.id, f] as const))(
    '%s gets its configuration, its grants as TABLE_/QUEUE_URL_ and nothing secret',
    (_id, f) => {
      const env = props(s.res(s.stack.functions.get(f.id)!.fn)).Environment.Variables as Record<string, unknown>;
      expect(env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: f.service,
        POWERTOOLS_METRICS_NAMESPACE: 'EVCS',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        OPERATOR_ID: 'MA5GS8X01',
        SECRETS_PREFIX: 'evcs/',
        EVENT_BUS_NAME: ref(s.lid(s.stack.bus)),
        ...f.environment,
      });
      // source maps are not enabled at run time (a cold-start cost: bench/coldstart.bench.ts); the .map ships in the asset
      expect(env.NODE_OPTIONS).toBeUndefined();
      const tables = f.grants.flatMap((g) => ('table' in g ? [g.table] : []));
      const queues = f.grants.flatMap((g) => ('queue' in g ? [g.queue] : []));
      const expected = Object.fromEntries([
        ...tables.map((t) => [envName('TABLE', t), ref(tableLid(t))]),
        ...queues.map((q) => [envName('QUEUE_URL', q), ref(queueLid(q))]),
      ]);
      const wired = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TABLE_') || k.startsWith('QUEUE_URL_')));
      expect(wired).toEqual(expected);
      for (const key of Object.keys(env)) if (key !== 'SECRETS_PREFIX') expect(key).not.toMatch(SECRET_LIKE);
    },
  );

  it.each(deployed.map((f) => [f.id, f] as const))('%s has least-privilege IAM from its grants', (_id, f) => {
    const fnProps = props(s.res(s.stack.functions.get(f.id)!.fn));
    const statements = roleStatements(s.resources, fnProps.Role['Fn::GetAtt'][0] as string);
    const granted = (pred: (g: Grant) => boolean) => f.grants.filter(pred);

    // Secrets Manager: only under the prefix, never '*'
    const secretsGrant = granted((g) => 'secrets' in g)[0] as Extract<Grant, { secrets: string }> | undefined;
    const sm = statements.filter((st) => actions(st).some((a) => a.startsWith('secretsmanager:')));
    if (!secretsGrant) expect(sm).toEqual([]);
    else {
      const smActions = sm.flatMap(actions);
      expect(smActions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
      expect(smActions.includes('secretsmanager:PutSecretValue')).toBe(secretsGrant.secrets === 'readWrite');
      for (const st of sm) {
        for (const r of resourcesOf(st)) {
          expect(r).not.toBe('*');
          expect(JSON.stringify(r)).toMatch(/:secretsmanager:.*:secret:evcs\/\*"/);
        }
      }
    }

    // DynamoDB: per table, read and/or write exactly as declared (the replay marks' put, scoped to its
    // key family by a condition, is checked in test/infra/partner-limits.test.ts)
    const unconditional = statements.filter((st) => !(st as { Condition?: unknown }).Condition);
    for (const t of topo.tables) {
      const arn = JSON.stringify(arnOf(tableLid(t.name)));
      const onTable = unconditional.filter((st) => resourcesOf(st).some((r) => JSON.stringify(r) === arn)).flatMap(actions);
      const access = f.grants.flatMap((g) => ('table' in g && g.table === t.name ? [g.access] : []));
      const reads = access.some((a) => a !== 'write');
      const writes = access.some((a) => a !== 'read');
      expect(onTable.includes('dynamodb:GetItem'), `${t.name} read`).toBe(reads);
      expect(onTable.includes('dynamodb:Query'), `${t.name} query`).toBe(reads);
      expect(onTable.includes('dynamodb:PutItem'), `${t.name} write`).toBe(writes);
      expect(onTable.includes('dynamodb:DeleteItem'), `${t.name} delete`).toBe(writes);
    }

    // EventBridge, SQS, the OCPP WebSocket API's connections
    const puts = statements.filter((st) => actions(st).includes('events:PutEvents'));
    expect(puts.length > 0).toBe(granted((g) => 'bus' in g).length > 0);
    for (const st of puts) expect(resourcesOf(st)).toEqual([arnOf(s.lid(s.stack.bus))]);
    for (const q of topo.queues) {
      const arn = JSON.stringify(arnOf(queueLid(q.name)));
      const sends = statements.some(
        (st) => actions(st).includes('sqs:SendMessage') && resourcesOf(st).some((r) => JSON.stringify(r) === arn),
      );
      expect(sends, `send to ${q.name}`).toBe(f.grants.some((g) => 'queue' in g && g.queue === q.name));
    }
    const manage = statements.filter((st) => actions(st).some((a) => a.startsWith('execute-api:')));
    expect(manage.length > 0).toBe(granted((g) => 'websocket' in g).length > 0);
    for (const st of manage) {
      expect(actions(st)).toEqual(['execute-api:ManageConnections']);
      expect(JSON.stringify(st.Resource)).toContain('/@connections/*');
    }
  });

  it('never grants anything in Secrets Manager on resource *', () => {
    const all = s.ofType('AWS::IAM::Policy').flatMap(([, r]) => props(r).PolicyDocument.Statement as Parameters<typeof actions>[0][]);
    for (const st of all) if (actions(st).some((a) => a.startsWith('secretsmanager:'))) expect(resourcesOf(st)).not.toContain('*');
  });

  it.each(topo.tables.map((t) => [t.name, t] as const))('table %s has the declared keys, TTL, indexes and protection', (_n, t) => {
    const r = s.res(s.stack.tables.get(t.name)!);
    const p = props(r);
    const keySchema = [
      { AttributeName: t.partitionKey.name, KeyType: 'HASH' },
      ...(t.sortKey ? [{ AttributeName: t.sortKey.name, KeyType: 'RANGE' }] : []),
    ];
    expect(p.KeySchema).toEqual(keySchema);
    expect(p).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(p.TimeToLiveSpecification).toEqual(t.ttlAttribute ? { AttributeName: t.ttlAttribute, Enabled: true } : undefined);
    const keys = [t.partitionKey, t.sortKey, ...(t.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey])].filter(
      (k) => k !== undefined,
    );
    for (const k of keys) expect(p.AttributeDefinitions).toContainEqual({ AttributeName: k.name, AttributeType: k.type });
    expect((p.GlobalSecondaryIndexes ?? []).map((g: { IndexName: string }) => g.IndexName).sort()).toEqual(
      (t.indexes ?? []).map((i) => i.name).sort(),
    );
    for (const i of t.indexes ?? []) {
      const gsi = (p.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[]).find((g) => g.IndexName === i.name);
      expect(gsi?.KeySchema).toEqual([
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
        ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
    }
    expect(r.DeletionPolicy).toBe(t.critical ? 'Retain' : 'Delete');
  });

  it.each(topo.queues.map((q) => [q.name, q] as const))('queue %s has its DLQ, redrive, encryption, subscriptions and alarms', (_n, q) => {
    const main = props(s.res(s.stack.queues.get(q.name)!.queue));
    const dlq = props(s.res(s.stack.queues.get(q.name)!.dlq));
    expect(main).toMatchObject({
      VisibilityTimeout: q.visibilityTimeoutSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlqLid(q.name)), maxReceiveCount: q.maxReceiveCount },
    });
    expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: (q.dlqRetentionDays ?? 14) * 86400 });
    // enforceSSL on both
    for (const lid of [queueLid(q.name), dlqLid(q.name)]) {
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(lid)],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
    const topic = [ref(topicLid(q.tier))];
    const dlqAlarm = alarms.find(
      (a) =>
        a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqLid(q.name), 'QueueName'] } }]),
    );
    expect(dlqAlarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: topic });
    const ageAlarm = alarms.find(
      (a) =>
        a.MetricName === 'ApproximateAgeOfOldestMessage' &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueLid(q.name), 'QueueName'] } }]),
    );
    expect(ageAlarm).toMatchObject({ Threshold: q.ageAlarmSeconds ?? QUEUE_AGE_ALARM_SECONDS[q.tier], AlarmActions: topic });
    for (const pattern of q.subscribe ?? []) {
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: ref(s.lid(s.stack.bus)),
        EventPattern: {
          source: [...pattern.source],
          'detail-type': [...pattern['detail-type']],
          ...(pattern.detail ? { detail: pattern.detail } : {}),
        },
        Targets: [Match.objectLike({ Arn: arnOf(queueLid(q.name)), DeadLetterConfig: { Arn: arnOf(dlqLid(q.name)) } })],
      });
    }
  });

  it('wires every queue trigger as an SQS event source with partial batch responses', () => {
    const mappings = s.ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => props(r));
    const triggers = deployed.flatMap((f) => f.triggers.flatMap((t) => (t.type === 'queue' ? [{ f, t }] : [])));
    expect(mappings).toHaveLength(triggers.length);
    for (const { f, t } of triggers) {
      const m = mappings.find(
        (x) =>
          JSON.stringify(x.FunctionName) === JSON.stringify(ref(fnLid(f.id))) &&
          JSON.stringify(x.EventSourceArn) === JSON.stringify(arnOf(queueLid(t.queue))),
      );
      expect(m, `${f.id} ← ${t.queue}`).toBeDefined();
      expect(m).toMatchObject({ BatchSize: t.batchSize, FunctionResponseTypes: ['ReportBatchItemFailures'] });
      expect(m!.MaximumBatchingWindowInSeconds).toBe(t.maxBatchingWindowSeconds);
      expect(m!.ScalingConfig?.MaximumConcurrency).toBe(t.maxConcurrency === undefined ? undefined : Math.max(2, t.maxConcurrency));
    }
  });

  it('wires every event trigger as a rule → function with the tier retry budget and an alarmed on-failure DLQ', () => {
    for (const f of deployed) {
      for (const t of f.triggers) {
        if (t.type !== 'event') continue;
        const fn = s.stack.functions.get(f.id)!;
        const dlq = arnOf(s.lid(fn.onFailureQueue!));
        s.template.hasResourceProperties('AWS::Events::Rule', {
          EventBusName: ref(s.lid(s.stack.bus)),
          EventPattern: {
            source: [...t.pattern.source],
            'detail-type': [...t.pattern['detail-type']],
            ...(t.pattern.detail ? { detail: t.pattern.detail } : {}),
          },
          Targets: [
            Match.objectLike({
              Arn: arnOf(fnLid(f.id)),
              RetryPolicy: Match.objectLike({ MaximumRetryAttempts: TIER_DEFAULTS[f.tier].retryAttempts }),
              DeadLetterConfig: { Arn: dlq },
            }),
          ],
        });
        s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: ref(fnLid(f.id)),
          MaximumRetryAttempts: TIER_DEFAULTS[f.tier].retryAttempts,
          DestinationConfig: { OnFailure: { Destination: dlq } },
        });
        expect(
          alarms.some(
            (a) =>
              JSON.stringify(a.Dimensions) ===
              JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.lid(fn.onFailureQueue!), 'QueueName'] } }]),
          ),
        ).toBe(true);
      }
    }
  });

  it('wires every schedule trigger as an EventBridge Scheduler schedule invoking the function', () => {
    const schedules = s.ofType('AWS::Scheduler::Schedule').map(([, r]) => props(r));
    const triggers = deployed.flatMap((f) => f.triggers.flatMap((t) => (t.type === 'schedule' ? [{ f, t }] : [])));
    expect(schedules).toHaveLength(triggers.length);
    for (const { f, t } of triggers) {
      const fn = s.stack.functions.get(f.id)!;
      const sched = schedules.find(
        (x) => x.ScheduleExpression === t.expression && JSON.stringify(x.Target.Arn) === JSON.stringify(arnOf(fnLid(f.id))),
      );
      expect(sched, `${f.id} ${t.expression}`).toBeDefined();
      expect(sched!.Target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: TIER_DEFAULTS[f.tier].retryAttempts },
        DeadLetterConfig: { Arn: arnOf(s.lid(fn.onFailureQueue!)) },
      });
      // the handlers' clock: the schedule's own time, as `time` (shared/domain/scheduled-time.ts)
      expect(JSON.parse(sched!.Target.Input)).toEqual({ time: '<aws.scheduler.scheduled-time>' });
      expect(sched!.State).toBe('ENABLED');
    }
  });

  it.each(deployed.map((f) => [f.id, f] as const))('%s raises errors, throttles (and http latency) alarms at its severity', (_id, f) => {
    const mine = alarms.filter(
      (a) =>
        a.Namespace === 'AWS/Lambda' &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: ref(fnLid(f.id)) }]),
    );
    const window = f.tier === 'L0' ? { EvaluationPeriods: 1, DatapointsToAlarm: 1 } : { EvaluationPeriods: 3, DatapointsToAlarm: 2 };
    const topic = [ref(topicLid(f.tier))];
    expect(mine.find((a) => a.MetricName === 'Errors')).toMatchObject({
      Threshold: 0,
      Period: 300,
      Statistic: 'Sum',
      AlarmActions: topic,
      ...window,
    });
    expect(mine.find((a) => a.MetricName === 'Throttles')).toMatchObject({ Threshold: 0, Period: 300, AlarmActions: topic, ...window });
    const latency = mine.find((a) => a.MetricName === 'Duration');
    if (f.triggers.some((t) => t.type === 'http')) {
      const timeout = f.timeoutSeconds ?? TIER_DEFAULTS[f.tier].timeoutSeconds;
      expect(latency).toMatchObject({ ExtendedStatistic: 'p99', Threshold: timeout * 1000 * 0.8, AlarmActions: topic });
    } else expect(latency).toBeUndefined();
  });
});

describe('the production stack', () => {
  const s = synth();

  it('has one event bus named evcs, archived 30 days for replay', () => {
    s.template.resourceCountIs('AWS::Events::EventBus', 1);
    s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'evcs' });
    s.template.hasResourceProperties('AWS::Events::Archive', { SourceArn: arnOf(s.lid(s.stack.bus)), RetentionDays: 30 });
  });

  it('serves the API on a $default stage with access logs and throttling', () => {
    // one HTTP API (the OCPP WebSocket API is the other: test/infra/ocpp.test.ts)
    expect(s.ofType('AWS::ApiGatewayV2::Api').filter(([, r]) => r.Properties.ProtocolType === 'HTTP')).toHaveLength(1);
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Arn']) }),
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: { ThrottlingBurstLimit: Match.anyValue(), ThrottlingRateLimit: Match.anyValue() },
    });
  });

  it('creates the platform secret under the prefix with a generated value (no literal value in the template)', () => {
    const secrets = s.ofType('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const p = props(secrets[0]![1]);
    expect(p.Name).toBe('evcs/platform');
    expect(p.GenerateSecretString).toMatchObject({ GenerateStringKey: expect.any(String), PasswordLength: expect.any(Number) });
    expect(p.SecretString).toBeUndefined();
    expect(secrets[0]![1].DeletionPolicy).toBe('Retain');
  });

  it('has one alarm topic per severity and every alarm notifies one of them', () => {
    const topics = s.ofType('AWS::SNS::Topic').map(([lid]) => lid);
    expect(topics).toHaveLength(4);
    for (const [, a] of s.ofType('AWS::CloudWatch::Alarm')) {
      const actions = props(a).AlarmActions as { Ref: string }[];
      expect(actions).toHaveLength(1);
      expect(topics).toContain(actions[0]!.Ref);
    }
  });

  it('outputs the API URL, the bus name and the secrets prefix', () => {
    s.template.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    s.template.hasOutput('EventBusName', { Value: ref(s.lid(s.stack.bus)) });
    s.template.hasOutput('SecretsPrefix', { Value: 'evcs/' });
  });

  it('passes the CDK built-in CloudFormation validation with violations as errors', () => {
    const { app } = buildApp({
      app: {
        context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true },
        outdir: mkdtempSync(join(tmpdir(), 'evcs-validate-')),
      },
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('synthesises without warnings or errors', () => {
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(s.stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('stack configuration and topology validation', () => {
  const one = (extra: Partial<FunctionDecl> = {}, topo: Partial<Topology> = {}): Topology => ({
    tables: [{ name: 'items', description: 't', partitionKey: { name: 'pk', type: 'S' } }],
    queues: [],
    functions: [
      {
        id: 'probe',
        service: 'ops',
        entry: 'test/fixtures/handlers/bundle-probe.ts',
        handler: 'probe',
        tier: 'L1',
        description: 'probe',
        triggers: [{ type: 'http', method: 'POST', path: '/probe' }],
        grants: [{ secrets: 'read' }],
        ...extra,
      },
    ],
    ...topo,
  });

  it('takes operatorId and secretsPrefix from context', () => {
    const s = synth({ topology: one() }, { operatorId: 'ABCDEFGH1', secretsPrefix: 'staging/evcs/' });
    const env = props(s.res(s.stack.functions.get('probe')!.fn)).Environment.Variables;
    expect(env).toMatchObject({ OPERATOR_ID: 'ABCDEFGH1', SECRETS_PREFIX: 'staging/evcs/' });
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'staging/evcs/platform' });
    s.template.hasOutput('SecretsPrefix', { Value: 'staging/evcs/' });
    const statements = s
      .ofType('AWS::IAM::Policy')
      .flatMap(([, r]) => props(r).PolicyDocument.Statement as { Action: string[]; Resource: unknown }[]);
    const sm = statements.find((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(sm?.Resource)).toMatch(/:secret:staging\/evcs\/\*"/);
  });

  it('refuses an invalid operatorId', () => {
    expect(() => synth({ topology: one(), operatorId: 'bad' })).toThrow(/OperatorID/);
  });

  it('refuses a grant on an undeclared table or queue, and a trigger on an undeclared queue', () => {
    expect(() => synth({ topology: one({ grants: [{ table: 'nope', access: 'read' }] }) })).toThrow(/undeclared table 'nope'/);
    expect(() => synth({ topology: one({ grants: [{ queue: 'nope', access: 'send' }] }) })).toThrow(/undeclared queue 'nope'/);
    expect(() => synth({ topology: one({ triggers: [{ type: 'queue', queue: 'nope', batchSize: 1 }] }) })).toThrow(
      /undeclared queue 'nope'/,
    );
  });

  it('refuses the same route declared twice', () => {
    const t = one();
    const dup: Topology = { ...t, functions: [...t.functions, { ...t.functions[0]!, id: 'probe-two' }] };
    expect(() => synth({ topology: dup })).toThrow(/route POST \/probe declared twice/);
  });

  it('refuses an environment key that looks like a secret value', () => {
    expect(() => synth({ topology: one({ environment: { PARTNER_SIG_SECRET: 'x' } }) })).toThrow(/looks like a secret/);
    expect(() => synth({ topology: one({ environment: { DB_PASSWORD: 'x' } }) })).toThrow(/looks like a secret/);
  });

  it('honours per-function memory and timeout overrides', () => {
    const s = synth({ topology: one({ memoryMb: 2048, timeoutSeconds: 3 }) });
    expect(props(s.res(s.stack.functions.get('probe')!.fn))).toMatchObject({ MemorySize: 2048, Timeout: 3 });
  });

  it('warns when a queue visibility timeout is shorter than its consumer timeout, and raises maxConcurrency 1 to 2', () => {
    const s = synth({
      topology: one(
        { triggers: [{ type: 'queue', queue: 'q', batchSize: 5, maxConcurrency: 1 }] },
        { queues: [{ name: 'q', description: 'q', tier: 'L1', visibilityTimeoutSeconds: 5, maxReceiveCount: 3 }] },
      ),
    });
    const warnings = Annotations.fromStack(s.stack)
      .findWarning('*', Match.anyValue())
      .map((w) => JSON.stringify(w.entry.data));
    expect(warnings.some((w) => w.includes('visibility timeout 5s'))).toBe(true);
    expect(warnings.some((w) => w.includes('maxConcurrency 1 raised to 2'))).toBe(true);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
  });
});

describe("CloudFormation's per-stack limits", () => {
  // the limits a deploy fails on: 500 resources and 200 parameters per stack (synth checks only the first)
  const { app, stack } = buildApp({ app: { context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false } });
  const assembly = app.synth();
  type Tpl = { Resources: Record<string, { Type: string }>; Parameters?: object };
  const templates = [
    ...assembly.stacks.map((a) => ({ name: a.stackName, template: a.template as Tpl })),
    ...readdirSync(assembly.directory)
      .filter((f) => f.endsWith('.nested.template.json'))
      .map((f) => ({ name: f, template: JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')) as Tpl })),
  ];

  it('keeps the monitoring in nested stacks of its own, and the L1–L3 services’ functions in one each', () => {
    const nested = templates.filter((t) => t.name.endsWith('.nested.template.json'));
    const typesOf = (t: (typeof templates)[number]) => new Set(Object.values(t.template.Resources).map((r) => r.Type));
    // the topics, dashboards and the alarms on the core's own functions, queues and limits
    const monitoring = nested.filter((t) => typesOf(t).has('AWS::SNS::Topic'));
    expect(monitoring).toHaveLength(1);
    expect(typesOf(monitoring[0]!)).toEqual(
      new Set(['AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']),
    );
    // the saved queries: one parameter per function log group, in a stack of their own
    const queries = nested.filter((t) => typesOf(t).has('AWS::Logs::QueryDefinition'));
    expect(queries.map(typesOf)).toEqual([new Set(['AWS::Logs::QueryDefinition'])]);
    // an alarm stack per nested service, alarms only
    const alarmStacks = nested.filter((t) => t !== monitoring[0] && typesOf(t).has('AWS::CloudWatch::Alarm'));
    for (const t of alarmStacks) expect(typesOf(t), t.name).toEqual(new Set(['AWS::CloudWatch::Alarm']));
    const root = templates.find((t) => t.name === stack.stackName)!;
    expect(typesOf(root).has('AWS::CloudWatch::Alarm')).toBe(false);
    // a service stack per nested service, each holding functions only with their roles, logs and triggers
    const services = nested.filter((t) => t !== monitoring[0] && !queries.includes(t) && !alarmStacks.includes(t));
    expect(services.length).toBeGreaterThanOrEqual(4);
    for (const t of services) expect(typesOf(t).has('AWS::Lambda::Function'), t.name).toBe(true);
    expect(alarmStacks.length).toBe(services.filter((t) => !t.name.includes('OperatorAuth')).length);
    // the L0 services stay in the core stack
    const l0 = topology.functions.filter((f) => f.tier === 'L0' && !f.localOnly);
    for (const f of l0) expect(stack.functions.get(f.id)!.fn.stack, f.id).toBe(stack);
  });

  it('alarms each function in the monitoring stack if it is in the core, else in its service’s alarm stack: every alarm once', () => {
    const alarmsIn = (c: IConstruct) => c.node.findAll().filter((x) => x instanceof Alarm);
    const host = stack.alarmTopics.host;
    // the alarms the topology implies: errors and throttles per function, p99 per HTTP function, its declared
    // alarms, its on-failure DLQ if events or schedules invoke it; a DLQ and an age alarm per queue; partner limits
    const deployed = topology.functions.filter((f) => !f.localOnly);
    const expected =
      deployed.reduce(
        (n, f) =>
          n +
          2 +
          (f.triggers.some((t) => t.type === 'http') ? 1 : 0) +
          (f.alarms?.length ?? 0) +
          (f.triggers.some((t) => t.type === 'event' || t.type === 'schedule') ? 1 : 0),
        0,
      ) +
      2 * topology.queues.length +
      1;
    const all = templates.flatMap((t) => Object.values(t.template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'));
    expect(all).toHaveLength(expected);
    expect(alarmsIn(stack)).toHaveLength(expected);
    for (const f of deployed) {
      const fn = stack.functions.get(f.id)!;
      const home = Stack.of(fn.fn);
      const alarmStack = home === stack ? Stack.of(host) : (stack.alarmTopics.node.findChild(`${home.node.id}Alarms`) as NestedStack);
      // at the function's own construct path, relative to the alarm stack: the logical ids of the alarms of one stack
      const mine = alarmStack.node.tryFindChild(fn.node.id);
      expect(mine, f.id).toBeDefined();
      const ids = alarmsIn(mine!).map((a) => a.node.id);
      expect(ids, f.id).toEqual(expect.arrayContaining(['ErrorsAlarm', 'ThrottlesAlarm']));
      for (const a of alarmsIn(mine!)) expect(Stack.of(a), f.id).toBe(alarmStack);
    }
  });

  it('keeps a nested service’s HTTP routes, integrations and invoke permissions in its stack: each route once, to its function', () => {
    const root = templates.find((t) => t.name === stack.stackName)!;
    const templateOf = (c: IConstruct) => {
      const home = Stack.of(c);
      return home === stack ? root : templates.find((t) => t.name === (home as NestedStack).templateFile)!;
    };
    const resourcesOfType = (t: (typeof templates)[number], type: string) =>
      Object.entries(t.template.Resources as Record<string, CfnRes>).filter(([, r]) => r.Type === type);
    const httpRoutes = (t: (typeof templates)[number]) =>
      resourcesOfType(t, 'AWS::ApiGatewayV2::Route').filter(([, r]) => !String(props(r).RouteKey).startsWith('$'));
    const triggers = topology.functions.flatMap((f) =>
      f.localOnly ? [] : f.triggers.flatMap((t) => (t.type === 'http' ? [{ f, t, key: `${t.method} ${t.path}` }] : [])),
    );
    expect(templates.flatMap(httpRoutes)).toHaveLength(triggers.length);
    const nestedRoutes = triggers.filter(({ f }) => stack.functions.get(f.id)!.fn.stack !== stack);
    expect(nestedRoutes.length).toBeGreaterThan(0);
    for (const { f, t, key } of triggers) {
      const fn = stack.functions.get(f.id)!.fn;
      const home = templateOf(fn);
      const found = templates.flatMap((tpl) =>
        httpRoutes(tpl)
          .filter(([, r]) => props(r).RouteKey === key)
          .map(([, r]) => ({ tpl, r })),
      );
      expect(found, key).toHaveLength(1);
      // in the function's own stack: the core for the L0 services, the service's nested stack otherwise
      expect(found[0]!.tpl.name, key).toBe(home.name);
      const route = props(found[0]!.r);
      expect(route.AuthorizationType, key).toBe(t.auth === 'operator' ? 'JWT' : t.auth === 'app' ? 'AWS_IAM' : 'NONE');
      const fnArn = { 'Fn::GetAtt': [Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement), 'Arn'] };
      const integration = (home.template.Resources as Record<string, CfnRes>)[route.Target['Fn::Join'][1][1].Ref as string];
      expect(integration?.Type, key).toBe('AWS::ApiGatewayV2::Integration');
      expect(props(integration!)).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: fnArn });
      // API Gateway may invoke the function for this route, from the function's stack
      const permissions = resourcesOfType(home, 'AWS::Lambda::Permission').filter(
        ([, p]) =>
          JSON.stringify(props(p).FunctionName) === JSON.stringify(fnArn) &&
          props(p).Principal === 'apigateway.amazonaws.com' &&
          JSON.stringify(props(p).SourceArn).includes(`"/*/*${t.path}"`),
      );
      expect(permissions.length, key).toBeGreaterThanOrEqual(1);
    }
  });

  it('leaves room for 20 more functions of the dearest kind (scheduled: an on-failure queue), 10 in the core and 10 in a service', () => {
    const core = topology.functions.find((f) => f.id === 'stranded-sweep')!;
    const nested = topology.functions.find((f) => f.id === 'roaming-session-sweep')!;
    expect(stack.functions.get(core.id)!.fn.stack).toBe(stack);
    expect(stack.functions.get(nested.id)!.fn.stack).not.toBe(stack);
    const clones = Array.from({ length: 10 }, (_, i) => [
      { ...core, id: `${core.id}-x${i}` },
      { ...nested, id: `${nested.id}-x${i}` },
    ]).flat();
    const grown = buildApp({
      app: { context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false },
      stack: { topology: { ...topology, functions: [...topology.functions, ...clones] } },
    }).app.synth();
    const counts = [
      ...grown.stacks.map((a) => a.template as Tpl),
      ...readdirSync(grown.directory)
        .filter((f) => f.endsWith('.nested.template.json'))
        .map((f) => JSON.parse(readFileSync(join(grown.directory, f), 'utf8')) as Tpl),
    ].map((t) => [Object.keys(t.Resources).length, Object.keys(t.Parameters ?? {}).length]);
    expect(counts.length).toBe(templates.length);
    for (const [resources, parameters] of counts) {
      expect(resources).toBeLessThanOrEqual(450);
      expect(parameters).toBeLessThanOrEqual(180);
    }
  });

  it.each(templates.map((t) => [t.name, t.template] as const))(
    '%s: at most 450 resources and 180 parameters (headroom under 500/200)',
    (_n, t) => {
      expect(Object.keys(t.Resources).length).toBeLessThanOrEqual(450);
      expect(Object.keys(t.Parameters ?? {}).length).toBeLessThanOrEqual(180);
    },
  );
});
