/**
 * The local queue store survives a crash (issue 17): every change is journaled before the operation
 * returns, so a store that was never `persist()`ed — the process was killed — comes back from its
 * data dir with every message sent, none deleted, in-flight ones visible again, receive counts (the
 * DLQ budget) kept, and DLQ moves and redrives as they were.
 */
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QueueStore, queueStateFile } from '../../infra/local/queue-store.ts';
import type { QueueDecl } from '../../infra/topology/types.ts';

const QUEUES: QueueDecl[] = [{ name: 'work', description: 'test', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 2 }];
const open = (dir: string) => new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000', queueStateFile(dir));
const bodies = (s: QueueStore, ref: string) =>
  s
    .peek(ref)
    .map((m) => m.body)
    .sort();

describe('local queue store: crash safety', () => {
  it('a store killed without persist() comes back with exactly its messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcs-qj-'));
    const a = open(dir);
    a.persist(); // a snapshot exists; everything after it is only in the journal
    for (const b of ['one', 'two', 'three', 'four']) a.send('work', b);
    const [first] = await a.receive('work', 1);
    a.delete('work', first!.receiptHandle); // 'one' done
    const [second] = await a.receive('work', 1); // 'two' in flight when the process dies
    expect(second!.body).toBe('two');
    // the crash: no persist(), no close(); a half-written last journal line
    appendFileSync(join(dir, 'queues.journal'), '{"op":"put","q":"evcs-wo');

    const b = open(dir);
    expect(bodies(b, 'work')).toEqual(['four', 'three', 'two']);
    const again = await b.receive('work', 10);
    const two = again.find((m) => m.body === 'two');
    expect(two?.attributes.ApproximateReceiveCount).toBe('2'); // its first delivery counted
  });

  it('DLQ moves and redrives survive too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcs-qj-'));
    const a = open(dir);
    a.send('work', 'poison');
    await a.receive('work', 1, 0);
    await a.receive('work', 1, 0);
    expect(await a.receive('work', 1, 0)).toEqual([]); // third receive: moved to the DLQ
    expect(bodies(open(dir), a.dlqOf('work'))).toEqual(['poison']);

    const b = open(dir);
    expect(b.redrive('work')).toBe(1);
    const c = open(dir);
    expect(bodies(c, 'work')).toEqual(['poison']);
    expect(bodies(c, c.dlqOf('work'))).toEqual([]);
  });

  it('a backlog is snapshotted after twice its size in journal lines, not every 2,000 changes, and a crash loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcs-qj-'));
    const a = open(dir);
    a.persist();
    const snapshotBytes = () => statSync(join(dir, 'queues.json')).size;
    const journalLines = () => readFileSync(join(dir, 'queues.journal'), 'utf8').split('\n').filter(Boolean).length;
    // 5,000 messages waiting: 5,000 journal lines, still under 2 × 5,000 → no snapshot yet
    for (let i = 0; i < 5000; i++) a.send('work', `m${i}`);
    const empty = snapshotBytes();
    expect(journalLines()).toBe(5000);
    // 4,000 receive + delete pairs later (8,000 more lines, 1,000 held): 2 × held reached long ago → one snapshot
    for (let i = 0; i < 4000; i++) {
      const [m] = await a.receive('work', 1, 0);
      a.delete('work', m!.receiptHandle);
    }
    expect(snapshotBytes()).toBeGreaterThan(empty); // a snapshot of the remaining backlog was written
    expect(journalLines()).toBeLessThan(5000);
    // the crash: no persist(); exactly the 1,000 not deleted come back
    const b = open(dir);
    const left = b.peek('work').map((m) => m.body);
    expect(left).toHaveLength(1000);
    expect(new Set(left)).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => `m${4000 + i}`)));
  });
});
