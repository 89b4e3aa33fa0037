/**
 * SQS operations of the push service: enqueue deliveries in batches of 10, re-send one with a delay
 * (retry hops), and make a received message visible again at once (parking: maxReceiveCount then
 * moves it to the queue's DLQ — no extra permission, and the message is never outside a queue).
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '#powertools';
import { config } from '../config.ts';
import type { Delivery } from './messages.ts';

export const DELIVERY_QUEUE = 'push-deliveries';

let client: SQSClient | undefined;
const sqs = () => (client ??= tracer.captureAWSv3Client(new SQSClient({})));

export class EnqueueError extends Error {}

export const enqueueDeliveries = async (deliveries: readonly Delivery[], queue = DELIVERY_QUEUE): Promise<void> => {
  const url = config().queueUrl(queue);
  for (let i = 0; i < deliveries.length; i += 10) {
    const batch = deliveries.slice(i, i + 10);
    const res = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((d, j) => ({ Id: String(j), MessageBody: JSON.stringify(d) })),
      }),
    );
    if (res.Failed && res.Failed.length > 0)
      throw new EnqueueError(`${res.Failed.length} delivery message(s) not accepted: ${res.Failed.map((f) => f.Code).join(', ')}`);
  }
};

export const resend = async (d: Delivery, delaySeconds: number, queue = DELIVERY_QUEUE): Promise<void> => {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().queueUrl(queue),
      MessageBody: JSON.stringify(d),
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
    }),
  );
};

export const visibleNow = async (receiptHandle: string, queue = DELIVERY_QUEUE): Promise<void> => {
  await sqs().send(
    new ChangeMessageVisibilityCommand({ QueueUrl: config().queueUrl(queue), ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }),
  );
};
