/**
 * The local runtime's queue store under a backlog — `npm run bench -- local-queues`.
 *
 * `npm start` runs every queue of the topology in one process (infra/local/queue-store.ts). A load
 * run at 60 req/s for 10 minutes (`npm run bench -- load --find-max`) fell behind after a few
 * minutes: a CPU profile of the platform put 62 % of its time in the queue store, walking every
 * message of every queue at each change. This bench prints what one message's round trip (send,
 * receive, delete) costs with N other messages waiting in the queues (delayed retries, as a failing
 * partner's pushes leave them), in µs of CPU per round trip (in memory, no journal).
 *
 * Then the same through the SQS API as the handlers call it (the real SDK against the local
 * emulator, infra/local/aws-emulator.ts): SendMessageBatch of 10, ReceiveMessage of 10,
 * DeleteMessageBatch of 10, with N messages waiting in that same queue (a consumer behind: 80,000 in
 * `charging-pile-events` after five minutes of a failing 60 req/s hold). Each batch call checked the
 * queue by computing its attributes, counts included: a walk over the queue per call. Now every
 * queue keeps its counts and holds its delayed and in-flight messages apart from the visible ones.
 */
import { loadavg } from 'node:os';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startAwsEmulator } from '../infra/local/aws-emulator.ts';
import { QueueStore } from '../infra/local/queue-store.ts';
import { SecretStore } from '../infra/local/secrets.ts';
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
/**
 * µs CPU per round trip with N delayed retries waiting in THE SAME queue, its depth read at each one
 * (the ingest-first check reads the depth before every poll; GetQueueAttributes counts too): the
 * walks the kept counts and the visible / not-visible split remove (a receive walked past every
 * delayed message, a depth over the whole queue)
 */
const sameQueue = async (backlog: number): Promise<number> => {
  const s = new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000');
  for (let i = 0; i < backlog; i++) s.send('work', `r${i}`, { delaySeconds: 60 + (i % 840) });
  let n = 0;
  const cpu0 = process.cpuUsage();
  const until = performance.now() + 1_000;
  while (performance.now() < until) {
    for (let k = 0; k < 20; k++, n++) {
      s.send('work', `m${n}`);
      const [m] = await s.receive('work', 1);
      if (m) s.delete('work', m.receiptHandle);
      if (s.depth('work').visible !== 0) throw new Error('bench: a message left visible');
    }
  }
  const cpu = process.cpuUsage(cpu0);
  s.close();
  return (cpu.user + cpu.system) / n;
};

console.log('\nthe same, N delayed messages waiting in that same queue, its depth read each time (µs CPU each, in memory)');
console.log(`${'N waiting'.padStart(10)} ${'standard'.padStart(10)}`);
for (const backlog of [0, 10_000, 80_000]) console.log(`${String(backlog).padStart(10)} ${fmt(await sameQueue(backlog), 1).padStart(10)}`);

/** µs of this process's CPU (SDK + emulator) per message of a batch round trip over the SQS API, N waiting in the queue */
const apiRoundTrips = async (backlog: number): Promise<number> => {
  const s = new QueueStore(QUEUES, 'http://127.0.0.1:1', 'us-east-1', '000000000000');
  const emulator = await startAwsEmulator({
    bus: () => {
      throw new Error('no bus in this bench');
    },
    queues: () => s,
    secrets: new SecretStore('us-east-1', '000000000000'),
    busName: 'bench',
  });
  const url = s.url('work');
  for (let i = 0; i < backlog; i++) s.send(url, `w${i}`, { delaySeconds: 900 }); // waiting, not received here
  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  let n = 0;
  const round = async () => {
    const Entries = Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: `m${n + k}` }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? [];
    if (got.length)
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, k) => ({ Id: `d${k}`, ReceiptHandle: m.ReceiptHandle })) }),
      );
    n += 10;
  };
  for (let i = 0; i < 20; i++) await round(); // warm: connections, SDK paths
  n = 0;
  const cpu0 = process.cpuUsage();
  const until = performance.now() + 1_500;
  while (performance.now() < until) await round();
  const cpu = process.cpuUsage(cpu0);
  sqs.destroy();
  await emulator.stop();
  s.close();
  return (cpu.user + cpu.system) / n;
};

console.log(
  '\nthrough the SQS API (real SDK, local emulator): batches of 10 sent, received, deleted, with N waiting in that queue (µs CPU per message)',
);
console.log(`${'N waiting'.padStart(10)} ${'per message'.padStart(12)}`);
for (const backlog of [0, 10_000, 80_000])
  console.log(`${String(backlog).padStart(10)} ${fmt(await apiRoundTrips(backlog), 1).padStart(12)}`);
console.log(
  `(load ${loadavg()
    .map((l) => fmt(l))
    .join(' ')})`,
);
