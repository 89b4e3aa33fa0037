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
 * Late data: a line whose time lies in the previous period (an order's end, a sample's time, a station
 * or status change) but that is missing from the previous period's objects (it reached us after that
 * export) goes into a correction object of its kind referenced from THIS period's manifest. Each
 * period checks its predecessor of the same granularity; the daily export rebuilds the whole day, so
 * anything later than an hour is in the day's object, and a day's late data in the next day's
 * corrections. Cost: the check re-reads the previous period from DynamoDB (orders and changes: a
 * few thousand items; samples: as many reads as the period's export) and its objects from S3. A day
 * in parts checks samples hour by hour, each part the same hour of the previous day, so no Lambda
 * holds more than an hour of samples.
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
  lineId,
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
import { atResolution, chinaHour } from '../domain/process-samples.ts';

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

/**
 * The identities (domain lineId) of a JSON Lines object's lines of one kind, optionally only the
 * lines `keep` accepts: decoded line by line (an object of an hour's samples is far larger than one
 * string may be).
 */
const idsOf = (
  kind: ExportKind,
  bytes: Uint8Array | undefined,
  keep?: (line: object) => boolean,
  idOf: (line: object) => string = (line) => lineId(kind, line),
): Set<string> => {
  const out = new Set<string>();
  if (!bytes) return out;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(10, start);
    const end = nl < 0 ? buf.length : nl;
    if (end > start) {
      const line = JSON.parse(buf.toString('utf8', start, end)) as object;
      if (!keep || keep(line)) out.add(idOf(line));
    }
    start = end + 1;
  }
  return out;
};

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

/** The previous period's objects and corrections of one kind (what its manifest says was exported). */
const exportedObjects = (m: Manifest, kind: ExportKind): ManifestObject[] =>
  [...m.objects, ...m.corrections].filter((x) => x.kind === kind);

/**
 * Lines of the previous period of one kind (orders, station or status changes: a few thousand a
 * day) missing from its export — none when it was never exported.
 */
const lateLines = async (
  prevManifest: Manifest | undefined,
  kind: Exclude<ExportKind, 'samples'>,
  prev: Period,
  stations: ReadonlySet<string>,
  source: ExportSource,
  target: ExportTarget,
): Promise<object[]> => {
  if (!prevManifest) return [];
  const exported = new Set<string>();
  for (const o of exportedObjects(prevManifest, kind)) for (const s of idsOf(kind, await target.get(o.key))) exported.add(s);
  const lines = kind === 'orders' ? await source.orders(stations, prev) : ((await source.changes?.(kind, stations, prev)) ?? []);
  return lines.filter((l) => !exported.has(lineId(kind, l)));
};

/** a whole period's samples object up to this size is read once for all its hours, a larger one once per hour */
const KEEP_WHOLE_BYTES = 256 * 1024 * 1024;

/**
 * Samples of the previous period (or of one hour of it) missing from its export, read one source
 * batch (an hour) at a time: per hour only the ids of that hour's exported lines are held — the
 * part object of that hour when the previous day was exported in parts, else its whole objects'
 * lines of the hour. Thinned to the profile's `sampleSeconds` as the export was, and compared by
 * slot (order, slot of the resolution), so a sample the resolution left out is not taken for a late
 * one and a late sample in a slot already exported adds none.
 */
