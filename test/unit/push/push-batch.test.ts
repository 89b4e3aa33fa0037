/**
 * A push batch (shared/push/batch.ts) on a FIFO lane: groups side by side, a group's records in
 * order, a record that stays keeps the rest of its group in the queue, and no record is started
 * without time left for its worst case — a group of a slow partner's pushes used to run past the
 * function's timeout, leaving the whole batch in flight for the visibility timeout (its groups
 * stalled for minutes) and its acknowledged-by-nobody work done twice. Time is a manual clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchRecord, runBatch } from '../../../shared/push/batch.ts';
import { eventually } from '../../support/eventually.ts';

type Rec = BatchRecord & { ms: number; stays?: boolean; throws?: boolean; hangs?: boolean };

const TIMEOUT_MS = 30_000;
const BUDGET_MS = 27_000;

/** a batch over a manual clock: each record takes its `ms`; what ran, what was released, in order */
const harness = () => {
  let elapsed = 0;
  const ran: string[] = [];
  const released: string[] = [];
  const retried: string[] = [];
  const acknowledged: string[] = [];
  const steps = {
    run: async (r: Rec) => {
      ran.push(r.messageId);
      elapsed += r.ms;
      if (r.throws) throw new Error('DynamoDB: connection reset');
      if (r.hangs) await new Promise(() => undefined);
      return !r.stays;
    },
    release: async (r: Rec) => {
      released.push(r.messageId);
    },
    retrySoon: async (r: Rec) => {
      retried.push(r.messageId);
    },
    acknowledge: async (r: Rec) => {
      acknowledged.push(r.messageId);
    },
    remainingMs: () => TIMEOUT_MS - elapsed,
    recordBudgetMs: BUDGET_MS,
    marginMs: 1_500,
  };
  return { steps, ran, released, retried, acknowledged, elapsed: () => elapsed };
};

const rec = (messageId: string, group: string, ms = 100, stays = false): Rec => ({ messageId, group, ms, stays });

