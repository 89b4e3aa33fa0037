/**
 * Audited exports for supervision platforms (issue 13): periods, object keys, JSON Lines bodies and
 * the manifest. Pure: no S3, no DynamoDB (shared/services/dxp-export.ts orchestrates).
 *
 * A period is a China-time hour (`YYYY-MM-DDTHH`) or day (`YYYY-MM-DD`). An order belongs to the
 * period of its end time; a sample to the period of its own time. Under `dxp/<OperatorID>/<day>/<period>/`:
 *   <kind>-<sha256[0:16]>.jsonl    the data objects: content-addressed, so a re-run with the same
 *                                  data writes the same key and bytes, and a changed one never
 *                                  overwrites what an older manifest references
 *   corrections/<period'>-<kind>-<sha[0:16]>.jsonl  late data of the PREVIOUS period (lines missing
 *                                  from that period's object), referenced from this manifest
 *   manifest.json                  written last: period, counts, SHA-256 of every object, generation
 *                                  time, code version, revision (+ reason when it replaced one)
 * Lines are sorted (orders by StartChargeSeq, samples by StartChargeSeq then time, station and status
 * changes by time then id): the bytes depend on the data only.
 */

export type ChangeKind = 'stations' | 'statuses';
export type ExportKind = 'orders' | 'samples' | ChangeKind;
export const EXPORT_KINDS: readonly ExportKind[] = ['orders', 'samples', 'stations', 'statuses'];

