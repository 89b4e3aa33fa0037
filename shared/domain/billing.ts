/**
 * Time-of-use billing of a charging session — ONE pure function, `bill()`, used for the running
 * cost pushed while charging (§3.9) and for the final order (§3.12). A running bill over the
 * samples so far and the final bill over the same samples are the same value.
 *
 * Units inside (all integers):
 *   energy  Wh. Each cumulative meter reading is quantised to the nearest Wh (half-up) once, on
 *           input. Readings are cumulative, so the quantisation error never accumulates: the
 *           session energy is off the exact reading difference by < 1 Wh (the edge shows 10 Wh).
 *   price   1/10000 yuan per kWh ("price units"), exactly the 4 dp of PolicyInfos.
 *   money   fen (1/100 yuan).
 *
 * Energy between two consecutive samples flows at constant power. When a sample interval crosses
 * a period boundary, the energy is split by time using the interpolated meter reading at the
 * boundary, floored to the Wh: piece_j = ⌊E·t_j/D⌋ − ⌊E·t_{j−1}/D⌋ (t_j = time from the interval
 * start to the j-th boundary). The pieces are integers, each within 1 Wh of its exact share, and sum
 * to E exactly, so Σ detail Wh = last − first reading, always.
 *
 * Rounding rule (money): every detail's money is its exact rational value
 * Wh × priceUnits / 100000 fen rounded ONCE, half-up, to the fen; the totals are DEFINED as the
 * sums of the rounded details (elecFen = Σ detail elecFen, serviceFen = Σ detail serviceFen,
 * totalFen = elecFen + serviceFen). Each line item therefore stands alone (a partner can recompute
 * it within half a fen), and the totals match the details exactly.
 *
 * Rounding rule (energy at the 2-dp edge): DetailPower is in 0.01 kWh = 10 Wh. TotalPower is the
 * session energy rounded half-up to 0.01 kWh (what the meter shows), and the detail values are
 * apportioned by largest remainder (floors, then +0.01 to the largest remainders, earliest first
 * on ties), so Σ DetailPower = TotalPower exactly and each DetailPower is within 0.01 kWh of its
 * exact value.
 *
 * Details: the span [start, end] is cut exactly at every period boundary (every StartTime of every
 * local day, and midnight); one detail = one period occurrence on one day. Two periods with the
 * same prices are still separate details. SumPeriod = number of details, at most 32: if a very
 * long session would give more, the oldest ADJACENT pairs with identical prices are merged first
 * (contiguity kept; the merged detail then spans a boundary); if still more than 32, the oldest
 * detail absorbs the next later detail with identical prices (the merged detail's time range then
 * covers the ones in between). The number of distinct price pairs is ≤ 32, so this always ends
 * within the cap. A merged detail is a line item like any other: its money is its summed Wh × price
 * rounded once (so it stays within half a fen of exact, and the totals are still the sums of the
 * details); only in this > 32 case can a merge move the totals by a fen against the unmerged sum,
 * so "running ≤ final" is guaranteed for sessions that stay within 32 period occurrences.
 *
 * Span: start = opts.start ?? first sample time, end = opts.end ?? last sample time. Before the
 * first sample the reading is the first reading, after the last sample the last reading (no
 * energy). A zero-length span (e.g. a single sample and no opts) yields zero details; a positive
 * span with no energy yields zero-energy details covering it. Zero samples need opts.start.
 *
 * Errors (RangeError, the caller decides): invalid tariff; invalid Date; non-finite or negative
 * reading; decreasing reading; decreasing time; opts.start after the first sample or opts.end
 * before the last; zero samples without opts.start. Equal timestamps are allowed: energy reported
 * in zero time goes to the detail that contains (or, at a boundary, ends at) that instant.
 * `sanitizeSamples()` is the lenient pre-pass for noisy meters.
 */

