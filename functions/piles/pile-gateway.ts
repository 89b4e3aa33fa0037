/**
 * The pile gateway: PileCommandRequested events (via the `pile-commands` queue, so a command that
 * cannot be handed over is retried and finally kept in the queue's DLQ, never lost silently) →
 * the charge point over OCPP 1.6J (RemoteStart/RemoteStopTransaction), or the local simulator; and
 * PileReservationRequested (the reservation extension) → ReserveNow / CancelReservation likewise.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { PileCommandsQueue } from '../../events/queues.ts';
import { deliverPileCommand, deliverPileReservation } from '../../shared/piles/transport.ts';

const processor = new BatchProcessor(EventType.SQS);

const handleRecord = async (record: SQSRecord): Promise<void> => {
  const event = PileCommandsQueue.parse(record.body);
  if (event['detail-type'] === 'PileReservationRequested') {
    const cmd = event.detail;
    const via = await deliverPileReservation(cmd);
    logger.info('pile reservation handed over', { command: cmd.command, ReserveSeq: cmd.ReserveSeq, ConnectorID: cmd.ConnectorID, via });
    return;
  }
  const cmd = event.detail;
  const via = await deliverPileCommand(cmd);
  logger.info('pile command handed over', { command: cmd.command, StartChargeSeq: cmd.StartChargeSeq, ConnectorID: cmd.ConnectorID, via });
};

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
