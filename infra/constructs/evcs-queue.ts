/**
 * A topology queue: the queue, its DLQ (after `maxReceiveCount` deliveries), the EventBridge
 * rules that feed it (`subscribe`) and its alarms — a message in the DLQ pages at the queue's
 * tier severity; so does a backlog whose oldest message is older than the tier tolerates.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type EventPattern, type QueueDecl, TIER_DEFAULTS, type Tier } from '../topology/types.ts';
import { ALARM_PERIOD, type AlarmTopics } from './alarm-topics.ts';

/** Age of the oldest message (seconds) above which a queue's backlog alarms, per tier. */
export const QUEUE_AGE_ALARM_SECONDS: Readonly<Record<Tier, number>> = { L0: 300, L1: 900, L2: 3600, L3: 6 * 3600 };

/** DLQ retention when the declaration does not say (the SQS maximum). */
const DEFAULT_DLQ_RETENTION_DAYS = 14;

/** The topology's EventBridge-shaped pattern → the CDK's camelCase EventPattern. */
export const toCdkPattern = (pattern: EventPattern): events.EventPattern => ({
  source: [...pattern.source],
  detailType: [...pattern['detail-type']],
  ...(pattern.detail ? { detail: pattern.detail } : {}),
});

export interface EvcsQueueProps {
  readonly decl: QueueDecl;
  readonly eventBus: events.IEventBus;
  readonly alarms: AlarmTopics;
}

export class EvcsQueue extends Construct {
  readonly decl: QueueDecl;
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly rules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: EvcsQueueProps) {
    super(scope, id);
    const { decl, alarms } = props;
    this.decl = decl;
    const tier = TIER_DEFAULTS[decl.tier];
    const retentionDays = decl.dlqRetentionDays ?? DEFAULT_DLQ_RETENTION_DAYS;
    if (retentionDays < 1 || retentionDays > 14) throw new Error(`queue ${decl.name}: dlqRetentionDays must be 1..14`);

    if (decl.fifo && decl.subscribe?.length) throw new Error(`queue ${decl.name}: a FIFO queue is fed by our own sends, not by rules`);
    // FIFO (a name ending in .fifo is generated): the DLQ must be FIFO too; high-throughput mode
    // (deduplication and throughput per message group), since the groups are many and small
    const fifo = decl.fifo
      ? {
          fifo: true,
          contentBasedDeduplication: false,
          deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
          fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        }
      : {};
    this.dlq = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(retentionDays),
      ...(decl.fifo ? { fifo: true } : {}),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(decl.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: decl.maxReceiveCount },
      ...fifo,
    });

    this.rules = (decl.subscribe ?? []).map(
      (pattern, i) =>
        new events.Rule(this, `Subscribe${i}`, {
          eventBus: props.eventBus,
          description: `${decl.name} ← ${pattern.source.join(',')} ${pattern['detail-type'].join(',')}`.slice(0, 512),
          eventPattern: toCdkPattern(pattern),
          // an event EventBridge cannot deliver lands in the same DLQ as one the consumer gave up on
          targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.dlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
        }),
    );

    alarms.alarm(this, 'DlqAlarm', {
      metric: this.dlq.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      threshold: 0,
      severity: tier.severity,
      description: `${decl.name}: messages in the DLQ (failed ${decl.maxReceiveCount} times); inspect and redrive`,
    });
    alarms.alarm(this, 'AgeAlarm', {
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      threshold: decl.ageAlarmSeconds ?? QUEUE_AGE_ALARM_SECONDS[decl.tier],
      severity: tier.severity,
      description: `${decl.name}: oldest message older than ${decl.ageAlarmSeconds ?? QUEUE_AGE_ALARM_SECONDS[decl.tier]}s (consumer stuck or too slow)`,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
  }
}