import { priceToUnits, yuanToFen } from '../tcec/money.ts';
import { formatDateTime } from '../tcec/time.ts';
import { ReserveStat } from './reservation.ts';
import { type CompiledTariff, compileTariff, locate, priceUnitsToYuan, type TariffPeriod } from './tariff.ts';

export { type TariffPeriod, validateTariff } from './tariff.ts';

export interface MeterSample {
  at: Date;
  /** cumulative meter reading for the session, Wh (monotonic; starts at 0 or at the meter start value) */
  energyWh: number;
}

export interface BillDetail {
  start: Date;
  end: Date;
  /** 1/10000 yuan per kWh */
  elecPriceUnits: number;
  /** 1/10000 yuan per kWh */
  servicePriceUnits: number;
  /** integer Wh */
  energyWh: number;
  elecFen: number;
  serviceFen: number;
}

export interface Bill {
  start: Date;
  end: Date;
  /** integer Wh = Σ details = last − first reading */
  energyWh: number;
  elecFen: number;
  serviceFen: number;
  totalFen: number;
  details: BillDetail[];
}

export interface ChargeDetail {
  DetailStartTime: string;
  DetailEndTime: string;
  ElecPrice: number;
  SevicePrice: number;
  DetailPower: number;
  DetailElecMoney: number;
  DetailSeviceMoney: number;
}

export interface OrderTotals {
  StartTime: string;
  EndTime: string;
  TotalPower: number;
  TotalElecMoney: number;
  TotalSeviceMoney: number;
  TotalMoney: number;
  SumPeriod: number;
  ChargeDetails: ChargeDetail[];
}

/** The totals of a bill (§3.12), as an invoice line (shared/domain/invoice-pdf.ts) and a partner's order (shared/domain/partner-bill.ts) carry them too. */
export type BillTotals = Pick<OrderTotals, 'StartTime' | 'EndTime' | 'TotalPower' | 'TotalElecMoney' | 'TotalSeviceMoney' | 'TotalMoney'>;

const MAX_DETAILS = 32;
/** Largest session energy accepted (100 MWh): keeps Wh × price units a safe integer. */
const MAX_SESSION_WH = 100_000_000;
/** Largest meter reading accepted, Wh. */
const MAX_READING_WH = 1e15;

/** Wh × (1/10000 yuan/kWh) / 100000 = fen; half-up to the fen. */
const FEN_DIVISOR = 100_000;
/** ⌊n/d⌋ for a non-negative safe integer n and positive integer d, exactly (no float quotient). */
const floorDiv = (n: number, d: number): number => (n - (n % d)) / d;

const moneyFen = (wh: number, priceUnits: number): number => floorDiv(wh * priceUnits + FEN_DIVISOR / 2, FEN_DIVISOR);

/** ⌊e·x/d⌋ for non-negative integers, exact even when e·x leaves the safe-integer range. */
const floorMulDiv = (e: number, x: number, d: number): number => {
  const p = e * x;
  if (p <= Number.MAX_SAFE_INTEGER) return floorDiv(p, d);
  return Number((BigInt(e) * BigInt(x)) / BigInt(d));
};

// errors are built only on failure, so the hot loop makes no strings
const dateError = (what: string): RangeError => new RangeError(`bill: ${what} is not a valid Date`);
const readingError = (v: unknown, i: number): RangeError =>
  new RangeError(`bill: samples[${i}].energyWh ${String(v)} is not a meter reading in Wh (finite, 0–${MAX_READING_WH})`);
const timeOf = (d: unknown, what: string): number => {
  const ms = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw dateError(what);
  return ms;
};

interface Acc {
  startMs: number;
  endMs: number;
  period: number;
  wh: number;
}

