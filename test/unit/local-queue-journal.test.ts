/**
 * The local queue store survives a crash (issue 17): every change is journaled before the operation
 * returns, so a store that was never `persist()`ed — the process was killed — comes back from its
 * data dir with every message sent, none deleted, in-flight ones visible again, receive counts (the
 * DLQ budget) kept, and DLQ moves and redrives as they were.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
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
});
