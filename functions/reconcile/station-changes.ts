/** The station-change sweep (Scheduler): StationChanged facts an import recorded but did not publish are published now. */
import type { ScheduledEvent } from 'aws-lambda';
import { scheduledTime } from '../../shared/domain/scheduled-time.ts';
import { sweepStationChanges } from '../../shared/services/station-changes.ts';

// the schedule's own time: the sweep's clock (a test fires the schedule at a chosen time)
export const handler = async (event: ScheduledEvent) => sweepStationChanges(scheduledTime(event));
