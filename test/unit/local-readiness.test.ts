/**
 * The local runtime's readiness (issue 9 §5): /health is 200 once every simulated connector's status
 * is stored as reported since this start (infra/local/readiness.ts), found by reading only the
 * connectors still unknown, a page of 100 at a time — not a Scan of the stations table during the
 * boot burst. And the status ingest goes first (infra/local/priority.ts): other consumers wait while
 * its queue has a backlog, at most a bounded time, and never lose or reorder a message; the local
 * bus runs at most `asyncConcurrency` asynchronous invocations of one function at once.
 */
import { describe, expect, it } from 'vitest';
import { LocalBus } from '../../infra/local/bus.ts';
import type { Invoker } from '../../infra/local/invoke.ts';
import { IngestPriority } from '../../infra/local/priority.ts';
import { QueueStore } from '../../infra/local/queue-store.ts';
import { type ConnectorKey, StatusReadiness } from '../../infra/local/readiness.ts';
import type { FunctionDecl, QueueDecl, Topology } from '../../infra/topology/types.ts';

const keys = (n: number): ConnectorKey[] => Array.from({ length: n }, (_, i) => ({ stationId: `S${i % 7}`, connectorId: `C${i}` }));

/** a store of versions, and the pages read from it */
const fakeStore = () => {
  const versions = new Map<string, number>();
  const reads: number[] = [];
  const read = async (ks: readonly ConnectorKey[]) => {
    reads.push(ks.length);
    return new Map(
      ks.flatMap((k) => (versions.has(k.connectorId) ? [[k.connectorId, { version: versions.get(k.connectorId) ?? 0 }]] : [])),
    );
  };
  return { versions, reads, read };
};

describe('StatusReadiness', () => {
  it('reads only the first page of unknown connectors while it is incomplete, then goes on page by page', async () => {
    const s = fakeStore();
    const r = new StatusReadiness(keys(250), 1000, s.read);
    expect(await r.check()).toBe(false);
    expect(s.reads).toEqual([100]); // one BatchGet's worth, not the 250
    for (let i = 0; i < 150; i++) s.versions.set(`C${i}`, 1000 + i);
    s.reads.length = 0;
    expect(await r.check()).toBe(false);
    // page 1 complete → page 2 (its first half known) stops the check; the known ones are not read again
    expect(s.reads).toEqual([100, 100]);
    expect(r.unknown()).toBe(100);
    for (let i = 150; i < 250; i++) s.versions.set(`C${i}`, 2000);
    s.reads.length = 0;
    expect(await r.check()).toBe(true);
    expect(s.reads).toEqual([100]);
    expect(r.unknown()).toBe(0);
    s.reads.length = 0;
    expect(await r.check()).toBe(true);
    expect(s.reads).toEqual([]); // ready stays ready without reading
  });

  it('a status older than this start (left in the data dir by the last run) does not count', async () => {
    const s = fakeStore();
    const r = new StatusReadiness(keys(3), 5000, s.read);
    s.versions.set('C0', 4999);
    s.versions.set('C1', 5000);
    s.versions.set('C2', 7000);
    expect(await r.check()).toBe(false);
    expect(r.unknown()).toBe(1);
    s.versions.set('C0', 5001);
    expect(await r.check()).toBe(true);
  });

  it('a failed read rejects and forgets nothing (/health then answers 503)', async () => {
    const r = new StatusReadiness(keys(2), 0, async () => {
      throw new Error('DynamoDB Local busy');
    });
    await expect(r.check()).rejects.toThrow(/busy/);
    expect(r.unknown()).toBe(2);
  });
});

const QUEUES: QueueDecl[] = [
  { name: 'connector-status', description: 'test', tier: 'L0', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
  { name: 'other', description: 'test', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
];
const fn = (id: string, queue?: string): FunctionDecl =>
  ({
    id,
    service: 'baseinfo',
    entry: 'x.ts',
    tier: 'L1',
    description: id,
    triggers: queue ? [{ type: 'queue', queue, batchSize: 10 }] : [],
    grants: [],
  }) as FunctionDecl;

describe('IngestPriority', () => {
  const setup = (maxWaitMs = 60_000) => {
    const store = new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000');
    return { store, p: new IngestPriority({ store, queue: 'connector-status', maxWaitMs }) };
  };

  it('others wait while the ingest queue holds more than a batch, and go on once it is drained; the ingest never waits', async () => {
    const { store, p } = setup();
    for (let i = 0; i < 25; i++) store.send('connector-status', `s${i}`);
    let released = false;
    const other = p.yieldFor(fn('push-plan', 'other')).then(() => {
      released = true;
    });
    await p.yieldFor(fn('connector-status-ingest', 'connector-status')); // resolves at once
    // the ingest takes batches; each delete is a change the waiting consumer re-checks on
    const take = async () => {
      const batch = await store.receive('connector-status', 10);
      for (const m of batch) store.delete('connector-status', m.receiptHandle);
      return batch.length;
    };
    expect(await take()).toBe(10);
    expect(released).toBe(false); // 15 still visible: a backlog
    expect(await take()).toBe(10);
    await other; // 5 left: no backlog
    expect(released).toBe(true);
    expect(store.depth('connector-status').visible).toBe(5);
  });

  it('waits at most maxWaitMs (a backlog that never drains delays others by that, not forever) and nothing in the other queue is lost', async () => {
    const { store, p } = setup(30);
    for (let i = 0; i < 50; i++) store.send('connector-status', `s${i}`);
    store.send('other', 'push');
    await p.yieldFor(fn('push-plan', 'other'));
    expect((await store.receive('other', 10)).map((m) => m.body)).toEqual(['push']);
  });

  it('a topology without the priority queue has no priority (nothing waits, nothing throws)', async () => {
    const store = new QueueStore([QUEUES[1] as QueueDecl], 'http://127.0.0.1:1', 'us-east-1', '000000000000');
    await new IngestPriority({ store, queue: 'connector-status' }).yieldFor(fn('push-plan', 'other'));
  });

  it('no backlog, no wait', async () => {
    const { store, p } = setup();
    for (let i = 0; i < 10; i++) store.send('connector-status', `s${i}`);
    await p.yieldFor(fn('parking-lock-raise'));
  });
});

describe('local bus: asynchronous invocations of one function', () => {
  it('runs at most asyncConcurrency at once, the rest in turn, every event invoked exactly once', async () => {
    const target = {
      ...fn('listener'),
      triggers: [{ type: 'event', pattern: { source: ['t'], 'detail-type': ['Ping'] } }],
    } as FunctionDecl;
    const topology = { functions: [target], queues: [], tables: [], schedules: [] } as unknown as Topology;
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const gates: (() => void)[] = [];
    const invoker: Invoker = {
      inFlight: () => running,
      preload: async () => {},
      invoke: async (_fn, event) => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => gates.push(r));
        seen.push((event as { detail: { n: number } }).detail.n);
        running--;
      },
    };
    const store = new QueueStore([], 'http://127.0.0.1:1', 'us-east-1', '000000000000');
    const bus = new LocalBus({ topology, invoker, queues: store, region: 'us-east-1', account: '000000000000', asyncConcurrency: 3 });
    await bus.put(Array.from({ length: 8 }, (_, n) => ({ source: 't', detailType: 'Ping', detail: { n } })));
    // release invocations one at a time until all 8 ran; never more than 3 at once
    for (let released = 0; released < 8; released++) {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      expect(running).toBeLessThanOrEqual(3);
      gates.shift()?.();
    }
    await bus.stop();
    expect(most).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(bus.failures()).toEqual([]);
  });
});
