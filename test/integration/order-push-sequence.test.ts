/**
 * The order in which a partner receives one order's pushes (T/CEC: start result → charge status →
 * stop result → charge order, for one StartChargeSeq). An order's pushes share one FIFO group of the
 * push lane (partner, ORDER#<StartChargeSeq>), so the partner gets them in the order they were
 * ENQUEUED; OrderStarted and OrderFinished reach the push planner through the bus and a standard
 * queue, in either order. These tests make the planner see them in the bad order, deterministically:
 * the first send of the order's start result to the push lane fails (SendMessageBatch injected to
 * fail once), so the planner's OrderStarted comes back only after push-events' visibility timeout
 * (60 s, on the shifted clock), long after OrderFinished was planned.
 *
 *  - a start that never began (the pile refused it) after the partner asked to stop: the failed start
 *    result, then the stop result;
 *  - a successful start stopped before its first meter reading (no charge status carried the start
 *    result): start result, last charge status, stop result, order. Before the fix the start result
 *    planned last was dropped as stale behind the final charge status: lost;
 *  - the start result parked (the partner refuses it): the pushes behind it go once it is given up
 *    (no deadlock), and a DLQ replay delivers it once (nothing lost);
 *  - OrderStarted's publish failed and the order finished before the confirmation's redelivery (which
 *    then finds it finished and ignores it): the start OrderFinished carries still reaches the partner first.
 *
 * Clocks, both injected: the pile simulator's MANUAL clock and `Date`, shifted past the visibility
 * timeout — no sleeps.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import type { ReceivedPush } from '../../infra/local/partner-server.ts';
import { config } from '../../shared/config.ts';
import { listDlq, replayDlq } from '../../shared/push/dlq.ts';
import type { Order } from '../../shared/store/orders.ts';
import { formatDateTime } from '../../shared/tcec/time.ts';
import { failFirstOrderStarted, seqOf, useShiftedChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { acceptedOf, demo, P1 } from '../support/push.ts';

// a refused push parked after 2 attempts 1 s apart
const { clock, ctx, settle, order, plug } = useShiftedChargingPlatform({ PUSH_BACKOFF_SECONDS: '1', PUSH_PERMANENT_ATTEMPTS: '2' });

/** every push of the order that reached the partner (accepted or not), in arrival order */
const orderPushes = (seq: string): ReceivedPush[] => demo(ctx.platform, P1).received.filter((r) => r.data.StartChargeSeq === seq);

/** the order's pushes at the partner: `ifaces` in this order, the first one `first`, each conforming */
const expectOrderPushes = (seq: string, ifaces: readonly ReceivedPush['iface'][], first: Record<string, unknown>): void => {
  const pushes = orderPushes(seq);
  expect(pushes.map((r) => r.iface)).toEqual(ifaces);
  expect(pushes[0]!.data).toEqual(first);
  for (const iface of new Set(ifaces)) acceptedOf(demo(ctx.platform, P1), iface, seq); // each conforms
};
/** the start result of an order that started charging */
const startedResult = (seq: string, connector: string, o: Order) => ({
  StartChargeSeq: seq,
  StartChargeSeqStat: 2,
  ConnectorID: connector,
  StartTime: formatDateTime(new Date(o.startedAt!)),
});
const STARTED_THEN_STOPPED = [
  'notification_start_charge_result',
  'notification_equip_charge_status',
  'notification_stop_charge_result',
  'notification_charge_order_info',
] as const;

/** push-events' visibility timeout (events/queues.ts), and a second for the poller */
const REDELIVERY_MS = 61_000;

/**
 * Plug a vehicle into `connector`, start a session of partner 1 there and let the pile start it with
 * `inject`'s fault armed for this order; resolves once the order is charging and the fault struck once.
 */
