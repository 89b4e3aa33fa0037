/**
 * What one invocation would be billed for in its own Lambda sandbox, measured in the shared local
 * process (the cost bench only: installed by it, never by `npm start` or the tests' platforms).
 *
 * Locally every function, the simulated piles, the demo partners and the queue emulator share one
 * Node process (and DynamoDB Local the machine's cores), so an invocation's wall time includes the
 * others' work. Two things are measured per invocation instead:
 *
 *  - own CPU: every synchronous slice the event loop runs (a callback, a timer, a promise job: the
 *    `before`/`after` hooks of node:async_hooks, promise hooks included) is charged to the invocation
 *    whose context (infra/local/invoke.ts `currentInvocation`, an AsyncLocalStorage) it runs in, in
 *    CPU time (process.cpuUsage: time the process was on a core, so the other processes' load and the
 *    time the loop waits do not count). The meter's own reading, about one process.cpuUsage() call
 *    per slice, is calibrated at install and taken off. Node 20 has no per-thread CPU clock: a
 *    background thread of this process (GC, JIT) running during a slice is counted in it.
 *  - waits: every AWS SDK call (bench/cost/instrument.ts meteredSend) and every outbound HTTP call
 *    (globalThis.fetch: partner pushes and queries, the pile simulator's loopback) as an interval
 *    with its kind (`DynamoDB:GetItem`, `HTTP partner`, `HTTP pile`), made inside the invocation.
 *
 * bench/cost/meter.ts `sandboxFigures` turns them into the billed duration.
 */
import { createHook } from 'node:async_hooks';
import { currentInvocation, type Invocation } from '../../infra/local/invoke.ts';
import type { Wait } from './meter.ts';

interface Own {
  /** CPU µs charged so far */
  cpuUs: number;
  /** slices charged (each carries about one meter reading: taken off at the end) */
  slices: number;
  waits: Wait[];
}

const owns = new WeakMap<Invocation, Own>();
const ownOf = (inv: Invocation | undefined): Own | undefined => {
  if (!inv) return undefined;
  let o = owns.get(inv);
  if (!o) {
    o = { cpuUs: 0, slices: 0, waits: [] };
    owns.set(inv, o);
  }
  return o;
};

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** the owner of the slice running now, since when (CPU µs), and the owners of the slices it interrupted */
let current: Own | undefined;
let mark = 0;
const stack: (Own | undefined)[] = [];
/** CPU µs one reading costs (calibrated at install) */
let readingUs = 0;

const switchTo = (next: Own | undefined): void => {
  if (next === current) return;
  const now = cpuNow();
  if (current) current.cpuUs += now - mark;
  if (next) next.slices++;
  mark = now;
  current = next;
};

const hook = createHook({
  before() {
    stack.push(current);
    switchTo(ownOf(currentInvocation()));
  },
  after() {
    switchTo(stack.pop());
  },
});

let installed = false;
let unwrapFetch: (() => void) | undefined;
/** start measuring (idempotent); returns a function that stops it all: the CPU hooks and the fetch wrapper (the tests) */
export const installSandboxMeter = (): (() => void) => {
  if (!installed) {
    installed = true;
    const n = 20_000;
    const t0 = cpuNow();
    for (let i = 0; i < n; i++) cpuNow();
    readingUs = (cpuNow() - t0) / n;
    const original = globalThis.fetch;
    // bound at call time: clients that captured fetch before (TcecClient binds it at construction) are built after this in the bench
    globalThis.fetch = (input, init) => {
      const kind = /\/commands$/.test(new URL(input instanceof Request ? input.url : String(input)).pathname)
        ? 'HTTP pile'
        : 'HTTP partner';
      const done = startWait(kind);
      const p = original(input, init);
      p.then(done, done);
      return p;
    };
    unwrapFetch = () => {
      globalThis.fetch = original;
    };
  }
  hook.enable();
  return () => {
    switchTo(undefined);
    hook.disable();
    // nothing of the meter outlives it: later files of the unit lane (isolate: false) see the real fetch
    unwrapFetch?.();
    unwrapFetch = undefined;
    installed = false;
  };
};

/** an AWS or HTTP call starting now in the current invocation (if any, and the meter installed): returns what to call when it settles */
export const startWait = (kind: string): (() => void) => {
  const own = installed ? ownOf(currentInvocation()) : undefined;
  if (!own) return () => {};
  const wait: Wait = { kind, start: performance.now(), end: Number.NaN };
  own.waits.push(wait);
  return () => {
    wait.end = performance.now();
  };
};

/** what `inv` used: own CPU (ms, the meter's readings taken off) and its waits, forgotten after; undefined if the meter is not installed */
export const takeOwn = (inv: Invocation, endedAt = performance.now()): { cpuMs: number; waits: Wait[] } | undefined => {
  if (!installed) return undefined;
  if (current === owns.get(inv)) switchTo(undefined);
  const own = owns.get(inv);
  owns.delete(inv);
  if (!own) return { cpuMs: 0, waits: [] };
  // a call still running when the invocation returned: its time up to then (Lambda freezes the sandbox)
  for (const w of own.waits) if (Number.isNaN(w.end) || w.end > endedAt) w.end = Math.max(w.start, endedAt);
  return { cpuMs: Math.max(0, own.cpuUs - own.slices * readingUs) / 1000, waits: own.waits };
};
