/**
 * Charging-process samples for supervision reporting (issue 13): which meter readings are kept and
 * where they are filed. Pure.
 *
 * A reading is kept when it is the first of its resolution slot (floor(t / resolution)) after the
 * previous reading of the session, so a session keeps at most one sample per slot whatever the pile's
 * meter interval, duplicates and redeliveries included (the previous reading is the order's last
 * folded one, then each kept one). Kept samples are filed by the China-time hour of their time
 * (`YYYY-MM-DDTHH`) and a shard (the hour's items spread over PROCESS_SAMPLE_SHARDS partitions; an
 * export of one hour reads them with one query per shard).
 */

/** one sample: [epoch ms, voltage V, current A, power kW, SoC %, meter (session energy) Wh] */
export type ProcessSample = readonly [t: number, voltageV: number, currentA: number, powerKw: number, soc: number, meterWh: number];

export const PROCESS_SAMPLE_SHARDS = 8;

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The China-time hour of an instant, `YYYY-MM-DDTHH`. */
export const chinaHour = (t: number): string => new Date(t + CHINA_OFFSET_MS).toISOString().slice(0, 13);

/** The shard of a samples item (a stable hash of its key: an order's StartChargeSeq, a batch's digest). */
export const sampleShard = (key: string): number => {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % PROCESS_SAMPLE_SHARDS;
};

/**
 * The readings to keep, in time order, given the time of the session's previous reading (`after`,
 * epoch ms): only readings newer than it, at most one per `resolutionSeconds` slot.
 */
export const selectSamples = (readings: readonly ProcessSample[], after: number, resolutionSeconds: number): ProcessSample[] => {
  const res = resolutionSeconds * 1000;
  const sorted = [...readings].sort((a, b) => a[0] - b[0]);
  const kept: ProcessSample[] = [];
  let slot = Math.floor(after / res);
  for (const s of sorted) {
    if (s[0] <= after) continue;
    const sl = Math.floor(s[0] / res);
    if (sl <= slot) continue;
    kept.push(s);
    slot = sl;
  }
  return kept;
};

/**
 * A supervision profile's resolution (`sampleSeconds`) over export lines sorted by order then time:
 * per order the first line of each slot floor(Time / seconds). Stateless, so any split of the lines
 * into hours gives the same lines (the profile's seconds divide 3600).
 */
export const atResolution = <L extends { readonly StartChargeSeq: string; readonly Time: number }>(
  lines: readonly L[],
  seconds: number | undefined,
): L[] => {
  if (!seconds) return [...lines];
  const res = seconds * 1000;
  const seen = new Set<string>();
  return lines.filter((l) => {
    const key = `${l.StartChargeSeq}|${Math.floor(l.Time / res)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** Kept samples grouped by China-time hour (a batch rarely spans two). */
export const byHour = (samples: readonly ProcessSample[]): Map<string, ProcessSample[]> => {
  const out = new Map<string, ProcessSample[]>();
  for (const s of samples) {
    const h = chinaHour(s[0]);
    const list = out.get(h) ?? [];
    list.push(s);
    out.set(h, list);
  }
  return out;
};
