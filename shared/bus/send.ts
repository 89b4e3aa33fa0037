/**
 * The platform's SQS calls: the one place that sends messages (SendMessage, SendMessageBatch) and
 * changes a received message's visibility. AWS_ENDPOINT_URL_SQS points the same SDK calls at the
 * local queues. Delays (≤ 900 s) implement timeouts and retry backoff without a scheduler.
 *
 * Callers name a queue contract (`events/queues.ts`): `send(ChargingTimeoutsQueue, body, { delaySeconds })`.
 * The contract validates the body (a malformed one never leaves) and names the queue; the contract
 * itself stays free of the SDK, so pure modules may import events and their queues.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type * as z from 'zod/mini';
import type { DetailOf, EventContract, EventQueue, MessageQueue, QueueContract } from '../../events/define.ts';
import { config } from '../config.ts';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';

let client: SQSClient | undefined;
const sqs = () => (client ??= new SQSClient({ ...SDK_CLIENT_DEFAULTS }));

/** Forget the client (the local runtime, when a platform starts again in the same process on new endpoints). */
export const resetSendClient = (): void => {
  client = undefined;
  dlqUrls.clear();
};

/** each source queue's DLQ URL, read once per process from its RedrivePolicy */
const dlqUrls = new Map<string, Promise<string>>();

const MAX_DELAY_SECONDS = 900;
/** SendMessageBatch takes at most 10 entries per call. */
const MAX_BATCH = 10;

class SendError extends Error {
  override readonly name = 'SendError';
}

const delayOf = (seconds = 0): number => Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(seconds)));

/**
 * A FIFO queue's message group and deduplication id (`events/define.ts` queues declared `fifo`):
 * SQS hands out a group's messages in order, one batch at a time, and drops an id seen within 5 minutes.
 */
export type FifoKey = { group: string; dedup: string };

/** SQS's fields of one message: a FIFO message names its group and dedup id and takes no delay. */
const fields = (queue: string, delaySeconds: number | undefined, fifo: FifoKey | undefined) => {
  if (!fifo) return { DelaySeconds: delayOf(delaySeconds) };
  if (delayOf(delaySeconds) !== 0) throw new SendError(`${queue}: a FIFO queue takes no per-message delay`);
  return { MessageGroupId: fifo.group, MessageDeduplicationId: fifo.dedup };
};

const fifoOf = <B>(queue: MessageQueue, key: ((body: B) => FifoKey) | undefined, body: B): FifoKey | undefined => {
  if (!queue.decl.fifo) return undefined;
  if (!key) throw new SendError(`${queue.name}: a FIFO queue needs each message's group and deduplication id`);
  return key(body);
};

/** Send one serialized message to a logical queue (the function needs a `send` grant on it). */
const sendRaw = async (queue: string, body: string, delaySeconds?: number, fifo?: FifoKey): Promise<void> => {
  await sqs().send(new SendMessageCommand({ QueueUrl: config().queueUrl(queue), MessageBody: body, ...fields(queue, delaySeconds, fifo) }));
};

/** Send serialized messages in batches of 10; a message SQS refuses fails the call (the caller retries the whole set). */
const sendRawBatch = async (queue: string, bodies: readonly string[], fifo?: readonly (FifoKey | undefined)[]): Promise<void> => {
  if (bodies.length === 0) return;
  const url = config().queueUrl(queue);
  for (let i = 0; i < bodies.length; i += MAX_BATCH) {
    const batch = bodies.slice(i, i + MAX_BATCH);
    const res = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((b, j) => {
          const key = fifo?.[i + j];
          return { Id: String(j), MessageBody: b, ...(key ? { MessageGroupId: key.group, MessageDeduplicationId: key.dedup } : {}) };
        }),
      }),
    );
    if (res.Failed && res.Failed.length > 0)
      throw new SendError(`${queue}: ${res.Failed.length} message(s) not accepted: ${res.Failed.map((f) => f.Code).join(', ')}`);
  }
};

