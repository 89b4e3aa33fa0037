/** Schedule: move open roaming sessions without the app (resolve lost starts, poll stale ones, publish pending disputes, alarm on overdue bills). */
import type { ScheduledEvent } from 'aws-lambda';
import { metrics } from '#powertools';
import { sweepRoamingSessions } from '../../shared/services/roaming-sweep.ts';

export const handler = async (event: ScheduledEvent) => {
  try {
    // the schedule's own time: the rules' clock (a test fires the schedule at a chosen time)
    return await sweepRoamingSessions(new Date(event.time));
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
