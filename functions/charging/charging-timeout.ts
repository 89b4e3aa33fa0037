/** A start or stop the pile never answered: finish the order with a reason and release the connector. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '#powertools';
import { onTimeout } from '../../shared/services/charging.ts';

const processor = new BatchProcessor(EventType.SQS);
const Message = z.object({ kind: z.enum(['start', 'stop']), StartChargeSeq: z.string().min(1) });

const record = async (r: SQSRecord): Promise<void> => {
  logger.resetKeys(); // each record carries its own StartChargeSeq / ConnectorID
  const m = Message.parse(JSON.parse(r.body));
  logger.appendKeys({ StartChargeSeq: m.StartChargeSeq, messageId: r.messageId });
  await onTimeout(m, new Date());
};

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, record, processor, { context, processInParallel: false });
