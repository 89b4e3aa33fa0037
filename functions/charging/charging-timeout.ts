/** A start or stop the pile never answered: finish the order with a reason and release the connector. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { ChargingTimeoutsQueue } from '../../events/queues.ts';
import { onTimeout } from '../../shared/services/charging.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  logger.resetKeys(); // each record carries its own StartChargeSeq / ConnectorID
  logger.appendKeys({ messageId: r.messageId });
  const m = ChargingTimeoutsQueue.parse(r.body);
  logger.appendKeys({ StartChargeSeq: m.StartChargeSeq });
  // a redelivery may have to tell again what its first delivery decided (onTimeout)
  await onTimeout(m, new Date(), { redelivered: Number(r.attributes.ApproximateReceiveCount) > 1 });
};

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, record, processor, { context, processInParallel: false });
