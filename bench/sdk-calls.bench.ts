/**
 * Node CPU per AWS SDK call on the local runtime — `npm run bench -- sdk-calls`.
 *
 * Locally every handler, the SQS/EventBridge emulator and the simulator run in one Node process, and
 * a boot over OCPP or a load hold is bounded by the Node CPU each AWS call costs (README "Readiness
 * over OCPP, where the time goes": ≈ 2.1 ms all-in per call). This bench prints, per call, µs of this
 * process's CPU (`process.cpuUsage`: client and, for SQS/EventBridge, the in-process emulator that
 * answers) and µs of wall time, for each call made three ways:
 *
 *   - `platform`: the platform's own code and clients, with the environment the local cloud sets
 *     (infra/local/cloud.ts: a local cloud of this bench's one table and one queue, no functions):
 *     DynamoDB through `dynamo()` (shared/store/doc.ts on a `cacheMiddleware` client), SQS through
 *     `send`/`sendBatch` (zod check of the body included) and the client `shared/bus/send.ts` builds,
 *     EventBridge through `publish` (zod check of the detail included);
 *   - `env`: the bare client's command on a client built with the SDK's defaults, `new XClient({})`
 *     (endpoint from AWS_ENDPOINT_URL_<SERVICE>, as the local cloud sets it): how the platform built
 *     its clients before shared/sdk-clients.ts;
 *   - `bare`: a bare low-level client, `new XClient({ endpoint })` (region and credentials from the
 *     environment), the same request already marshalled;
 *   - `cached`: the bare client with `cacheMiddleware: true` (its middleware stack resolved once per
 *     command class, not per call);
 *   - `raw http`: the very request the bare client sent (captured once after signing: same headers, same
 *     body), replayed with `http.request` on a keep-alive agent, the answer read and JSON-parsed —
 *     the transport's and the server's floor, no SDK.
 *
 * `new conns` counts TCP connections opened during the measured calls (a new connection per call
 * would be expensive). Calls run one at a time (`--in-flight N` for N at once), the ways of one call
 * interleaved in `--rounds` (default 4) for `--seconds` each in all (default 4), after a warm-up.
 * The last row runs the platform's GetItem inside an invocation's
 * scope, as the local invoker runs handlers (AsyncLocalStorage: every promise then carries the store).
 *
 *   npx tsx bench/sdk-calls.bench.ts [--seconds 4] [--rounds 4] [--in-flight 1] [--only dynamo|sqs|events]
 */
import { Agent, request } from 'node:http';
import { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand as RawQueryCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PileStatusChanged } from '../events/piles.ts';
import { OcppChecksQueue } from '../events/queues.ts';
import { startLocalCloud } from '../infra/local/cloud.ts';
import { localTableName } from '../infra/local/dynamodb.ts';
import { envName, type TableDecl } from '../infra/topology/types.ts';
import { publish, resetPublishClient } from '../shared/bus/publish.ts';
import { resetSendClient, send, sendBatch } from '../shared/bus/send.ts';
import { resetConfig, runWithEnv } from '../shared/config.ts';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '../shared/store/doc.ts';
import { dynamo } from '../shared/store/dynamo.ts';
import { fmt } from './support.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '4' },
    'in-flight': { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Math.max(1, Number(args.rounds));
const IN_FLIGHT = Math.max(1, Number(args['in-flight']));
/** each way's warm-up before the first round */
const WARM_MS = 500;
const only = args.only;

// -- TCP connections opened (every client socket goes through net.Socket#connect) ------------------
let connects = 0;
const connect = Socket.prototype.connect;
Socket.prototype.connect = function (this: Socket, ...a: unknown[]) {
  connects++;
  return (connect as (...x: unknown[]) => Socket).apply(this, a);
} as typeof Socket.prototype.connect;

// -- the local cloud: this bench's table and queue, the environment the platform runs with ---------
const TABLE: TableDecl = {
  name: 'bench-sdk-calls',
  description: 'bench',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
};
const cloud = await startLocalCloud({
  topology: { tables: [TABLE], queues: [OcppChecksQueue.decl], functions: [] },
  port: 0,
  schedules: false,
});
resetConfig();
resetSendClient();
resetPublishClient();
const tableName = localTableName(TABLE.name);
const queueUrl = cloud.queues.url(OcppChecksQueue.name);
if (process.env[envName('TABLE', TABLE.name)] !== tableName) throw new Error('the local cloud did not set the table name');

/** the parts of the SDK's signed HTTP request the replay sends */
interface HttpRequest {
  hostname: string;
  port?: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}
/** a request handler that keeps the request the client would send, and sends nothing */
interface Capturing {
  handle: (r: HttpRequest) => Promise<never>;
}

// -- measuring ------------------------------------------------------------------------------------
interface Row {
  call: string;
  client: string;
  cpuUs: number;
  /** of it in the kernel (loopback TCP: the receiver's side of a send runs in the sender's syscall) */
  sysUs: number;
  wallUs: number;
  calls: number;
  conns: number;
}
const rows: Row[] = [];

/** one way of making a call: its name and one call */
type Way = readonly [client: string, call: (i: number) => Promise<unknown>];

/**
 * Measure the ways of one call interleaved: `ROUNDS` rounds, each giving every way SECONDS / ROUNDS
 * after a warm-up, so a change in the machine's load hits every way alike; totals per way.
 */
const measure = async (call: string, ways: readonly Way[]): Promise<void> => {
  const totals = ways.map(() => ({ cpu: 0, sys: 0, wall: 0, calls: 0, conns: 0 }));
  const run = async (f: Way[1], ms: number): Promise<number> => {
    let i = 0;
    const until = performance.now() + ms;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < until) await f(i++);
      }),
    );
    return i;
  };
  for (const [, f] of ways) await run(f, WARM_MS); // sockets, JIT
  for (let r = 0; r < ROUNDS; r++)
    for (const [k, [, f]] of ways.entries()) {
      const t = totals[k] as (typeof totals)[number];
      connects = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      t.calls += await run(f, (SECONDS * 1000) / ROUNDS);
      t.wall += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      t.cpu += cpu.user + cpu.system;
      t.sys += cpu.system;
      t.conns += connects;
    }
  for (const [k, [client]] of ways.entries()) {
    const t = totals[k] as (typeof totals)[number];
    const row = {
      call,
      client,
      cpuUs: t.cpu / t.calls,
      sysUs: t.sys / t.calls,
      wallUs: (t.wall * 1000 * IN_FLIGHT) / t.calls,
      calls: t.calls,
      conns: t.conns,
    };
    rows.push(row);
    console.log(
      `${call.padEnd(34)} ${client.padEnd(9)} ${fmt(row.cpuUs, 0).padStart(8)} ${fmt(row.sysUs, 0).padStart(7)} ${fmt(row.wallUs, 0).padStart(9)} ${String(t.calls).padStart(7)} ${String(t.conns).padStart(6)}`,
    );
  }
};

