/**
 * One SNS topic per alarm severity, created once per stack. Every alarm the stack raises goes to
 * the topic of its tier's severity (TIER_DEFAULTS[tier].severity), so on-call routing is one
 * subscription per severity, not one per alarm.
 *
 * With `nested`, the topics, the alarms on what lives in the core stack itself (its functions,
 * queues, partner limits) and whatever else the stack puts in `host` (dashboards) live in one
 * nested stack: monitoring is a third of the core's resources, and CloudFormation allows 500
 * resources and 200 parameters per stack. An alarm on what lives in another nested stack — a
 * function of a service with a stack of its own (infra/stack.ts `functionScope`) — is in a nested
 * stack of alarms per such service (`Alarms/<Service>ServiceAlarms`): every function name and
 * on-failure queue an alarm watches is a parameter of the stack it is in, and the monitoring stack
 * must not take them all. (Not in the service's own stack: the dashboards name its functions, so
 * the monitoring stack already depends on it, and the alarms need the monitoring stack's topics.)
 * An alarm keeps the construct path of what it watches, relative to its stack
 * (`<Function>/ErrorsAlarm`), so its logical id stays readable — and the same in either stack.
 */
import { Duration, NestedStack, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { MetricAlarmDecl, TierDefaults } from '../topology/types.ts';

export type Severity = TierDefaults['severity'];

export interface ThresholdAlarmProps {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly severity: Severity;
  readonly description: string;
  /** default 1 */
  readonly evaluationPeriods?: number;
  /** default evaluationPeriods */
  readonly datapointsToAlarm?: number;
}

export interface AlarmTopicsProps {
  /** put the topics and alarms in a nested stack of their own (the core stack); default: in place */
  readonly nested?: boolean;
}

export class AlarmTopics extends Construct {
  readonly topics: Readonly<Record<Severity, sns.Topic>>;
  /** where the topics and alarms are: the nested monitoring stack, or this construct */
  readonly host: Construct;

  constructor(scope: Construct, id: string, props: AlarmTopicsProps = {}) {
    super(scope, id);
    this.host = props.nested
      ? new NestedStack(this, 'Monitoring', {
          description: 'EVCS Interconnect monitoring: alarm topics, alarms, dashboards',
        })
      : this;
    const topic = (severity: Severity): sns.Topic =>
      new sns.Topic(this.host, `${severity[0]?.toUpperCase() ?? ''}${severity.slice(1)}`, {
        displayName: `EVCS ${severity} alarms`,
        enforceSSL: true,
      });
    this.topics = { critical: topic('critical'), high: topic('high'), medium: topic('medium'), low: topic('low') };
  }

  topic(severity: Severity): sns.Topic {
    return this.topics[severity];
  }

  /** An alarm `metric > threshold`, missing data = not breaching, wired to the severity's topic (alarm and OK). */
  alarm(scope: Construct, id: string, props: ThresholdAlarmProps): cloudwatch.Alarm {
    const evaluationPeriods = props.evaluationPeriods ?? 1;
    const alarm = new cloudwatch.Alarm(this.mirror(scope), id, {
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm ?? evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `[${props.severity}] ${props.description}`,
    });
    const action = new SnsAction(this.topic(props.severity));
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }

  /**
   * `scope` itself, or, with a nested host, the same construct path (relative to its stack) under
   * the host — or, for `scope` in another stack than the core's (a nested service's), under that
   * service's alarm stack
   */
  private mirror(scope: Construct): Construct {
    if (this.host === this) return scope;
    const home = Stack.of(scope);
    const scopes = scope.node.scopes;
    let at: Construct = home === Stack.of(this) ? this.host : this.alarmStackFor(home);
    for (const s of scopes.slice(scopes.indexOf(home) + 1)) {
      at = (at.node.tryFindChild(s.node.id) as Construct | undefined) ?? new Construct(at, s.node.id);
    }
    return at;
  }

  /** the nested stack of the alarms on what `home` (a nested service stack) holds, made once */
  private alarmStackFor(home: Stack): NestedStack {
    const id = `${home.node.id}Alarms`;
    return (
      (this.node.tryFindChild(id) as NestedStack | undefined) ??
      new NestedStack(this, id, { description: `EVCS Interconnect alarms on the ${home.node.id} stack's functions` })
    );
  }
}

/** The alarm period used throughout: five minutes. */
export const ALARM_PERIOD = Duration.minutes(5);

/** The namespace every function's Powertools metrics are in (infra/topology/environment.ts). */
export const METRICS_NAMESPACE = 'EVCS';

/** A metric a function emits with Powertools: namespace EVCS, default dimension `service`. */
const flowMetric = (service: string, metricName: string, statistic: NonNullable<MetricAlarmDecl['statistic']> = 'Sum'): cloudwatch.Metric =>
  new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, statistic, period: ALARM_PERIOD });

/** The metric (or expression) a topology alarm declaration watches. */
export const declaredAlarmMetric = (service: string, a: MetricAlarmDecl): cloudwatch.IMetric => {
  const statistic = a.statistic ?? 'Sum';
  if (a.per === 'partner') {
    // the worst partner over the last period; partners come and go without a redeploy
    const fn = ({ Sum: 'SUM', Maximum: 'MAX', Average: 'AVG' } as const)[statistic];
    return new cloudwatch.MathExpression({
      expression: `SELECT ${fn}(${a.metric}) FROM SCHEMA(${METRICS_NAMESPACE}, OperatorID, service) WHERE service = '${service}' GROUP BY OperatorID ORDER BY ${fn}() DESC LIMIT 1`,
      label: `${a.metric} (worst partner)`,
      period: ALARM_PERIOD,
      usingMetrics: {},
    });
  }
  if (a.per !== undefined) {
    const usingMetrics: Record<string, cloudwatch.IMetric> = { m: flowMetric(service, a.metric, statistic) };
    a.per.rateOf.forEach((name, i) => {
      usingMetrics[`o${i}`] = flowMetric(service, name, statistic);
    });
    const total = ['FILL(m, 0)', ...a.per.rateOf.map((_, i) => `FILL(o${i}, 0)`)].join(' + ');
    return new cloudwatch.MathExpression({
      expression: `IF((${total}) > 0, 100 * FILL(m, 0) / (${total}), 0)`,
      label: `${a.metric} rate (%)`,
      period: ALARM_PERIOD,
      usingMetrics,
    });
  }
  return flowMetric(service, a.metric, statistic);
};