export function bill(samples: readonly MeterSample[], tariff: readonly TariffPeriod[], opts?: { start?: Date; end?: Date }): Bill {
  const ct = compileTariff(tariff);
  const n = samples.length;

  // ---- validate and read the samples (raw readings checked, then quantised to Wh)
  const ts = new Float64Array(n);
  const wh = new Float64Array(n);
  let prevT = Number.NEGATIVE_INFINITY;
  let prevRaw = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const s = samples[i] as MeterSample;
    const at: unknown = s?.at;
    const t = at instanceof Date ? at.getTime() : Number.NaN;
    if (!Number.isFinite(t)) throw dateError(`samples[${i}].at`);
    const raw = s?.energyWh as unknown;
    if (typeof raw !== 'number' || !(raw >= 0 && raw <= MAX_READING_WH)) throw readingError(raw, i);
    if (t < prevT) throw new RangeError(`bill: samples[${i}].at ${s.at.toISOString()} is before samples[${i - 1}].at (out of order)`);
    if (raw < prevRaw)
      throw new RangeError(`bill: samples[${i}].energyWh ${raw} is below samples[${i - 1}].energyWh ${prevRaw} (meter reading decreased)`);
    prevT = t;
    prevRaw = raw;
    ts[i] = t;
    wh[i] = Math.round(raw);
  }
  const sessionWh = n > 0 ? (wh[n - 1] as number) - (wh[0] as number) : 0;
  if (sessionWh > MAX_SESSION_WH) throw new RangeError(`bill: session energy ${sessionWh} Wh exceeds ${MAX_SESSION_WH} Wh`);

  // ---- the span
  let startMs: number;
  let endMs: number;
  if (opts?.start !== undefined) {
    startMs = timeOf(opts.start, 'opts.start');
    if (n > 0 && startMs > (ts[0] as number)) throw new RangeError('bill: opts.start is after the first sample');
  } else if (n > 0) {
    startMs = ts[0] as number;
  } else {
    throw new RangeError('bill: zero samples need opts.start');
  }
  if (opts?.end !== undefined) {
    endMs = timeOf(opts.end, 'opts.end');
    if (n > 0 && endMs < (ts[n - 1] as number)) throw new RangeError('bill: opts.end is before the last sample');
    if (endMs < startMs) throw new RangeError('bill: opts.end is before opts.start');
  } else {
    endMs = n > 0 ? (ts[n - 1] as number) : startMs;
  }

  // ---- cut the span at period boundaries and apportion each sample interval's energy
  if (!(endMs > startMs || sessionWh > 0)) return priceDetails(ct, [], startMs, endMs);
  const st: Accumulation = { accs: [], cur: openAcc(ct, startMs) };
  if (n > 0) advanceTo(ct, st, ts[0] as number);
  for (let i = 1; i < n; i++) addInterval(ct, st, ts[i - 1] as number, ts[i] as number, (wh[i] as number) - (wh[i - 1] as number));
  return closeAccumulation(ct, st, startMs, endMs);
}

/** the details closed so far and the open one (its endMs is the end of its period occurrence until the span is closed) */
interface Accumulation {
  accs: Acc[];
  cur: Acc;
}

const openAcc = (ct: CompiledTariff, at: number): Acc => {
  const loc = locate(ct, at);
  return { startMs: at, endMs: loc.endMs, period: loc.period, wh: 0 };
};

/** advance the open detail to contain instant t, closing details on the way */
const advanceTo = (ct: CompiledTariff, st: Accumulation, t: number): void => {
  while (st.cur.endMs < t) {
    st.accs.push(st.cur);
    st.cur = openAcc(ct, st.cur.endMs);
  }
};

/** the energy e (integer Wh) of the sample interval [ta, tb], split at the period boundaries by time */
const addInterval = (ct: CompiledTariff, st: Accumulation, ta: number, tb: number, e: number): void => {
  if (e === 0) {
    advanceTo(ct, st, tb);
    return;
  }
  const d = tb - ta;
  let given = 0;
  while (st.cur.endMs < tb) {
    const cum = floorMulDiv(e, st.cur.endMs - ta, d);
    st.cur.wh += cum - given;
    given = cum;
    st.accs.push(st.cur);
    st.cur = openAcc(ct, st.cur.endMs);
  }
  st.cur.wh += e - given;
};

