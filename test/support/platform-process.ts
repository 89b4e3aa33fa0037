/**
 * The whole local platform as a child process (`tsx infra/local/main.ts`, i.e. `npm start`) with its
 * own data dir, port and DynamoDB Local, for the crash-restart tests (issue 17): started, killed with
 * SIGKILL (no exit handler runs), started again on the same data dir. The partner's receiver lives in
 * the test process and outlives every run. After a crash point, `ordersOfRun()` reads the run's own
 * orders table (its runtime file names it) for the invariants: nothing left starting or stopping,
 * every finished bill equal to what the billing function computes from the stored readings.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { RUNTIME_FILE } from '../../infra/local/defaults.ts';
import { type DemoPartner, startDemoPartner, startSeedDemoPartners } from '../../infra/local/partner-server.ts';
import { portBelowEphemeral } from '../../infra/local/ports.ts';
import { closeRunningBill, toOrderTotals } from '../../shared/domain/billing.ts';
import { OrderStatus } from '../../shared/domain/charging.ts';
import { readSeed, type SeedPartner } from '../../shared/seed.ts';
import { DocumentClient, paginateScan } from '../../shared/store/doc.ts';
import { type Order, orderOfItem } from '../../shared/store/orders.ts';
import { eventually } from './eventually.ts';
import { STATIONS_SEED } from './stations.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface PlatformProcess {
  readonly apiUrl: string;
  /** partner 1 of the stations seed, whose pushes go to `receiver` */
  readonly partner: SeedPartner;
  readonly receiver: DemoPartner;
  /** the connectors of the seed's first station's first equipment… in seed order */
  readonly connectorIds: readonly string[];
  /** start the platform (fresh: wipe the data dir) and wait until /health answers */
  start(fresh: boolean): Promise<void>;
  /** SIGKILL to the platform's process group: no exit handler, no persist, no clean stop */
  kill9(): Promise<void>;
  /** every ORDER# item of the run's orders table (the platform must be running) */
  ordersOfRun(): Promise<Order[]>;
  /** what the runs so far printed (stdout and stderr of every `npm start`) */
  output(): string;
  /** every partner as written to the run's seed (secrets included), in seed order */
  readonly partners: readonly SeedPartner[];
  /** the demo partner in this process of each partner that has one (`everyPartner`: all with an outbound endpoint) */
  readonly receivers: ReadonlyMap<string, DemoPartner>;
  /** the platform's own process (the node running infra/local/main.ts, not the tsx wrapper), once started */
  pid(): number | undefined;
  /** resident memory in MB (VmRSS of /proc/<pid>/status) of the platform and of its DynamoDB Local */
  rssMb(): { platform: number; dynamodb: number };
  /** a clean stop, the receiver closed, the data dir removed */
  dispose(): Promise<void>;
}

/** the environment of a fresh shell: nothing of this test worker's AWS/table settings */
const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(AWS_|TABLE_|QUEUE_URL_|EVENT_BUS|OPERATOR_ID|SECRETS_PREFIX|POWERTOOLS_)/.test(k)) env[k] = v;
  return { ...env, EVCS_DEMO_PARTNERS: 'off', POWERTOOLS_LOG_LEVEL: 'WARN', ...extra };
};

/** VmRSS of a process in MB, 0 when it is gone */
const vmRssMb = (pid: number | undefined): number => {
  if (!pid) return 0;
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
};

export interface PlatformProcessOptions {
  /** the seed file to start from (default: the stations seed) */
  seedFile?: string;
  /** a change to the seed (parsed JSON) before it is written for the run, e.g. a partner's rateLimit */
  editSeed?: (seed: { partners: Record<string, unknown>[] }) => void;
  /**
   * a demo partner in this process for every partner with an outbound endpoint, each on a free port,
   * as `npm start` would start them (dialects and profiles included); default: only the first
   * partner's pushes, to a plain receiver, the others' outbound endpoints removed
   */
  everyPartner?: boolean;
  /** more `npm start` options, e.g. `--sim-speed 60` */
  args?: readonly string[];
}

