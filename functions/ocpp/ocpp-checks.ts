/**
 * Delayed OCPP gateway checks: a charge point still disconnected after the grace period goes
 * offline; an unanswered call times out; a booted charge point gets its metering set.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { OcppChecksQueue } from '../../events/queues.ts';
import { configureMetering, offlineIfStillGone, timeOutCall } from '../../shared/services/ocpp.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  logger.resetKeys();
  const m = OcppChecksQueue.parse(r.body);
  if (m.kind === 'offline') {
    logger.appendKeys({ chargePoint: m.chargePointId });
    await offlineIfStillGone(m.chargePointId, m.connectionId, new Date());
  } else if (m.kind === 'configure') {
    logger.appendKeys({ chargePoint: m.chargePointId });
    await configureMetering(m.chargePointId);
  } else await timeOutCall(m.messageId);
};

export const handler = async (event: SQSEvent, context: Context) => {
  const out = await processPartialResponse(event, record, processor, { context });
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  return out;
};
