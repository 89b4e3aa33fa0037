/**
 * A charger reported the VIN of the car plugged in (PileVinReported) → start a session under the
 * partner that bound it (shared/services/plug-charge.ts). A failure throws: the async invoke is
 * retried (the start answers a repeat of its sequence without a second command), then lands in the
 * function's on-failure DLQ.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { PileVinReported } from '../../events/piles.ts';
import { startForVin } from '../../shared/services/plug-charge.ts';

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  logger.resetKeys();
  try {
    await startForVin(PileVinReported.detail.parse(event.detail), new Date());
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
