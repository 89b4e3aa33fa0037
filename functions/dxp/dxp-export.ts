/** Scheduled supervision exports (Scheduler): the last complete China-time hour, or the previous day. */
import { metrics } from '#powertools';
import type { Period } from '../../shared/domain/dxp-export.ts';
import { runScheduledExports } from '../../shared/services/dxp-runs.ts';

/** run, and publish the failure metric (DxpExportFailed) whatever the outcome: the run throws after a failure */
const run = async (granularity: Period['granularity']) => {
  try {
    return await runScheduledExports(granularity, new Date());
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};

export const hourly = async () => run('hour');

export const daily = async () => run('day');
