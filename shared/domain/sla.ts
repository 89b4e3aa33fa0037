/**
 * SLA timers of supervision pushes (issue 13, reference §5.3): a timed push is due a number of
 * seconds after its event (the stop, the start command…); the time that counts is when the
 * platform answered Ret 0. Pure: the clock is an argument.
 */

export interface SlaTimer {
  /** epoch ms of the event the deadline counts from */
  readonly eventAt: number;
  /** seconds the profile allows */
  readonly deadlineSeconds: number;
}

export interface SlaOutcome {
  /** event → delivered, ms (never negative: a clock a little behind the event's counts as 0) */
  readonly latencyMs: number;
  /** delivered later than the deadline */
  readonly breached: boolean;
  /** by how much, ms (0 when in time) */
  readonly lateByMs: number;
}

/** The outcome of a timed push delivered at `deliveredAt`. */
export const slaOutcome = (t: SlaTimer, deliveredAt: number): SlaOutcome => {
  const latencyMs = Math.max(0, deliveredAt - t.eventAt);
  const lateByMs = Math.max(0, latencyMs - t.deadlineSeconds * 1000);
  return { latencyMs, breached: lateByMs > 0, lateByMs };
};

/**
 * Is a periodic push due for this sample? Samples come every `cadenceSeconds` (the platform's
 * progress cadence); a profile wanting one every `intervalSeconds` gets the sample that crosses
 * each multiple of the interval since the start (50 s: every sample; 300 s: every sixth).
 */
export const periodicDue = (elapsedSeconds: number, intervalSeconds: number, cadenceSeconds: number): boolean => {
  if (elapsedSeconds < 0) return false;
  if (intervalSeconds <= cadenceSeconds) return true;
  // the start itself is no multiple crossed: a first sample sooner than the cadence is not due
  return Math.floor(elapsedSeconds / intervalSeconds) > Math.floor(Math.max(0, elapsedSeconds - cadenceSeconds) / intervalSeconds);
};

/** Minutes since China-time midnight. */
const chinaMinute = (now: Date): number => Math.floor(((now.getTime() + 8 * 3_600_000) % 86_400_000) / 60_000);

/** Is a supervision platform's nightly check due: its minute has come and its window (`toMinute`, exclusive) has not closed? */
export const checkDue = (atMinute: number, toMinute: number, now: Date): boolean => {
  const m = chinaMinute(now);
  return m >= atMinute && m < toMinute;
};
