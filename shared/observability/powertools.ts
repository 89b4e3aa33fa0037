/**
 * Logger, metrics and tracer, built once per process and imported everywhere through the
 * `#powertools` subpath import (the Powertools examples' pattern).
 *
 * Log keys an engineer searches by are appended per request by the middleware:
 * interface, OperatorID, StartChargeSeq, ConnectorID, requestId (and the X-Ray trace id,
 * which the Logger adds itself in Lambda). Secrets, tokens and decrypted Data are never logged.
 *
 * Where log lines go: stdout, one JSON object per line (CloudWatch Logs in Lambda) — unless a sink
 * is installed (`setLogSink`): the local runtime renders the same records for people, or keeps them
 * in a buffer under test.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

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

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EVCS',
  serviceName,
  // the Metrics utility's own warnings are structured log records too
  logger,
});

export const tracer = new Tracer({ serviceName });

export { MetricUnit } from '@aws-lambda-powertools/metrics';
