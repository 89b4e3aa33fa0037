/**
 * Platform events (SQS, from the EventBridge rules) → one delivery message per partner and push on
 * `push-deliveries`. Status changes fan out to every partner granted the station; order events go to
 * the order's partner; charge status is throttled per order (PUSH_STATUS_INTERVAL_SECONDS).
 * A failure to enqueue fails the record: SQS redelivers the event (duplicates are harmless: the
 * ordering gate drops a status already delivered, partners key orders on StartChargeSeq).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { OrderFinished, OrderProgress, OrderStarted } from '../../events/orders.ts';
import { pushConfig } from '../../shared/push/config.ts';
import type { Delivery } from '../../shared/push/messages.ts';
import { equipStatusPush, finishPushes, sampleVersion, startResultPush, stationStatusPushes } from '../../shared/push/plan.ts';
import { enqueueDeliveries } from '../../shared/push/queue.ts';
import { claimStatusSlot } from '../../shared/push/state.ts';
import { listPartners, type Partner } from '../../shared/store/partners.ts';

const processor = new BatchProcessor(EventType.SQS);

/** the partner list, refreshed every 30 s (tens of partners; a Scan) */
let partners: { list: Partner[]; at: number } | undefined;
const PARTNERS_MS = 30_000;
const currentPartners = async (): Promise<Partner[]> => {
  if (!partners || Date.now() - partners.at > PARTNERS_MS) partners = { list: await listPartners(), at: Date.now() };
  return partners.list;
};
export const resetPlanCache = (): void => {
  partners = undefined;
};

const plan = async (event: { 'detail-type'?: string }): Promise<Delivery[]> => {
  const now = Date.now();
  switch (event['detail-type']) {
    case ConnectorStatusChanged.detailType: {
      const e = ConnectorStatusChanged.envelope.parse(event);
      return stationStatusPushes(e.detail, await currentPartners(), now);
    }
    case OrderStarted.detailType:
      return [startResultPush(OrderStarted.envelope.parse(event).detail, now)];
    case OrderProgress.detailType: {
      const d = OrderProgress.envelope.parse(event).detail;
      if (d.StartChargeSeqStat !== 2) return [];
      const claimed = await claimStatusSlot(d.StartChargeSeq, sampleVersion(d.EndTime), pushConfig().PUSH_STATUS_INTERVAL_SECONDS * 1000);
      return claimed ? [equipStatusPush(d, now)] : [];
    }
    case OrderFinished.detailType:
      return finishPushes(OrderFinished.envelope.parse(event).detail, now);
    default:
      logger.warn('unexpected event type: ignored', { detailType: event['detail-type'] });
      return [];
  }
};

const record = async (r: SQSRecord): Promise<void> => {
  const event = JSON.parse(r.body) as { 'detail-type'?: string };
  const deliveries = await plan(event);
  if (deliveries.length > 0) await enqueueDeliveries(deliveries);
};

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, record, processor, { context });
