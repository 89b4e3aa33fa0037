/**
 * The simulator's outbox (infra/local/simulator/outbox.ts): per pile in order, piles served
 * round-robin, up to 4 batches of ≤ 50 at once, never two of one pile's events in flight together;
 * a backlog of one pile's readings does not hold another pile's start back.
 */
import { describe, expect, it } from 'vitest';
import { Outbox, type SimEvent } from '../../../infra/local/simulator/outbox.ts';

const reading = (pile: string, n: number): SimEvent => ({
  type: 'PileMeterValues',
  detail: { StartChargeSeq: `${pile}-${n}` } as never,
});
const started = (pile: string): SimEvent => ({ type: 'PileSessionStarted', detail: { StartChargeSeq: `${pile}-start` } as never });
const idOf = (e: SimEvent): string => (e.detail as unknown as { StartChargeSeq: string }).StartChargeSeq;
const pileOf = (e: SimEvent): string => idOf(e).split('-')[0] as string;

/** a sink whose calls wait until released, recording what each call carried and any pile in two calls at once */
const gatedSink = () => {
  const calls: { events: SimEvent[]; released: boolean; release: (err?: Error) => void }[] = [];
  const flying = new Map<string, number>();
  const overlaps: string[] = [];
  let open = 0;
  let maxOpen = 0;
  const sink = (events: readonly SimEvent[]) =>
    new Promise<void>((resolve, reject) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      const piles = new Set(events.map(pileOf));
      for (const p of piles) {
        if (flying.get(p)) overlaps.push(p);
        flying.set(p, (flying.get(p) ?? 0) + 1);
      }
      const call = {
        events: [...events],
        released: false,
        release: (err?: Error) => {
          call.released = true;
          open--;
          for (const p of piles) flying.set(p, (flying.get(p) ?? 1) - 1);
          if (err) reject(err);
          else resolve();
        },
      };
      calls.push(call);
    });
  return { sink, calls, overlaps, open: () => open, maxOpen: () => maxOpen };
};

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('simulator outbox', () => {
  it("a pile's start leaves in the first round, behind no other pile's backlog", async () => {
    const s = gatedSink();
    const box = new Outbox(s.sink);
    for (let i = 0; i < 5000; i++) box.push(reading('A', i), 'A');
    box.push(started('B'), 'B');
    await settle();
    // A's first reading left at once and A waits for it; B's start goes next, not after 100 batches of A's
    expect(s.calls.map((c) => c.events.map(idOf))).toEqual([['A-0'], ['B-start']]);
    expect(box.pending()).toBe(4999);
    s.calls[0]?.release();
    await settle();
    // then A's next 50, in its order
    expect(s.calls[2]?.events.map(idOf)).toEqual(Array.from({ length: 50 }, (_, i) => `A-${i + 1}`));
  });

  it('keeps each pile in order, at most 4 batches at once, never two of one pile in flight', async () => {
    const s = gatedSink();
    const box = new Outbox(s.sink);
    const piles = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];
    for (let i = 0; i < 120; i++) for (const p of piles) box.push(reading(p, i), p);
    const done = box.flush();
    let flushed = false;
    void done.then(() => {
      flushed = true;
    });
    const seen = new Map<string, number[]>();
    for (let k = 0; ; k++) {
      await settle();
      const call = s.calls[k];
      if (!call) break;
      expect(call.events.length).toBeLessThanOrEqual(50);
      for (const e of call.events) {
        const list = seen.get(pileOf(e)) ?? [];
        list.push(Number(idOf(e).split('-')[1]));
        seen.set(pileOf(e), list);
      }
      expect(flushed).toBe(false);
      call.release();
    }
    await done;
    expect(s.maxOpen()).toBe(4);
    expect(s.overlaps).toEqual([]);
    for (const p of piles) expect(seen.get(p)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(box.pending()).toBe(0);
  });

  it('retries a refused batch, holding its piles back meanwhile; drops it after 5 attempts and goes on', async () => {
    const s = gatedSink();
    const waits: number[] = [];
    const logs: string[] = [];
    const box = new Outbox(
      s.sink,
      (l) => logs.push(l),
      async (ms) => void waits.push(ms),
    );
    box.push(reading('A', 0), 'A');
    await settle();
    box.push(reading('A', 1), 'A');
    box.push(started('B'), 'B');
    await settle();
    // A's second reading waits for its first; B goes at once
    expect(s.calls.map((c) => c.events.map(idOf))).toEqual([['A-0'], ['B-start']]);
    s.calls[1]?.release();
    const unreleased = () => s.calls.filter((c) => !c.released);
    for (let attempt = 0; attempt < 5; attempt++) {
      await settle();
      expect(unreleased().map((c) => c.events.map(idOf))).toEqual([['A-0']]);
      unreleased()[0]?.release(new Error('bus refused'));
      await settle();
    }
    await settle();
    expect(waits).toEqual([100, 200, 400, 800]);
    expect(box.droppedCount()).toBe(1);
    expect(logs.join('\n')).toMatch(/1 event\(s\) dropped after 5 attempts: bus refused/);
    expect(s.calls.at(-1)?.events.map(idOf)).toEqual(['A-1']);
    s.calls.at(-1)?.release();
    await box.flush();
    expect(box.pending()).toBe(0);
  });
});