/** `env`: the shell's settings of every run (timing rules, EVCS_LOCAL_SCHEDULES) */
export const platformProcess = async (env: Record<string, string> = {}, opts: PlatformProcessOptions = {}): Promise<PlatformProcess> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evcs-crash-'));
  const logFile = `${dataDir}.log`;
  const seedFile = `${dataDir}-seed.json`;
  const seed = JSON.parse(readFileSync(opts.seedFile ?? STATIONS_SEED, 'utf8'));
  opts.editSeed?.(seed);
  const receivers = new Map<string, DemoPartner>();
  if (opts.everyPartner) {
    // every loopback endpoint on port 0: each demo partner takes a free port, the seed gets it
    for (const p of seed.partners) if (p.outbound) p.outbound.baseUrl = p.outbound.baseUrl.replace(/^(http:\/\/[^/:]+)(:\d+)?/, '$1:0');
    writeFileSync(seedFile, JSON.stringify(seed));
    const started = await startSeedDemoPartners(readSeed(seedFile), undefined, { anyPort: true });
    for (const p of started.seed.partners) {
      const written = seed.partners.find((x: { operatorId: string }) => x.operatorId === p.operatorId);
      if (written?.outbound && p.outbound) written.outbound.baseUrl = p.outbound.baseUrl;
    }
    for (const [id, d] of started.partners) receivers.set(id, d);
  } else {
    const first = seed.partners[0];
    const receiverPort = await portBelowEphemeral();
    first.outbound.baseUrl = `http://127.0.0.1:${receiverPort}/evcs/v1/`;
    for (const other of seed.partners.slice(1)) delete other.outbound;
    const { baseUrl: _b, paths: _p, ...secrets } = first.outbound;
    receivers.set(
      first.operatorId,
      await startDemoPartner({ operatorId: first.operatorId, ourOperatorId: seed.operatorId, secrets, port: receiverPort }),
    );
  }
  writeFileSync(seedFile, JSON.stringify(seed));
  const partner = seed.partners[0];
  const receiver = receivers.get(partner.operatorId) as DemoPartner;
  const port = await portBelowEphemeral();
  const apiUrl = `http://127.0.0.1:${port}`;
  const connectorIds = (seed.stations[0].EquipmentInfos as { ConnectorInfos: { ConnectorID: string }[] }[]).flatMap((e) =>
    e.ConnectorInfos.map((c) => c.ConnectorID),
  );
  let child: ChildProcess | undefined;

  const start = async (fresh: boolean): Promise<void> => {
    const out = openSync(logFile, 'a');
    child = spawn(
      TSX,
      [
        'infra/local/main.ts',
        '--port',
        String(port),
        '--seed',
        seedFile,
        '--data-dir',
        dataDir,
        ...(fresh ? ['--fresh'] : []),
        ...(opts.args ?? []),
      ],
      {
        cwd: ROOT,
        detached: true, // its own process group: the kill takes tsx, node and everything they started
        stdio: ['ignore', out, out],
        env: cleanEnv(env),
      },
    );
    closeSync(out);
    const c = child;
    await eventually(
      async () => {
        if (c.exitCode !== null) throw new Error(`the platform exited (${c.exitCode}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
        return (await fetch(`${apiUrl}/health`).catch(() => undefined))?.status === 200;
      },
      { what: 'the platform ready (/health 200)', timeoutMs: 240_000, intervalMs: 250 },
    );
  };

  const kill9 = async (): Promise<void> => {
    const c = child;
    if (!c?.pid || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    process.kill(-c.pid, 'SIGKILL');
    await exited;
  };

  /** a clean stop of the last run (SIGTERM: the platform stops DynamoDB Local and writes its state) */
  const stopClean = async (): Promise<void> => {
    const c = child;
    if (c?.pid && c.exitCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      process.kill(-c.pid, 'SIGTERM'); // the group: node itself gets it, not only the tsx wrapper
      await exited;
    }
    // whatever DynamoDB Local is still recorded for the data dir (its own process group) goes too
    const pidFile = join(dataDir, 'dynamodb', 'java.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    if (pid > 1) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already stopped
      }
    }
  };

  const ordersOfRun = async (): Promise<Order[]> => {
    const runEnv = (JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as { env: Record<string, string> }).env;
    const client = new DynamoDBClient({
      endpoint: runEnv.AWS_ENDPOINT_URL_DYNAMODB!,
      region: runEnv.AWS_REGION!,
      credentials: { accessKeyId: runEnv.AWS_ACCESS_KEY_ID!, secretAccessKey: runEnv.AWS_SECRET_ACCESS_KEY! },
    });
    try {
      const doc = new DocumentClient(client);
      const orders: Order[] = [];
      for await (const page of paginateScan(
        { client: doc },
        {
          TableName: runEnv.TABLE_ORDERS!,
          FilterExpression: 'begins_with(pk, :o)',
          ExpressionAttributeValues: { ':o': 'ORDER#' },
          ConsistentRead: true,
        },
      ))
        orders.push(...(page.Items ?? []).map(orderOfItem));
      return orders;
    } finally {
      client.destroy();
    }
  };

  const dispose = async (): Promise<void> => {
    await stopClean().catch(() => undefined);
    await Promise.all([...receivers.values()].map((r) => r.close()));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(seedFile, { force: true });
    rmSync(logFile, { force: true });
  };

  const output = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  const pid = (): number | undefined => {
    try {
      return (JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as { pid?: number }).pid;
    } catch {
      return undefined;
    }
  };
  const javaPid = (): number | undefined => {
    const pidFile = join(dataDir, 'dynamodb', 'java.pid');
    return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  };
  const rssMb = () => ({ platform: vmRssMb(pid()), dynamodb: vmRssMb(javaPid()) });

  return {
    apiUrl,
    partner,
    receiver,
    partners: seed.partners,
    receivers,
    connectorIds,
    start,
    kill9,
    ordersOfRun,
    output,
    pid,
    rssMb,
    dispose,
  };
};

/**
 * The invariants after a crash point, on the run's orders: none left starting (1) or stopping (3);
 * every finished order's TotalMoney is, to the fen, what the billing function computes from the
 * readings the order stored (its running bill; zero for an order that never charged).
 */
export const expectSettledOrders = (orders: readonly Order[]): void => {
  expect(orders.filter((o) => o.status === OrderStatus.Starting || o.status === OrderStatus.Stopping).map((o) => o.StartChargeSeq)).toEqual(
    [],
  );
  for (const o of orders.filter((x) => x.status === OrderStatus.Finished)) {
    const recomputed = o.meter ? toOrderTotals(closeRunningBill(o.meter, o.tariff)).TotalMoney : 0;
    expect({ seq: o.StartChargeSeq, TotalMoney: o.bill?.TotalMoney }).toEqual({ seq: o.StartChargeSeq, TotalMoney: recomputed });
  }
};
