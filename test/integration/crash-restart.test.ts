/**
 * Crash-restart (issue 17): the whole local platform (`tsx infra/local/main.ts`, i.e. `npm start`,
 * with its own data dir, port and DynamoDB Local) is killed with SIGKILL — no exit handler runs —
 * while a session's pushes are in flight (the partner's endpoint failing, so they wait in the queue
 * for their retry), then started again on the same data dir with the partner healthy:
 *   - the push that was queued at the crash reaches the partner (the queue store's journal);
 *   - the DynamoDB Local the killed run left behind does not hold the data dir (pid file);
 *   - the order does not stay stuck: stopped after the restart, it ends by its rules (the pile,
 *     simulated in the same process, lost the session with the crash, so the stop timeout — a
 *     delayed queue message — closes it on its last reading) and the connector is free again;
 *   - then the same child is killed again, charging with energy and right after a stop is accepted:
 *     the order ends, billed on its readings (the order info push carries the order's figures), and
 *     the connector is free.
 *
 * The partner's receiver lives in the test process and outlives both runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoPartner, startDemoPartner } from '../../infra/local/partner-server.ts';
import { portBelowEphemeral } from '../../infra/local/ports.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { callAs, simAdmin, tokenFor } from '../support/platform.ts';
import { FAST_PUSH_ENV } from '../support/push.ts';
import { STATIONS_SEED } from '../support/stations.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const dataDir = mkdtempSync(join(tmpdir(), 'evcs-crash-'));
const logFile = join(dataDir, '..', `${dataDir.split('/').pop()}.log`);
let seedFile: string;
let partner: SeedPartner;
let receiver: DemoPartner;
let connectorId: string;
let apiUrl: string;
let port: number;
let child: ChildProcess | undefined;

/** the environment of a fresh shell: nothing of this test worker's AWS/table settings */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(AWS_|TABLE_|QUEUE_URL_|EVENT_BUS|OPERATOR_ID|SECRETS_PREFIX|POWERTOOLS_)/.test(k)) env[k] = v;
  return { ...env, EVCS_DEMO_PARTNERS: 'off', POWERTOOLS_LOG_LEVEL: 'WARN', ...FAST_TIMERS };
};

/**
 * The timers the crash recovery waits out, short (the rules are the same, only sooner): the push
 * retries (FAST_PUSH_ENV: 1–2 s backoffs, a 2 s breaker) and the stop timeout that closes an
 * order whose pile died with the platform (10 s instead of 60 s; a restart takes longer anyway).
 */
const FAST_TIMERS = { ...FAST_PUSH_ENV, STOP_TIMEOUT_SECONDS: '10' };

