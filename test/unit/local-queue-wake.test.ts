/**
 * The local queue store wakes a waiting receive the moment a message becomes visible: a delayed
 * send, an in-flight message whose visibility timeout ran out, a visibility changed later. The
 * moments are kept in a heap; an entry whose message was deleted, or got another moment since, is
 * dropped without waking anyone for nothing it could hand out. On a fake clock: no real waits.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueStore } from '../../infra/local/queue-store.ts';
import type { QueueDecl } from '../../infra/topology/types.ts';

const QUEUES: QueueDecl[] = [{ name: 'plain', description: 'test', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 }];
const open = () => new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000');

/** a long-polling receive whose outcome the test can look at while it waits */
const polling = (s: QueueStore, waitSeconds: number, vt?: number) => {
  const state: { got?: string[] } = {};
  const done = s.receive('plain', 10, vt, waitSeconds).then((ms) => {
    state.got = ms.map((m) => m.body);
    return state.got;
  });
  return { state, done };
};

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') }));
afterEach(() => vi.useRealTimers());

describe('local queue store: waking a waiting receive', () => {
  it('hands a delayed message to a waiting receive when its delay ends, not before', async () => {
    const s = open();
    s.send('plain', 'later', { delaySeconds: 5 });
    const r = polling(s, 20);
    await vi.advanceTimersByTimeAsync(4_990);
    expect(r.state.got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(20);
    expect(await r.done).toEqual(['later']);
    s.close();
  });

  it('a deleted message leaves no wake behind that hides a later one', async () => {
    const s = open();
    s.send('plain', 'first');
    const [first] = await s.receive('plain', 1, 5); // in flight until +5 s
    s.delete('plain', first?.receiptHandle ?? '');
    s.send('plain', 'second', { delaySeconds: 8 });
    const r = polling(s, 20);
    await vi.advanceTimersByTimeAsync(6_000); // past the deleted message's moment: nothing to hand out
    expect(r.state.got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2_100);
    expect(await r.done).toEqual(['second']);
    expect(s.depth('plain')).toMatchObject({ visible: 0, inFlight: 1, delayed: 0 });
    s.close();
  });

  it('an in-flight message comes back when its visibility timeout ends, and a later visibility moves it', async () => {
    const s = open();
    s.send('plain', 'retry');
    const [m] = await s.receive('plain', 1, 3);
    s.changeVisibility('plain', m?.receiptHandle ?? '', 10); // the earlier moment (+3 s) no longer holds
    const r = polling(s, 20);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(r.state.got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_100);
    expect(await r.done).toEqual(['retry']);
    s.close();
  });

  it('thousands of handled messages later, a delayed one still wakes its receive on time', async () => {
    const s = open();
    for (let i = 0; i < 3_000; i++) {
      s.send('plain', `m${i}`);
      const [m] = await s.receive('plain', 1, 30 + (i % 60)); // each leaves a moment behind once deleted
      s.delete('plain', m?.receiptHandle ?? '');
    }
    s.send('plain', 'late', { delaySeconds: 7 });
    const r = polling(s, 20);
    await vi.advanceTimersByTimeAsync(6_900);
    expect(r.state.got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(await r.done).toEqual(['late']);
    expect(s.depth('plain')).toMatchObject({ visible: 0, inFlight: 1, delayed: 0 });
    s.close();
  });

  it('many messages with their own delays come out in the order of their moments', async () => {
    const s = open();
    const delays = [9, 3, 7, 1, 5, 8, 2, 6, 4];
    for (const d of delays) s.send('plain', `d${d}`, { delaySeconds: d });
    const seen: string[] = [];
    for (let t = 0; t < 10; t++) {
      await vi.advanceTimersByTimeAsync(1_000);
      for (const m of await s.receive('plain', 10, 60)) seen.push(m.body);
    }
    expect(seen).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
    s.close();
  });
});
