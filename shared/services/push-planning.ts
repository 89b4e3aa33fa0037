/**
 * Push planning: a platform event → the deliveries it causes (one per partner and push). The pure
 * fan-out rules are shared/push/plan.ts; this service adds what needs I/O:
 *   - the partner list (a Scan; tens of partners), cached per warm Lambda for PARTNERS_CACHE_MS.
 * The notification_equip_charge_status throttle (at most one progress push per order per
 * PUSH_STATUS_INTERVAL_SECONDS) is decided by the charging service with the sample's own write: an
 * OrderProgress is made only when its push is due, so each one is pushed. The charging consumer
 * plans it itself (planProgress, the same planPushes) and sends the deliveries straight to the push
 * lanes (issue 9 §2: no push-events message, no push-plan invocation per charge status).
 */
import { logger } from '#powertools';
import type { DetailOf } from '../../events/define.ts';
import { OrderProgress, OrderStarted } from '../../events/orders.ts';
import { PushEventsQueue } from '../../events/queues.ts';
import { config } from '../config.ts';
import { OrderStatus } from '../domain/charging.ts';
import { pushable } from '../domain/grants.ts';
import { profileOf, supervisionRegion } from '../domain/partner-profile.ts';
import type { Partner } from '../domain/partners.ts';
import { pushConfig } from '../push/config.ts';
import type { Delivery } from '../push/messages.ts';
import { equipStatusPush, finishPushes, paidPush, startCarried, startResultPush, stationStatusPushes } from '../push/plan.ts';
import { enqueueDeliveries } from '../push/queue.ts';
import {
  type StationFacts,
  type Supervisor,
  supervisionFinishPushes,
  supervisionProgressPushes,
  supervisionStartPushes,
  supervisionStatusPushes,
} from '../push/supervision.ts';
import { getOrder } from '../store/orders.ts';
import { listPartners } from '../store/partners.ts';
import { getStationInfos } from '../store/stations.ts';

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
  stations.clear();
};

/** The supervision platforms that can receive pushes (issue 13): active, with an endpoint and a supervision profile. */
const supervisorsOf = (list: readonly Partner[]): Supervisor[] =>
  list.flatMap((p) => {
    if (p.kind !== 'supervision' || !pushable(p)) return [];
    const rules = profileOf(p).supervision;
    return rules ? [{ operatorId: p.operatorId, rules, region: supervisionRegion(p) ?? [] }] : [];
  });

/** A station's AreaCode and a connector's equipment and power, cached like the partner list (master data changes rarely). */
const stations = new Map<string, { at: number; info: Awaited<ReturnType<typeof getStationInfos>>[number] | undefined }>();
const stationFacts = async (stationId: string, connectorId: string, now: number): Promise<StationFacts> => {
  let hit = stations.get(stationId);
  if (!hit || now - hit.at > PARTNERS_CACHE_MS) {
    hit = { at: now, info: (await getStationInfos([stationId]))[0] };
    if (stations.size > 5000) stations.clear();
    stations.set(stationId, hit);
  }
  const info = hit.info;
  if (!info) return {};
  for (const e of info.EquipmentInfos)
    for (const c of e.ConnectorInfos)
      if (c.ConnectorID === connectorId) return { AreaCode: info.AreaCode, EquipmentID: e.EquipmentID, ConnectorPower: c.Power };
  return { AreaCode: info.AreaCode };
};

/** The supervision platforms' pushes of an event; no read at all when there is no supervision partner. */
const supervisionPushes = async (event: PushEvent, list: readonly Partner[], now: number): Promise<Delivery[]> => {
  const sups = supervisorsOf(list);
  if (sups.length === 0) return [];
  const station = await stationFacts(event.detail.StationID, event.detail.ConnectorID, now);
  switch (event['detail-type']) {
    case 'ConnectorStatusChanged':
      return supervisionStatusPushes(event.detail, sups, station, now);
    case 'OrderStarted':
      return supervisionStartPushes(event.detail, sups, station, now);
    case 'OrderProgress':
      return supervisionProgressPushes(event.detail, sups, station, pushConfig().PUSH_STATUS_INTERVAL_SECONDS, now);
    case 'OrderFinished': {
      // the meter register at the first and last sample (the order's running bill), for MeterValueStart/End
      const meter = event.detail.charged ? (await getOrder(event.detail.StartChargeSeq, false))?.meter : undefined;
      const end = supervisionFinishPushes(event.detail, sups, station, meter ? { firstWh: meter.first, lastWh: meter.wh } : undefined, now);
      // the start result it carries ahead of the order's end, as for a partner (plan.ts finishPushes)
      const start = end.length > 0 ? startCarried(event.detail) : undefined;
      return [...(start ? supervisionStartPushes(start, sups, station, now) : []), ...end];
    }
    case 'OrderPaid':
      // pay after charging (ours): not a supervision matter
      return [];
  }
};

