/**
 * Pile session events (SQS, from the EventBridge rule) → orders: started, meter values, stopped.
 * Partial batch responses: one bad record is retried alone, then lands in the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { ChargingPileEventsQueue } from '../../events/queues.ts';
import { onPileMeter, onPileStarted, onPileStopped } from '../../shared/services/charging.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  logger.resetKeys(); // each record carries its own StartChargeSeq / ConnectorID
  logger.appendKeys({ messageId: r.messageId });
  const event = ChargingPileEventsQueue.parse(r.body);
  logger.appendKeys({ StartChargeSeq: event.detail.StartChargeSeq, ConnectorID: event.detail.ConnectorID });
  switch (event['detail-type']) {
    case 'PileSessionStarted':
      return onPileStarted(event.detail);
    case 'PileMeterValues':
      return onPileMeter(event.detail);
    case 'PileSessionStopped':
      return onPileStopped(event.detail);
  }
};

// one record after the other: a session's started / meter / stopped events in one batch must not race
export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, record, processor, { context, processInParallel: false });
