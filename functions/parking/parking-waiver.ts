/**
 * The car park's gateway calls that must not be lost (`parking-waivers`): finished orders → the
 * parking fee waiver at the gate (shared/services/parking.ts), and ground locks whose raise after the
 * car left failed (GroundLockRaiseDue → shared/services/ground-locks.ts raiseDueLock). A gateway
 * failure fails the record: SQS redelivers it with backoff, then parks it in the DLQ (alarm);
 * `evcs dlq replay --queue parking-waivers` sends it again. An order is never written.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { ParkingWaiversQueue } from '../../events/queues.ts';
import { retryAfter } from '../../shared/bus/send.ts';
import { config } from '../../shared/config.ts';
import { raiseDueLock } from '../../shared/services/ground-locks.ts';
import { waiveForFinishedOrder } from '../../shared/services/parking.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  const e = ParkingWaiversQueue.parse(r.body);
  try {
    if (e['detail-type'] === 'GroundLockRaiseDue') {
      const outcome = await raiseDueLock(e.detail, new Date());
      logger.info('due lock raise', { outcome });
    } else {
      const outcome = await waiveForFinishedOrder(e.detail, new Date());
      logger.debug('parking waiver', { outcome });
    }
  } catch (err) {
    // backoff: the first retry after PARKING_RETRY_SECONDS, doubling per receive; after
    // maxReceiveCount receives SQS moves the message to the DLQ (alarm), whence it is replayed
    const receives = Number(r.attributes.ApproximateReceiveCount) || 1;
    const delay = config().PARKING_RETRY_SECONDS * 2 ** Math.min(receives - 1, 10);
    logger.warn(`${e['detail-type'] === 'GroundLockRaiseDue' ? 'lock raise' : 'parking waiver'} failed; retried, then the DLQ`, {
      issue: (err as Error).message,
      receives,
      retryInSeconds: delay,
    });
    await retryAfter(ParkingWaiversQueue, r.receiptHandle, delay).catch(() => undefined);
    throw err;
  } finally {
    logger.removeKeys(['StartChargeSeq', 'StationID', 'OperatorID', 'LockNum', 'ConnectorID']);
  }
};

export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, record, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
