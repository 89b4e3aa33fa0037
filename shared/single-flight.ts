/**
 * Concurrent callers asking for the same key while a read of it is in flight share that read
 * instead of each making its own (a cold cache under a burst: ten pushes of one batch reading their
 * partner's secret, a fleet's boot reading each station once). Nothing is kept after the read
 * settles: caching is the caller's; a failed read fails every caller that shared it, the next call
 * reads again.
 */
export interface SingleFlight<K, V> {
  /** the read in flight for `key`, else `load()`'s, shared until it settles */
  run(key: K, load: () => Promise<V>): Promise<V>;
  /** later callers no longer join the reads now in flight (their results may predate a change) */
  forget(): void;
}

export const singleFlight = <K, V>(): SingleFlight<K, V> => {
  const inFlight = new Map<K, Promise<V>>();
  return {
    run(key, load) {
      const pending = inFlight.get(key);
      if (pending) return pending;
      const p = load().finally(() => {
        if (inFlight.get(key) === p) inFlight.delete(key);
      });
      inFlight.set(key, p);
      return p;
    },
    forget: () => inFlight.clear(),
  };
};
