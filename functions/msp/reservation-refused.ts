/**
 * A charger did not take a reservation (PileReservationRefused, from the OCPP gateway: ReserveNow
 * refused or timed out) → withdraw it and free the connector (shared/services/reservation.ts). A
 * failure throws: the async invoke is retried (a withdrawn reservation is found withdrawn), then
 * lands in the function's on-failure DLQ.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { PileReservationRefused } from '../../events/piles.ts';
import { withdrawRefusedReservation } from '../../shared/services/reservation.ts';

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  logger.resetKeys();
  try {
    await withdrawRefusedReservation(PileReservationRefused.detail.parse(event.detail), new Date());
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
