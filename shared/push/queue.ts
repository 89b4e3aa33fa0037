/**
 * The push service's queue operations, through the `push-deliveries` contract (events/queues.ts):
 * enqueue deliveries (batches of 10), re-send one with a delay (retry hops), and make a received
 * message visible again at once (parking: maxReceiveCount then moves it to the queue's DLQ — no
 * extra permission, and the message is never outside a queue).
 */
import { PushDeliveriesQueue } from '../../events/queues.ts';
import { send, sendBatch, visibleNow as visibleNowOn } from '../bus/send.ts';
import type { Delivery } from './messages.ts';

export const enqueueDeliveries = (deliveries: readonly Delivery[]): Promise<void> => sendBatch(PushDeliveriesQueue, deliveries);

export const resend = (d: Delivery, delaySeconds: number): Promise<void> => send(PushDeliveriesQueue, d, { delaySeconds });

export const visibleNow = (receiptHandle: string): Promise<void> => visibleNowOn(PushDeliveriesQueue, receiptHandle);