const lateSamples = async (
  prevManifest: Manifest | undefined,
  prev: Period,
  stations: ReadonlySet<string>,
  source: ExportSource,
  target: ExportTarget,
  sampleSeconds: number | undefined,
): Promise<SampleLine[]> => {
  if (!prevManifest) return [];
  const objects = exportedObjects(prevManifest, 'samples');
  // a whole period's object (no part) serves every hour: read once while it is small enough to keep
  const kept = new Map<string, Uint8Array | undefined>();
  const bytesOf = async (o: ManifestObject) => {
    if (kept.has(o.key)) return kept.get(o.key);
    const b = await target.get(o.key);
    if (o.part === undefined && o.bytes <= KEEP_WHOLE_BYTES) kept.set(o.key, b);
    return b;
  };
  // at a resolution a sample is late only if its slot was not exported: one sample per (order, slot)
  // across the export and its correction, whichever the thinning picks once a late one is in
  const idOf = (l: SampleLine) =>
    sampleSeconds ? `${l.StartChargeSeq}|${Math.floor(l.Time / (sampleSeconds * 1000))}` : lineId('samples', l);
  const late: SampleLine[] = [];
  for await (const batch of sampleBatches(source.samples(stations, prev), sampleSeconds)) {
    const byHour = new Map<string, SampleLine[]>();
    for (const l of batch) {
      const h = chinaHour(l.Time);
      const lines = byHour.get(h);
      if (lines) lines.push(l);
      else byHour.set(h, [l]);
    }
    for (const [h, lines] of byHour) {
      const exported = new Set<string>();
      for (const o of objects.filter((x) => x.part === undefined || x.part === h))
        for (const s of idsOf(
          'samples',
          await bytesOf(o),
          (l) => chinaHour((l as SampleLine).Time) === h,
          (l) => idOf(l as SampleLine),
        ))
          exported.add(s);
      // a loop, not push(...): a whole missing hour is hundreds of thousands of lines
      for (const l of lines) if (!exported.has(idOf(l))) late.push(l);
    }
  }
  return late;
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

/** Kinds whose late lines of the previous period the manifest writer looks for (samples: unless the parts did). */
const LATE_KINDS = ['orders', 'stations', 'statuses'] as const;

/**
 * The corrections of the previous period's late data — each kind missing from its export, one
 * object per kind — then the manifest: LAST, over objects that are all whole. `partCorrections`: a
 * day in parts, whose parts looked for late samples hour by hour (exportPart); else the samples
 * are checked here too.
 */
const writeManifest = async (
  o: ExportRun,
  stations: ReadonlySet<string>,
  objects: ManifestObject[],
  runId: string,
  partCorrections?: ManifestCorrection[],
): Promise<ExportResult> => {
  const { partner, period: p, source, target } = o;
  const id = partner.operatorId;
  const prev = previousPeriod(p);
  const prevManifest = await readJson<Manifest>(target, manifestKey(id, prev));
  const corrections: ManifestCorrection[] = [];
  const correct = async (kind: ExportKind, lines: readonly object[]) => {
    if (!lines.length) return;
    const c = await streamObject(
      target,
      kind,
      stagingKey(id, p, kind, `${runId}-correction`),
      (sha) => correctionKey(id, p, prev, kind, sha),
      once(lines),
    );
    corrections.push({ ...c, period: prev.id });
  };
  for (const kind of LATE_KINDS) {
    const late = await lateLines(prevManifest, kind, prev, stations, source, target);
    await correct(kind, kind === 'orders' ? sortOrders(late as OrderLine[]) : sortChanges(late as ChangeLine[]));
  }
  if (partCorrections) corrections.push(...partCorrections);
  else await correct('samples', sortSamples(await lateSamples(prevManifest, prev, stations, source, target, partner.sampleSeconds)));

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
  // late samples of the same hour of the previous day (one hour read, one hour's ids held)
  const prevDay = previousPeriod(day);
  const prevHour = parsePeriod(`${prevDay.day}${part.id.slice(10)}`) as Period;
  const prevManifest = await readJson<Manifest>(target, manifestKey(id, prevDay));
  const late = sortSamples(await lateSamples(prevManifest, prevHour, stations, source, target, partner.sampleSeconds));
  const corrections: ManifestCorrection[] = [];
  if (late.length) {
    const c = await streamObject(
      target,
      'samples',
      partStagingKey(id, day, part, 'samples', `${o.runId}-correction`),
      (sha) => correctionKey(id, day, prevHour, 'samples', sha),
      once(late),
    );
    corrections.push({ ...c, part: part.id, period: prevDay.id });
  }
  const record: PartRecord = { runId: o.runId, part: part.id, objects, ...(corrections.length ? { corrections } : {}) };
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
  const partCorrections = run.parts.flatMap((h) => records.get(h)?.corrections ?? []);
  return writeManifest(o, await o.source.stationsInArea(partner.areaCodes), objects, o.runId, partCorrections);
};
