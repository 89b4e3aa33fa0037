/**
 * Send messages to the platform's SQS queues (AWS_ENDPOINT_URL_SQS points the same SDK call at the
 * local queues). Delays (≤ 900 s) implement timeouts and retry backoff without a scheduler.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '#powertools';
import { config } from '../config.ts';

let client: SQSClient | undefined;
const sqs = () => (client ??= tracer.captureAWSv3Client(new SQSClient({})));

export const MAX_DELAY_SECONDS = 900;

export const sendMessage = async (queue: string, body: unknown, delaySeconds = 0): Promise<void> => {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().queueUrl(queue),
      MessageBody: JSON.stringify(body),
      DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds))),
    }),
  );
};
