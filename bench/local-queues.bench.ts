/**
 * The local runtime's queue store under a backlog — `npm run bench -- local-queues`.
 *
 * `npm start` runs every queue of the topology in one process (infra/local/queue-store.ts). A load
 * run at 60 req/s for 10 minutes (`npm run bench -- load --find-max`) fell behind after a few
 * minutes: a CPU profile of the platform put 62 % of its time in the queue store, walking every
 * message of every queue at each change. This bench prints what one message's round trip (send,
 * receive, delete) costs with N other messages waiting in the queues (delayed retries, as a failing
 * partner's pushes leave them), in µs of CPU per round trip (in memory, no journal).
 */
import { loadavg } from 'node:os';
import { QueueStore } from '../infra/local/queue-store.ts';
import type { QueueDecl } from '../infra/topology/types.ts';
import { fmt } from './support.ts';

const QUEUES: QueueDecl[] = [
  { name: 'work', description: 'bench', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
  { name: 'retries', description: 'bench', tier: 'L1', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
  { name: 'lanes', description: 'bench', tier: 'L0', visibilityTimeoutSeconds: 30, maxReceiveCount: 5, fifo: true },
];

const roundTrips = async (backlog: number, fifo: boolean): Promise<number> => {
  const s = new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000');
  for (let i = 0; i < backlog; i++) s.send('retries', `r${i}`, { delaySeconds: 60 + (i % 840) });
  const q = fifo ? 'lanes' : 'work';
  let n = 0;
  const cpu0 = process.cpuUsage();
  const until = performance.now() + 1_000;
  while (performance.now() < until) {
    for (let k = 0; k < 20; k++, n++) {
      s.send(q, `m${n}`, fifo ? { groupId: `g${n % 50}`, dedupId: `d${n}` } : {});
      const [m] = await s.receive(q, 1);
      if (m) s.delete(q, m.receiptHandle);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  s.close();
  return (cpu.user + cpu.system) / n;
};

console.log('one send + receive + delete, with N delayed messages waiting in another queue (µs CPU each, in memory)');
console.log(`${'N waiting'.padStart(10)} ${'standard'.padStart(10)} ${'FIFO'.padStart(10)}`);
for (const backlog of [0, 1_000, 5_000, 20_000]) {
  const std = await roundTrips(backlog, false);
  const fifo = await roundTrips(backlog, true);
  console.log(`${String(backlog).padStart(10)} ${fmt(std, 1).padStart(10)} ${fmt(fifo, 1).padStart(10)}`);
}
console.log(
  `(load ${loadavg()
    .map((l) => fmt(l))
    .join(' ')})`,
);
