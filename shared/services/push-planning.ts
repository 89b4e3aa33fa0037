/**
 * Push planning: a platform event → the deliveries it causes (one per partner and push). The pure
 * fan-out rules are shared/push/plan.ts; this service adds what needs I/O:
 *   - the partner list (a Scan; tens of partners), cached per warm Lambda for PARTNERS_CACHE_MS;
 *   - the notification_equip_charge_status throttle: at most one progress push per order per
 *     PUSH_STATUS_INTERVAL_SECONDS (a conditional write per sample).
 */
import { logger } from '#powertools';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { OrderFinished, OrderProgress, OrderStarted } from '../../events/orders.ts';
import { OrderStatus } from '../domain/charging.ts';
import type { Partner } from '../domain/partners.ts';
import { pushConfig } from '../push/config.ts';
import type { Delivery } from '../push/messages.ts';
import { equipStatusPush, finishPushes, sampleVersion, startResultPush, stationStatusPushes } from '../push/plan.ts';
import { claimStatusSlot } from '../store/charge-status-throttle.ts';
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

/** The deliveries an event (an EventBridge envelope, as the rule delivers it) causes. Unknown types cause none. */
export const planPushes = async (event: unknown, now = Date.now()): Promise<Delivery[]> => {
  const detailType = event && typeof event === 'object' ? (event as { 'detail-type'?: unknown })['detail-type'] : undefined;
  switch (detailType) {
    case ConnectorStatusChanged.detailType:
      return stationStatusPushes(ConnectorStatusChanged.envelope.parse(event).detail, await currentPartners(now), now);
    case OrderStarted.detailType:
      return [startResultPush(OrderStarted.envelope.parse(event).detail, now)];
    case OrderProgress.detailType: {
      const d = OrderProgress.envelope.parse(event).detail;
      if (d.StartChargeSeqStat !== OrderStatus.Charging) return [];
      const claimed = await claimStatusSlot(d.StartChargeSeq, sampleVersion(d.EndTime), pushConfig().PUSH_STATUS_INTERVAL_SECONDS * 1000);
      return claimed ? [equipStatusPush(d, now)] : [];
    }
    case OrderFinished.detailType:
      return finishPushes(OrderFinished.envelope.parse(event).detail, now);
    default:
      logger.warn('unexpected event type: ignored', { detailType: String(detailType) });
      return [];
  }
};
