/**
 * Status pipeline (L0): PileStatusChanged events, delivered by EventBridge into the
 * `connector-status` queue → the connector's versioned live status → ConnectorStatusChanged on a
 * real change. Partial batch responses: one bad record is retried alone, the rest are done.
 */

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { ConnectorStatusQueue } from '../../events/queues.ts';
import { ingestPileStatus } from '../../shared/services/connector-status.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  const event = ConnectorStatusQueue.parse(r.body);
  const result = await ingestPileStatus(event.detail);
  logger.debug('pile status ingested', { ConnectorID: event.detail.ConnectorID, result });
};

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, record, processor, { context });
