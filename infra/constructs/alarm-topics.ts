/**
 * One SNS topic per alarm severity, created once per stack. Every alarm the stack raises goes to
 * the topic of its tier's severity (TIER_DEFAULTS[tier].severity), so on-call routing is one
 * subscription per severity, not one per alarm.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { TierDefaults } from '../topology/types.ts';

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

export class AlarmTopics extends Construct {
  readonly topics: Readonly<Record<Severity, sns.Topic>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const topic = (severity: Severity): sns.Topic =>
      new sns.Topic(this, `${severity[0]?.toUpperCase() ?? ''}${severity.slice(1)}`, {
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
    const alarm = new cloudwatch.Alarm(scope, id, {
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
}

/** The alarm period used throughout: five minutes. */
export const ALARM_PERIOD = Duration.minutes(5);
