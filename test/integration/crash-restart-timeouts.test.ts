/**
 * Crash-restart (issue 17), the two points where no partner call ends the session: the whole local
 * platform (`npm start` as a child, test/support/platform-process.ts) is killed with SIGKILL while
 * one order is still starting (its pile silent: the start command unanswered) and another charges
 * with energy and is never stopped; then started again on the same data dir:
 *   - the starting order is ended by the start timeout (a delayed queue message the journal kept):
 *     a failed start result is pushed, the connector is free;
 *   - the charging order, whose pile (simulated in the same process) lost its session with the crash
 *     and comes back idle, is ended by the stranded-session rule on its last readings and pushed;
 *   - no order is left starting or stopping, every bill is what the billing function computes from
 *     the order's stored readings, and both connectors take a new session.
 * Timing through the platform's own settings, no sleeps: START_TIMEOUT_SECONDS, STRANDED_IDLE/
 * OFFLINE_SECONDS from the shell (infra/local/main.ts) and the sweep every 5 s
 * (EVCS_LOCAL_SCHEDULES, infra/local/scheduler.ts). One crash covers both points: one cold start.
 * The points with a stop or a push in flight are in crash-restart.test.ts (its own child: the files
 * run in parallel).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { callAs, simAdmin, tokenFor } from '../support/platform.ts';
import { expectSettledOrders, type PlatformProcess, platformProcess } from '../support/platform-process.ts';

let run: PlatformProcess;

beforeAll(async () => {
  run = await platformProcess({
    // long enough for a pile's answer on a loaded machine; the restart alone takes longer
    START_TIMEOUT_SECONDS: '45',
    // a pile whose connector reports idle or offline with no reading for 20 s is stranded; a charging
    // connector's readings come every ≤ 50 s, the silent rule (no reading at all) stays far away
    STRANDED_IDLE_SECONDS: '20',
    STRANDED_OFFLINE_SECONDS: '20',
    STRANDED_SILENT_SECONDS: '600',
    EVCS_LOCAL_SCHEDULES: 'stranded-sweep=rate(5 seconds)',
  });
});

afterAll(async () => run?.dispose());

const stat = async (token: string, seq: string) =>
  (await callAs(run.apiUrl, run.partner, 'query_equip_charge_status', { StartChargeSeq: seq }, token)).data as
    | { StartChargeSeqStat: number; TotalPower: number; TotalMoney?: number }
    | undefined;

describe('kill -9 with no stop coming, restart on the same data dir', () => {
  it('a start unanswered at the crash ends by the start timeout (failed result pushed); a session charging at the crash ends by the stranded rule; both connectors are free', {
    timeout: 900_000,
  }, async () => {
    const { apiUrl, partner, receiver } = run;
    const starting = run.connectorIds[1]!;
    const charging = run.connectorIds[2]!;
    const caller = { partner } as Parameters<typeof seqOf>[0];
    await run.start(true);
    let token = await tokenFor(apiUrl, partner);

    // B: a session charging with energy, never stopped
    await simAdmin(apiUrl, charging, 'plugged');
    const seqB = seqOf(caller);
    expect(
      (await callAs(apiUrl, partner, 'query_start_charge', { StartChargeSeq: seqB, ConnectorID: charging }, token)).data,
    ).toMatchObject({
      SuccStat: 0,
    });
    const before = await eventually(() => stat(token, seqB), {
      until: (d) => d?.StartChargeSeqStat === 2 && d.TotalPower > 0,
      what: `${seqB} charging with energy`,
      timeoutMs: 300_000,
    });

    // A: a start the pile will not answer
    await simAdmin(apiUrl, starting, 'plugged');
    await simAdmin(apiUrl, starting, 'silent');
    const seqA = seqOf(caller);
    expect(
      (await callAs(apiUrl, partner, 'query_start_charge', { StartChargeSeq: seqA, ConnectorID: starting }, token)).data,
    ).toMatchObject({
      SuccStat: 0,
    });
    const states = await Promise.all([stat(token, seqA), stat(token, seqB)]);
    expect(states.map((d) => d?.StartChargeSeqStat)).toEqual([1, 2]); // starting, charging: the crash comes now
    await run.kill9();
    await run.start(false);
    token = await tokenFor(apiUrl, partner);

    // A: ended by the start timeout, the partner told the start failed
    await eventually(() => stat(token, seqA), { until: (d) => d?.StartChargeSeqStat === 4, what: `${seqA} ended`, timeoutMs: 300_000 });
    const startResults = await eventually(
      async () =>
        receiver
          .accepted('notification_start_charge_result')
          .map((r) => r.data as { StartChargeSeq?: string; StartChargeSeqStat?: number })
          .filter((d) => d.StartChargeSeq === seqA),
      { until: (xs) => xs.length > 0, what: `notification_start_charge_result of ${seqA}`, timeoutMs: 300_000 },
    );
    expect(startResults.map((d) => d.StartChargeSeqStat)).toEqual(startResults.map(() => 4));

    // B: ended by the stranded rule on its last readings, pushed as a stop the pile made itself
    const ended = await eventually(() => stat(token, seqB), {
      until: (d) => d?.StartChargeSeqStat === 4,
      what: `${seqB} ended by the stranded rule`,
      timeoutMs: 300_000,
    });
    expect(ended!.TotalPower).toBeGreaterThanOrEqual(before!.TotalPower);
    const infos = await eventually(
      async () =>
        receiver
          .accepted('notification_charge_order_info')
          .map((r) => r.data as { StartChargeSeq?: string; TotalPower?: number; TotalMoney?: number })
          .filter((d) => d.StartChargeSeq === seqB),
      { until: (xs) => xs.length > 0, what: `notification_charge_order_info of ${seqB}`, timeoutMs: 300_000 },
    );
    expect(new Set(infos.map((d) => JSON.stringify(d))).size).toBe(1);
    expect(infos[0]).toMatchObject({ TotalPower: ended!.TotalPower, TotalMoney: ended!.TotalMoney });

    const orders = await run.ordersOfRun();
    const byseq = new Map(orders.map((o) => [o.StartChargeSeq, o]));
    expect(byseq.get(seqA)).toMatchObject({ status: 4, charged: false });
    expect(byseq.get(seqB)?.stranded).toBeDefined();
    expectSettledOrders(orders);

    // both connectors take a new session: nothing left locked
    for (const connectorId of [starting, charging]) {
      await simAdmin(apiUrl, connectorId, 'plugged');
      const again = await callAs(apiUrl, partner, 'query_start_charge', { StartChargeSeq: seqOf(caller), ConnectorID: connectorId }, token);
      expect({ connectorId, data: again.data }).toMatchObject({ connectorId, data: { SuccStat: 0 } });
    }
  });
});