const chargingWithFault = async (
  connector: string,
  inject: (seq: string) => { state: { failed: number }; restore: () => void },
  what: string,
): Promise<{ seq: string; charging: Order }> => {
  await plug(connector);
  const seq = seqOf(ctx.p1);
  const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
  expect(start.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });
  await settle(); // the start command has reached the pile
  const fault = inject(seq);
  try {
    ctx.platform.simulator!.advance(5_000); // the pile starts within 2–5 s; its first reading would come 15 s after
    await eventually(async () => ({ failed: fault.state.failed, status: (await order(seq)).status }), {
      until: (x) => x.failed === 1 && x.status === 2,
      what: `the order charging, ${what}`,
    });
  } finally {
    fault.restore();
  }
  return { seq, charging: await order(seq) };
};

/** partner 1 stops `seq`; resolves once the order is finished */
const stopAndFinish = async (seq: string, connector: string): Promise<void> => {
  const stop = await ctx.p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
  expect(stop.data).toMatchObject({ SuccStat: 0 });
  await ctx.pump(
    () => order(seq),
    (o) => o.status === 4,
    `${seq} finished`,
  );
};

/** SendMessageBatch fails for the first batch that carries `seq`'s start result; every other call goes through */
const failFirstStartResultSend = (seq: string) => {
  const send = SQSClient.prototype.send;
  const state = { failed: 0 };
  const spy = vi.spyOn(SQSClient.prototype, 'send').mockImplementation(function (this: SQSClient, ...args: unknown[]) {
    const cmd = args[0];
    if (state.failed === 0 && cmd instanceof SendMessageBatchCommand) {
      const bodies = (cmd.input.Entries ?? []).map((e) => e.MessageBody ?? '');
      if (bodies.some((b) => b.includes('notification_start_charge_result') && b.includes(seq))) {
        state.failed++;
        return Promise.reject(new Error('injected: SendMessageBatch unavailable'));
      }
    }
    return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  } as never);
  return { state, restore: () => spy.mockRestore() };
};

