/** Scheduled supervision exports (Scheduler): the last complete China-time hour, or the previous day. */
import { runScheduledExports } from '../../shared/services/dxp-runs.ts';

export const hourly = async () => runScheduledExports('hour', new Date());

export const daily = async () => runScheduledExports('day', new Date());
