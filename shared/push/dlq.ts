/**
 * Inspect and re-drive a queue's DLQ through the SQS API only (ReceiveMessage, SendMessage,
 * DeleteMessage, GetQueueAttributes, GetQueueUrl), so the same code works against the local
 * emulator and AWS. The DLQ is found from the source queue's RedrivePolicy.
 *
 * Replay re-sends first and deletes from the DLQ after, so a message is never lost (at worst
 * duplicated). A parked push comes back with a fresh budget (attempts, age, parked flag reset).
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';
import { type Delivery, deliverySchema } from './messages.ts';
import { pushGroup } from './queue.ts';

export interface DlqMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** the push, when the message is one */
  delivery?: Delivery;
  receiveCount: number;
  sentAt?: string;
  /** a FIFO DLQ's message group */
  groupId?: string;
}

let client: SQSClient | undefined;
const sqs = () => (client ??= new SQSClient({ ...SDK_CLIENT_DEFAULTS }));

const dlqUrlOf = async (sourceUrl: string): Promise<string> => {
  const attrs = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: sourceUrl, AttributeNames: ['RedrivePolicy'] }));
  const policy = attrs.Attributes?.RedrivePolicy;
  if (!policy) throw new Error(`${sourceUrl} has no DLQ (no RedrivePolicy)`);
  const arn = String((JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '');
  const name = arn.split(':').pop();
  if (!name) throw new Error(`${sourceUrl}: RedrivePolicy without a deadLetterTargetArn`);
  const res = await sqs().send(new GetQueueUrlCommand({ QueueName: name }));
  if (!res.QueueUrl) throw new Error(`DLQ ${name} not found`);
  return res.QueueUrl;
};

const toDlqMessage = (m: {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  Attributes?: Record<string, string>;
}): DlqMessage => {
  const body = m.Body ?? '';
  let delivery: Delivery | undefined;
  try {
    const p = deliverySchema().safeParse(JSON.parse(body));
    if (p.success) delivery = p.data;
  } catch {
    /* not JSON: shown raw */
  }
  const sent = m.Attributes?.SentTimestamp;
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body,
    ...(delivery ? { delivery } : {}),
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
    ...(sent ? { sentAt: new Date(Number(sent)).toISOString() } : {}),
    ...(m.Attributes?.MessageGroupId ? { groupId: m.Attributes.MessageGroupId } : {}),
  };
};

/**
 * Up to `max` DLQ messages; they stay in the DLQ (hidden for `hideSeconds` while being read; with
 * `release` made visible again at once after the scan, so a replay right after the listing finds them).
 */
export const listDlq = async (sourceUrl: string, max = 100, hideSeconds = 2, { release = false } = {}): Promise<DlqMessage[]> => {
  const dlq = await dlqUrlOf(sourceUrl);
  const seen = new Map<string, DlqMessage>();
  while (seen.size < max) {
    const res = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: dlq,
        MaxNumberOfMessages: Math.min(10, max - seen.size),
        VisibilityTimeout: hideSeconds,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const got = res.Messages ?? [];
    if (got.length === 0) break;
    let fresh = 0;
    for (const m of got) {
      if (m.MessageId && !seen.has(m.MessageId)) {
        seen.set(m.MessageId, toDlqMessage(m));
        fresh++;
      }
    }
    if (fresh === 0) break;
  }
  if (release)
    await Promise.all(
      [...seen.values()].map((m) =>
        sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: dlq, ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 })),
      ),
    );
  return [...seen.values()];
};

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
  /** messages in the queue's DLQ */
  dlq: number;
}

/** The queue's approximate depth and its DLQ's (GetQueueAttributes on both). */
export const queueDepth = async (sourceUrl: string): Promise<QueueDepth> => {
  const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
  const read = async (url: string) =>
    (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }))).Attributes ?? {};
  const [src, dlq] = await Promise.all([read(sourceUrl), dlqUrlOf(sourceUrl).then(read)]);
  const n = (a: Record<string, string>, k: (typeof names)[number]) => Number(a[k] ?? 0);
  return {
    visible: n(src, 'ApproximateNumberOfMessages'),
    inFlight: n(src, 'ApproximateNumberOfMessagesNotVisible'),
    delayed: n(src, 'ApproximateNumberOfMessagesDelayed'),
    dlq: n(dlq, 'ApproximateNumberOfMessages') + n(dlq, 'ApproximateNumberOfMessagesNotVisible'),
  };
};

/**
 * A parked push with a fresh budget. A start result loses its gate: version 0 of its order's gate
 * only keeps a late duplicate behind the charge statuses (shared/push/plan.ts startResultGate); a
 * replayed one is the operator's decision to deliver it, even after the order's charge statuses.
 */
export const revive = (d: Delivery, now = Date.now()): Delivery => {
  const { parked: _p, notBefore: _n, gate, ...rest } = d;
  const keep = gate && d.iface !== 'notification_start_charge_result' ? { gate } : {};
  return { ...rest, ...keep, attempt: 0, permanent: 0, createdAt: now };
};

/** Move up to `max` messages from the DLQ back to the source queue; returns how many. */
export const replayDlq = async (
  sourceUrl: string,
  max = Number.POSITIVE_INFINITY,
  filter?: (m: DlqMessage) => boolean,
): Promise<number> => {
  const dlq = await dlqUrlOf(sourceUrl);
  let moved = 0;
  // messages looked at and left (filtered out) stay hidden for 30 s, so the scan moves on through the
  // whole DLQ; it ends when a receive brings nothing it has not seen
  const seen = new Set<string>();
  while (moved < max) {
    const res = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: dlq,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    const got = (res.Messages ?? []).map(toDlqMessage);
    const fresh = got.filter((m) => !seen.has(m.messageId));
    if (fresh.length === 0) break;
    for (const m of fresh) {
      seen.add(m.messageId);
      if (moved >= max || (filter && !filter(m))) continue;
      const body = m.delivery ? JSON.stringify(revive(m.delivery)) : m.body;
      // a FIFO queue (the push lanes): back into its group, as a new message (never deduplicated away)
      const group = m.delivery ? pushGroup(m.delivery) : m.groupId;
      const fifo = sourceUrl.endsWith('.fifo') ? { MessageGroupId: group ?? m.messageId, MessageDeduplicationId: randomUUID() } : {};
      await sqs().send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: body, ...fifo }));
      await sqs().send(new DeleteMessageCommand({ QueueUrl: dlq, ReceiptHandle: m.receiptHandle }));
      moved++;
    }
  }
  return moved;
};
