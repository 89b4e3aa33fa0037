/**
 * A connector became available again (ConnectorStatusChanged, status 1: the car left) → raise its
 * dropped ground lock (shared/services/ground-locks.ts). A failing lock gateway throws: the async
 * invoke is retried, then lands in the function's on-failure DLQ.
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
