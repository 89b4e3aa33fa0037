/** An applied invoice: make its PDF, store it in S3, mark it issued, push notification_invoice_info. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { InvoiceIssueQueue } from '../../events/queues.ts';
import { issueInvoice } from '../../shared/services/invoice-issue.ts';

const processor = new BatchProcessor(EventType.SQS);

const record = async (r: SQSRecord): Promise<void> => {
  logger.resetKeys();
  logger.appendKeys({ messageId: r.messageId });
  await issueInvoice(InvoiceIssueQueue.parse(r.body), new Date());
};

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, record, processor, { context, processInParallel: false });
