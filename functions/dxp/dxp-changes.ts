/**
 * `dxp-changes` (L2): station and connector status changes → change records by hour for the
 * supervision exports, and notification_station_change to the platforms of the station's region
 * (shared/services/dxp-triggers.ts). The whole batch is one write round; a failure fails the batch
 * (SQS redelivers it; every step is idempotent).
 */
import type { SQSEvent } from 'aws-lambda';
import { DxpChangesQueue } from '../../events/queues.ts';
import { recordChanges } from '../../shared/services/dxp-triggers.ts';

export const handler = async (event: SQSEvent) => {
  await recordChanges(
    event.Records.map((r) => DxpChangesQueue.parse(r.body)),
    Date.now(),
  );
};
