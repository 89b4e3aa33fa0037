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
 * After each point no order is left starting or stopping and every finished bill is what the
 * billing function computes from the order's stored readings. The two points without a stop (killed
 * while starting, killed while charging and never stopped) are in crash-restart-timeouts.test.ts:
 * another child platform, so the two files run in parallel.
 *
 * The partner's receiver lives in the test process and outlives both runs (test/support/platform-process.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoPartner } from '../../infra/local/partner-server.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { callAs, simAdmin, tokenFor } from '../support/platform.ts';
import { expectSettledOrders, type PlatformProcess, platformProcess } from '../support/platform-process.ts';

let run: PlatformProcess;
let partner: SeedPartner;
let receiver: DemoPartner;
let connectorId: string;
let apiUrl: string;
const startPlatformProcess = (fresh: boolean) => run.start(fresh);
const kill9 = () => run.kill9();

beforeAll(async () => {
  run = await platformProcess();
  ({ partner, receiver, apiUrl } = run);
  connectorId = run.connectorIds[0]!;
});

afterAll(async () => run?.dispose());

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
    expectSettledOrders(await run.ordersOfRun());
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
    expectSettledOrders(await run.ordersOfRun());
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
    const out = run.output();
    // the output was captured: the banner names the platform's address
    expect(out).toContain(apiUrl);
    expect(out).not.toMatch(/No application metrics/);
    expect(out).not.toMatch(/MaxListenersExceeded/);
  });
});
