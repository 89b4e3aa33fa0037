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
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { RUNTIME_FILE } from '../../infra/local/defaults.ts';
import { type DemoPartner, startDemoPartner } from '../../infra/local/partner-server.ts';
import { portBelowEphemeral } from '../../infra/local/ports.ts';
import { closeRunningBill, toOrderTotals } from '../../shared/domain/billing.ts';
import { OrderStatus } from '../../shared/domain/charging.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import type { Order } from '../../shared/store/orders.ts';
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

/** `env`: the shell's settings of every run (timing rules, EVCS_LOCAL_SCHEDULES) */
export const platformProcess = async (env: Record<string, string> = {}): Promise<PlatformProcess> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evcs-crash-'));
  const logFile = `${dataDir}.log`;
  const seedFile = `${dataDir}-seed.json`;
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8'));
  const partner = seed.partners[0];
  const receiverPort = await portBelowEphemeral();
  partner.outbound.baseUrl = `http://127.0.0.1:${receiverPort}/evcs/v1/`;
  for (const other of seed.partners.slice(1)) delete other.outbound;
  writeFileSync(seedFile, JSON.stringify(seed));
  const { baseUrl: _b, paths: _p, ...secrets } = partner.outbound;
  const receiver = await startDemoPartner({ operatorId: partner.operatorId, ourOperatorId: seed.operatorId, secrets, port: receiverPort });
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
      ['infra/local/main.ts', '--port', String(port), '--seed', seedFile, '--data-dir', dataDir, ...(fresh ? ['--fresh'] : [])],
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
      const doc = DynamoDBDocumentClient.from(client);
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
        orders.push(...((page.Items ?? []) as Order[]));
      return orders;
    } finally {
      client.destroy();
    }
  };

  const dispose = async (): Promise<void> => {
    await stopClean().catch(() => undefined);
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(seedFile, { force: true });
    rmSync(logFile, { force: true });
  };

  const output = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  return { apiUrl, partner, receiver, connectorIds, start, kill9, ordersOfRun, output, dispose };
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