/** close the span at endMs and price it (the accumulation is consumed) */
const closeAccumulation = (ct: CompiledTariff, st: Accumulation, startMs: number, endMs: number): Bill => {
  advanceTo(ct, st, endMs);
  st.cur.endMs = endMs;
  // (a zero-length span carrying energy reported in zero time still gets its one detail)
  st.accs.push(st.cur);
  return priceDetails(ct, st.accs, startMs, endMs);
};

/** money per detail, half-up once; totals are the sums of the details */
const priceDetails = (ct: CompiledTariff, accs: readonly Acc[], startMs: number, endMs: number): Bill => {
  let details: BillDetail[] = accs.map((a) => {
    const ep = ct.elecUnits[a.period] as number;
    const sp = ct.serviceUnits[a.period] as number;
    return {
      start: new Date(a.startMs),
      end: new Date(a.endMs),
      elecPriceUnits: ep,
      servicePriceUnits: sp,
      energyWh: a.wh,
      elecFen: moneyFen(a.wh, ep),
      serviceFen: moneyFen(a.wh, sp),
    };
  });
  if (details.length > MAX_DETAILS) details = capDetails(details);

  let energyWh = 0;
  let elecFen = 0;
  let serviceFen = 0;
  for (const d of details) {
    energyWh += d.energyWh;
    elecFen += d.elecFen;
    serviceFen += d.serviceFen;
  }
  return { start: new Date(startMs), end: new Date(endMs), energyWh, elecFen, serviceFen, totalFen: elecFen + serviceFen, details };
};

// ---------------------------------------------------------------- the running form (one sample at a time)

/**
 * bill() folded one sample at a time, for an order that keeps its running per-period totals instead
 * of its samples. Plain JSON (stored as is on the order item): its size depends on the number of
 * period occurrences crossed, not on the number of samples.
 *
 *   closeRunningBill(foldSample(…foldSample(startRunningBill(s0, t, {start}), s1, t)…, sn, t), t, {end})
 *     ≡ bill([s0, s1, …, sn], t, {start, end})
 *
 * for every valid, time-ordered sample list (a property test proves it). The same checks throw the
 * same RangeErrors: a sample before the last one, or a reading below it, is refused — the caller
 * decides (the order store drops a late sample, and clamps a reading that went down, as
 * sanitizeSamples() would).
 */
export interface RunningBill {
  /** span start, epoch ms */
  start: number;
  /** the first reading, Wh (quantised) */
  first: number;
  /** the last sample folded: epoch ms, raw reading, quantised reading (Wh) */
  t: number;
  raw: number;
  wh: number;
  /** samples folded so far */
  n: number;
  /** the details so far, oldest first: start, end, period index, Wh; the last is open (its end is its period's end) */
  d: Array<{ s: number; e: number; p: number; wh: number }>;
}

const checkReading = (raw: unknown, i: number): number => {
  if (typeof raw !== 'number' || !(raw >= 0 && raw <= MAX_READING_WH)) throw readingError(raw, i);
  return raw;
};

const toAccumulation = (rb: RunningBill): Accumulation => {
  const accs = rb.d.map((x) => ({ startMs: x.s, endMs: x.e, period: x.p, wh: x.wh }));
  return { accs, cur: accs.pop() as Acc };
};

const fromAccumulation = (st: Accumulation): RunningBill['d'] =>
  [...st.accs, st.cur].map((a) => ({ s: a.startMs, e: a.endMs, p: a.period, wh: a.wh }));

