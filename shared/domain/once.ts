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