const startPlatformProcess = async (fresh: boolean): Promise<void> => {
  const out = openSync(logFile, 'a');
  child = spawn(
    TSX,
    ['infra/local/main.ts', '--port', String(port), '--seed', seedFile, '--data-dir', dataDir, ...(fresh ? ['--fresh'] : [])],
    {
      cwd: ROOT,
      detached: true, // its own process group: the kill takes tsx, node and everything they started
      stdio: ['ignore', out, out],
      env: cleanEnv(),
    },
  );
  closeSync(out);
  await eventually(
    async () => {
      if (child?.exitCode !== null)
        throw new Error(`the platform exited (${child?.exitCode}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      return (await fetch(`${apiUrl}/health`).catch(() => undefined))?.status === 200;
    },
    { what: 'the platform ready (/health 200)', timeoutMs: 240_000, intervalMs: 250 },
  );
};

/** SIGKILL to the platform's process group: no exit handler, no persist, no clean stop */
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
  if (!c?.pid || c.exitCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  process.kill(-c.pid, 'SIGTERM'); // the group: node itself gets it, not only the tsx wrapper
  await exited;
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

beforeAll(async () => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8'));
  const p = seed.partners[0];
  const receiverPort = await portBelowEphemeral();
  p.outbound.baseUrl = `http://127.0.0.1:${receiverPort}/evcs/v1/`;
  for (const other of seed.partners.slice(1)) delete other.outbound;
  seedFile = join(dataDir, '..', `${dataDir.split('/').pop()}-seed.json`);
  writeFileSync(seedFile, JSON.stringify(seed));
  partner = p;
  connectorId = seed.stations[0].EquipmentInfos[0].ConnectorInfos[0].ConnectorID;
  const { baseUrl: _b, paths: _p, ...secrets } = p.outbound;
  receiver = await startDemoPartner({ operatorId: p.operatorId, ourOperatorId: seed.operatorId, secrets, port: receiverPort });
  port = await portBelowEphemeral();
  apiUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await stopClean().catch(() => undefined);
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(seedFile, { force: true });
  rmSync(logFile, { force: true });
});

const chargeStat = async (token: string, seq: string) =>
  (await callAs(apiUrl, partner, 'query_equip_charge_status', { StartChargeSeq: seq }, token)).data as
    | { StartChargeSeqStat: number; ConnectorStatus: number; TotalPower: number; TotalMoney?: number }
    | undefined;

/** the session test 1 leaves charging on the connector, for test 2 */
let nextSeq = '';

describe('kill -9 of the whole local platform, restart on the same data dir', () => {
  // two cold starts of the whole platform (DynamoDB Local included) and a push retry: minutes on a loaded machine
  it('pushes in flight at the crash are delivered after it; the order ends by its rules; the connector is free', {
    timeout: 900_000,
  }, async () => {
    await startPlatformProcess(true);
    receiver.set({ fail: 'http500' });
    let token = await tokenFor(apiUrl, partner);
    await simAdmin(apiUrl, connectorId, 'plugged');
    const c = { partner } as Parameters<typeof seqOf>[0];
    const seq = seqOf(c);
    const start = await callAs(apiUrl, partner, 'query_start_charge', { StartChargeSeq: seq, ConnectorID: connectorId }, token);
    expect(start.data).toMatchObject({ SuccStat: 0 });
    // the session started and its result push was tried (and refused by the failing partner)
    await eventually(async () => (await chargeStat(token, seq))?.StartChargeSeqStat, { until: (s) => s === 2, what: `${seq} charging` });
    const tried = receiver.requests();
    await eventually(async () => receiver.requests(), { until: (n) => n > tried, what: 'a push attempt refused by the partner' });
    expect(receiver.accepted('notification_start_charge_result')).toEqual([]);

    await kill9();
    receiver.set({});
    await startPlatformProcess(false);

    // the push queued at the crash reaches the partner on its next retry
    await eventually(
      async () => receiver.accepted('notification_start_charge_result').map((r) => (r.data as { StartChargeSeq?: string }).StartChargeSeq),
      {
        until: (seqs) => seqs.includes(seq),
        what: `notification_start_charge_result of ${seq} delivered after the restart`,
        timeoutMs: 300_000,
      },
    );

    // the order ends by its rules and frees the connector
    token = await tokenFor(apiUrl, partner);
    const stop = await callAs(apiUrl, partner, 'query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId }, token);
    expect(stop.ret).toBe(0);
    await eventually(async () => (await chargeStat(token, seq))?.StartChargeSeqStat, {
      until: (s) => s === 4,
      what: `${seq} ended after the restart`,
      timeoutMs: 300_000,
    });
    // the connector takes a new session: nothing left locked
    await simAdmin(apiUrl, connectorId, 'plugged');
    nextSeq = seqOf(c);
    const again = await callAs(apiUrl, partner, 'query_start_charge', { StartChargeSeq: nextSeq, ConnectorID: connectorId }, token);
    expect(again.data).toMatchObject({ SuccStat: 0 });
  });

  // the same child platform, killed a second time: one more cold start, not a new platform
  it('killed while charging with energy, right after the stop is accepted: the order ends, billed on its readings; the connector is free', {
    timeout: 600_000,
  }, async () => {
    expect(nextSeq).not.toBe('');
    const seq = nextSeq;
    let token = await tokenFor(apiUrl, partner);
    const charging = await eventually(async () => chargeStat(token, seq), {
      until: (d) => d?.StartChargeSeqStat === 2 && d.TotalPower > 0,
      what: `${seq} charging with energy`,
      timeoutMs: 300_000,
    });
    const stop = await callAs(apiUrl, partner, 'query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId }, token);
    expect(stop.data).toMatchObject({ SuccStat: 0 });
    // the stop is accepted (the order stopping, the pile told or about to be): the crash comes now
    await kill9();
    await startPlatformProcess(false);

    token = await tokenFor(apiUrl, partner);
    // by its rules: the pile's stop confirmation, or the stop timeout on the last reading; never stuck in stopping
    const ended = await eventually(async () => chargeStat(token, seq), {
      until: (d) => d?.StartChargeSeqStat === 4,
      what: `${seq} ended after the restart`,
      timeoutMs: 300_000,
    });
    // no reading lost: at least the energy seen before the crash
    expect(ended!.TotalPower).toBeGreaterThanOrEqual(charging!.TotalPower);
    // the bill the partner gets is the order's own figures, delivered once (duplicates the same push)
    const infos = await eventually(
      async () =>
        receiver
          .accepted('notification_charge_order_info')
          .map((r) => r.data as { StartChargeSeq?: string; TotalPower?: number; TotalMoney?: number })
          .filter((d) => d.StartChargeSeq === seq),
      { until: (xs) => xs.length > 0, what: `notification_charge_order_info of ${seq}`, timeoutMs: 300_000 },
    );
    expect(new Set(infos.map((d) => JSON.stringify(d))).size).toBe(1);
    expect(infos[0]!.TotalPower).toBe(ended!.TotalPower);
    if (ended!.TotalMoney !== undefined) expect(infos[0]!.TotalMoney).toBe(ended!.TotalMoney);
    // the connector takes a new session: nothing left locked
    await simAdmin(apiUrl, connectorId, 'plugged');
    const again = await callAs(
      apiUrl,
      partner,
      'query_start_charge',
      { StartChargeSeq: seqOf({ partner } as Parameters<typeof seqOf>[0]), ConnectorID: connectorId },
      token,
    );
    expect(again.data).toMatchObject({ SuccStat: 0 });
  });

  // issue 8 §4: `npm start`'s output is for people — here three runs of it, with a session and push retries in them
  it('the platform’s output has no "No application metrics" and no MaxListenersExceeded warning', () => {
    const out = readFileSync(logFile, 'utf8');
    // the output was captured: the banner names the platform's address
    expect(out).toContain(`127.0.0.1:${port}`);
    expect(out).not.toMatch(/No application metrics/);
    expect(out).not.toMatch(/MaxListenersExceeded/);
  });
});
