/**
 * How the platform meters a session (issue 9 §2), pure: what it asks a charge point to sample
 * (OCPP 1.6 §9.1 configuration keys, set by ChangeConfiguration after an accepted BootNotification,
 * as a CSMS does), when a reading makes a charge-status push due, and where clock-aligned readings
 * fall.
 *
 *   - MeterValueSampleInterval: a reading every N s of a transaction (sampled data). The platform's
 *     default is T/CEC's charge-status cadence (notification_equip_charge_status every 50 s on the
 *     municipal platforms, reference §3.9), so each reading is one push and no reading is wasted.
 *   - ClockAlignedDataInterval: a reading on every multiple of N s since midnight (aligned data). A
 *     T/CEC tariff period starts at a PolicyInfos StartTime `HHmmss`; every operator tariff seen
 *     starts on the hour or half hour, so 1800 s puts a reading exactly on every period boundary
 *     (the bill then splits at a measured register, no pro rata across the boundary). 900 s would
 *     do the same for quarter-hour periods at twice the readings; `alignedIntervalFor` derives the
 *     largest interval that hits every boundary of a set of policies.
 *   - MeterValuesSampledData / MeterValuesAlignedData: the measurands the readings carry (the
 *     register for the bill, power, current, voltage and SoC for the charge status).
 */

/** the measurands the platform reads from a reading (shared/domain/ocpp.ts readingOf) */
const METER_MEASURANDS = 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC';

export interface MeteringSettings {
  /** MeterValueSampleInterval, s */
  sampleSeconds: number;
  /** ClockAlignedDataInterval, s (0 = none) */
  alignedSeconds: number;
}

/** the ChangeConfiguration calls that set a charge point's metering, in the order they are sent */
export const meteringConfiguration = (s: MeteringSettings): { key: string; value: string }[] => [
  { key: 'MeterValueSampleInterval', value: String(s.sampleSeconds) },
  { key: 'ClockAlignedDataInterval', value: String(s.alignedSeconds) },
  { key: 'MeterValuesSampledData', value: METER_MEASURANDS },
  { key: 'MeterValuesAlignedData', value: METER_MEASURANDS },
];

/**
 * Whether a reading at `t` (ms) makes a charge-status push due, the last one having gone out at
 * `lastAt` (ms; undefined: none yet). A push is due once the interval has passed, less a fifth of
 * it: a pile sampling at the push interval reads every 50 s ± jitter, and a strict `≥ 50 s` would
 * skip every reading that came 49.9 s after the last push (a push every 100 s). With the tolerance
 * the push goes out with the reading nearest its due time: every reading for a pile sampling every
 * 40–60 s, every third (45 s) for one sampling every 15 s.
 */
export const progressDue = (lastAt: number | undefined, t: number, intervalMs: number): boolean =>
  lastAt === undefined || t - lastAt >= intervalMs - intervalMs / 5;

const DAY_SECONDS = 86_400;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The largest ClockAlignedDataInterval (s, dividing a day) whose readings fall on every period
 * start of the given policies (`HHmmss`), capped at `maxSeconds`. Periods on the half hour → 1800.
 */
export const alignedIntervalFor = (periodStarts: readonly string[], maxSeconds = 1800): number => {
  let g = DAY_SECONDS;
  for (const s of periodStarts) {
    const m = /^(\d{2})(\d{2})(\d{2})$/.exec(s);
    if (!m) continue;
    const sec = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    g = gcd(g, sec % DAY_SECONDS);
  }
  // the largest divisor of g that is ≤ maxSeconds (g divides the day, so does each of its divisors)
  for (let d = Math.min(g, maxSeconds); d >= 1; d--) if (g % d === 0) return d;
  return 1;
};

/**
 * The first clock-aligned instant (ms) after `t`: a multiple of `intervalMs` since the charge point's
 * midnight (China time), the next midnight at the latest (OCPP 1.6 ClockAlignedDataInterval).
 */
export const nextAligned = (t: number, intervalMs: number, utcOffsetMs = 8 * 3600_000): number => {
  const day = DAY_SECONDS * 1000;
  const local = t + utcOffsetMs;
  const midnight = local - (((local % day) + day) % day);
  const next = midnight + (Math.floor((local - midnight) / intervalMs) + 1) * intervalMs;
  return Math.min(next, midnight + day) - utcOffsetMs;
};