/** the request a client sends, captured after signing (its request handler sees it last) */
const capture = async (make: (handler: Capturing) => Promise<unknown>): Promise<HttpRequest> => {
  let got: HttpRequest | undefined;
  await make({
    handle: async (r) => {
      got = r;
      throw new Error('captured');
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  } as Capturing).catch((err: unknown) => {
    if (!(err instanceof Error) || err.message !== 'captured') throw err;
  });
  if (!got) throw new Error('no request captured');
  return got;
};

const rawAgent = new Agent({ keepAlive: true, maxSockets: 50 });
/** replay a captured request over a keep-alive agent: status, body read, JSON parsed */
const replay = (r: HttpRequest): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const body = typeof r.body === 'string' ? r.body : Buffer.from(r.body as Uint8Array);
    const req = request({ host: r.hostname, port: r.port, method: r.method, path: r.path, headers: r.headers, agent: rawAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`HTTP ${res.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

console.log(`µs of this process's CPU and wall per call, ${IN_FLIGHT} in flight, ${SECONDS} s each in ${ROUNDS} interleaved rounds`);
console.log(
  `${'call'.padEnd(34)} ${'client'.padEnd(9)} ${'µs CPU'.padStart(8)} ${'of it sys'.padStart(7)} ${'µs wall'.padStart(9)} ${'calls'.padStart(7)} ${'conns'.padStart(6)}`,
);

/**
 * The ways of one call (see the header): platform, env, bare, cached (`cacheMiddleware: true`),
 * raw http (the bare client's signed request replayed).
 */
type ClientExtra = { cacheMiddleware?: boolean; requestHandler?: Capturing; endpoint?: undefined };
/** every client the bench builds, destroyed at the end (their sockets) */
const clients: { destroy(): void }[] = [];
const made = <C extends { destroy(): void }>(c: C): C => {
  clients.push(c);
  return c;
};

const ways = async <C extends { send(c: never): Promise<unknown> }>(
  call: string,
  platform: (i: number) => Promise<unknown>,
  client: (extra: ClientExtra) => C,
  command: () => unknown,
  /** run before every call of every way (a queue refilled) */
  before: () => void = () => {},
): Promise<void> => {
  const list: Way[] = [['platform', platform]];
  for (const [name, extra] of [
    ['env', { endpoint: undefined }],
    ['bare', {}],
    ['cached', { cacheMiddleware: true }],
  ] as const) {
    const c = client(extra);
    list.push([
      name,
      () => {
        before();
        return c.send(command() as never);
      },
    ]);
  }
  const req = await capture((h) => client({ requestHandler: h }).send(command() as never));
  list.push([
    'raw http',
    () => {
      before();
      return replay(req);
    },
  ]);
  await measure(call, list);
};

// -- DynamoDB (DynamoDB Local) -------------------------------------------------------------------
if (!only || only === 'dynamo') {
  const doc = dynamo();
  const ddb = (extra: ClientExtra) => made(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, ...(extra as object) }));
  const item = (k: number) => ({
    pk: 'STATION#bench',
    sk: `CONNECTOR#${String(k).padStart(4, '0')}`,
    status: 'Available',
    parkStatus: 0,
    lockStatus: 0,
    observedAt: '2026-12-01T06:00:00.000Z',
    seq: k,
  });
  const marshalled = (k: number) => ({
    pk: { S: 'STATION#bench' },
    sk: { S: `CONNECTOR#${String(k).padStart(4, '0')}` },
    status: { S: 'Available' },
    parkStatus: { N: '0' },
    lockStatus: { N: '0' },
    observedAt: { S: '2026-12-01T06:00:00.000Z' },
    seq: { N: String(k) },
  });
  for (let k = 0; k < 25; k += 1) await doc.send(new PutCommand({ TableName: tableName, Item: item(k) }));

  await ways(
    'DynamoDB GetItem',
    () => doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'STATION#bench', sk: 'CONNECTOR#0001' } })),
    ddb,
    () => new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'STATION#bench' }, sk: { S: 'CONNECTOR#0001' } } }),
  );
  await ways(
    'DynamoDB PutItem',
    (i) => doc.send(new PutCommand({ TableName: tableName, Item: item(i % 25) })),
    ddb,
    () => new PutItemCommand({ TableName: tableName, Item: marshalled(3) }),
  );
  await ways(
    'DynamoDB Query (25 items)',
    () =>
      doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'STATION#bench' },
        }),
      ),
    ddb,
    () =>
      new RawQueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'STATION#bench' } },
      }),
  );
  await ways(
    'DynamoDB BatchWriteItem (25 puts)',
    () =>
      doc.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: Array.from({ length: 25 }, (_, k) => ({ PutRequest: { Item: item(k) } })) } }),
      ),
    ddb,
    () =>
      new BatchWriteItemCommand({
        RequestItems: { [tableName]: Array.from({ length: 25 }, (_, k) => ({ PutRequest: { Item: marshalled(k) } })) },
      }),
  );
}

