/**
 * What the on-call engineer looks at, derived from the topology like everything else:
 *   - one CloudWatch dashboard per service: per function invocations/errors/throttles and p50/p99
 *     duration, per interface requests by Ret, the queues its functions consume (depth, age, DLQ),
 *     for the charging service sessions started/finished, and for the push service pushes
 *     delivered/retried/parked and the failure share per partner;
 *   - an overview by tier: errors and p99 per tier, starts/stops accepted, queue depths, and the
 *     counters that drive the bill (invocations, API requests, messages, DynamoDB capacity).
 *
 * The saved Logs Insights queries over every function's log group are infra/constructs/saved-queries.ts.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { Tier } from '../topology/types.ts';
import { METRICS_NAMESPACE } from './alarm-topics.ts';
import type { EvcsFunction } from './evcs-function.ts';
import type { EvcsQueue } from './evcs-queue.ts';

const PERIOD = Duration.minutes(5);
const TIERS: readonly Tier[] = ['L0', 'L1', 'L2', 'L3'];

export interface OperationsProps {
  readonly functions: ReadonlyMap<string, EvcsFunction>;
  readonly queues: ReadonlyMap<string, EvcsQueue>;
  readonly tables: ReadonlyMap<string, dynamodb.Table>;
  readonly api: apigwv2.HttpApi;
}

/** `SEARCH('{EVCS,dims} MetricName="…" k="v"', 'Sum', 300)`: one line per value of the free dimension */
const search = (
  dims: readonly string[],
  metric: string,
  filters: Record<string, string>,
  label: string,
  stat: 'Sum' | 'Average' = 'Sum',
): cloudwatch.MathExpression =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${[METRICS_NAMESPACE, ...dims].join(',')}} MetricName="${metric}" ${Object.entries(filters)
      .map(([k, v]) => `${k}="${v}"`)
      .join(' ')}', '${stat}', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
    usingMetrics: {},
  });

const interfaceOf = (f: EvcsFunction): string | undefined => {
  const http = f.decl.triggers.find((t) => t.type === 'http');
  return http?.path.startsWith('/evcs/v1/') ? http.path.slice('/evcs/v1/'.length) : undefined;
};

/**
 * Sessions started (the pile confirmed: every path — partner, app, plug-and-charge) and finished
 * (a session that ran, billed), as the charging service counts them (shared/services/charging.ts),
 * summed over whichever function (service dimension) ran the transition.
 */
const sessionsWidget = (): cloudwatch.GraphWidget =>
  new cloudwatch.GraphWidget({
    title: 'sessions started / finished (orders)',
    left: (['SessionStarted', 'SessionFinished'] as const).map(
      (metric) =>
        new cloudwatch.MathExpression({
          expression: `SUM(SEARCH('{${METRICS_NAMESPACE},service} MetricName="${metric}"', 'Sum', ${PERIOD.toSeconds()}))`,
          label: metric === 'SessionStarted' ? 'started' : 'finished',
          period: PERIOD,
          usingMetrics: {},
        }),
    ),
    width: 12,
  });

export class Operations extends Construct {
  readonly dashboards = new Map<string, cloudwatch.Dashboard>();
  readonly overview: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const fns = [...props.functions.values()];
    const queueConsumers = (q: EvcsQueue) => fns.filter((f) => f.decl.triggers.some((t) => t.type === 'queue' && t.queue === q.decl.name));

