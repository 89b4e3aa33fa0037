/**
 * Push planning: a platform event → the deliveries it causes (one per partner and push). The pure
 * fan-out rules are shared/push/plan.ts; this service adds what needs I/O:
 *   - the partner list (a Scan; tens of partners), cached per warm Lambda for PARTNERS_CACHE_MS.
 * The notification_equip_charge_status throttle (at most one progress push per order per
 * PUSH_STATUS_INTERVAL_SECONDS) is decided by the charging service with the sample's own write: an
 * OrderProgress event is published only when its push is due, so each one is pushed.
 */
import type { PushEventsQueue } from '../../events/queues.ts';
import { OrderStatus } from '../domain/charging.ts';
import type { Partner } from '../domain/partners.ts';
import type { Delivery } from '../push/messages.ts';
import { equipStatusPush, finishPushes, paidPush, startResultPush, stationStatusPushes } from '../push/plan.ts';
import { listPartners } from '../store/partners.ts';

/** how long the partner list is reused before it is read again */
export const PARTNERS_CACHE_MS = 30_000;

let partners: { list: Partner[]; at: number } | undefined;

const currentPartners = async (now: number): Promise<Partner[]> => {
  if (!partners || now - partners.at > PARTNERS_CACHE_MS) partners = { list: await listPartners(), at: now };
  return partners.list;
};

/** Forget the cached partner list (tests that change partners at run time). */
export const resetPushPlanning = (): void => {
  partners = undefined;
};

/** A message of the push-events queue: the envelope of one of the events it subscribes to (events/queues.ts). */
export type PushEvent = ReturnType<typeof PushEventsQueue.parse>;

/** The deliveries an event causes (the queue contract has already checked its shape). */
export const planPushes = async (event: PushEvent, now = Date.now()): Promise<Delivery[]> => {
  switch (event['detail-type']) {
    case 'ConnectorStatusChanged':
      return stationStatusPushes(event.detail, await currentPartners(now), now);
    case 'OrderStarted':
      return [startResultPush(event.detail, now)];
    case 'OrderProgress':
      return event.detail.StartChargeSeqStat === OrderStatus.Charging ? [equipStatusPush(event.detail, now)] : [];
    case 'OrderFinished':
      return finishPushes(event.detail, now);
    case 'OrderPaid':
      return [paidPush(event.detail, now)];
  }
};
