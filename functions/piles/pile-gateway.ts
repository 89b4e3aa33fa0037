/**
 * The pile gateway: PileCommandRequested events (via the `pile-commands` queue, so a command that
 * cannot be handed over is retried and finally kept in the queue's DLQ, never lost silently) →
 * the charge point over OCPP 1.6J (RemoteStart/RemoteStopTransaction), or the local simulator.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { PileCommandsQueue } from '../../events/queues.ts';
import { deliverPileCommand } from '../../shared/piles/transport.ts';

const processor = new BatchProcessor(EventType.SQS);

const handleRecord = async (record: SQSRecord): Promise<void> => {
  const cmd = PileCommandsQueue.parse(record.body).detail;
  const via = await deliverPileCommand(cmd);
  logger.info('pile command handed over', { command: cmd.command, StartChargeSeq: cmd.StartChargeSeq, ConnectorID: cmd.ConnectorID, via });
};

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
