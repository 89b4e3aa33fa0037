/**
 * The nightly fan-out (Scheduler, every 5 minutes): outside 00:00–04:00 China time, or before
 * RECONCILE_AT, it returns at once; within, every due partner's previous day is claimed once and
 * sent to `reconcile-runs` (shared/services/reconcile.ts).
 */
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '#powertools';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { dispatchNightly } from '../../shared/services/reconcile.ts';

export const handler = async (event: ScheduledEvent) => {
  const r = await dispatchNightly(scheduledTime(event));
  if (r.enqueued.length) logger.info('reconcile dispatch', { day: r.day, enqueued: r.enqueued });
  return r;
};
