/**
 * Audited exports of one supervision partner and one period to S3 (issue 13): the data objects, the
 * correction of the previous period's late orders, then the manifest — LAST, so an export that
 * fails half-way leaves objects no manifest references (a re-run writes the same content-addressed
 * keys) and never a manifest pointing at a missing or partial object. Layout, keys and the manifest:
 * shared/domain/dxp-export.ts.
 *
 * Idempotent per period: a re-run over the same data lists the same objects and hashes as the
 * stored manifest and writes nothing; over different data it writes the new objects (new keys) and a
 * new manifest revision with the reason (the bucket is versioned: the previous manifest stays).
 *
 * Late data: an order whose end time lies in the previous period but that is missing from the
 * previous period's orders object (it finished, or reached us, after that export) goes into a
 * correction object referenced from THIS period's manifest. Each period checks its predecessor of
 * the same granularity; the daily export rebuilds the whole day, so anything later than an hour
 * is in the day's object, and a day's late orders in the next day's correction.
 */
import { randomUUID } from 'node:crypto';
import { logger } from '#powertools';
import {
  type ChangeKind,
  type ChangeLine,
  correctionKey,
  EXPORT_KINDS,
  type ExportKind,
  hoursOf,
  jsonLines,
  type Manifest,
  type ManifestCorrection,
  type ManifestObject,
  manifestKey,
  missingParts,
  type OrderLine,
  objectKey,
  type PartRecord,
  type PartRun,
  type Period,
  parsePeriod,
  partKey,
  partObjectKey,
  partRunKey,
  partStagingKey,
  previousPeriod,
  revisionReason,
  type SampleLine,
  sameContent,
  sortChanges,
  sortOrders,
  sortSamples,
  stagingKey,
} from '../domain/dxp-export.ts';
import { atResolution } from '../domain/process-samples.ts';

/** Where the exported data comes from (shared/services/dxp-source.ts reads DynamoDB). */
export interface ExportSource {
  /** the StationIDs whose AreaCode starts with one of the prefixes */
  stationsInArea(areaCodes: readonly string[]): Promise<ReadonlySet<string>>;
  /** finished orders of these stations whose end time lies in the period */
  orders(stations: ReadonlySet<string>, p: Period): Promise<OrderLine[]>;
  /**
   * process samples of these stations whose time lies in the period: all at once, or (a day of
   * tens of millions) as batches in a fixed order — one per hour — so memory holds one batch
   */
  samples(stations: ReadonlySet<string>, p: Period): Promise<SampleLine[]> | AsyncIterable<SampleLine[]>;
  /** station or connector status changes of these stations whose time lies in the period (absent: none recorded) */
  changes?(kind: ChangeKind, stations: ReadonlySet<string>, p: Period): Promise<ChangeLine[]>;
}

/** Where the objects go: the exports bucket (shared/store/objects.ts), or a test's wrapper of it. */
export interface ExportTarget {
  put(key: string, body: string, contentType: string): Promise<unknown>;
  /** stream chunks to the content key `keyOf(sha256)` through `stagingKey`, hashing on the way (shared/store/objects.ts putObjectStream) */
  putStream(
    stagingKey: string,
    chunks: AsyncIterable<string>,
    keyOf: (sha256: string) => string,
    contentType: string,
  ): Promise<{ key: string; bytes: number; sha256: string }>;
  get(key: string): Promise<Uint8Array | undefined>;
}

export interface SupervisionPartner {
  operatorId: string;
  areaCodes: readonly string[];
  /** its profile's process-sample resolution, s (absent: every stored sample) */
  sampleSeconds?: number | undefined;
}

export interface ExportResult {
  outcome: 'written' | 'unchanged' | 'revised';
  manifest: Manifest;
}

const JSONL = 'application/x-ndjson';

const readJson = async <T>(target: ExportTarget, key: string): Promise<T | undefined> => {
  const bytes = await target.get(key);
  return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as T) : undefined;
};

/** StartChargeSeqs of a JSON Lines orders object. */
const seqsOf = (bytes: Uint8Array | undefined): Set<string> =>
  new Set(
    Buffer.from(bytes ?? [])
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as OrderLine).StartChargeSeq),
  );

/** lines per JSON Lines chunk handed to the upload: small strings, whatever the object's size */
const LINES_PER_CHUNK = 5000;

