/**
 * The local queue store's FIFO queues behave as SQS FIFO does (issue 9 §3: the push deliveries are
 * ordered per (partner, connector) by message group): a group's messages come out in the order they
 * were sent, never while one of the group is in flight; a MessageDeduplicationId seen within 5
 * minutes is accepted and dropped; MessageGroupId and MessageDeduplicationId are required; no
 * per-message delay; the DLQ is FIFO and keeps the group; the group survives a crash.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIFO_DEDUP_WINDOW_MS, QueueStore, queueStateFile } from '../../infra/local/queue-store.ts';
import type { QueueDecl } from '../../infra/topology/types.ts';

const QUEUES: QueueDecl[] = [
  { name: 'ordered', description: 'test', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 2, fifo: true },
  { name: 'plain', description: 'test', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 2 },
];
const open = (file?: string) => new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000', file);
let n = 0;
const put = (s: QueueStore, body: string, groupId: string, dedupId = `d${++n}`) => s.send('ordered', body, { groupId, dedupId });
const bodies = (ms: readonly { body: string }[]) => ms.map((m) => m.body);

afterEach(() => vi.useRealTimers());

describe('local queue store: FIFO queues', () => {
  it('names the queue and its DLQ .fifo and says FifoQueue', () => {
    const s = open();
    expect(s.url('ordered')).toMatch(/\/evcs-ordered\.fifo$/);
    expect(s.dlqOf('ordered')).toBe('evcs-ordered-dlq.fifo');
    expect(s.attributes('ordered').FifoQueue).toBe('true');
    expect(s.attributes('plain').FifoQueue).toBeUndefined();
  });

  it("hands out a group's messages in order and none of a group while one of it is in flight", async () => {
    const s = open();
    put(s, 'a1', 'A');
    put(s, 'b1', 'B');
    put(s, 'a2', 'A');
    const [a1] = await s.receive('ordered', 1);
    expect(a1?.body).toBe('a1');
    expect(a1?.attributes.MessageGroupId).toBe('A');
    // A is locked by a1: only B's message comes out
    const next = await s.receive('ordered', 10);
    expect(bodies(next)).toEqual(['b1']);
    s.delete('ordered', next[0]!.receiptHandle);
    expect(await s.receive('ordered', 10)).toEqual([]);
    // a1 failed (visible again): it comes back first, a2 behind it, in one batch
    s.changeVisibility('ordered', a1!.receiptHandle, 0);
    const again = await s.receive('ordered', 10);
    expect(bodies(again)).toEqual(['a1', 'a2']);
    expect(BigInt(again[0]!.attributes.SequenceNumber ?? 0) < BigInt(again[1]!.attributes.SequenceNumber ?? 0)).toBe(true);
  });

  it('a message held in flight (longer visibility) holds its whole group, not the others', async () => {
    const s = open();
    put(s, 'x1', 'X');
    put(s, 'x2', 'X');
    put(s, 'y1', 'Y');
    const [x1] = await s.receive('ordered', 1);
    s.changeVisibility('ordered', x1!.receiptHandle, 600);
    expect(bodies(await s.receive('ordered', 10))).toEqual(['y1']);
    // x2 waits (visible, its group locked); y1 in flight; x1 held on purpose counts as delayed: no one works on it
    expect(s.depth('ordered')).toMatchObject({ visible: 1, inFlight: 1, delayed: 1 });
    expect(s.idle(['ordered'], { includeDelayed: false })).toBe(false);
    s.delete('ordered', s.peek('ordered').find((m) => m.body === 'y1')!.receiptHandle!);
    expect(s.depth('ordered')).toMatchObject({ visible: 1, inFlight: 0, delayed: 1 });
    // nothing can be received (x2 waits behind the held x1): idle unless delayed work counts
    expect(await s.receive('ordered', 10)).toEqual([]);
    expect(s.idle(['ordered'], { includeDelayed: false })).toBe(true);
    expect(s.idle(['ordered'])).toBe(false);
  });

  it('drops a MessageDeduplicationId seen within 5 minutes (per group), and accepts it again after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    const s = open();
    const first = put(s, 'one', 'G', 'same');
    const dup = put(s, 'one again', 'G', 'same');
    expect(dup.messageId).toBe(first.messageId);
    // the answer's checksum is of this request's body (the SDK checks it: a repeated push with a new body once failed its sender)
    expect(dup.md5OfBody).toBe(createHash('md5').update('one again').digest('hex'));
    put(s, 'other group', 'H', 'same');
    expect(bodies(s.peek('ordered')).sort()).toEqual(['one', 'other group']);
    vi.setSystemTime(t0 + FIFO_DEDUP_WINDOW_MS + 1);
    put(s, 'after the window', 'G', 'same');
    expect(bodies(s.peek('ordered')).sort()).toEqual(['after the window', 'one', 'other group']);
  });

  it('refuses a message without MessageGroupId or MessageDeduplicationId, or with a delay', () => {
    const s = open();
    expect(() => s.send('ordered', 'x', { dedupId: 'd' })).toThrow(/MessageGroupId/);
    expect(() => s.send('ordered', 'x', { groupId: 'g' })).toThrow(/MessageDeduplicationId/);
    expect(() => s.send('ordered', 'x', { groupId: 'g', dedupId: 'd', delaySeconds: 5 })).toThrow(/DelaySeconds/);
    expect(() => s.send('ordered', 'x', { groupId: 'g'.repeat(129), dedupId: 'd' })).toThrow(/MessageGroupId/);
    expect(s.peek('ordered')).toEqual([]);
    // a standard queue takes delays and needs no group
    expect(s.send('plain', 'x', { delaySeconds: 5 }).groupId).toBeUndefined();
  });

  it('after maxReceiveCount the head moves to the FIFO DLQ with its group, and the group goes on; redrive keeps the group', async () => {
    const s = open();
    put(s, 'bad', 'K');
    put(s, 'good', 'K');
    for (let i = 0; i < 2; i++) {
      const [m] = await s.receive('ordered', 1);
      expect(m?.body).toBe('bad');
      s.changeVisibility('ordered', m!.receiptHandle, 0);
    }
    const [good] = await s.receive('ordered', 1);
    expect(good?.body).toBe('good');
    expect(s.peek(s.dlqOf('ordered')).map((m) => [m.body, m.groupId])).toEqual([['bad', 'K']]);
    s.delete('ordered', good!.receiptHandle);
    expect(s.redrive('ordered')).toBe(1);
    const [back] = await s.receive('ordered', 1);
    expect([back?.body, back?.attributes.MessageGroupId]).toEqual(['bad', 'K']);
  });

  it('a crash keeps the groups and their order', async () => {
    const file = queueStateFile(mkdtempSync(join(tmpdir(), 'evcs-fifo-')));
    const a = open(file);
    a.persist();
    put(a, 'p1', 'P');
    put(a, 'p2', 'P');
    const [p1] = await a.receive('ordered', 1);
    expect(p1?.body).toBe('p1');
    const b = open(file); // no persist(), no close(): the journal alone
    const got = await b.receive('ordered', 10);
    expect(bodies(got)).toEqual(['p1', 'p2']);
    expect(got.map((m) => m.attributes.MessageGroupId)).toEqual(['P', 'P']);
  });
});
