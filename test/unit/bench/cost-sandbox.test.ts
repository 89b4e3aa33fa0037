/**
 * The cost bench's GB-s in each function's own sandbox (bench/cost/sandbox.ts, bench/cost/meter.ts):
 * the CPU of the event loop's slices goes to the invocation whose context runs them (through the
 * real local invoker), and the billed duration is own CPU at the function's vCPU share + its waits
 * at AWS latencies (calls in parallel counted once). Only CPU time and ratios are asserted: no
 * timed assertion, so a loaded machine passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awsLatencyMs,
  emptyTally,
  modelledWaitMs,
  priceTally,
  recordInvocation,
  sandboxFigures,
  totals,
  unionMs,
  vcpuShare,
  type Wait,
} from '../../../bench/cost/meter.ts';
import { installSandboxMeter, startWait, takeOwn } from '../../../bench/cost/sandbox.ts';
import { PRICES } from '../../../bench/prices.ts';
import { createInvoker } from '../../../infra/local/invoke.ts';
import { closureFunction } from './fixtures/closure-function.ts';

const fn = closureFunction;

const cpuMsNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** one synchronous slice burning `ms` of CPU time (not wall time: a loaded machine burns as much) */
const burn = (ms: number): void => {
  const until = cpuMsNow() + ms;
  while (cpuMsNow() < until) {
    /* spin */
  }
};
const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('own CPU per invocation (async_hooks slices, attributed by the invoker’s context)', () => {
  let stop: () => void;
  const own = new Map<string, { cpuMs: number; waits: Wait[] } | undefined>();
  const invoker = createInvoker({
    rootDir: new URL('../../..', import.meta.url).pathname,
    region: 'ap-northeast-1',
    account: '000000000000',
    onInvoke: ({ fn: f, invocation }) => own.set(f.id, takeOwn(invocation)),
  });
  beforeAll(() => {
    stop = installSandboxMeter();
  });
  afterAll(() => stop());

  it('a burner and a waiter running at once each get their own CPU', async () => {
    const SLICES = 10;
    const SLICE_MS = 20;
    let burnerDone = false;
    const burner = async () => {
      for (let i = 0; i < SLICES; i++) {
        burn(SLICE_MS);
        await nextTurn(); // the waiter's timers run between the slices
      }
      burnerDone = true;
    };
    const waiter = async () => {
      const done = startWait('HTTP partner'); // an outbound call it awaits
      while (!burnerDone) await sleep(2);
      done();
    };
    await Promise.all([invoker.invoke(fn('burner'), { run: burner }), invoker.invoke(fn('waiter'), { run: waiter })]);
    const b = own.get('burner');
    const w = own.get('waiter');
    expect(b?.cpuMs).toBeGreaterThanOrEqual(SLICES * SLICE_MS * 0.8);
    expect(w?.cpuMs).toBeLessThan((b?.cpuMs ?? 0) / 10);
    // the waiter's call is its own, the burner made none
    expect(w?.waits.map((x) => x.kind)).toEqual(['HTTP partner']);
    expect(b?.waits).toEqual([]);
  });

  it('a handler’s first synchronous part is its own, not its caller’s', async () => {
    await invoker.invoke(fn('sync'), { run: async () => burn(50) });
    expect(own.get('sync')?.cpuMs).toBeGreaterThanOrEqual(40);
  });
});

describe('billed duration in its own sandbox', () => {
  const w = (kind: string, start: number, end: number): Wait => ({ kind, start, end });

  it('waits in parallel are counted once: the union, not the sum', () => {
    expect(unionMs([w('a', 0, 10), w('b', 5, 20), w('c', 30, 40)])).toBe(30);
    expect(unionMs([w('a', 0, 50), w('b', 10, 20)])).toBe(50);
    expect(unionMs([])).toBe(0);
  });

  it('modelled waits: each group of parallel calls at its slowest member’s AWS latency', () => {
    const lat = (k: string) => (k === 'slow' ? 100 : 5);
    // two in parallel (one slow), then one alone: 100 + 5
    expect(modelledWaitMs([w('fast', 0, 300), w('slow', 10, 20), w('fast', 400, 900)], lat)).toBe(105);
    expect(modelledWaitMs([], lat)).toBe(0);
    expect(awsLatencyMs('DynamoDB:GetItem')).toBe(5);
    expect(awsLatencyMs('DynamoDB:TransactWriteItems')).toBe(15);
    expect(awsLatencyMs('HTTP partner')).toBe(100);
  });

  it('own CPU stretched to the vCPU share of the memory, plus waits, rounded up to the ms', () => {
    expect(vcpuShare(512)).toBeCloseTo(512 / 1769);
    expect(vcpuShare(4096)).toBe(1);
    // 10 ms of CPU at 512 MB: 34.55 ms; + one GetItem (5 ms) → 40 ms
    expect(sandboxFigures(10, [w('DynamoDB:GetItem', 0, 700)], 512)).toEqual({ waitMs: 700, modelWaitMs: 5, billedMs: 40 });
    expect(sandboxFigures(0, [], 512).billedMs).toBe(1);
  });

  it('priced both ways: the wall figure unchanged, the sandbox figure from billed ms', () => {
    const t = emptyTally();
    recordInvocation(t, 'f', 999.2, 1024, true, { cpuMs: 0, waits: [w('HTTP partner', 0, 900)] }); // 1 GB-s wall; 100 ms billed
    expect(totals(t).gbSeconds).toBeCloseTo(1);
    expect(totals(t).sandboxGbSeconds).toBeCloseTo(0.1);
    const gbs = (mode: 'wall' | 'sandbox') => priceTally(t, PRICES, mode).lines.find((l) => l.item.startsWith('Lambda GB-s'))?.usd;
    expect(gbs('wall')).toBeCloseTo(PRICES.lambdaGbSecond);
    expect(gbs('sandbox')).toBeCloseTo(PRICES.lambdaGbSecond * 0.1);
  });
});
