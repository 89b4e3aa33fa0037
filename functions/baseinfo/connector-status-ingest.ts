/**
 * Status pipeline (L0): PileStatusChanged (and GroundLockChanged) events, delivered by EventBridge into the
 * `connector-status` queue → the connectors' versioned live status → ConnectorStatusChanged on
 * real changes. The batch is ingested together (shared/services/connector-status.ts: batched
 * reads, one write per connector); partial batch response: a record that does not parse, or whose
 * connector failed, is retried alone, the rest are done.
 */

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#powertools';
import { ConnectorStatusQueue } from '../../events/queues.ts';
import { ingestPileStatuses, type StatusReport } from '../../shared/services/connector-status.ts';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: string[] = [];
  const ids: string[] = [];
  const reports: StatusReport[] = [];
  for (const r of event.Records) {
    try {
      reports.push(ConnectorStatusQueue.parse(r.body).detail);
      ids.push(r.messageId);
    } catch (err) {
      logger.error('malformed status record', { messageId: r.messageId, error: err instanceof Error ? err.message : String(err) });
      failures.push(r.messageId);
    }
  }
  const out = await ingestPileStatuses(reports);
  for (const i of out.failed) failures.push(ids[i] ?? '');
  logger.debug('pile statuses ingested', { records: event.Records.length, failed: failures.length });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
};
