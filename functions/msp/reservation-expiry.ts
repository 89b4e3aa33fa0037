/**
 * The reservation extension's expiry (Scheduler, L1): lapsed reservations no start used are settled
 * as no-shows, each billed once by one conditional write (shared/services/reservation.ts). Its own
 * function, not the L0 stranded sweep's: an extension's failure never fails a core schedule.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { metrics } from '#powertools';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { expireReservations } from '../../shared/services/reservation.ts';

export const handler = async (event: ScheduledEvent) => {
  try {
    // the schedule's own time: the rule's clock (a test fires the schedule at a chosen time)
    return await expireReservations(scheduledTime(event));
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