const isAsyncIterable = <T>(x: unknown): x is AsyncIterable<T> =>
  typeof x === 'object' && x !== null && Symbol.asyncIterator in x && typeof (x as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';

/** Batches of lines as JSON Lines chunks, counting the lines on the way. */
async function* jsonLineChunks(batches: AsyncIterable<readonly object[]>, counter: { n: number }): AsyncIterable<string> {
  for await (const batch of batches)
    for (let i = 0; i < batch.length; i += LINES_PER_CHUNK) {
      const slice = batch.slice(i, i + LINES_PER_CHUNK);
      counter.n += slice.length;
      yield jsonLines(slice);
    }
}

async function* once<T>(x: T): AsyncIterable<T> {
  yield x;
}

/** The samples as sorted batches: one sorted batch when the source gives them all, else each of its batches sorted. */
async function* sampleBatches(
  src: Promise<SampleLine[]> | AsyncIterable<SampleLine[]>,
  sampleSeconds: number | undefined,
): AsyncIterable<SampleLine[]> {
  if (isAsyncIterable<SampleLine[]>(src)) for await (const b of src) yield atResolution(sortSamples(b), sampleSeconds);
  else yield atResolution(sortSamples(await src), sampleSeconds);
}

/** Stream one object: JSON Lines chunks → staging → its content key; the manifest entry. */
const streamObject = async (
  target: ExportTarget,
  kind: ExportKind,
  staging: string,
  key: (sha: string) => string,
  batches: AsyncIterable<readonly object[]>,
): Promise<ManifestObject> => {
  const counter = { n: 0 };
  const r = await target.putStream(staging, jsonLineChunks(batches, counter), key, JSONL);
  return { kind, key: r.key, count: counter.n, bytes: r.bytes, sha256: r.sha256 };
};

/** Orders of the previous period missing from its export (none when it was never exported). */
const lateOrders = async (
  partner: SupervisionPartner,
  prev: Period,
  stations: ReadonlySet<string>,
  source: ExportSource,
  target: ExportTarget,
): Promise<OrderLine[]> => {
  const prevManifest = await readJson<Manifest>(target, manifestKey(partner.operatorId, prev));
  if (!prevManifest) return [];
  const exported = new Set<string>();
  for (const o of [...prevManifest.objects, ...prevManifest.corrections].filter((x) => x.kind === 'orders'))
    for (const s of seqsOf(await target.get(o.key))) exported.add(s);
  return (await source.orders(stations, prev)).filter((o) => !exported.has(o.StartChargeSeq));
};

/** The batches of lines of one kind over a period (orders and changes at once, samples as the source yields them). */
const batchesOf = async (
  source: ExportSource,
  stations: ReadonlySet<string>,
  p: Period,
  kind: ExportKind,
  sampleSeconds?: number,
): Promise<AsyncIterable<readonly object[]>> => {
  switch (kind) {
    case 'orders':
      return once(sortOrders(await source.orders(stations, p)));
    case 'samples':
      return sampleBatches(source.samples(stations, p), sampleSeconds);
    default:
      return once(sortChanges((await source.changes?.(kind, stations, p)) ?? []));
  }
};

interface ExportRun {
  partner: SupervisionPartner;
  period: Period;
  now: Date;
  codeVersion: string;
  source: ExportSource;
  target: ExportTarget;
}

export const exportPeriod = async (o: ExportRun): Promise<ExportResult> => {
  const { partner, period: p, source, target } = o;
  const id = partner.operatorId;
  const runId = randomUUID();
  const stations = await source.stationsInArea(partner.areaCodes);

  // data first, streamed one kind after the other (content-addressed keys: a re-run over the same
  // data ends on the keys it already wrote and copies nothing), the manifest last
  const objects: ManifestObject[] = [];
  for (const kind of EXPORT_KINDS)
    objects.push(
      await streamObject(
        target,
        kind,
        stagingKey(id, p, kind, runId),
        (sha) => objectKey(id, p, kind, sha),
        await batchesOf(source, stations, p, kind, partner.sampleSeconds),
      ),
    );
  return writeManifest(o, stations, objects, runId);
};

/** The correction of the previous period's late orders, then the manifest: LAST, over objects that are all whole. */
const writeManifest = async (
  o: ExportRun,
  stations: ReadonlySet<string>,
  objects: ManifestObject[],
  runId: string,
): Promise<ExportResult> => {
  const { partner, period: p, source, target } = o;
  const id = partner.operatorId;
  const prev = previousPeriod(p);
  const late = sortOrders(await lateOrders(partner, prev, stations, source, target));
  const corrections: ManifestCorrection[] = [];
  if (late.length) {
    const c = await streamObject(
      target,
      'orders',
      stagingKey(id, p, 'orders', `${runId}-correction`),
      (sha) => correctionKey(id, p, prev, 'orders', sha),
      once(late),
    );
    corrections.push({ ...c, period: prev.id });
  }

  const content = { objects, corrections };
  const existing = await readJson<Manifest>(target, manifestKey(id, p));
  if (existing && sameContent(existing, content)) {
    logger.info('dxp export unchanged', { OperatorID: id, period: p.id, revision: existing.revision });
    return { outcome: 'unchanged', manifest: existing };
  }

  const manifest: Manifest = {
    partner: id,
    period: p.id,
    granularity: p.granularity,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    areaCodes: [...partner.areaCodes],
    ...(partner.sampleSeconds ? { sampleSeconds: partner.sampleSeconds } : {}),
    ...content,
    generatedAt: o.now.toISOString(),
    codeVersion: o.codeVersion,
    revision: existing ? existing.revision + 1 : 1,
    ...(existing ? { reason: revisionReason(existing, content) } : {}),
  };
  await target.put(manifestKey(id, p), `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
  logger.info('dxp export written', {
    OperatorID: id,
    period: p.id,
    revision: manifest.revision,
    objects: manifest.objects.length,
    corrections: manifest.corrections.length,
  });
  return { outcome: existing ? 'revised' : 'written', manifest };
};

// -- a day in parts (the daily run fanned out: one part per China-time hour, each within a Lambda's 15 minutes) --

const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;

/** Start a day's run in parts: its record names the run and the parts the manifest waits for (a new run supersedes an older one). */
export const startDayInParts = async (o: {
  partner: SupervisionPartner;
  day: Period;
  now: Date;
  target: ExportTarget;
}): Promise<PartRun> => {
  if (o.day.granularity !== 'day') throw new RangeError(`${o.day.id} is not a day`);
  const run: PartRun = { runId: randomUUID(), parts: hoursOf(o.day), startedAt: o.now.toISOString() };
  await o.target.put(partRunKey(o.partner.operatorId, o.day), json(run), 'application/json');
  return run;
};

/**
 * One part of a day: its hour's objects of every kind (orders and changes that END or HAPPEN in the
 * hour, samples of the hour), streamed to `parts/<hour>/` with the same SHA-256 and content keys as
 * a whole period, then the part's record. Idempotent: a re-run over the same data writes the same
 * keys and an identical record (but for the run id).
 */
export const exportPart = async (o: {
  partner: SupervisionPartner;
  day: Period;
  part: Period;
  runId: string;
  source: ExportSource;
  target: ExportTarget;
}): Promise<PartRecord> => {
  const { partner, day, part, source, target } = o;
  const id = partner.operatorId;
  if (part.granularity !== 'hour' || part.day !== day.id) throw new RangeError(`${part.id} is not an hour of ${day.id}`);
  const stations = await source.stationsInArea(partner.areaCodes);
  const objects: ManifestObject[] = [];
  for (const kind of EXPORT_KINDS) {
    const obj = await streamObject(
      target,
      kind,
      partStagingKey(id, day, part, kind, o.runId),
      (sha) => partObjectKey(id, day, part, kind, sha),
      await batchesOf(source, stations, part, kind, partner.sampleSeconds),
    );
    objects.push({ ...obj, part: part.id });
  }
  const record: PartRecord = { runId: o.runId, part: part.id, objects };
  await target.put(partKey(id, day, part), json(record), 'application/json');
  return record;
};

export type DayPartsResult =
  | ExportResult
  /** parts of the run still without their record: no manifest yet */
  | { outcome: 'waiting'; missing: string[] }
  /** the run is not the day's current one (a newer run started): nothing written */
  | { outcome: 'superseded' };

/**
 * After a part: when every part of the run has its record, the day's manifest — every part's
 * objects with counts and hashes, the previous day's late orders as a correction — written LAST.
 * Before that, nothing: no manifest until every part is there. Two parts finishing at once may both
 * write it: the same content (the second is `unchanged` or an identical revision).
 */
export const finishDayParts = async (o: ExportRun & { runId: string }): Promise<DayPartsResult> => {
  const { partner, period: day, target } = o;
  const id = partner.operatorId;
  const run = await readJson<PartRun>(target, partRunKey(id, day));
  if (run?.runId !== o.runId) return { outcome: 'superseded' };
  const records = new Map<string, PartRecord | undefined>();
  await Promise.all(
    run.parts.map(async (h) => records.set(h, await readJson<PartRecord>(target, partKey(id, day, parsePeriod(h) as Period)))),
  );
  const missing = missingParts(run, records);
  if (missing.length) return { outcome: 'waiting', missing };
  const objects = run.parts.flatMap((h) => records.get(h)?.objects ?? []);
  return writeManifest(o, await o.source.stationsInArea(partner.areaCodes), objects, o.runId);
};
