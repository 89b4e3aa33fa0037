/**
 * The stranded-session sweep (Scheduler): charging orders a vanished pile left behind are ended by
 * their rule. (Lapsed reservations are the msp extension's own schedule: functions/msp/reservation-expiry.ts.)
 */
import type { ScheduledEvent } from 'aws-lambda';
import { metrics } from '#powertools';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { sweepStranded } from '../../shared/services/charging.ts';

export const handler = async (event: ScheduledEvent) => {
  try {
    // the schedule's own time: the rule's clock (a test fires the schedule at a chosen time)
    const at = scheduledTime(event);
    return await sweepStranded(at);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
