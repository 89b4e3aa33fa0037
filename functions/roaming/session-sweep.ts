/**
 * Schedule (every 5 min): move open roaming sessions without the app (resolve lost starts, poll stale
 * ones, publish pending disputes, alarm on overdue bills); every third run also the slow poll of the
 * partners' connector status (the fallback to their pushes). The two jobs run side by side: one
 * failing never skips the other.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { statusPollDue } from '../../shared/domain/app-session.ts';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { forEachRoamOutPartner, pollPartnerStatus } from '../../shared/services/roaming-catalog.ts';
import { sweepRoamingSessions } from '../../shared/services/roaming-sweep.ts';

export const handler = async (event: Partial<ScheduledEvent> | undefined) => {
  // the schedule's own time is the rules' clock (a test fires the schedule at a chosen time)
  const at = scheduledTime(event);
  try {
    const [sweep, poll] = await Promise.allSettled([
      sweepRoamingSessions(at),
      statusPollDue(at) ? forEachRoamOutPartner((p) => pollPartnerStatus(p)) : Promise.resolve(undefined),
    ]);
    if (sweep.status === 'rejected') logger.error('roaming session sweep failed', { error: sweep.reason as Error });
    if (poll.status === 'rejected') logger.error('roaming status poll failed', { error: poll.reason as Error });
    if (sweep.status === 'rejected') throw sweep.reason;
    // a failed poll fails the run too (errors alarm, retry, on-failure queue), after the sweep is done
    if (poll.status === 'rejected') throw poll.reason;
    const polled = poll.status === 'fulfilled' ? poll.value : undefined;
    return {
      ...sweep.value,
      ...(polled ? { statusPoll: { connectors: polled.ok.reduce((s, n) => s + n, 0), failed: polled.failed } } : {}),
    };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
