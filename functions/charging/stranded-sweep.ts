/**
 * The stranded-session sweep (Scheduler): charging orders a vanished pile left behind are ended by
 * their rule; and (extension, reservation) lapsed reservations no start used are settled as no-shows.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { metrics } from '#powertools';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { sweepStranded } from '../../shared/services/charging.ts';
import { expireReservations } from '../../shared/services/reservation.ts';

export const handler = async (event: ScheduledEvent) => {
  try {
    // the schedule's own time: the rule's clock (a test fires the schedule at a chosen time)
    const at = scheduledTime(event);
    const stranded = await sweepStranded(at);
    const reservations = await expireReservations(at);
    return { ...stranded, reservations };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