/** The running bill of a session's first sample (opts.start: a span start before it, as in bill()). */
export function startRunningBill(first: MeterSample, tariff: readonly TariffPeriod[], opts?: { start?: Date }): RunningBill {
  const ct = compileTariff(tariff);
  const t = timeOf(first?.at, 'samples[0].at');
  const raw = checkReading(first?.energyWh, 0);
  const startMs = opts?.start !== undefined ? timeOf(opts.start, 'opts.start') : t;
  if (startMs > t) throw new RangeError('bill: opts.start is after the first sample');
  const st: Accumulation = { accs: [], cur: openAcc(ct, startMs) };
  advanceTo(ct, st, t);
  const wh = Math.round(raw);
  return { start: startMs, first: wh, t, raw, wh, n: 1, d: fromAccumulation(st) };
}

/** The running bill after one more sample (not before the last one; its reading not below the last one). */
export function foldSample(rb: RunningBill, sample: MeterSample, tariff: readonly TariffPeriod[]): RunningBill {
  const ct = compileTariff(tariff);
  const i = rb.n;
  const t = timeOf(sample?.at, `samples[${i}].at`);
  const raw = checkReading(sample?.energyWh, i);
  if (t < rb.t) throw new RangeError(`bill: samples[${i}].at ${sample.at.toISOString()} is before samples[${i - 1}].at (out of order)`);
  if (raw < rb.raw)
    throw new RangeError(`bill: samples[${i}].energyWh ${raw} is below samples[${i - 1}].energyWh ${rb.raw} (meter reading decreased)`);
  const wh = Math.round(raw);
  if (wh - rb.first > MAX_SESSION_WH) throw new RangeError(`bill: session energy ${wh - rb.first} Wh exceeds ${MAX_SESSION_WH} Wh`);
  const st = toAccumulation(rb);
  addInterval(ct, st, rb.t, t, wh - rb.wh);
  return { ...rb, t, raw, wh, n: i + 1, d: fromAccumulation(st) };
}

/** The bill of the samples folded so far, its span ending at the last sample or at opts.end. */
export function closeRunningBill(rb: RunningBill, tariff: readonly TariffPeriod[], opts?: { end?: Date }): Bill {
  const ct = compileTariff(tariff);
  let endMs = rb.t;
  if (opts?.end !== undefined) {
    endMs = timeOf(opts.end, 'opts.end');
    if (endMs < rb.t) throw new RangeError('bill: opts.end is before the last sample');
  }
  if (!(endMs > rb.start || rb.wh - rb.first > 0)) return priceDetails(ct, [], rb.start, endMs);
  return closeAccumulation(ct, toAccumulation(rb), rb.start, endMs);
}

const samePrices = (a: BillDetail, b: BillDetail): boolean =>
  a.elecPriceUnits === b.elecPriceUnits && a.servicePriceUnits === b.servicePriceUnits;

const mergeInto = (a: BillDetail, b: BillDetail): BillDetail => {
  const energyWh = a.energyWh + b.energyWh;
  return {
    start: a.start.getTime() <= b.start.getTime() ? a.start : b.start,
    end: a.end.getTime() >= b.end.getTime() ? a.end : b.end,
    elecPriceUnits: a.elecPriceUnits,
    servicePriceUnits: a.servicePriceUnits,
    energyWh,
    elecFen: moneyFen(energyWh, a.elecPriceUnits),
    serviceFen: moneyFen(energyWh, a.servicePriceUnits),
  };
};

/** Bring a detail list to ≤ 32 entries (see the module comment); energy is unchanged, merged money is re-rounded once. */
export const capDetails = (input: readonly BillDetail[], max = MAX_DETAILS): BillDetail[] => {
  const ds = input.slice();
  // phase A: oldest adjacent identical-price pairs
  let i = 0;
  while (ds.length > max && i + 1 < ds.length) {
    const a = ds[i] as BillDetail;
    const b = ds[i + 1] as BillDetail;
    if (samePrices(a, b)) ds.splice(i, 2, mergeInto(a, b));
    else i++;
  }
  // phase B: the oldest detail absorbs the next later one with identical prices
  let j = 0;
  while (ds.length > max && j < ds.length) {
    const a = ds[j] as BillDetail;
    const k = ds.findIndex((d, idx) => idx > j && samePrices(a, d));
    if (k < 0) {
      j++;
      continue;
    }
    ds[j] = mergeInto(a, ds[k] as BillDetail);
    ds.splice(k, 1);
  }
  return ds;
};