/** Make a received message visible again in `seconds` (0: at once; it is received again, and counts toward maxReceiveCount). */
const setVisibility = async (queue: string, receiptHandle: string, seconds: number): Promise<void> => {
  await sqs().send(
    new ChangeMessageVisibilityCommand({ QueueUrl: config().queueUrl(queue), ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
  );
};

/** Validate, then SendMessage (delay 0–900 s; a FIFO queue: `fifo` names the group and dedup id, no delay). */
export const send = async <S extends z.core.$ZodType>(
  queue: MessageQueue<S>,
  body: z.input<S>,
  opts: { delaySeconds?: number; fifo?: (body: z.input<S>) => FifoKey } = {},
): Promise<void> => sendRaw(queue.name, queue.serialize(body), opts.delaySeconds, fifoOf(queue, opts.fifo, body));

/**
 * Send one of the events a queue takes straight from its producer (`direct`, no rule): validated and
 * wrapped in the envelope a rule would deliver, so its consumer cannot tell the two paths apart.
 */
export const sendEvent = async <C extends EventContract>(
  queue: EventQueue<readonly EventContract[], readonly C[]>,
  contract: C,
  detail: DetailOf<C>,
  opts: { id: string; delaySeconds?: number },
): Promise<void> =>
  sendRaw(
    queue.name,
    queue.serializeEvent(contract, detail, {
      id: opts.id,
      time: new Date().toISOString(),
      region: process.env.AWS_REGION ?? '',
      account: '',
    }),
    opts.delaySeconds,
  );

/** Validate every body (all or nothing: one malformed body sends none), then SendMessageBatch in tens. */
export const sendBatch = async <S extends z.core.$ZodType>(
  queue: MessageQueue<S>,
  bodies: readonly z.input<S>[],
  opts: { fifo?: (body: z.input<S>) => FifoKey } = {},
): Promise<void> =>
  sendRawBatch(
    queue.name,
    bodies.map((b) => queue.serialize(b)),
    queue.decl.fifo ? bodies.map((b) => fifoOf(queue, opts.fifo, b)) : undefined,
  );

/** Receive a message again after `seconds` (a consumer's retry backoff; it counts toward maxReceiveCount). */
export const retryAfter = (queue: QueueContract, receiptHandle: string, seconds: number): Promise<void> =>
  setVisibility(queue.name, receiptHandle, Math.max(0, Math.min(43_200, Math.round(seconds))));

/** Make a received message visible again at once (a consumer that parks it for the DLQ). */
export const visibleNow = (queue: MessageQueue, receiptHandle: string): Promise<void> => setVisibility(queue.name, receiptHandle, 0);

/** Keep a received message in flight for `seconds` more (≤ 12 h): a FIFO queue's wait, its group held behind it. */
export const holdInFlight = (queue: MessageQueue, receiptHandle: string, seconds: number): Promise<void> =>
  setVisibility(queue.name, receiptHandle, Math.max(0, Math.min(43_200, Math.round(seconds))));

const readDlqUrl = async (queue: string): Promise<string> => {
  const attrs = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: config().queueUrl(queue), AttributeNames: ['RedrivePolicy'] }));
  const arn = attrs.Attributes?.RedrivePolicy ? String(JSON.parse(attrs.Attributes.RedrivePolicy).deadLetterTargetArn ?? '') : '';
  const name = arn.split(':').pop();
  if (!name) throw new SendError(`${queue}: no DLQ (no RedrivePolicy)`);
  const res = await sqs().send(new GetQueueUrlCommand({ QueueName: name }));
  if (!res.QueueUrl) throw new SendError(`${queue}: DLQ ${name} not found`);
  return res.QueueUrl;
};

const dlqUrlOf = (queue: string): Promise<string> => {
  let url = dlqUrls.get(queue);
  if (!url) {
    url = readDlqUrl(queue);
    url.catch(() => dlqUrls.delete(queue));
    dlqUrls.set(queue, url);
  }
  return url;
};

/**
 * Validate, then SendMessage to the queue's DLQ (a consumer that gave up on a message after its own
 * count of attempts, not SQS's receive count; the function needs a `park` grant). The caller
 * deletes the original after: at worst a duplicate, never a loss.
 */
export const sendToDlq = async <S extends z.core.$ZodType>(
  queue: MessageQueue<S>,
  body: z.input<S>,
  opts: { fifo?: (body: z.input<S>) => FifoKey } = {},
): Promise<void> => {
  const serialized = queue.serialize(body);
  await sendRawToDlq(queue, serialized, fifoOf(queue, opts.fifo, body));
};

/** A received body as it is (one that does not even parse) to the queue's DLQ, for a human. */
export const sendRawToDlq = async (queue: QueueContract, body: string, fifo?: FifoKey): Promise<void> => {
  const url = await dlqUrlOf(queue.name);
  await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, ...fields(queue.name, 0, fifo) }));
};

/** Delete a received message (a consumer done with it after its batch already answered). */
export const deleteReceived = async (queue: QueueContract, receiptHandle: string): Promise<void> => {
  await sqs().send(new DeleteMessageCommand({ QueueUrl: config().queueUrl(queue.name), ReceiptHandle: receiptHandle }));
};
