/**
 * shared/sdk/lru-cache.ts, which every bundle takes in place of `mnemonist/lru-cache` (SDK_ALIASES):
 * it answers exactly as mnemonist's LRUCache does — the one the SDK's EndpointCache would use —
 * over random sequences of the calls the EndpointCache makes, and evicts the least recently used.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SDK_ALIASES } from '../../../infra/constructs/evcs-function.ts';
import LRUCache from '../../../shared/sdk/lru-cache.ts';

const require = createRequire(import.meta.url);

interface Lru {
  get(k: string): unknown;
  peek(k: string): unknown;
  has(k: string): boolean;
  set(k: string, v: unknown): unknown;
  clear(): void;
  readonly size: number;
}

/** mnemonist's LRUCache, resolved from where the SDK's endpoint cache resolves it */
const sdkLru = (): (new (capacity: number) => Lru) => {
  const endpointCache = dirname(
    require.resolve('@aws-sdk/endpoint-cache/package.json', { paths: [dirname(require.resolve('@aws-sdk/client-dynamodb'))] }),
  );
  return require(require.resolve('mnemonist/lru-cache', { paths: [endpointCache] })) as new (
    capacity: number,
  ) => Lru;
};

describe('the SDK endpoint cache LRU', () => {
  it('is the module the bundles alias mnemonist/lru-cache to', () => {
    expect(SDK_ALIASES['mnemonist/lru-cache']).toBe('./shared/sdk/lru-cache.ts');
  });

  it('evicts the least recently used; peek does not refresh, get does', () => {
    const c = new LRUCache<string, number>(2);
    c.set('a', 1).set('b', 2);
    expect(c.peek('a')).toBe(1); // a stays the oldest
    c.set('c', 3);
    expect([c.has('a'), c.has('b'), c.has('c')]).toEqual([false, true, true]);
    expect(c.get('b')).toBe(2); // b is now the newest
    c.set('d', 4);
    expect([c.has('b'), c.has('c'), c.has('d'), c.size]).toEqual([true, false, true, 2]);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.get('b')).toBeUndefined();
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new LRUCache(bad)).toThrow(/positive integer/);
  });

  it('answers as mnemonist does over random call sequences', () => {
    const Mnemonist = sdkLru();
    const key = fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k4', 'k5');
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), k: key, v: fc.integer() }),
      fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const), k: key }),
      fc.record({ op: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const ours: Lru = new LRUCache<string, unknown>(capacity);
        const theirs = new Mnemonist(capacity);
        for (const o of ops) {
          if (o.op === 'set') {
            ours.set(o.k, o.v);
            theirs.set(o.k, o.v);
          } else if (o.op === 'clear') {
            ours.clear();
            theirs.clear();
          } else expect(ours[o.op](o.k)).toEqual(theirs[o.op](o.k));
          expect(ours.size).toBe(theirs.size);
        }
        for (const k of ['k0', 'k1', 'k2', 'k3', 'k4', 'k5']) expect(ours.peek(k)).toEqual(theirs.peek(k));
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});
