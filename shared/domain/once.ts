/**
 * `build()` on first use, then the same value: how a module declares a zod schema without building
 * it at import (issue 9 §4). A function imports whole catalogs (events, queues, settings) and uses
 * a few of their schemas; every schema built at import is CPU spent at every cold start.
 */
export const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
};

/**
 * `build()` now, at import: a value every path that keeps it reads, written so a bundler can leave
 * it out where nothing does. Mark each call pure (the `@__PURE__` block comment before it, as
 * events/piles.ts does): esbuild keeps every top-level call it cannot prove side-effect free — a
 * bare `z.…()` chain stays, and is built at each cold start, in every function that imports the
 * module for something else — and honours the mark on a call whose arguments are plain functions
 * (issue 9 §4).
 */
export const atImport = <T>(build: () => T): T => build();
