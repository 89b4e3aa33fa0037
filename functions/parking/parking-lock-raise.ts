/**
 * A connector became available again (ConnectorStatusChanged, status 1: the car left) → raise its
 * dropped ground lock (shared/services/ground-locks.ts). A raise the car park fails is handed to the
 * `parking-waivers` queue (retries with backoff, DLQ, alarm, replay); only a failed hand-over throws
 * (the async invoke's retries, then the function's on-failure DLQ).
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { metrics } from '#powertools';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { raiseAfterCarLeft } from '../../shared/services/ground-locks.ts';

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  try {
    const e = ConnectorStatusChanged.detail.parse(event.detail);
    await raiseAfterCarLeft(e, new Date());
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
