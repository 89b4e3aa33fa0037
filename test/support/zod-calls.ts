/**
 * zod/mini with every schema-building function counted: for a `vi.mock('zod/mini', …)` factory, so a
 * test can prove a catalog builds no schema at import and each one once on first use.
 */

/** zod/mini calls that build nothing (configuration, parsing) */
const NOT_BUILDERS = new Set(['config', 'parse', 'safeParse', 'parseAsync', 'safeParseAsync', 'locales']);

/** `z` with each builder wrapped to push its name onto `calls` */
export const countingZod = (z: Record<string, unknown>, calls: string[]): Record<string, unknown> => {
  const counted: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(z)) {
    counted[k] =
      typeof v === 'function' && /^[a-z_]/.test(k) && !NOT_BUILDERS.has(k)
        ? (...args: unknown[]) => {
            calls.push(k);
            return (v as (...a: unknown[]) => unknown)(...args);
          }
        : v;
  }
  return counted;
};
