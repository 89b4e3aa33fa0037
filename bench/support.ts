/** Helpers shared by the benchmarks: percentiles and a closed-loop load generator. */

/** the p-th percentile (nearest rank) of a list of numbers */
export const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** run `task` n times with `concurrency` workers; wall time in seconds and each task's latency in ms */
export const load = async (
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ seconds: number; lat: number[] }> => {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const s = performance.now();
        await task(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, lat };
};

export const fmt = (x: number, dp = 1): string => (Number.isFinite(x) ? x.toFixed(dp) : '-');
