/**
 * Exact decimals for T/CEC 102 Data (reference §3 conventions, pitfall §6.11).
 *
 * Inside the platform, amounts are integers: money in fen (1/100 yuan), energy in Wh
 * (1/1000 kWh), unit prices in "price units" (1/10000 yuan per kWh). At the wire edge every
 * number is rounded to its field's precision with `round()`, which shifts the decimal point in
 * the number's *decimal string* (not by multiplying binary floats), so 1.005 → 1.01 and
 * 14.969999999999999 → 14.97, and rounds half away from zero.
 */

/** Decimal places of each kind of quantity on the wire. */
export const PRECISION = {
  /** ElecPrice / SevicePrice, yuan per kWh */
  price: 4,
  /** every *Money field, yuan */
  money: 2,
  /** TotalPower / DetailPower, kWh */
  energy: 2,
  /** StationLng/Lat, EquipmentLng/Lat (GCJ-02) */
  coordinate: 6,
  /** Power, kW */
  power: 1,
  /** query_station_stats *Electricity, kWh (0.1 kWh) */
  statsElectricity: 1,
  /** CurrentA..C (A), VoltageA..C (V) */
  currentVoltage: 1,
  /** Soc, % */
  soc: 1,
} as const;

/** Moves the decimal point of a finite number by `k` places using its decimal string form. */
function shift(x: number, k: number): number {
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return Number(`${s}e${k}`);
  return Number(`${s.slice(0, e)}e${Number(s.slice(e + 1)) + k}`);
}

function assertFinite(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${String(value)}`);
}

/**
 * Rounds `value` to `dp` decimal places, half away from zero, exactly as the decimal literal
 * reads (1.005 → 1.01, -1.005 → -1.01, 0.1 + 0.2 → 0.3 at 2 dp). Never returns -0.
 */
export function round(value: number, dp: number): number {
  assertFinite(value, 'value');
  if (!Number.isInteger(dp) || dp < 0 || dp > 20) throw new RangeError(`dp must be an integer in 0..20, got ${dp}`);
  if (value === 0) return 0;
  const abs = Math.abs(value);
  const r = shift(Math.round(shift(abs, dp)), -dp);
  if (r === 0) return 0;
  return value < 0 ? -r : r;
}

/** Rounds `value × 10^dp` to an integer, half away from zero (e.g. yuan → fen with dp 2). */
export function toScaledInt(value: number, dp: number): number {
  assertFinite(value, 'value');
  if (value === 0) return 0;
  const r = Math.round(shift(Math.abs(value), dp));
  if (r === 0) return 0;
  return value < 0 ? -r : r;
}

/** `int × 10^-dp`, exact to the decimal (e.g. fen → yuan with dp 2). Non-integers are rounded first. */
function fromScaledInt(int: number, dp: number): number {
  assertFinite(int, 'value');
  const i = Number.isInteger(int) ? int : round(int, 0);
  if (i === 0) return 0;
  return shift(i, -dp);
}

/** Number of decimal places in the shortest decimal form of `x` (116.123456 → 6, 1e-7 → 7, 12 → 0). */
export function decimalPlaces(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const s = String(Math.abs(x));
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!m) return 0;
  const frac = m[2]?.length ?? 0;
  const exp = m[3] ? Number(m[3]) : 0;
  return Math.max(0, frac - exp);
}

/** fen (integer) → yuan, 2 dp. */
export const fenToYuan = (fen: number): number => fromScaledInt(fen, 2);
/** yuan → integer fen, half away from zero. */
export const yuanToFen = (yuan: number): number => toScaledInt(yuan, 2);

/** Wh (integer) → kWh rounded to 2 dp (the wire precision of TotalPower/DetailPower). */
export const whToKwh = (wh: number): number => round(fromScaledInt(toScaledInt(wh, 0), 3), PRECISION.energy);
/** kWh → integer Wh, half away from zero. */
export const kwhToWh = (kwh: number): number => toScaledInt(kwh, 3);

/** yuan per kWh → integer price units (1/10000 yuan), half away from zero. */
export const priceToUnits = (price: number): number => toScaledInt(price, PRECISION.price);
/** integer price units → yuan per kWh, 4 dp. */
export const unitsToPrice = (units: number): number => fromScaledInt(units, PRECISION.price);
