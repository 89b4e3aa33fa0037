/**
 * The local pollers run each queue trigger's own receive loops (maxConcurrency of them, else the
 * default 2): a function with two triggers, one of them a backlog whose batches never finish, still
 * takes the other trigger's messages (pile-session-events: readings beside starts and stops).
 */
import { describe, expect, it } from 'vitest';
import type { Invoker } from '../../infra/local/invoke.ts';
import { Pollers } from '../../infra/local/pollers.ts';
import { QueueStore } from '../../infra/local/queue-store.ts';
import type { FunctionDecl, QueueDecl } from '../../infra/topology/types.ts';
import { eventually } from '../support/eventually.ts';

const QUEUES: QueueDecl[] = [
  { name: 'readings', description: 'test', tier: 'L0', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  { name: 'starts', description: 'test', tier: 'L0', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
];
const FN: FunctionDecl = {
  id: 'consumer',
  service: 'charging',
  entry: 'unused.ts',
  tier: 'L0',
  description: 'test',
  triggers: [
    { type: 'queue', queue: 'readings', batchSize: 25, maxBatchingWindowSeconds: 1, maxConcurrency: 5 },
    { type: 'queue', queue: 'starts', batchSize: 10 },
  ],
  grants: [],
};

const bodies = (event: unknown): string[] => (event as { Records: { body: string }[] }).Records.map((r) => r.body);

describe('local pollers: one trigger of a function cannot starve another', () => {
  it('with every readings loop stuck in a batch, a start is still invoked; readings run maxConcurrency batches at once', async () => {
    const store = new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000');
    let release = (): void => {};
    const stuck = new Promise<void>((r) => {
      release = r;
    });
    const readingBatches: string[][] = [];
    const starts: string[] = [];
    const invoker: Invoker = {
      invoke: async (_fn, event) => {
        const b = bodies(event);
        if (b[0]?.startsWith('reading')) {
          readingBatches.push(b);
          await stuck; // a slow backlog: every readings loop busy
        } else starts.push(...b);
        return undefined;
      },
      inFlight: () => 0,
      preload: async () => {},
    };
    const pollers = new Pollers({
      store,
      invoker,
      topology: { tables: [], queues: QUEUES, functions: [FN] },
      region: 'us-east-1',
      maxBatchingWindowMs: 20,
    });
    for (let i = 0; i < 500; i++) store.send('readings', `reading ${i}`);
    pollers.start();
    try {
      await eventually(async () => readingBatches.length, { until: (n) => n === 5, what: 'five readings batches in flight' });
      store.send('starts', 'start A');
      await eventually(async () => starts, { until: (s) => s.includes('start A'), what: 'the start invoked' });
      expect(readingBatches).toHaveLength(5); // no sixth loop on the readings
      expect(store.depth('readings')).toMatchObject({ inFlight: readingBatches.flat().length });
    } finally {
      release();
      await pollers.stop();
      store.close();
    }
  });
});