/** A message of the push-events queue: the envelope of one of the events it subscribes to (events/queues.ts). */
export type PushEvent = ReturnType<typeof PushEventsQueue.parse>;

/** The deliveries an event causes (the queue contract has already checked its shape). */
export const planPushes = async (event: PushEvent, now = Date.now()): Promise<Delivery[]> => [
  ...(await commercialPushes(event, now)),
  ...(await supervisionPushes(event, await currentPartners(now), now)),
];

/**
 * The events of one batch of `push-events` → their deliveries, enqueued TOGETHER in the events'
 * order: SendMessageBatch of 10 across events (a fleet's boot: one call per ~10 pushes, not one per
 * status change; in AWS one SQS request where there were up to ten). Returns the indexes of the
 * events to retry: one that does not parse or plan, and — when an enqueue fails — every event that
 * had deliveries (those SQS did accept are dropped as duplicates on their id when the retry sends
 * them again: FIFO deduplication, 5 minutes).
 */
export const planAndEnqueue = async (events: readonly (() => PushEvent)[], now = Date.now()): Promise<number[]> => {
  const failed = new Set<number>();
  const planned = await Promise.allSettled(events.map(async (parse) => planPushes(parse(), now)));
  const deliveries: Delivery[] = [];
  const senders: { i: number; deliveries: readonly Delivery[] }[] = [];
  planned.forEach((p, i) => {
    if (p.status === 'rejected') {
      failed.add(i);
      logger.error('push planning failed; the event is retried', { error: p.reason as Error });
    } else if (p.value.length > 0) {
      deliveries.push(...p.value);
      senders.push({ i, deliveries: p.value });
    }
  });
  if (deliveries.length > 0)
    try {
      await enqueueDeliveries(deliveries);
    } catch (err) {
      // the batch's send failed as a whole (one delivery its contract refuses fails them all): each
      // event's own deliveries again, in order, so only the events that fail alone are retried — a
      // poison delivery does not drag healthy events to the DLQ with it (those SQS already took are
      // dropped as duplicates on their id)
      logger.warn('pushes of a batch not enqueued together: each event on its own', { events: senders.length, error: err as Error });
      for (const s of senders)
        try {
          await enqueueDeliveries(s.deliveries);
        } catch (own) {
          failed.add(s.i);
          logger.error('pushes not enqueued; their event is retried', { error: own as Error });
        }
    }
  return [...failed].sort((a, b) => a - b);
};

/**
 * The deliveries of a due charge-status push, planned where it is decided (the charging consumer):
 * the OrderProgress is validated and wrapped in the envelope its queue message had (the queue's own
 * contract), then planned by planPushes like any push event: one code path.
 */
export const planProgress = async (detail: DetailOf<typeof OrderProgress>, now = Date.now()): Promise<Delivery[]> =>
  planPushes(
    PushEventsQueue.parse(
      PushEventsQueue.serializeEvent(OrderProgress, detail, {
        id: `progress:${detail.StartChargeSeq}:${detail.EndTime}`,
        time: new Date(now).toISOString(),
        region: process.env.AWS_REGION ?? '',
        account: '',
      }),
    ),
    now,
  );

/**
 * The start result of an order, planned by the charging consumer with the order's first charge
 * status (shared/services/charging.ts sendProgress) so that it goes ahead of it; the push planner
 * plans it again from OrderStarted (the same id: one is dropped by the FIFO queue's deduplication,
 * or as stale by its gate, which lets one copy per order through — shared/push/plan.ts startResultGate).
 */
export const planStart = async (detail: DetailOf<typeof OrderStarted>, now = Date.now()): Promise<Delivery[]> =>
  planPushes(
    // the envelope EventBridge gives the planner's queue message (one the queue subscribes to), checked by its contract
    PushEventsQueue.parse(
      JSON.stringify({
        version: '0',
        id: `started:${detail.StartChargeSeq}`,
        time: new Date(now).toISOString(),
        region: process.env.AWS_REGION ?? '',
        account: '',
        source: OrderStarted.source,
        'detail-type': OrderStarted.detailType,
        resources: [],
        detail,
      }),
    ),
    now,
  );

const commercialPushes = async (event: PushEvent, now: number): Promise<Delivery[]> => {
  // an order of our own app's user on our own pile (the app API, roaming out): no partner to tell
  if (event['detail-type'] !== 'ConnectorStatusChanged' && event.detail.OperatorID === config().OPERATOR_ID) return [];
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