    for (const service of [...new Set(fns.map((f) => f.decl.service))].sort()) {
      const mine = fns.filter((f) => f.decl.service === service);
      const board = new cloudwatch.Dashboard(this, `${service}Dashboard`, {
        dashboardName: `evcs-${service}`,
        defaultInterval: Duration.hours(3),
      });
      board.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `# evcs ${service}\nFunctions, interfaces and queues of the ${service} service.`,
          width: 24,
          height: 2,
        }),
      );
      for (const f of mine) {
        const iface = interfaceOf(f);
        board.addWidgets(
          new cloudwatch.GraphWidget({
            title: `${f.decl.id} (${f.decl.tier}): invocations, errors, throttles`,
            left: [
              f.fn.metricInvocations({ period: PERIOD }),
              f.fn.metricErrors({ period: PERIOD }),
              f.fn.metricThrottles({ period: PERIOD }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: `${f.decl.id}: duration p50 / p99`,
            left: [f.fn.metricDuration({ period: PERIOD, statistic: 'p50' }), f.fn.metricDuration({ period: PERIOD, statistic: 'p99' })],
            width: 8,
          }),
          iface
            ? new cloudwatch.GraphWidget({
                title: `${iface}: requests by Ret`,
                left: [search(['Ret', 'interface', 'service'], 'Requests', { interface: iface }, 'Ret')],
                width: 8,
              })
            : new cloudwatch.SingleValueWidget({
                title: `${f.decl.id}: concurrent executions`,
                metrics: [f.fn.metric('ConcurrentExecutions', { period: PERIOD, statistic: 'Maximum' })],
                width: 8,
              }),
        );
      }
      for (const q of [...props.queues.values()].filter((x) => queueConsumers(x).some((f) => f.decl.service === service))) {
        board.addWidgets(
          new cloudwatch.GraphWidget({
            title: `${q.decl.name}: depth, DLQ depth`,
            left: [
              q.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
              q.dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'DLQ' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: `${q.decl.name}: age of oldest message (s)`,
            left: [q.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' })],
            width: 12,
          }),
        );
      }
      if (service === 'charging') board.addWidgets(sessionsWidget());
      if (service === 'push') {
        board.addWidgets(
          ...(['PushDelivered', 'PushFailedAttempt', 'PushParked', 'PushBreakerOpened'] as const).map(
            (m) =>
              new cloudwatch.GraphWidget({
                title: `${m} per partner`,
                left: [search(['OperatorID', 'service'], m, { service }, 'OperatorID')],
                width: 6,
              }),
          ),
          new cloudwatch.GraphWidget({
            title: 'share of failed push attempts per partner (0..1)',
            left: [search(['OperatorID', 'service'], 'PushFailureShare', { service }, 'OperatorID', 'Average')],
            width: 24,
          }),
        );
      }
      this.dashboards.set(service, board);
    }

    this.overview = new cloudwatch.Dashboard(this, 'OverviewDashboard', {
      dashboardName: 'evcs-overview',
      defaultInterval: Duration.hours(6),
    });
    this.overview.addWidgets(
      new cloudwatch.TextWidget({
        markdown: '# evcs overview by tier\nL0 never degrades; L1 key; L2 general; L3 peripheral.',
        width: 24,
        height: 2,
      }),
    );
    for (const tier of TIERS) {
      const inTier = fns.filter((f) => f.decl.tier === tier);
      if (inTier.length === 0) continue;
      const sum = (pick: (f: EvcsFunction) => cloudwatch.IMetric, label: string) => {
        const usingMetrics = Object.fromEntries(inTier.map((f, i) => [`${label[0]}${i}`, pick(f)]));
        return new cloudwatch.MathExpression({
          expression: Object.keys(usingMetrics)
            .map((k) => `FILL(${k}, 0)`)
            .join(' + '),
          label,
          usingMetrics,
          period: PERIOD,
        });
      };
      this.overview.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${tier}: invocations, errors, throttles (${inTier.length} functions)`,
          left: [
            sum((f) => f.fn.metricInvocations({ period: PERIOD }), 'invocations'),
            sum((f) => f.fn.metricErrors({ period: PERIOD }), 'errors'),
            sum((f) => f.fn.metricThrottles({ period: PERIOD }), 'throttles'),
          ],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${tier}: p99 duration per function`,
          left: inTier.map((f) => f.fn.metricDuration({ period: PERIOD, statistic: 'p99', label: f.decl.id })),
          width: 12,
        }),
      );
    }
    this.overview.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'requests per interface (all Ret)',
        left: [search(['Ret', 'interface', 'service'], 'Requests', {}, 'interface')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'sessions: starts and stops accepted (Ret 0)',
        left: [
          search(['Ret', 'interface', 'service'], 'Requests', { interface: 'query_start_charge', Ret: '0' }, 'started'),
          search(['Ret', 'interface', 'service'], 'Requests', { interface: 'query_stop_charge', Ret: '0' }, 'stopped'),
        ],
        width: 12,
      }),
      sessionsWidget(),
      new cloudwatch.GraphWidget({
        title: 'queue depths',
        left: [...props.queues.values()].map((q) =>
          q.queue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
            label: `${q.decl.name} (${q.decl.tier})`,
          }),
        ),
        right: [...props.queues.values()].map((q) =>
          q.dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: `${q.decl.name} DLQ` }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'cost drivers: Lambda invocations, API requests, messages sent',
        left: [
          new cloudwatch.MathExpression({
            expression: fns.map((_, i) => `FILL(i${i}, 0)`).join(' + ') || '0',
            label: 'Lambda invocations',
            usingMetrics: Object.fromEntries(fns.map((f, i) => [`i${i}`, f.fn.metricInvocations({ period: PERIOD })])),
            period: PERIOD,
          }),
          new cloudwatch.Metric({
            namespace: 'AWS/ApiGateway',
            metricName: 'Count',
            dimensionsMap: { ApiId: props.api.apiId },
            statistic: 'Sum',
            period: PERIOD,
            label: 'API requests',
          }),
        ],
        right: [...props.queues.values()].map((q) => q.queue.metricNumberOfMessagesSent({ period: PERIOD, label: `${q.decl.name} sent` })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'cost drivers: DynamoDB consumed capacity per table',
        left: [...props.tables.entries()].map(([name, t]) => t.metricConsumedReadCapacityUnits({ period: PERIOD, label: `${name} RCU` })),
        right: [...props.tables.entries()].map(([name, t]) => t.metricConsumedWriteCapacityUnits({ period: PERIOD, label: `${name} WCU` })),
        width: 24,
      }),
    );
  }
}
