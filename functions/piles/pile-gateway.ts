/**
 * The pile gateway: PileCommandRequested events (via the `pile-commands` queue, so a command that
 * cannot be handed over is retried and finally kept in the queue's DLQ, never lost silently) →
 * the pile transport (AWS IoT Core MQTT in AWS, the simulator locally).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#powertools';
import { PileCommandsQueue } from '../../events/queues.ts';
import { pileTransport } from '../../shared/piles/transport.ts';

const processor = new BatchProcessor(EventType.SQS);

const handleRecord = async (record: SQSRecord): Promise<void> => {
  const cmd = PileCommandsQueue.parse(record.body).detail;
  await pileTransport().send(cmd);
  logger.info('pile command handed over', { command: cmd.command, StartChargeSeq: cmd.StartChargeSeq, ConnectorID: cmd.ConnectorID });
};

export const handler = async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
