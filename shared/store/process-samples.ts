/**
 * Charging-process samples (table `process-samples`), appended by the charging service as meter
 * readings arrive and read by the supervision exports (shared/services/dxp-export.ts).
 *
 * Items (one per order, pile batch and China-time hour; samples are NOT kept in the order item):
 *   pk = HOUR#<YYYY-MM-DDTHH>#<shard>   the hour of the samples, shard of the order (0..7)
 *   sk = <t of the first sample, ms, 14 digits>#<StartChargeSeq>   time first: the realtime power
 *        schedule reads only the batches since its window (samplesSince), not the whole hour
 *   seq, ConnectorID, StationID, s: [[t, V, A, kW, SoC, Wh], …], ttl (epoch s)
 *
 * Access patterns: append (one PutItem per kept batch; a redelivered batch writes the same key);
 * an hour of samples = PROCESS_SAMPLE_SHARDS queries; the batches of an hour that began at or after
 * an instant = PROCESS_SAMPLE_SHARDS queries on the sort key (only those items are read and paid). Items expire PROCESS_SAMPLE_TTL_DAYS after
 * their hour: by then the hourly and daily exports hold them in S3 for the retention.
 */
import { PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { PROCESS_SAMPLE_SHARDS, type ProcessSample, sampleShard } from '../domain/process-samples.ts';
import { dynamo } from './dynamo.ts';

const table = (): string => config().tableName('process-samples');

export interface SampleBatch {
  StartChargeSeq: string;
  ConnectorID: string;
  StationID: string;
  /** China-time hour of every sample, `YYYY-MM-DDTHH` */
  hour: string;
  samples: readonly ProcessSample[];
}

/** Append one batch (its samples of one hour); `ttl` is epoch seconds. */
export const appendSamples = async (b: SampleBatch, ttl: number): Promise<void> => {
  const first = b.samples[0];
  if (!first) return;
  await dynamo().send(
    new PutCommand({
      TableName: table(),
      Item: {
        pk: `HOUR#${b.hour}#${sampleShard(b.StartChargeSeq)}`,
        sk: `${String(first[0]).padStart(14, '0')}#${b.StartChargeSeq}`,
        seq: b.StartChargeSeq,
        ConnectorID: b.ConnectorID,
        StationID: b.StationID,
        s: b.samples,
        ttl,
      },
    }),
  );
};

const query = async (hour: string, sinceMs: number | undefined): Promise<SampleBatch[]> => {
  const out: SampleBatch[] = [];
  await Promise.all(
    Array.from({ length: PROCESS_SAMPLE_SHARDS }, async (_, shard) => {
      for await (const page of paginateQuery(
        { client: dynamo() },
        {
          TableName: table(),
          KeyConditionExpression: sinceMs === undefined ? 'pk = :pk' : 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: {
            ':pk': `HOUR#${hour}#${shard}`,
            ...(sinceMs === undefined ? {} : { ':since': String(Math.max(0, Math.floor(sinceMs))).padStart(14, '0') }),
          },
        },
      )) {
        for (const i of page.Items ?? [])
          out.push({
            StartChargeSeq: String(i.seq),
            ConnectorID: String(i.ConnectorID),
            StationID: String(i.StationID),
            hour,
            samples: i.s as ProcessSample[],
          });
      }
    }),
  );
  return out;
};

/** Every stored batch of one China-time hour (all shards). */
export const samplesOfHour = (hour: string): Promise<SampleBatch[]> => query(hour, undefined);

/** The batches of one China-time hour whose first sample is at or after `sinceMs` (a watermark): only they are read. */
export const samplesSince = (hour: string, sinceMs: number): Promise<SampleBatch[]> => query(hour, sinceMs);