/**
 * Lenient pre-pass for noisy meters: drops samples with an invalid Date or a non-finite/negative
 * reading, sorts by time (stable), clamps a reading that went down to the highest reading seen so
 * far (meter glitch), and drops exact duplicates (same instant, same reading after clamping).
 * The result always passes bill()'s checks.
 */
export function sanitizeSamples(samples: readonly MeterSample[]): MeterSample[] {
  const valid = samples.filter(
    (s) =>
      s !== null &&
      typeof s === 'object' &&
      s.at instanceof Date &&
      Number.isFinite(s.at.getTime()) &&
      typeof s.energyWh === 'number' &&
      Number.isFinite(s.energyWh) &&
      s.energyWh >= 0 &&
      s.energyWh <= MAX_READING_WH,
  );
  const sorted = valid.map((s, idx) => ({ s, idx, t: s.at.getTime() })).sort((a, b) => a.t - b.t || a.idx - b.idx);
  const out: MeterSample[] = [];
  let max = Number.NEGATIVE_INFINITY;
  let lastT = Number.NaN;
  for (const { s, t } of sorted) {
    const reading = Math.max(s.energyWh, max);
    max = reading;
    if (t === lastT && out.length > 0 && (out[out.length - 1] as MeterSample).energyWh === reading) continue;
    out.push(reading === s.energyWh ? s : { at: s.at, energyWh: reading });
    lastT = t;
  }
  return out;
}

// ---------------------------------------------------------------- service-fee discount (coupons, issue 15)

/**
 * The bill with `discountFen` taken off its SERVICE fee (a coupon, shared/domain/coupons.ts): the
 * discount (at most the service fee) is spread over the details in proportion to their service
 * money — floors, then one fen each to the largest remainders, earliest first on ties — so every
 * DetailSeviceMoney stays ≥ 0, Σ details = the totals, and TotalSeviceMoney falls by exactly the
 * discount. Electricity is never discounted. Pure: the same bill and discount give the same result
 * for the running and the final bill.
 */
export function discountService(b: Bill, discountFen: number): Bill {
  if (!Number.isSafeInteger(discountFen) || discountFen < 0) throw new RangeError(`discountService: ${discountFen} is not a fen amount`);
  const off = Math.min(discountFen, b.serviceFen);
  if (off === 0 || b.serviceFen === 0) return b;
  const shares = b.details.map((d) => floorMulDiv(d.serviceFen, off, b.serviceFen));
  let extra = off - shares.reduce((a, x) => a + x, 0);
  const order = b.details.map((d, i) => ({ r: (d.serviceFen * off) % b.serviceFen, i })).sort((x, y) => y.r - x.r || x.i - y.i);
  for (const { i } of order) {
    if (extra === 0) break;
    if ((shares[i] as number) < (b.details[i] as BillDetail).serviceFen) {
      shares[i] = (shares[i] as number) + 1;
      extra--;
    }
  }
  const details = b.details.map((d, i) => ({ ...d, serviceFen: d.serviceFen - (shares[i] as number) }));
  const serviceFen = b.serviceFen - off;
  return { ...b, details, serviceFen, totalFen: b.elecFen + serviceFen };
}

/**
 * The bill capped at `capFen` (a prepaid order's prepayment, shared/domain/prepay.ts): what exceeds
 * it (`waivedFen`, metered between the reading that reached the prepayment and the pile's stop) is
 * taken off the LAST lines first — their service money, latest line first, then, only if the whole
 * service fee is not enough, their electricity money, latest line first — so every detail's money
 * stays ≥ 0, Σ details = the totals and TotalMoney = min(total, cap) exactly. The lines it touches
 * then carry less money than DetailPower × price (the documented adjustment, as a coupon's
 * discount). Pure: the same for the running and the final bill.
 */