describe("one order's pushes reach the partner in T/CEC's order, whatever order the planner sees its events in", () => {
  it('a start that never began, stop asked while starting: the failed start result first, then the stop result', async () => {
    const connector = 'FX0002E02C1';
    await ctx.admin(connector, 'refuse');
    try {
      const seq = seqOf(ctx.p1);
      const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
      expect(start.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });
      const stop = await ctx.p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
      expect(stop.data).toMatchObject({ SuccStat: 0 });
      await settle(); // the start command has reached the pile
      const fault = failFirstStartResultSend(seq);
      try {
        ctx.platform.simulator!.advance(5_000); // the pile answers within 2–5 s: refused
        await eventually(async () => ({ failed: fault.state.failed, status: (await order(seq)).status }), {
          until: (x) => x.failed === 1 && x.status === 4,
          what: 'the order finished as refused, a start result send failed',
        });
      } finally {
        fault.restore();
      }
      // the planner's failed message comes back after its visibility timeout
      clock.advance(REDELIVERY_MS);
      await eventually(async () => orderPushes(seq).length, { until: (n) => n >= 2, what: 'start and stop result at the partner' });
      await settle();

      const ended = await order(seq);
      expect(ended).toMatchObject({ status: 4, charged: false, stoppedByPartner: true, stopReason: 5 });
      expectOrderPushes(seq, ['notification_start_charge_result', 'notification_stop_charge_result'], {
        StartChargeSeq: seq,
        StartChargeSeqStat: 4,
        ConnectorID: connector,
        StartTime: formatDateTime(new Date(ended.endedAt!)),
      });
    } finally {
      await ctx.admin(connector, 'normal');
    }
  });

  it('a session stopped before its first reading, its start planned last: start result, charge status, stop result, order', async () => {
    const connector = 'FX0002E01C1';
    const { seq, charging } = await chargingWithFault(connector, failFirstStartResultSend, 'the planner failed to send its start result');
    // the pile stops 1–3 s (simulated) after the command: before its first reading
    await stopAndFinish(seq, connector);
    const finished = await order(seq);
    expect(finished).toMatchObject({ charged: true, stoppedByPartner: true, stopReason: 1 });
    expect(finished.lastProgressAt).toBeUndefined(); // no reading: no charge status carried the start result
    // OrderFinished is planned (and its pushes delivered) while OrderStarted waits for its redelivery
    await eventually(async () => orderPushes(seq).map((r) => r.iface), {
      until: (x) => x.includes('notification_charge_order_info'),
      what: 'the order push at the partner',
    });
    clock.advance(REDELIVERY_MS);
    await settle();

    expectOrderPushes(seq, STARTED_THEN_STOPPED, startedResult(seq, connector, charging));
  });

  it('the start result parked (the partner refuses it): the pushes behind it still go, none lost; a replay delivers it', async () => {
    const connector = 'FX0003E01C1';
    const partner = demo(ctx.platform, P1);
    partner.set({ refuseFirst: { notification_start_charge_result: 1000 }, refuseRet: 4004 });
    try {
      await plug(connector);
      const seq = seqOf(ctx.p1);
      const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
      expect(start.data).toMatchObject({ SuccStat: 0 });
      await settle(); // the start command has reached the pile
      ctx.platform.simulator!.advance(5_000);
      await eventually(() => order(seq), { until: (o) => o.status === 2, what: `${seq} charging` });
      const stop = await ctx.p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
      expect(stop.data).toMatchObject({ SuccStat: 0 });
      await ctx.pump(
        () => order(seq),
        (o) => o.status === 4,
        `${seq} finished`,
      );
      expect((await order(seq)).lastProgressAt).toBeUndefined();
      const accepted = () => partner.accepted().filter((r) => r.data.StartChargeSeq === seq);
      await eventually(async () => accepted().length, { until: (n) => n >= 3, what: 'the pushes behind the start result delivered' });
      const url = config().queueUrl('push-deliveries');
      const parked = await eventually(
        async () => (await listDlq(url, 100, 1, { release: true })).filter((m) => m.delivery?.data.StartChargeSeq === seq),
        { until: (x) => x.length > 0, what: 'the start result parked in the DLQ' },
      );
      await settle();

      // the start result was refused twice and parked; the order's other pushes were not held for ever behind it
      expect(parked.map((m) => m.delivery?.iface)).toEqual(['notification_start_charge_result']);
      expect(accepted().map((r) => r.iface)).toEqual([
        'notification_equip_charge_status',
        'notification_stop_charge_result',
        'notification_charge_order_info',
      ]);
      const refused = orderPushes(seq).filter((r) => !r.accepted);
      expect(refused.map((r) => r.iface)).toEqual(['notification_start_charge_result', 'notification_start_charge_result']);

      // replayed once the partner takes it: delivered (late, the operator's decision), and only once
      partner.set({});
      expect(await replayDlq(url, Number.POSITIVE_INFINITY, (m) => m.delivery?.data.StartChargeSeq === seq)).toBe(1);
      await eventually(async () => accepted().length, { until: (n) => n >= 4, what: 'the replayed start result delivered' });
      await settle();
      expect(accepted().map((r) => r.iface)).toEqual([
        'notification_equip_charge_status',
        'notification_stop_charge_result',
        'notification_charge_order_info',
        'notification_start_charge_result',
      ]);
    } finally {
      partner.set({});
    }
  });

  it('OrderStarted never published (its publish failed, the order finished before the redelivery): the end carries the start result', async () => {
    const connector = 'FX0003E02C1';
    const { seq, charging } = await chargingWithFault(connector, failFirstOrderStarted, 'its OrderStarted publish failed');
    // the partner stops within the charging queue's visibility timeout: the order finishes before the confirmation's redelivery
    await stopAndFinish(seq, connector);
    await eventually(async () => orderPushes(seq).map((r) => r.iface), {
      until: (x) => x.includes('notification_charge_order_info'),
      what: 'the order push at the partner',
    });
    // the redelivered confirmation finds the order finished: ignored, as before
    clock.advance(REDELIVERY_MS);
    await settle();

    expectOrderPushes(seq, STARTED_THEN_STOPPED, startedResult(seq, connector, charging));
  });
});
