/**
 * Time-of-use tariff (T/CEC 102 §3.6 PolicyInfos) — validation, integer compilation and the
 * period calendar in China local time (UTC+8, no DST). No AWS, no I/O.
 *
 * A tariff is a list of periods; each starts at `startTime` ('HHmmss', local time) and runs until
 * the next period's start, the last one until midnight (the first period must start at 000000, so
 * the day wraps onto it). Prices are yuan/kWh with at most 4 decimals; inside they are integers in
 * "price units" = 1/10000 yuan per kWh.
 */

export interface TariffPeriod {
  /** period start, local time 'HHmmss' */
  startTime: string;
  /** yuan/kWh, ≤ 4 dp */
  elecPrice: number;
  /** yuan/kWh, ≤ 4 dp */
  servicePrice: number;
}

/** A validated tariff in integers: start second-of-day and prices in 1/10000 yuan/kWh. */
export interface CompiledTariff {
  readonly startSec: readonly number[];
  readonly elecUnits: readonly number[];
  readonly serviceUnits: readonly number[];
}

export const MAX_PERIODS = 32;
const PRICE_UNITS_PER_YUAN = 10_000;
/** Largest accepted price, yuan/kWh (keeps every Wh × price product far inside the safe-integer range). */
const MAX_PRICE_YUAN = 1_000;

const UTC8_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

const HHMMSS = /^(\d{2})(\d{2})(\d{2})$/;

/** 'HHmmss' → seconds of the day, or undefined when malformed or out of range. */
export const parseHHmmss = (s: string): number | undefined => {
  const m = HHMMSS.exec(s);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const se = Number(m[3]);
  if (h > 23 || mi > 59 || se > 59) return undefined;
  return h * 3600 + mi * 60 + se;
};

/** yuan/kWh → integer 1/10000 yuan/kWh, or undefined if negative, non-finite, too large or finer than 4 dp. */
export const yuanToPriceUnits = (yuan: number): number | undefined => {
  if (typeof yuan !== 'number' || !Number.isFinite(yuan) || yuan < 0 || yuan > MAX_PRICE_YUAN) return undefined;
  const scaled = yuan * PRICE_UNITS_PER_YUAN;
  const units = Math.round(scaled);
  // 0.8123 * 10000 = 8123.000000000001: tolerate binary noise, reject a real 5th decimal
  if (Math.abs(scaled - units) > 1e-6) return undefined;
  return units;
};

/** Integer 1/10000 yuan → yuan number with ≤ 4 dp (8123 → 0.8123). */
export const priceUnitsToYuan = (units: number): number => units / PRICE_UNITS_PER_YUAN;

export function validateTariff(t: readonly TariffPeriod[]): { ok: true } | { ok: false; msg: string } {
  if (!Array.isArray(t) || t.length === 0) return { ok: false, msg: 'tariff: at least one period is required' };
  if (t.length > MAX_PERIODS) return { ok: false, msg: `tariff: ${t.length} periods, at most ${MAX_PERIODS}` };
  let prev = -1;
  for (let i = 0; i < t.length; i++) {
    const p = t[i];
    if (p === undefined || typeof p !== 'object') return { ok: false, msg: `tariff[${i}]: not a period` };
    const sec = typeof p.startTime === 'string' ? parseHHmmss(p.startTime) : undefined;
    if (sec === undefined)
      return { ok: false, msg: `tariff[${i}].startTime ${JSON.stringify(p.startTime)}: expected HHmmss (000000–235959)` };
    if (i === 0 && sec !== 0) return { ok: false, msg: `tariff[0].startTime ${p.startTime}: the first period must start at 000000` };
    if (sec <= prev) return { ok: false, msg: `tariff[${i}].startTime ${p.startTime}: start times must be strictly increasing` };
    prev = sec;
    if (yuanToPriceUnits(p.elecPrice) === undefined) {
      return {
        ok: false,
        msg: `tariff[${i}].elecPrice ${String(p.elecPrice)}: expected a number 0–${MAX_PRICE_YUAN} with at most 4 decimals`,
      };
    }
    if (yuanToPriceUnits(p.servicePrice) === undefined) {
      return {
        ok: false,
        msg: `tariff[${i}].servicePrice ${String(p.servicePrice)}: expected a number 0–${MAX_PRICE_YUAN} with at most 4 decimals`,
      };
    }
  }
  return { ok: true };
}

/** Validate and convert to integers; throws RangeError with validateTariff's message. */
export const compileTariff = (t: readonly TariffPeriod[]): CompiledTariff => {
  const v = validateTariff(t);
  if (!v.ok) throw new RangeError(v.msg);
  return {
    startSec: t.map((p) => parseHHmmss(p.startTime) as number),
    elecUnits: t.map((p) => yuanToPriceUnits(p.elecPrice) as number),
    serviceUnits: t.map((p) => yuanToPriceUnits(p.servicePrice) as number),
  };
};

/**
 * Where an instant falls: the local day number (days since 1970-01-01 UTC+8), the period index
 * and the instant (epoch ms) at which that period ends — the next StartTime, or the next local
 * midnight for the last period. Periods are half-open [start, next start).
 */
export const locate = (ct: CompiledTariff, epochMs: number): { day: number; period: number; endMs: number } => {
  const local = epochMs + UTC8_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const sodMs = local - day * DAY_MS;
  const starts = ct.startSec;
  let k = 0;
  // ≤ 32 periods: a linear scan beats a binary search at this size
  while (k + 1 < starts.length && (starts[k + 1] as number) * 1000 <= sodMs) k++;
  const nextSec = k + 1 < starts.length ? (starts[k + 1] as number) : 86_400;
  return { day, period: k, endMs: day * DAY_MS + nextSec * 1000 - UTC8_OFFSET_MS };
};

/** T/CEC §3.6 edge form of a tariff (canonical 2016 spelling `SevicePrice`). */
export const toPolicyInfos = (
  t: readonly TariffPeriod[],
): { SumPeriod: number; PolicyInfos: Array<{ StartTime: string; ElecPrice: number; SevicePrice: number }> } => {
  const ct = compileTariff(t);
  return {
    SumPeriod: t.length,
    PolicyInfos: t.map((p, i) => ({
      StartTime: p.startTime,
      ElecPrice: priceUnitsToYuan(ct.elecUnits[i] as number),
      SevicePrice: priceUnitsToYuan(ct.serviceUnits[i] as number),
    })),
  };
};
