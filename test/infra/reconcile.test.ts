/** Template assertions for reconciliation (issue 11): schedules, the run queue and its DLQ alarm, the table, the dispute alarm, grants. */
import { describe, expect, it } from 'vitest';
import { ReconcileRunsQueue } from '../../events/queues.ts';
import { RECONCILE_DISPUTES_ALARM_THRESHOLD } from '../../infra/topology/reconcile.ts';
import { type CfnRes, synth } from './template.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
const props = (r: CfnRes) => r.Properties as Record<string, any>;

describe('reconciliation (CDK)', () => {
  const s = synth();
  const lambdas = s.ofType('AWS::Lambda::Function');
  const lambdaOf = (entryId: string) => {
    const l = lambdas.filter(([, r]) => JSON.stringify(props(r).Environment ?? {}).includes('"POWERTOOLS_SERVICE_NAME":"reconcile"'));
    return l.find(([lid]) => lid.toLowerCase().includes(entryId.replace(/-/g, '').toLowerCase()));
  };

  it('one schedule fans out (rate 5 min) to the dispatcher; the catch-up every 15 minutes; both with retries and a DLQ', () => {
    const schedules = s.ofType('AWS::Scheduler::Schedule').map(([, r]) => props(r));
    const dispatch = schedules.filter((p) => String(p.Description).startsWith('reconcile-dispatch:'));
    const catchup = schedules.filter((p) => String(p.Description).startsWith('order-catchup:'));
    expect(dispatch).toHaveLength(1);
    expect(dispatch[0]!.ScheduleExpression).toBe('rate(5 minutes)');
    expect(catchup).toHaveLength(1);
    expect(catchup[0]!.ScheduleExpression).toBe('rate(15 minutes)');
    for (const p of [...dispatch, ...catchup]) {
      expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(p.Target.DeadLetterConfig).toBeDefined();
    }
  });

  it('the run queue has a DLQ after maxReceiveCount and an alarm on it; reconcile-run consumes one message at a time', () => {
    const queues = s.ofType('AWS::SQS::Queue');
    const runs = queues.find(([lid]) => lid.startsWith('ReconcileRunsQueue') && !lid.includes('Dlq'));
    expect(runs).toBeDefined();
    expect(props(runs![1]).RedrivePolicy.maxReceiveCount).toBe(ReconcileRunsQueue.decl.maxReceiveCount);
    expect(props(runs![1]).VisibilityTimeout).toBe(ReconcileRunsQueue.decl.visibilityTimeoutSeconds);
    const dlqLid = (props(runs![1]).RedrivePolicy.deadLetterTargetArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const dlqAlarms = s
      .ofType('AWS::CloudWatch::Alarm')
      .filter(
        ([, r]) =>
          JSON.stringify(props(r).Dimensions ?? []) ===
          JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqLid, 'QueueName'] } }]),
      );
    expect(dlqAlarms).toHaveLength(1);
    expect(props(dlqAlarms[0]![1])).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const mappings = s
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, r]) => JSON.stringify(props(r).EventSourceArn).includes('ReconcileRunsQueue'));
    expect(mappings).toHaveLength(1);
    expect(props(mappings[0]![1]).BatchSize).toBe(1);
    expect(props(mappings[0]![1]).FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('an alarm when one partner disputes more than the threshold of a day, and one on refused or suspicious answers', () => {
    const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => props(r));
    const disputes = alarms.filter((p) => p.MetricName === 'ReconcileRunDisputes');
    expect(disputes).toHaveLength(1);
    expect(disputes[0]).toMatchObject({
      Namespace: 'EVCS',
      Statistic: 'Maximum',
      Threshold: RECONCILE_DISPUTES_ALARM_THRESHOLD,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'service', Value: 'reconcile' }],
    });
    expect(disputes[0]!.AlarmActions).toHaveLength(1);
    expect(alarms.filter((p) => p.MetricName === 'ReconcileRunRejected')).toHaveLength(1);
  });

  it('the reconcile table (pk, sk) and the sparse byPartner index of orders keyed by end time', () => {
    const tables = s.ofType('AWS::DynamoDB::Table').map(([, r]) => props(r));
    const reconcile = s.ofType('AWS::DynamoDB::Table').find(([lid]) => lid.startsWith('ReconcileTable'));
    expect(props(reconcile![1]).KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const orders = tables.find((p) => (p.GlobalSecondaryIndexes ?? []).some((g: { IndexName: string }) => g.IndexName === 'byPartner'));
    const byPartner = orders!.GlobalSecondaryIndexes.find((g: { IndexName: string }) => g.IndexName === 'byPartner');
    expect(byPartner.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: expect.arrayContaining(['StartChargeSeq', 'charged', 'bill', 'confirmResult']),
    });
  });

  it('reconcile-run may read orders but not write them, and send to the push queue (re-push of orders not found)', () => {
    const run = lambdaOf('reconcile-run');
    expect(run).toBeDefined();
    const env = props(run![1]).Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'TABLE_ORDERS',
        'TABLE_RECONCILE',
        'TABLE_PUSH_STATE',
        'QUEUE_URL_PUSH_DELIVERIES',
        'QUEUE_URL_RECONCILE_RUNS',
      ]),
    );
    const policy = s.ofType('AWS::IAM::Policy').find(([lid]) => lid.startsWith('ReconcileRunHandlerServiceRole'));
    const statements = props(policy![1]).PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    const onOrders = statements.filter((st) => JSON.stringify(st.Resource).includes('OrdersTable'));
    expect(onOrders.length).toBeGreaterThan(0);
    for (const st of onOrders) expect(JSON.stringify(st.Action)).not.toMatch(/PutItem|UpdateItem|DeleteItem|BatchWriteItem/);
  });
});
