/** Poll until `fn` returns a value that passes `until` (default: truthy), or fail with the last value. */
export const eventually = async <T>(
  fn: () => Promise<T>,
  opts: { until?: (v: T) => boolean; timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> => {
  const until = opts.until ?? ((v: T) => Boolean(v));
  // a wait on a condition returns as soon as it holds: the default only bounds a hung test, just inside the
  // platform lanes' 300 s test timeout (vitest.config.ts), so a fully loaded machine still passes and a hung
  // wait still fails with what it waited for
  const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (until(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
};
