/** shared/single-flight.ts: concurrent callers of one key share one read while it is in flight, and only then. */
import { describe, expect, it } from 'vitest';
import { singleFlight } from '../../shared/single-flight.ts';

/** a read the test settles by hand */
const gate = <V>() => {
  let settle!: { resolve: (v: V) => void; reject: (e: Error) => void };
  const promise = new Promise<V>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
};

describe('singleFlight', () => {
  it('callers of one key while its read is in flight share it; another key reads on its own', async () => {
    const sf = singleFlight<string, number>();
    const reads: string[] = [];
    const a = gate<number>();
    const b = gate<number>();
    const load = (key: string, g: { promise: Promise<number> }) => () => {
      reads.push(key);
      return g.promise;
    };
    const got = [sf.run('a', load('a', a)), sf.run('a', load('a', a)), sf.run('b', load('b', b)), sf.run('a', load('a', a))];
    a.resolve(1);
    b.resolve(2);
    expect(await Promise.all(got)).toEqual([1, 1, 2, 1]);
    expect(reads).toEqual(['a', 'b']);
  });

  it('a settled read is not kept: the next caller reads again', async () => {
    const sf = singleFlight<string, number>();
    let n = 0;
    expect(await sf.run('k', async () => ++n)).toBe(1);
    expect(await sf.run('k', async () => ++n)).toBe(2);
  });

  it('a failed read fails every caller that shared it; the next call reads again', async () => {
    const sf = singleFlight<string, number>();
    const g = gate<number>();
    const shared = [sf.run('k', () => g.promise), sf.run('k', () => Promise.resolve(9))];
    g.reject(new Error('throttled'));
    const settled = await Promise.allSettled(shared);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await sf.run('k', () => Promise.resolve(3))).toBe(3);
  });

  it('after forget(), callers no longer join the reads in flight; the old read settling leaves the new one shared', async () => {
    const sf = singleFlight<string, number>();
    const old = gate<number>();
    const renewed = gate<number>();
    const first = sf.run('k', () => old.promise);
    sf.forget();
    const fresh = sf.run('k', () => renewed.promise);
    old.resolve(1);
    expect(await first).toBe(1);
    // the old read settled after forget(): the fresh read is still the one later callers join
    const joined = sf.run('k', () => Promise.resolve(99));
    renewed.resolve(2);
    expect(await Promise.all([fresh, joined])).toEqual([2, 2]);
  });
});
