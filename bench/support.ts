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

/** least-squares slope of y over x */
export const slope = (xs: readonly number[], ys: readonly number[]): number => {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    den += ((xs[i] ?? 0) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
};
