/**
 * Per-partner concurrency, in process (issue 9: no slot items, no write per push): at most `limit`
 * pushes in flight to one partner in this process; the next ones wait their turn for at most
 * `maxWaitMs`, then are given back (the caller re-sends them with a delay), so a slow partner holds
 * a deliverer for at most about one push time and never all of its batch.
 *
 * Across the fleet: in Lambda a process runs one batch at a time and the event source mapping caps
 * the deliverers (infra/topology/push.ts, maxConcurrency), so one partner has at most
 * limit × maxConcurrency pushes in flight; in the local runtime every deliverer shares this process,
 * so the bound is `limit` itself.
 */

type Waiter = { grant: () => void };
type Lane = { inFlight: number; waiting: Waiter[] };

const lanes = new Map<string, Lane>();

/** Release function of a granted turn (call exactly once). */
export type Turn = () => void;

/** A turn to push to `partner`, or undefined when none came within maxWaitMs. */
export const takeTurn = (partner: string, limit: number, maxWaitMs: number): Promise<Turn | undefined> => {
  let lane = lanes.get(partner);
  if (!lane) {
    lane = { inFlight: 0, waiting: [] };
    lanes.set(partner, lane);
  }
  const l = lane;
  const release: Turn = () => {
    const next = l.waiting.shift();
    if (next) next.grant();
    else l.inFlight--;
  };
  if (l.inFlight < Math.max(1, limit)) {
    l.inFlight++;
    return Promise.resolve(release);
  }
  return new Promise((resolve) => {
    const w: Waiter = {
      grant: () => {
        clearTimeout(timer);
        resolve(release);
      },
    };
    const timer = setTimeout(() => {
      const i = l.waiting.indexOf(w);
      if (i >= 0) l.waiting.splice(i, 1);
      resolve(undefined);
    }, maxWaitMs);
    l.waiting.push(w);
  });
};

/** pushes in flight to `partner` in this process (tests, benches) */
export const inFlightTo = (partner: string): number => lanes.get(partner)?.inFlight ?? 0;
