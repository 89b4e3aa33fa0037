/**
 * The push service's queue operations, through the `push-deliveries` contract (events/queues.ts):
 * enqueue deliveries (batches of 10), re-send one (retry, breaker hold, turn), and make a received
 * message visible again at once (parking: maxReceiveCount then moves it to the queue's DLQ — no
 * extra permission, and the message is never outside a queue).
 *
 * Both push lanes are SQS FIFO queues (issue 9 §3). The message group is (partner, subject): the
 * subject is the push's ordering key (a connector, an order's charge status, a settlement) or its
 * order, so SQS hands out one partner's pushes of one connector or order in the order they were
 * sent, one at a time — the ordering lease of the push-state table is gone. A FIFO queue takes no
 * per-message delay, so a push that must wait (retry backoff, breaker hold, partner turn) either
 * HOLDS its group — the same message kept in flight (its visibility) until then, received again at
 * the head of its group: every push but a connector status — or, a connector status (latest wins),
 * is re-sent to the back of its group carrying `notBefore` and held when received early; a newer
 * status delivered meanwhile makes it stale (shared/store/push-gate.ts). A push given up on is sent
 * to the lane's DLQ by its deliverer (`park`), not left to SQS's receive count: the pushes behind a
 * held one are received and handed back with it, and must never reach the DLQ unattempted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PushDeliveriesQueue, PushSupervisionQueue } from '../../events/queues.ts';
import {
  deleteReceived,
  type FifoKey,
  holdInFlight,
  send,
  sendBatch,
  sendRawToDlq,
  sendToDlq,
  visibleNow as visibleNowOn,
} from '../bus/send.ts';
import type { Delivery } from './messages.ts';

/** A supervision platform's push goes in its own lane (`push-supervision`), every other in `push-deliveries`. */
const laneOf = (d: Pick<Delivery, 'supervision'>) => (d.supervision ? PushSupervisionQueue : PushDeliveriesQueue);

const digest = (s: string): string => createHash('sha256').update(s).digest('base64url');

/** SQS allows 128 printable ASCII characters in a MessageGroupId / MessageDeduplicationId */
const sqsId = (s: string): string => (s.length <= 128 && /^[\x21-\x7e]+$/.test(s) ? s : digest(s));

/** The message group of a push: one partner's pushes of one connector / order / settlement. */
type Keyed = Pick<Delivery, 'partner' | 'gate' | 'data' | 'id'>;

export const pushGroup = (d: Keyed): string => {
  const seq = d.data.StartChargeSeq;
  const subject = d.gate?.key ?? (typeof seq === 'string' ? `ORDER#${seq}` : d.id);
  return sqsId(`${d.partner}|${subject}`);
};

/** the first send of a push: deduplicated on its id (a planner's redelivery within 5 minutes is dropped by SQS) */
const firstKey = (d: Keyed): FifoKey => ({ group: pushGroup(d), dedup: digest(d.id) });
/** a re-sent copy: always a new message */
const copyKey = (d: Keyed): FifoKey => ({ group: pushGroup(d), dedup: randomUUID() });

export const enqueueDeliveries = async (deliveries: readonly Delivery[]): Promise<void> => {
  const supervision = deliveries.filter((d) => d.supervision);
  const others = deliveries.filter((d) => !d.supervision);
  await Promise.all([
    ...(others.length ? [sendBatch(PushDeliveriesQueue, others, { fifo: firstKey })] : []),
    ...(supervision.length ? [sendBatch(PushSupervisionQueue, supervision, { fifo: firstKey })] : []),
  ]);
};

/**
 * Re-send a push `delaySeconds` from now: to the back of its group, carrying `notBefore` (FIFO
 * queues take no DelaySeconds; the deliverer holds the copy until then).
 */
export const resend = (d: Delivery, delaySeconds: number, now = Date.now()): Promise<void> => {
  const due = now + Math.max(0, delaySeconds) * 1000;
  const copy: Delivery = delaySeconds > 0 ? { ...d, notBefore: Math.max(d.notBefore ?? 0, due) } : d;
  return send(laneOf(d), copy, { fifo: copyKey });
};

export type Lane = 'commercial' | 'supervision';

const queueOf = (lane: Lane) => (lane === 'supervision' ? PushSupervisionQueue : PushDeliveriesQueue);

/** Keep a received message in flight for `seconds` (not due yet: its group waits behind it). */
export const holdFor = (receiptHandle: string, lane: Lane, seconds: number): Promise<void> =>
  holdInFlight(queueOf(lane), receiptHandle, seconds);

/** Make a received message visible again at once, on the lane's queue it was received from. */
export const visibleNow = (receiptHandle: string, lane: Lane): Promise<void> => visibleNowOn(queueOf(lane), receiptHandle);

/** Send a parked push to its lane's DLQ (the caller then deletes the received original). */
export const parkInDlq = (d: Delivery, lane: Lane): Promise<void> =>
  // deduplicated: a deliverer that dies between this send and the delete parks it once, not twice
  sendToDlq(queueOf(lane), d, { fifo: (x) => ({ group: pushGroup(x), dedup: digest(`${x.id}#${x.createdAt}#parked`) }) });

/** A received message that is no push at all (malformed) to its lane's DLQ as it is, for a human. */
export const parkRawInDlq = (r: { body: string; messageId: string; group?: string }, lane: Lane): Promise<void> =>
  sendRawToDlq(queueOf(lane), r.body, { group: sqsId(r.group ?? r.messageId), dedup: digest(`${r.messageId}#malformed`) });

/** Delete a received message of the lane (handled after its batch answered). */
export const acknowledge = (receiptHandle: string, lane: Lane): Promise<void> => deleteReceived(queueOf(lane), receiptHandle);
