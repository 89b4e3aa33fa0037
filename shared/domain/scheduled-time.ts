/**
 * The clock of a scheduled run: the schedule's own time when the event carries one (an EventBridge
 * scheduled event's `time`; the stack gives Scheduler targets `{ time: <aws.scheduler.scheduled-time> }`;
 * the local scheduler and tests send the same), else now. A retried run keeps its schedule's time.
 */
export const scheduledTime = (event: unknown, now: () => Date = () => new Date()): Date => {
  const time = typeof event === 'object' && event !== null ? (event as { time?: unknown }).time : undefined;
  const t = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isFinite(t) ? new Date(t) : now();
};
