/**
 * The platform's SQS calls: the one place that sends messages (SendMessage, SendMessageBatch) and
 * changes a received message's visibility. AWS_ENDPOINT_URL_SQS points the same SDK calls at the
 * local queues. Delays (≤ 900 s) implement timeouts and retry backoff without a scheduler.
 *
 * Callers name a queue contract (`events/queues.ts`): `send(ChargingTimeoutsQueue, body, { delaySeconds })`.
 * The contract validates the body (a malformed one never leaves) and names the queue; the contract
 * itself stays free of the SDK, so pure modules may import events and their queues.
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type * as z from 'zod/mini';
import type { MessageQueue, QueueContract } from '../../events/define.ts';
import { config } from '../config.ts';

let client: SQSClient | undefined;
const sqs = () => (client ??= new SQSClient({}));

/** Forget the client (the local runtime, when a platform starts again in the same process on new endpoints). */
export const resetSendClient = (): void => {
  client = undefined;
};

const MAX_DELAY_SECONDS = 900;
/** SendMessageBatch takes at most 10 entries per call. */
const MAX_BATCH = 10;

class SendError extends Error {
  override readonly name = 'SendError';
}

const delayOf = (seconds = 0): number => Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(seconds)));

/** Send one serialized message to a logical queue (the function needs a `send` grant on it). */
const sendRaw = async (queue: string, body: string, delaySeconds?: number): Promise<void> => {
  await sqs().send(new SendMessageCommand({ QueueUrl: config().queueUrl(queue), MessageBody: body, DelaySeconds: delayOf(delaySeconds) }));
};

/** Send serialized messages in batches of 10; a message SQS refuses fails the call (the caller retries the whole set). */
const sendRawBatch = async (queue: string, bodies: readonly string[]): Promise<void> => {
  if (bodies.length === 0) return;
  const url = config().queueUrl(queue);
  for (let i = 0; i < bodies.length; i += MAX_BATCH) {
    const batch = bodies.slice(i, i + MAX_BATCH);
    const res = await sqs().send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: batch.map((b, j) => ({ Id: String(j), MessageBody: b })) }),
    );
    if (res.Failed && res.Failed.length > 0)
      throw new SendError(`${queue}: ${res.Failed.length} message(s) not accepted: ${res.Failed.map((f) => f.Code).join(', ')}`);
  }
};

/** Make a received message visible again at once (it is received again, and counts toward maxReceiveCount). */
const makeVisibleNow = async (queue: string, receiptHandle: string): Promise<void> => {
  await sqs().send(
    new ChangeMessageVisibilityCommand({ QueueUrl: config().queueUrl(queue), ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }),
  );
};

/** Validate, then SendMessage (delay 0–900 s). */
export const send = async <S extends z.core.$ZodType>(
  queue: MessageQueue<S>,
  body: z.input<S>,
  opts: { delaySeconds?: number } = {},
): Promise<void> => sendRaw(queue.name, queue.serialize(body), opts.delaySeconds);

/** Validate every body (all or nothing: one malformed body sends none), then SendMessageBatch in tens. */
export const sendBatch = async <S extends z.core.$ZodType>(queue: MessageQueue<S>, bodies: readonly z.input<S>[]): Promise<void> =>
  sendRawBatch(
    queue.name,
    bodies.map((b) => queue.serialize(b)),
  );

/** Receive a message again after `seconds` (a consumer's retry backoff; it counts toward maxReceiveCount). */
export const retryAfter = async (queue: QueueContract, receiptHandle: string, seconds: number): Promise<void> => {
  await sqs().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: config().queueUrl(queue.name),
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
    }),
  );
};

/** Make a received message visible again at once (a consumer that parks it for the DLQ). */
export const visibleNow = (queue: MessageQueue, receiptHandle: string): Promise<void> => makeVisibleNow(queue.name, receiptHandle);
