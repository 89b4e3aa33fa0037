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
import { logger } from '#powertools';
import {
  type ChangeKind,
  type ChangeLine,
  correctionKey,
  EXPORT_KINDS,
  type ExportKind,
  jsonLines,
  type Manifest,
  type ManifestCorrection,
  type ManifestObject,
  manifestKey,
  type OrderLine,
  objectKey,
  type Period,
  previousPeriod,
  revisionReason,
  type SampleLine,
  sameContent,
  sortChanges,
  sortOrders,
  sortSamples,
} from '../domain/dxp-export.ts';
import { sha256Hex } from '../store/objects.ts';

/** Where the exported data comes from (shared/services/dxp-source.ts reads DynamoDB). */
export interface ExportSource {
  /** the StationIDs whose AreaCode starts with one of the prefixes */
  stationsInArea(areaCodes: readonly string[]): Promise<ReadonlySet<string>>;
  /** finished orders of these stations whose end time lies in the period */
  orders(stations: ReadonlySet<string>, p: Period): Promise<OrderLine[]>;
  /** process samples of these stations whose time lies in the period */
  samples(stations: ReadonlySet<string>, p: Period): Promise<SampleLine[]>;
  /** station or connector status changes of these stations whose time lies in the period (absent: none recorded) */
  changes?(kind: ChangeKind, stations: ReadonlySet<string>, p: Period): Promise<ChangeLine[]>;
}

/** Where the objects go: the exports bucket (shared/store/objects.ts), or a test's wrapper of it. */
export interface ExportTarget {
  put(key: string, body: string, contentType: string): Promise<unknown>;
  get(key: string): Promise<Uint8Array | undefined>;
}

export interface SupervisionPartner {
  operatorId: string;
  areaCodes: readonly string[];
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

interface Prepared {
  entry: ManifestObject;
  body: string;
}

const prepare = (kind: ExportKind, key: (sha: string) => string, lines: readonly object[]): Prepared => {
  const body = jsonLines(lines);
  const sha256 = sha256Hex(body);
  return { entry: { kind, key: key(sha256), count: lines.length, bytes: Buffer.byteLength(body), sha256 }, body };
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

export const exportPeriod = async (o: {
  partner: SupervisionPartner;
  period: Period;
  now: Date;
  codeVersion: string;
  source: ExportSource;
  target: ExportTarget;
}): Promise<ExportResult> => {
  const { partner, period: p, source, target } = o;
  const id = partner.operatorId;
  const stations = await source.stationsInArea(partner.areaCodes);
  const lines: Record<ExportKind, readonly object[]> = {
    orders: sortOrders(await source.orders(stations, p)),
    samples: sortSamples(await source.samples(stations, p)),
    stations: sortChanges((await source.changes?.('stations', stations, p)) ?? []),
    statuses: sortChanges((await source.changes?.('statuses', stations, p)) ?? []),
  };
  const objects = EXPORT_KINDS.map((kind) => prepare(kind, (sha) => objectKey(id, p, kind, sha), lines[kind]));

  const prev = previousPeriod(p);
  const late = sortOrders(await lateOrders(partner, prev, stations, source, target));
  const corrections: (Prepared & { entry: ManifestCorrection })[] = [];
  if (late.length) {
    const c = prepare('orders', (sha) => correctionKey(id, p, prev, 'orders', sha), late);
    corrections.push({ ...c, entry: { ...c.entry, period: prev.id } });
  }

  const content = { objects: objects.map((x) => x.entry), corrections: corrections.map((x) => x.entry) };
  const existing = await readJson<Manifest>(target, manifestKey(id, p));
  if (existing && sameContent(existing, content)) {
    logger.info('dxp export unchanged', { OperatorID: id, period: p.id, revision: existing.revision });
    return { outcome: 'unchanged', manifest: existing };
  }

  // data first, the manifest last
  for (const x of [...objects, ...corrections]) await target.put(x.entry.key, x.body, JSONL);
  const manifest: Manifest = {
    partner: id,
    period: p.id,
    granularity: p.granularity,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    areaCodes: [...partner.areaCodes],
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
    objects: manifest.objects.map((x) => ({ kind: x.kind, count: x.count, sha256: x.sha256 })),
    corrections: manifest.corrections.length,
  });
  return { outcome: existing ? 'revised' : 'written', manifest };
};
