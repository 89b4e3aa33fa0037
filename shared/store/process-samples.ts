/**
 * Charging-process samples (table `process-samples`), appended by the charging service as meter
 * readings arrive and read by the supervision exports (shared/services/dxp-export.ts).
 *
 * Items (one per pile-events batch and China-time hour, with every order of the batch: issue 9 §2 —
 * 50 sessions' readings arrive ~20 to a batch, so one write carries ~20 orders' samples instead of
 * one write per order; samples are NOT kept in the order item):
 *   pk = HOUR#<YYYY-MM-DDTHH>#<shard>   the hour of the samples, shard of the item's content (0..7)
 *   sk = <t of the item's LAST sample, ms, 14 digits>#<digest of its (order, t) pairs>   time first:
 *        the realtime power schedule reads only the items with a sample in its window (samplesSince),
 *        not the whole hour — keyed by the last sample, a late reading in a batch never hides the
 *        batch's fresh ones; the digest makes a redelivered batch write the same key, another batch another
 *   o: [{ seq, c (ConnectorID), st (StationID), s: [[t, V, A, kW, SoC, Wh], …] }, …], ttl (epoch s)
 *   (items of the earlier shape, one order each: seq, ConnectorID, StationID, s — read alike)
 *
 * Access patterns: append (one PutItem per batch and hour; a redelivered batch writes the same key);
 * an hour of samples = PROCESS_SAMPLE_SHARDS queries; the items of an hour that began at or after an
 * instant = PROCESS_SAMPLE_SHARDS queries on the sort key (only those items are read and paid). A
 * reading two batches carried (at-least-once delivery, a lost order write retried) is returned once.
 * Items expire PROCESS_SAMPLE_TTL_DAYS after their hour: by then the hourly and daily exports hold
 * them in S3 for the retention.
 */
import { createHash } from 'node:crypto';
import { config } from '../config.ts';
import { PROCESS_SAMPLE_SHARDS, type ProcessSample, sampleShard } from '../domain/process-samples.ts';
import { PutCommand, paginateQuery } from './doc.ts';
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

/**
 * Append the samples of one pile-events batch (several orders) of one China-time hour as ONE item;
 * `ttl` is epoch seconds. The key follows from the content: the same batch again writes the same item.
 */
export const appendSamples = async (hour: string, batches: readonly Omit<SampleBatch, 'hour'>[], ttl: number): Promise<void> => {
  const orders = batches.filter((b) => b.samples.length > 0);
  if (orders.length === 0) return;
  const last = Math.max(...orders.flatMap((b) => b.samples.map((x) => x[0])));
  const pairs = orders.flatMap((b) => b.samples.map((x) => `${b.StartChargeSeq}@${x[0]}`)).sort();
  const digest = createHash('sha256').update(pairs.join(' ')).digest('base64url').slice(0, 22);
  await dynamo().send(
    new PutCommand({
      TableName: table(),
      Item: {
        pk: `HOUR#${hour}#${sampleShard(digest)}`,
        sk: `${String(last).padStart(14, '0')}#${digest}`,
        o: orders.map((b) => ({ seq: b.StartChargeSeq, c: b.ConnectorID, st: b.StationID, s: b.samples })),
        ttl,
      },
    }),
  );
};

type Stored = { seq: string; c: string; st: string; s: ProcessSample[] };

/** the orders of one stored item (either shape) */
const ordersOf = (i: Record<string, unknown>): Stored[] =>
  Array.isArray(i.o)
    ? (i.o as Stored[])
    : [{ seq: String(i.seq), c: String(i.ConnectorID), st: String(i.StationID), s: (i.s ?? []) as ProcessSample[] }];

/** each (order, sample time) once, whichever items carried it */
const once = (batches: readonly SampleBatch[]): SampleBatch[] => {
  const seen = new Set<string>();
  return batches.flatMap((b) => {
    const samples = b.samples.filter((x) => {
      const key = `${b.StartChargeSeq}@${x[0]}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return samples.length > 0 ? [{ ...b, samples }] : [];
  });
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
          for (const o of ordersOf(i)) out.push({ StartChargeSeq: o.seq, ConnectorID: o.c, StationID: o.st, hour, samples: o.s });
      }
    }),
  );
  // in sort-key order, so "first carried" does not depend on which shard answered first
  return once(out.sort((a, b) => (a.samples[0]?.[0] ?? 0) - (b.samples[0]?.[0] ?? 0)));
};

/** Every stored order batch of one China-time hour (all shards), each sample once. */
export const samplesOfHour = (hour: string): Promise<SampleBatch[]> => query(hour, undefined);

/** The order batches of the items of one China-time hour whose last sample is at or after `sinceMs` (a watermark): only they are read. */
export const samplesSince = (hour: string, sinceMs: number): Promise<SampleBatch[]> => query(hour, sinceMs);
