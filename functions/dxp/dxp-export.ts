/**
 * Scheduled supervision exports (Scheduler): the last complete China-time hour; the previous day,
 * fanned out to one `dxp-export-parts` message per hour (`part`: one part per message, the last
 * part writes the day's manifest; a part that throws is received again, then goes to the DLQ).
 */
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { logger, metrics } from '#powertools';
import { DxpExportPartsQueue } from '../../events/queues.ts';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { countForPartner } from '../../shared/observability/partner-metric.ts';
import { exportDayPart, runScheduledDayInParts, runScheduledExports } from '../../shared/services/dxp-runs.ts';

/** run, and publish the failure metric (DxpExportFailed) whatever the outcome: the run throws after a failure */
const run = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};

/** the last complete hour before the Scheduler's instant: a retried or late invocation exports the hour it was scheduled for */
export const hourly = async (event?: Partial<ScheduledEvent>) => run(() => runScheduledExports('hour', scheduledTime(event)));

/** the day before the Scheduler's instant (`time`): a retried invocation still starts the day it was scheduled for */
export const daily = async (event?: Partial<ScheduledEvent>) => {
  return run(() => runScheduledDayInParts(scheduledTime(event)));
};

/** batch size 1: one part per invocation, so a part has the whole timeout */
export const part = async (event: SQSEvent) =>
  run(async () => {
    for (const r of event.Records) {
      const m = DxpExportPartsQueue.parse(r.body);
      try {
        await exportDayPart(m, new Date());
      } catch (err) {
        countForPartner('DxpExportFailed', m.OperatorID);
        logger.error('dxp export part failed', { OperatorID: m.OperatorID, period: m.part, error: err as Error });
        throw err;
      }
    }
  });