export interface Period {
  /** `YYYY-MM-DDTHH` or `YYYY-MM-DD` */
  readonly id: string;
  readonly granularity: 'hour' | 'day';
  /** China-time day, `YYYY-MM-DD` */
  readonly day: string;
  readonly from: Date;
  readonly to: Date;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const HOUR_MS = 3_600_000;

/** Parse `YYYY-MM-DDTHH` or `YYYY-MM-DD` (China time); undefined when it is neither a real hour nor day. */
export const parsePeriod = (id: string): Period | undefined => {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?$/.exec(id);
  if (!m) return undefined;
  const day = m[1] as string;
  const midnight = Date.parse(`${day}T00:00:00+08:00`);
  if (Number.isNaN(midnight) || new Date(midnight + CHINA_OFFSET_MS).toISOString().slice(0, 10) !== day) return undefined;
  if (m[2] === undefined) return { id, granularity: 'day', day, from: new Date(midnight), to: new Date(midnight + 24 * HOUR_MS) };
  const h = Number(m[2]);
  if (h > 23) return undefined;
  return { id, granularity: 'hour', day, from: new Date(midnight + h * HOUR_MS), to: new Date(midnight + (h + 1) * HOUR_MS) };
};

const periodAt = (t: number, granularity: Period['granularity']): Period => {
  const iso = new Date(t + CHINA_OFFSET_MS).toISOString();
  return parsePeriod(granularity === 'day' ? iso.slice(0, 10) : iso.slice(0, 13)) as Period;
};

/** The period before `p`, of the same granularity. */
export const previousPeriod = (p: Period): Period => periodAt(p.from.getTime() - 1, p.granularity);

/** The last complete period of a granularity at `now` (what a schedule exports). */
export const lastCompletePeriod = (now: Date, granularity: Period['granularity']): Period =>
  previousPeriod(periodAt(now.getTime(), granularity));

/** The China-time hours of a period, `YYYY-MM-DDTHH` (samples are filed by hour). */
export const hoursOf = (p: Period): string[] => {
  const out: string[] = [];
  for (let t = p.from.getTime(); t < p.to.getTime(); t += HOUR_MS) out.push(new Date(t + CHINA_OFFSET_MS).toISOString().slice(0, 13));
  return out;
};

/** Every day from `from` to `to` inclusive (`YYYY-MM-DD`), for a backfill. */
export const daysBetween = (from: string, to: string): Period[] => {
  const a = parsePeriod(from);
  const b = parsePeriod(to);
  if (a?.granularity !== 'day' || b?.granularity !== 'day') throw new RangeError(`not days: ${from} … ${to} (YYYY-MM-DD)`);
  if (b.from < a.from) throw new RangeError(`${to} is before ${from}`);
  const out: Period[] = [];
  for (let t = a.from.getTime(); t <= b.from.getTime(); t += 24 * HOUR_MS) out.push(periodAt(t, 'day'));
  return out;
};

const periodPrefix = (operatorId: string, p: Period): string => `dxp/${operatorId}/${p.day}/${p.id}/`;
export const manifestKey = (operatorId: string, p: Period): string => `${periodPrefix(operatorId, p)}manifest.json`;
export const objectKey = (operatorId: string, p: Period, kind: ExportKind, sha256: string): string =>
  `${periodPrefix(operatorId, p)}${kind}-${sha256.slice(0, 16)}.jsonl`;
/** Where a streamed object is staged before it is copied to its content key (deleted right after). */
export const stagingKey = (operatorId: string, p: Period, kind: ExportKind, runId: string): string =>
  `${periodPrefix(operatorId, p)}staging/${kind}-${runId}.jsonl`;
export const correctionKey = (operatorId: string, p: Period, of: Period, kind: ExportKind, sha256: string): string =>
  `${periodPrefix(operatorId, p)}corrections/${of.id}-${kind}-${sha256.slice(0, 16)}.jsonl`;

/**
 * A day exported in parts (the daily run fanned out, one part per China-time hour: each fits a
 * Lambda): `parts/run.json` names the run and its parts; each part writes its objects under
 * `parts/<hour>/` and then its record `parts/<hour>.json` (objects, counts, hashes, the run id); the
 * day's manifest is written once every part of the run has its record.
 */
export const partRunKey = (operatorId: string, day: Period): string => `${periodPrefix(operatorId, day)}parts/run.json`;
export const partKey = (operatorId: string, day: Period, part: Period): string => `${periodPrefix(operatorId, day)}parts/${part.id}.json`;
export const partObjectKey = (operatorId: string, day: Period, part: Period, kind: ExportKind, sha256: string): string =>
  `${periodPrefix(operatorId, day)}parts/${part.id}/${kind}-${sha256.slice(0, 16)}.jsonl`;
export const partStagingKey = (operatorId: string, day: Period, part: Period, kind: ExportKind, runId: string): string =>
  `${periodPrefix(operatorId, day)}staging/${part.id}-${kind}-${runId}.jsonl`;

/** The run of a day in parts: which parts it waits for. */
export interface PartRun {
  runId: string;
  /** hour ids `YYYY-MM-DDTHH`, in order */
  parts: string[];
  startedAt: string;
}

/** One part's record: its objects (whole, hashed) and the run that wrote it. */
export interface PartRecord {
  runId: string;
  part: string;
  objects: ManifestObject[];
  /** late samples of the same hour of the previous day (absent or empty: none) */
  corrections?: ManifestCorrection[];
}

/** The parts of a run still without a record of that run (empty: the day's manifest can be written). */
export const missingParts = (run: PartRun, records: ReadonlyMap<string, PartRecord | undefined>): string[] =>
  run.parts.filter((id) => records.get(id)?.runId !== run.runId);

/** One order line, in the protocol's words. */
export interface OrderLine {
  StartChargeSeq: string;
  OperatorID: string;
  StationID: string;
  EquipmentID: string;
  ConnectorID: string;
  StartTime?: string;
  EndTime?: string;
  TotalPower?: number;
  TotalElecMoney?: number;
  TotalSeviceMoney?: number;
  TotalMoney?: number;
  SumPeriod?: number;
  ChargeDetails?: unknown[];
  /** session energy, Wh */
  EnergyWh?: number;
  StopReason?: number;
}

/** One charging-process sample line. */
export interface SampleLine {
  StartChargeSeq: string;
  ConnectorID: string;
  StationID: string;
  /** epoch ms */
  Time: number;
  Voltage: number;
  Current: number;
  Power: number;
  Soc: number;
  /** session energy so far, Wh */
  MeterWh: number;
}

/** A station change line (kind `stations`): the station loader's StationChanged. */
interface StationChangeLine {
  StationID: string;
  AreaCode?: string;
  Created: boolean;
  /** StationInfo fields or its equipment changed */
  Info: boolean;
  Tariff: boolean;
  /** EquipmentIDs added or changed */
  EquipmentIDs: string[];
  /** epoch ms */
  Time: number;
}

/** A connector status change line (kind `statuses`): ConnectorStatusChanged. */
interface StatusChangeLine {
  ConnectorID: string;
  StationID: string;
  Status: number;
  PreviousStatus?: number;
  ParkStatus: number;
  LockStatus: number;
  /** epoch ms of the observation */
  Time: number;
  /** monotonic per connector */
  Version: number;
}

export type ChangeLine = StationChangeLine | StatusChangeLine;

const changeId = (l: ChangeLine): string => ('ConnectorID' in l ? `${l.ConnectorID}#${l.Version}` : `${l.StationID}#0`);

/**
 * A line's identity within its kind: two lines with the same identity are the same record (what a
 * re-run and the late-data check compare). Orders by StartChargeSeq, samples by (order, time),
 * changes by time and id (a status change by its connector and version).
 */
export const lineId = (kind: ExportKind, line: object): string => {
  switch (kind) {
    case 'orders':
      return (line as OrderLine).StartChargeSeq;
    case 'samples':
      return `${(line as SampleLine).StartChargeSeq}#${(line as SampleLine).Time}`;
    default:
      return `${(line as ChangeLine).Time}#${changeId(line as ChangeLine)}`;
  }
};

/** Change lines sorted by time then id, a duplicate (same id, version and time) once. */
export const sortChanges = <L extends ChangeLine>(lines: readonly L[]): L[] => {
  const seen = new Map<string, L>();
  for (const l of lines) seen.set(`${String(l.Time).padStart(14, '0')}#${changeId(l)}`, l);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
};

export const sortOrders = (lines: readonly OrderLine[]): OrderLine[] =>
  [...new Map(lines.map((l) => [l.StartChargeSeq, l])).values()].sort((a, b) =>
    a.StartChargeSeq < b.StartChargeSeq ? -1 : a.StartChargeSeq > b.StartChargeSeq ? 1 : 0,
  );

/** Samples sorted and de-duplicated by (StartChargeSeq, Time): a redelivered pile batch may have filed one twice. */
export const sortSamples = (lines: readonly SampleLine[]): SampleLine[] => {
  const seen = new Map<string, SampleLine>();
  for (const l of lines) seen.set(`${l.StartChargeSeq}#${l.Time}`, l);
  return [...seen.values()].sort((a, b) =>
    a.StartChargeSeq < b.StartChargeSeq ? -1 : a.StartChargeSeq > b.StartChargeSeq ? 1 : a.Time - b.Time,
  );
};

/** JSON Lines: one JSON object per line, each line ended by `\n` (an empty object is empty). */
export const jsonLines = (lines: readonly object[]): string => lines.map((l) => `${JSON.stringify(l)}\n`).join('');

export interface ManifestObject {
  kind: ExportKind;
  /** the part (China-time hour) of a day exported in parts; absent for a period exported whole */
  part?: string;
  key: string;
  count: number;
  bytes: number;
  sha256: string;
}

export interface ManifestCorrection extends ManifestObject {
  /** the period whose late data this object holds */
  period: string;
}

export interface Manifest {
  partner: string;
  period: string;
  granularity: Period['granularity'];
  /** ISO instants of [from, to) */
  from: string;
  to: string;
  areaCodes: readonly string[];
  /** the samples' resolution, s, when the partner's profile sets one (`sampleSeconds`) */
  sampleSeconds?: number;
  objects: ManifestObject[];
  corrections: ManifestCorrection[];
  generatedAt: string;
  codeVersion: string;
  /** 1, then +1 each time a re-run found different data */
  revision: number;
  /** why this revision replaced the previous one */
  reason?: string;
}

/** Do two manifests list the same content (objects and corrections, by key and hash)? */
export const sameContent = (a: Pick<Manifest, 'objects' | 'corrections'>, b: Pick<Manifest, 'objects' | 'corrections'>): boolean => {
  const sig = (m: Pick<Manifest, 'objects' | 'corrections'>) =>
    JSON.stringify([...m.objects, ...m.corrections].map((o) => [o.kind, o.key, o.sha256, o.count]).sort());
  return sig(a) === sig(b);
};

/** A human reason for a new revision: which counts changed. */
export const revisionReason = (prev: Manifest, next: Pick<Manifest, 'objects' | 'corrections'>): string => {
  const counts = (m: Pick<Manifest, 'objects'>) => {
    const out: Partial<Record<ExportKind, number>> = {};
    for (const o of m.objects) out[o.kind] = (out[o.kind] ?? 0) + o.count;
    return out;
  };
  const a = counts(prev);
  const b = counts(next);
  const changed = EXPORT_KINDS.filter((k) => a[k] !== b[k]).map((k) => `${k} ${a[k] ?? 0}→${b[k] ?? 0}`);
  return `re-export found different data${changed.length ? `: ${changed.join(', ')}` : ' (same counts, different content)'}`;
};