export function capTotal(b: Bill, capFen: number): { bill: Bill; waivedFen: number } {
  if (!Number.isSafeInteger(capFen) || capFen < 0) throw new RangeError(`capTotal: ${capFen} is not a fen amount`);
  const excess = b.totalFen - capFen;
  if (excess <= 0) return { bill: b, waivedFen: 0 };
  const details = b.details.map((d) => ({ ...d }));
  let left = excess;
  for (const part of ['serviceFen', 'elecFen'] as const)
    for (let i = details.length - 1; i >= 0 && left > 0; i--) {
      const d = details[i] as BillDetail;
      const off = Math.min(d[part], left);
      d[part] -= off;
      left -= off;
    }
  const elecFen = details.reduce((a, d) => a + d.elecFen, 0);
  const serviceFen = details.reduce((a, d) => a + d.serviceFen, 0);
  return { bill: { ...b, details, elecFen, serviceFen, totalFen: elecFen + serviceFen }, waivedFen: excess - left };
}

// ---------------------------------------------------------------- the 2-dp edge (§3.9, §3.12)

/** DetailPower in 0.01 kWh per detail: largest-remainder apportionment of the half-up total. */
export const detailPowerCentiKwh = (b: Bill): number[] => {
  const ds = b.details;
  const units = ds.map((d) => Math.floor(d.energyWh / 10));
  const totalWh = ds.reduce((s, d) => s + d.energyWh, 0);
  const target = Math.floor((totalWh + 5) / 10);
  let extra = target - units.reduce((s, u) => s + u, 0);
  if (extra > 0) {
    const order = ds.map((d, i) => ({ r: d.energyWh % 10, i })).sort((x, y) => y.r - x.r || x.i - y.i);
    for (const { i } of order) {
      if (extra === 0) break;
      units[i] = (units[i] as number) + 1;
      extra--;
    }
  }
  return units;
};

/** 'yyyy-MM-dd HH:mm:ss' UTC+8, milliseconds truncated */
const formatTime = formatDateTime;

export function toChargeDetails(b: Bill): ChargeDetail[] {
  const power = detailPowerCentiKwh(b);
  return b.details.map((d, i) => ({
    DetailStartTime: formatTime(d.start),
    DetailEndTime: formatTime(d.end),
    ElecPrice: priceUnitsToYuan(d.elecPriceUnits),
    SevicePrice: priceUnitsToYuan(d.servicePriceUnits),
    DetailPower: (power[i] as number) / 100,
    DetailElecMoney: d.elecFen / 100,
    DetailSeviceMoney: d.serviceFen / 100,
  }));
}

export function toOrderTotals(b: Bill): OrderTotals {
  const power = detailPowerCentiKwh(b);
  const elecFen = b.details.reduce((s, d) => s + d.elecFen, 0);
  const serviceFen = b.details.reduce((s, d) => s + d.serviceFen, 0);
  return {
    StartTime: formatTime(b.start),
    EndTime: formatTime(b.end),
    TotalPower: power.reduce((s, u) => s + u, 0) / 100,
    TotalElecMoney: elecFen / 100,
    TotalSeviceMoney: serviceFen / 100,
    TotalMoney: (elecFen + serviceFen) / 100,
    SumPeriod: b.details.length,
    ChargeDetails: toChargeDetails(b),
  };
}

/**
 * The fee of a reservation (extension, shared/domain/reservation.ts) of `minutes`: the station's
 * fixed `Fee` plus `FeePerMinute` × minutes, in fen. The per-minute part is exact in price units
 * (1/10000 yuan) and rounded ONCE, half-up, to the fen — the same rule as a detail's money.
 */
