/**
 * The push service's queue operations, through the `push-deliveries` contract (events/queues.ts):
 * enqueue deliveries (batches of 10), re-send one with a delay (retry hops), and make a received
 * message visible again at once (parking: maxReceiveCount then moves it to the queue's DLQ — no
 * extra permission, and the message is never outside a queue).
 */
import { PushDeliveriesQueue, PushSupervisionQueue } from '../../events/queues.ts';
import { send, sendBatch, visibleNow as visibleNowOn } from '../bus/send.ts';
import type { Delivery } from './messages.ts';

/** A supervision platform's push goes in its own lane (`push-supervision`), every other in `push-deliveries`. */
const laneOf = (d: Pick<Delivery, 'supervision'>) => (d.supervision ? PushSupervisionQueue : PushDeliveriesQueue);

export const enqueueDeliveries = async (deliveries: readonly Delivery[]): Promise<void> => {
  const supervision = deliveries.filter((d) => d.supervision);
  const others = deliveries.filter((d) => !d.supervision);
  await Promise.all([
    ...(others.length ? [sendBatch(PushDeliveriesQueue, others)] : []),
    ...(supervision.length ? [sendBatch(PushSupervisionQueue, supervision)] : []),
  ]);
};

export const resend = (d: Delivery, delaySeconds: number): Promise<void> => send(laneOf(d), d, { delaySeconds });

export type Lane = 'commercial' | 'supervision';

/** Make a received message visible again at once, on the lane's queue it was received from. */
export const visibleNow = (receiptHandle: string, lane: Lane): Promise<void> =>
  visibleNowOn(lane === 'supervision' ? PushSupervisionQueue : PushDeliveriesQueue, receiptHandle);
