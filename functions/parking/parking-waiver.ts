/**
 * Finished orders (`parking-waivers`) → the parking fee waiver at the car park's gate
 * (shared/services/parking.ts). A gate failure fails the record: SQS redelivers it, then parks it in
 * the DLQ (alarm); `evcs dlq replay --queue parking-waivers` sends it again. The order is never written.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { ParkingWaiversQueue } from '../../events/queues.ts';
import { retryAfter } from '../../shared/bus/send.ts';
import { config } from '../../shared/config.ts';
import { waiveForFinishedOrder } from '../../shared/services/parking.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  const e = ParkingWaiversQueue.parse(r.body);
  try {
    const outcome = await waiveForFinishedOrder(e.detail, new Date());
    logger.debug('parking waiver', { outcome });
  } catch (err) {
    // backoff: the first retry after PARKING_RETRY_SECONDS, doubling per receive; after
    // maxReceiveCount receives SQS moves the message to the DLQ (alarm), whence it is replayed
    const receives = Number(r.attributes.ApproximateReceiveCount) || 1;
    const delay = config().PARKING_RETRY_SECONDS * 2 ** Math.min(receives - 1, 10);
    logger.warn('parking waiver failed; retried, then the DLQ', { issue: (err as Error).message, receives, retryInSeconds: delay });
    await retryAfter(ParkingWaiversQueue, r.receiptHandle, delay).catch(() => undefined);
    throw err;
  } finally {
    logger.removeKeys(['StartChargeSeq', 'StationID', 'OperatorID']);
  }
};

export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, record, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
