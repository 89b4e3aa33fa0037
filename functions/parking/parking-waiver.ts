/**
 * Finished orders (`parking-waivers`) → the parking fee waiver at the car park's gate
 * (shared/services/parking.ts). A gate failure fails the record: SQS redelivers it, then parks it in
 * the DLQ (alarm); `evcs dlq replay --queue parking-waivers` sends it again. The order is never written.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { ParkingWaiversQueue } from '../../events/queues.ts';
import { waiveForFinishedOrder } from '../../shared/services/parking.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  const e = ParkingWaiversQueue.parse(r.body);
  try {
    const outcome = await waiveForFinishedOrder(e.detail, new Date());
    logger.debug('parking waiver', { outcome });
  } catch (err) {
    logger.warn('parking waiver failed; retried, then the DLQ', {
      issue: (err as Error).message,
      receiveCount: r.attributes.ApproximateReceiveCount,
    });
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
