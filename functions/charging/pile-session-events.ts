/**
 * Pile session events (SQS, from the EventBridge rule) → orders: started, meter values, stopped.
 * Partial batch responses: one bad record is retried alone, then lands in the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { PileMeterValues, PileSessionStarted, PileSessionStopped } from '../../events/piles.ts';
import { onPileMeter, onPileStarted, onPileStopped } from '../../shared/services/charging.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  logger.resetKeys(); // each record carries its own StartChargeSeq / ConnectorID
  const event = JSON.parse(r.body) as { 'detail-type'?: string };
  logger.appendKeys({ messageId: r.messageId });
  switch (event['detail-type']) {
    case PileSessionStarted.detailType: {
      const e = PileSessionStarted.envelope.parse(event);
      logger.appendKeys({ StartChargeSeq: e.detail.StartChargeSeq, ConnectorID: e.detail.ConnectorID });
      return onPileStarted(e.detail);
    }
    case PileMeterValues.detailType: {
      const e = PileMeterValues.envelope.parse(event);
      logger.appendKeys({ StartChargeSeq: e.detail.StartChargeSeq, ConnectorID: e.detail.ConnectorID });
      return onPileMeter(e.detail);
    }
    case PileSessionStopped.detailType: {
      const e = PileSessionStopped.envelope.parse(event);
      logger.appendKeys({ StartChargeSeq: e.detail.StartChargeSeq, ConnectorID: e.detail.ConnectorID });
      return onPileStopped(e.detail);
    }
    default:
      logger.warn('unexpected event type: ignored', { detailType: event['detail-type'] });
  }
};

// one record after the other: a session's started / meter / stopped events in one batch must not race
export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, record, processor, { context, processInParallel: false });