export function reservationFeeFen(policy: { Fee?: number | undefined; FeePerMinute?: number | undefined }, minutes: number): number {
  const fixedFen = yuanToFen(policy.Fee ?? 0);
  const perMinuteUnits = priceToUnits(policy.FeePerMinute ?? 0);
  return fixedFen + Math.round((perMinuteUnits * minutes) / 100);
}

/**
 * What an expired, unused reservation (a no-show) bills: its reservation fee plus the policy's
 * `NoShowFee`, both fixed when the reservation is made (the reservation record keeps the sum).
 */
export function noShowChargeFen(
  policy: { Fee?: number | undefined; FeePerMinute?: number | undefined; NoShowFee?: number | undefined },
  minutes: number,
): number {
  return reservationFeeFen(policy, minutes) + yuanToFen(policy.NoShowFee ?? 0);
}

/**
 * What a reservation bills ON ITSELF once it has ended (`stat`, shared/domain/reservation.ts
 * ReserveStat) — the one rule:
 *   - 2 used by the reserving partner's start: 0 here; its fee is a line of that order (addReservationFee);
 *   - 4 expired unused (a no-show): `noShowFen` (noShowChargeFen at reservation time);
 *   - 3 cancelled before it lapsed, 5 refused by the charger: 0;
 *   - 1 still active: 0 (nothing is billed before it ends).
 */
export function reservationEndChargeFen(stat: number, r: { noShowFen: number }): number {
  return stat === ReserveStat.Expired ? r.noShowFen : 0;
}

/**
 * Room for the reservation fee's line: a bill of a session that used a reservation keeps at most 31
 * metered details (capDetails' merge rules), so the fee line makes it ≤ 32. Call it BEFORE a
 * discount (discountService), so the discount's spread is never re-rounded.
 */
export function roomForReservationFee(b: Bill): Bill {
  if (b.details.length < MAX_DETAILS) return b;
  const details = capDetails(b.details, MAX_DETAILS - 1);
  const elecFen = details.reduce((s, d) => s + d.elecFen, 0);
  const serviceFen = details.reduce((s, d) => s + d.serviceFen, 0);
  return { ...b, details, elecFen, serviceFen, totalFen: elecFen + serviceFen };
}

/**
 * The reservation fee (reservationFeeFen, charged when the reservation was made) on the bill of the
 * order that used the reservation: ONE extra line of service money, first, spanning the reserved time
 * (reservedAt → the bill's start), with no energy and zero prices — ElecPrice 0, SevicePrice 0,
 * DetailPower 0, DetailElecMoney 0, DetailSeviceMoney = the fee. TotalSeviceMoney and TotalMoney
 * include it, so Σ ChargeDetails = the totals still holds and a partner that reads only the totals
 * bills the user right; the order names it (ReserveSeq, ReserveMoney: shared/domain/order-views.ts).
 * A coupon never discounts it (apply discountService first). The bill's StartTime stays the
 * session's start. Pure, the same for the running and the final bill.
 */
export function addReservationFee(b: Bill, fee: { feeFen: number; reservedAt: Date }): Bill {
  if (!Number.isSafeInteger(fee.feeFen) || fee.feeFen < 0) throw new RangeError(`addReservationFee: ${fee.feeFen} is not a fen amount`);
  if (fee.feeFen === 0) return b;
  const from = timeOf(fee.reservedAt, 'reservedAt');
  const line: BillDetail = {
    start: new Date(Math.min(from, b.start.getTime())),
    end: b.start,
    elecPriceUnits: 0,
    servicePriceUnits: 0,
    energyWh: 0,
    elecFen: 0,
    serviceFen: fee.feeFen,
  };
  const room = roomForReservationFee(b);
  const serviceFen = room.serviceFen + fee.feeFen;
  return { ...room, details: [line, ...room.details], serviceFen, totalFen: room.elecFen + serviceFen };
}