describe('push batch on a FIFO lane', () => {
  it('runs every record of every group, in order within a group, and acknowledges them all', async () => {
    const h = harness();
    const batch = [rec('a1', 'A'), rec('b1', 'B'), rec('a2', 'A'), rec('b2', 'B')];
    expect(await runBatch(batch, h.steps)).toEqual([]);
    expect(h.ran.filter((x) => x.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(h.ran.filter((x) => x.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(h.released).toEqual([]);
  });

  it('a record that stays keeps the rest of its group in the queue (released in order), not the other groups', async () => {
    const h = harness();
    const batch = [rec('a1', 'A'), rec('a2', 'A', 100, true), rec('a3', 'A'), rec('a4', 'A'), rec('b1', 'B')];
    expect(await runBatch(batch, h.steps)).toEqual(['a2', 'a3', 'a4']);
    expect(h.ran).toEqual(['a1', 'b1', 'a2']);
    expect(h.released).toEqual(['a3', 'a4']);
  });

  it('starts no record without time for its worst case: the rest of the group is released at once, in order', async () => {
    const h = harness();
    // one connector's pushes to a slow partner: 10 s each, a 30 s invocation
    const batch = ['a1', 'a2', 'a3', 'a4'].map((id) => rec(id, 'A', 10_000));
    const told: string[][] = [];
    const failed = await runBatch(batch, { ...h.steps, outOfTime: (left) => told.push(left.map((r) => r.messageId)) });
    expect(h.ran).toEqual(['a1']);
    expect(told).toEqual([['a2', 'a3', 'a4']]);
    expect(failed).toEqual(['a2', 'a3', 'a4']);
    expect(h.released).toEqual(['a2', 'a3', 'a4']);
    expect(h.elapsed()).toBeLessThanOrEqual(TIMEOUT_MS);
  });

  it("a group's first record always runs (a batch always moves its groups forward)", async () => {
    const h = harness();
    const steps = { ...h.steps, remainingMs: () => 1_000 };
    expect(await runBatch([rec('a1', 'A'), rec('b1', 'B'), rec('b2', 'B')], steps)).toEqual(['b2']);
    expect(h.ran).toEqual(['a1', 'b1']);
    expect(h.released).toEqual(['b2']);
  });

  it('never outlasts the invocation; every record is acknowledged or stays, and what stays is the tail of its group', async () => {
    const arb = fc.array(
      fc.record({ group: fc.constantFrom('A', 'B', 'C'), ms: fc.integer({ min: 0, max: BUDGET_MS }), stays: fc.boolean() }),
      { minLength: 1, maxLength: 10 },
    );
    await fc.assert(
      fc.asyncProperty(arb, async (spec) => {
        const batch = spec.map((s, i) => rec(`m${i}`, s.group, s.ms, s.stays));
        // groups run side by side: the clock is the longest group's time, each group measured alone
        for (const g of ['A', 'B', 'C']) {
          const h = harness();
          const group = batch.filter((r) => r.group === g);
          const failed = await runBatch(group, h.steps);
          expect(h.elapsed()).toBeLessThanOrEqual(TIMEOUT_MS);
          const ids = group.map((r) => r.messageId);
          // acknowledged = a prefix that ran, stays = the rest of the group, in order
          expect([...ids.slice(0, ids.length - failed.length), ...failed]).toEqual(ids);
          expect(h.ran.slice(0, ids.length - failed.length)).toEqual(ids.slice(0, ids.length - failed.length));
          // every record that stays and did not run was released at once
          expect(h.released).toEqual(failed.filter((id) => !h.ran.includes(id)));
        }
      }),
    );
  });

  it('a record whose run throws comes back shortly, not after the visibility timeout; the rest of its group follows it', async () => {
    const h = harness();
    const batch = [rec('a1', 'A'), { ...rec('a2', 'A'), throws: true }, rec('a3', 'A'), rec('b1', 'B')];
    expect(await runBatch(batch, h.steps)).toEqual(['a2', 'a3']);
    expect(h.retried).toEqual(['a2']);
    expect(h.released).toEqual(['a3']);
    expect(h.ran).toEqual(['a1', 'b1', 'a2']);
  });

  it("answers before the invocation's end though a record hangs: it stays in flight, its group's records not started are released", async () => {
    const h = harness();
    // 40 ms left in the invocation, a 20 ms margin: the batch answers after 20 ms with what it has
    const steps = { ...h.steps, remainingMs: () => 40, marginMs: 20 };
    const batch = [rec('a1', 'A'), { ...rec('a2', 'A'), hangs: true }, rec('a3', 'A'), { ...rec('b1', 'B'), hangs: true }, rec('c1', 'C')];
    // a1 runs (a group's first record always does); a2 would not fit the budget anyway: released
    expect(await runBatch(batch, { ...steps, recordBudgetMs: 0 })).toEqual(['a2', 'a3', 'b1']);
    expect(h.ran).toEqual(['a1', 'b1', 'c1', 'a2']);
    // the hanging ones stay in flight (they may yet finish); only the never-started one is released
    expect(h.released).toEqual(['a3']);
  });

  it('a record still running when the batch answered, done after all, is deleted then: its group does not wait out the visibility timeout', async () => {
    const h = harness();
    let finish: (done: boolean) => void = () => undefined;
    const late = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    const steps = { ...h.steps, remainingMs: () => 40, marginMs: 20, run: (r: Rec) => (r.messageId === 'a1' ? late : h.steps.run(r)) };
    expect(await runBatch([rec('a1', 'A'), rec('a2', 'A'), rec('b1', 'B')], steps)).toEqual(['a1', 'a2']);
    expect(h.released).toEqual(['a2']);
    expect(h.acknowledged).toEqual([]);
    finish(true);
    await eventually(async () => h.acknowledged, { until: (a) => a.length === 1, what: 'a1 deleted after the batch answered' });
    expect(h.acknowledged).toEqual(['a1']);
  });
});
