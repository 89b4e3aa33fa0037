/**
 * Logger, metrics and tracer, built once per process and imported everywhere through the
 * `#powertools` subpath import (the Powertools examples' pattern).
 *
 * Log keys an engineer searches by are appended per request by the middleware:
 * interface, OperatorID, StartChargeSeq, ConnectorID, requestId (and the X-Ray trace id,
 * which the Logger adds itself in Lambda). Secrets, tokens and decrypted Data are never logged.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'evcs';

export const logger = new Logger({ serviceName });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EVCS',
  serviceName,
});

export const tracer = new Tracer({ serviceName });

export { MetricUnit } from '@aws-lambda-powertools/metrics';
