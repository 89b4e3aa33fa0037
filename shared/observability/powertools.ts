/**
 * Logger and metrics, built once per process and imported everywhere through the
 * `#powertools` subpath import (the Powertools examples' pattern).
 *
 * Log keys an engineer searches by are appended per request by the middleware:
 * interface, OperatorID, StartChargeSeq, ConnectorID, requestId (and the X-Ray trace id,
 * which the Logger adds itself in Lambda). Secrets, tokens and decrypted Data are never logged.
 *
 * Where log lines go: stdout, one JSON object per line (CloudWatch Logs in Lambda) — unless a sink
 * is installed (`setLogSink`): the local runtime renders the same records for people, or keeps them
 * in a buffer under test.
 *
 * No Powertools Tracer (and so no X-Ray SDK) in the functions — measured, issue 9
 * (bench/coldstart.bench.ts): the Tracer brings aws-xray-sdk-core with semver and cls-hooked,
 * ~105 KB of every bundle and ~26 ms of CPU at every cold start, for per-AWS-call subsegments only.
 * What tracing keeps without it: every function runs with Lambda active tracing (the construct sets
 * `Tracing.ACTIVE`), so Lambda records the function's segment (init, invocation, overhead) and
 * samples; the SDK v3 puts the invocation's trace header (`X-Amzn-Trace-Id`, from
 * `_X_AMZN_TRACE_ID`) on every AWS request itself (its recursion-detection middleware), so a
 * message sent to SQS or EventBridge continues the same trace in the consumer; and the Logger adds
 * `xray_trace_id` to every log line (CloudWatch `evcs/by-xray_trace_id`). What it loses: the
 * subsegment of each DynamoDB/SQS/EventBridge call inside a function's segment (their latencies
 * are in CloudWatch's per-service metrics and in the cost bench's call counts instead).
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'evcs';

/** receives each log record as the JSON line Powertools would print */
export type LogSink = (jsonLine: string) => void;
let sink: LogSink | undefined;

/** Send every log record to `s` instead of stdout (undefined: back to stdout). */
export const setLogSink = (s: LogSink | undefined): void => {
  sink = s;
};

class EvcsLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    if (!sink) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

export const logger: Logger = new EvcsLogger({ serviceName });

/** receives each EMF record as the JSON line Powertools would print */
export type MetricSink = (emfLine: string) => void;
let metricSink: MetricSink | undefined;

/**
 * Send every EMF record to `s` instead of stdout (undefined: back to stdout). The local runtime
 * keeps them under its data dir, where `evcs usage` reads them as CloudWatch would.
 */
export const setMetricSink = (s: MetricSink | undefined): void => {
  metricSink = s;
};

const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EVCS';

/** the one single-metric instance (EvcsMetrics.singleMetric) */
let reusableSingle: EvcsMetrics | undefined;

class EvcsMetrics extends Metrics {
  override publishStoredMetrics(): this {
    const sinkNow = metricSink;
    if (!sinkNow) return super.publishStoredMetrics();
    try {
      if (this.hasStoredMetrics()) sinkNow(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }

  /**
   * A single metric that reaches the sink too (no default dimensions besides `service` are ever
   * set). One instance, reused: a single metric writes its record and clears its metrics,
   * dimensions and metadata on every `addMetric`, and every caller adds its dimensions and metric
   * in one synchronous run. Constructing one per record (a `Console`, the environment read again)
   * cost ~65–85 µs of CPU, and the gateway takes one per T/CEC response (`npm run bench --
   * partner-limits`: a refused request).
   */
  override singleMetric(): Metrics {
    const m = reusableSingle ?? new EvcsMetrics({ namespace, serviceName, singleMetric: true, logger });
    reusableSingle = m;
    // whatever a caller left without a metric (dimensions, metadata) does not reach the next record
    m.clearMetrics();
    m.clearDimensions();
    m.clearMetadata();
    return m;
  }
}

/** Build the single-metric instance anew on its next use (tests that change the environment it reads). */
export const forgetSingleMetric = (): void => {
  reusableSingle = undefined;
};

/**
 * A metrics buffer of its own whose records carry `dimensions` besides `service` (one partner's, say):
 * what it stores is written by its own publishStoredMetrics, each metric's values as one array.
 */
export const metricsWith = (dimensions: Record<string, string>): Metrics =>
  new EvcsMetrics({ namespace, serviceName, logger, defaultDimensions: dimensions });

export const metrics: Metrics = new EvcsMetrics({
  namespace,
  serviceName,
  // the Metrics utility's own warnings are structured log records too
  logger,
});

export { MetricUnit } from '@aws-lambda-powertools/metrics';