// -- SQS (the local emulator) ---------------------------------------------------------------------
if (!only || only === 'sqs') {
  const sqs = (extra: ClientExtra) => made(new SQSClient({ endpoint: cloud.awsEndpoint, ...(extra as object) }));
  const body = { kind: 'configure', chargePointId: 'CP-BENCH-0001' } as const;
  const text = JSON.stringify(body);
  const purge = () => cloud.queues.purge(queueUrl);

  await ways(
    'SQS SendMessage',
    () => send(OcppChecksQueue, body),
    sqs,
    () => new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text, DelaySeconds: 0 }),
  );
  purge();
  await ways(
    'SQS SendMessageBatch (10)',
    () =>
      sendBatch(
        OcppChecksQueue,
        Array.from({ length: 10 }, () => body),
      ),
    sqs,
    () =>
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: text })),
      }),
  );
  purge();
  // ReceiveMessage: the platform's pollers take messages in process; a client built as send.ts builds it (`new SQSClient({})`)
  const platformSqs = made(new SQSClient({}));
  const refill = () => {
    if (cloud.queues.depth(OcppChecksQueue.name).visible >= 10) return;
    purge(); // the received ones too: in flight for 10 min, they would pile up
    for (let k = 0; k < 1_000; k++) cloud.queues.send(queueUrl, text);
  };
  const receive = () => new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 });
  await ways(
    'SQS ReceiveMessage (10)',
    async () => {
      refill();
      return platformSqs.send(receive());
    },
    sqs,
    receive,
    refill,
  );
  purge();
}

// -- EventBridge (the local emulator and bus: no rule matches the bench's events) -------------------
if (!only || only === 'events') {
  const eb = (extra: ClientExtra) => made(new EventBridgeClient({ endpoint: cloud.awsEndpoint, ...(extra as object) }));
  const detail = PileStatusChanged.sample;
  const entry = {
    EventBusName: process.env.EVENT_BUS_NAME ?? 'evcs',
    Source: PileStatusChanged.source,
    DetailType: PileStatusChanged.detailType,
    Detail: JSON.stringify(detail),
  };
  await ways(
    'EventBridge PutEvents (1)',
    () => publish(PileStatusChanged, detail),
    eb,
    () => new PutEventsCommand({ Entries: [entry] }),
  );
  await ways(
    'EventBridge PutEvents (10)',
    () =>
      publish(
        PileStatusChanged,
        Array.from({ length: 10 }, () => detail),
      ),
    eb,
    () => new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => entry) }),
  );
}

// -- inside an invocation's scope (AsyncLocalStorage), as the local invoker runs every handler -----
if (!only || only === 'dynamo') {
  const doc = dynamo();
  const get = () => doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'STATION#bench', sk: 'CONNECTOR#0001' } }));
  // measured after every other row: once an AsyncLocalStorage has run, its hooks stay on for the process
  await runWithEnv(process.env, () => measure('DynamoDB GetItem, in a scope', [['platform', get]]));
}

console.log(
  `(load ${loadavg()
    .map((l) => fmt(l, 2))
    .join(' ')}; ${rows.length} rows)`,
);
rawAgent.destroy();
for (const c of clients) c.destroy();
await cloud.stop();
