/**
 * The electrical side of a simulated session: the power a vehicle draws at a given SOC, the
 * voltages and currents consistent with that power, and the energy/SOC integration between two
 * instants. Pure functions, no time or randomness of their own.
 */
export type Kind = 'dc' | 'ac';

export interface Vehicle {
  /** usable battery capacity, kWh */
  batteryKwh: number;
  /** SOC at plug-in, % */
  socStart: number;
  /** the BMS ends the session at this SOC (default 100) */
  targetSoc: number;
  /** the most DC power the vehicle accepts, kW */
  maxDcKw: number;
}

/** AC on-board chargers: ~7 kW flat */
const AC_KW = 7;
/** DC tapers linearly above this SOC down to TAPER_FLOOR × the peak at 100 % */
const TAPER_FROM_SOC = 80;
const TAPER_FLOOR = 0.1;

/** kW drawn at `soc` on a connector of `connectorKw` */
export const powerAt = (kind: Kind, connectorKw: number, vehicle: Vehicle, soc: number): number => {
  if (soc >= vehicle.targetSoc) return 0;
  if (kind === 'ac') return Math.min(connectorKw, AC_KW);
  const peak = Math.min(connectorKw, vehicle.maxDcKw);
  if (soc <= TAPER_FROM_SOC) return peak;
  const f = Math.max(TAPER_FLOOR, (100 - soc) / (100 - TAPER_FROM_SOC));
  return peak * f;
};

export interface Electrical {
  voltageA: number;
  currentA: number;
}

/** DC: pack voltage rising with SOC (≈ 350 → 400 V), I = P / U. AC: single phase 220 V. */
export const electricalAt = (kind: Kind, powerKw: number, soc: number): Electrical => {
  const voltageA = kind === 'dc' ? 350 + soc / 2 : 220;
  return { voltageA: round1(voltageA), currentA: round1((powerKw * 1000) / voltageA) };
};

export const round1 = (v: number): number => Math.round(v * 10) / 10;

/** integration step, simulated ms: fine enough for the taper, coarse enough for 2,000 connectors */
const STEP_MS = 5_000;

/**
 * Charge from `soc` for `ms` of simulated time. Returns the energy (Wh, fractional), the new SOC and
 * whether the target SOC was reached (then `ms` is cut at the instant it was, `reachedAfterMs`).
 */
export const integrate = (
  kind: Kind,
  connectorKw: number,
  vehicle: Vehicle,
  soc: number,
  ms: number,
): { wh: number; soc: number; full: boolean; elapsedMs: number } => {
  let wh = 0;
  let s = soc;
  let t = 0;
  while (t < ms) {
    const p = powerAt(kind, connectorKw, vehicle, s);
    if (p <= 0) return { wh, soc: Math.min(s, vehicle.targetSoc), full: true, elapsedMs: t };
    let dt = Math.min(STEP_MS, ms - t);
    const stepWh = (p * dt) / 3600; // kW × ms / 3600 = Wh
    const room = ((vehicle.targetSoc - s) / 100) * vehicle.batteryKwh * 1000; // Wh until the target
    if (stepWh >= room) {
      dt = (room / p) * 3600;
      return { wh: wh + room, soc: vehicle.targetSoc, full: true, elapsedMs: t + dt };
    }
    wh += stepWh;
    s += (stepWh / (vehicle.batteryKwh * 1000)) * 100;
    t += dt;
  }
  return { wh, soc: s, full: false, elapsedMs: ms };
};
