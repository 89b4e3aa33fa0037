/**
 * Issue 17 follow-up: a start result is never lost when OrderStarted's publish fails. The pile's
 * start confirmation moves the order to charging, then publishes OrderStarted (→ the partner's
 * notification_start_charge_result) and sends the stop a partner asked for while starting. Should
 * the publish fail (PutEvents injected to fail once), the confirmation is redelivered after the
 * charging queue's visibility timeout: the order is charging already, and the redelivery of the
 * SAME start (the start time the order stored) publishes OrderStarted again, the same content, and
 * sends the stop still asked for. A session stopped before its first meter reading thus still gets
 * its start result (nothing else carries it), then its stop result and order. Duplicates of the
 * confirmation reach the partner as one start result: SQS FIFO deduplication within 5 minutes, and
 * beyond them the start result's gate, which lets one copy per order through. A confirmation of an
 * order that already finished stays ignored. The same for a start that never began: the redelivered
 * refusal or start timeout tells the failed start result again, once.
 *
 * Clocks, both injected: the pile simulator's MANUAL clock (nothing happens at the pile unless the
 * test moves it: no meter reading comes in between) and `Date`, shifted past the visibility timeout
 * (60 s) and past the FIFO deduplication window (5 minutes) — no sleeps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../infra/local/bus.ts';
import type { ReceivedPush } from '../../infra/local/partner-server.ts';
import { emitPileEvents } from '../../shared/piles/emit.ts';
import type { Order } from '../../shared/store/orders.ts';
import { formatDateTime } from '../../shared/tcec/time.ts';
import { failFirstOrderStarted, REDELIVERY_MS, seqOf, useShiftedChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { acceptedOf, demo, P1 } from '../support/push.ts';

// "once" below is counted at the partner, strictly: no push sent again for a slow answer (30 s each)
const { clock, ctx, settle, order, plug } = useShiftedChargingPlatform();

/** what reached the bus, per order: OrderStarted events and pile commands */
const bus: BusEvent[] = [];
beforeAll(() => {
  ctx.platform.cloud.bus.tap((e) => {
    if (e['detail-type'] === 'OrderStarted' || e['detail-type'] === 'PileCommandRequested') bus.push(e);
  });
});
const startedOn = (seq: string) => bus.filter((e) => e['detail-type'] === 'OrderStarted' && e.detail.StartChargeSeq === seq);
const commandsOf = (seq: string) =>
  bus.filter((e) => e['detail-type'] === 'PileCommandRequested' && e.detail.StartChargeSeq === seq).map((e) => e.detail.command);

const orderPushes = (seq: string): ReceivedPush[] =>
  demo(ctx.platform, P1)
    .accepted()
    .filter((r) => r.data.StartChargeSeq === seq);

/** SQS FIFO's deduplication window (the push lanes), and a minute */
const PAST_DEDUP_MS = 6 * 60_000;

/** the pile's start confirmation of `o` again, exactly as it first came (the start time the order stored) */
const confirmAgain = (o: Order) =>
  emitPileEvents([
    {
      type: 'PileSessionStarted',
      detail: { StartChargeSeq: o.StartChargeSeq, ConnectorID: o.ConnectorID, accepted: true, at: o.startedAt! },
    },
  ]);

describe('a start confirmation whose OrderStarted publish failed is redelivered (issue 17)', () => {
  const connector = 'FX0002E01C1';
  let seq = '';

  it('stop asked while starting, stopped before any reading: the partner gets the start result, then the stop result and order, each once', async () => {
    await plug(connector);
    seq = seqOf(ctx.p1);
    const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(start.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });
    // the partner stops before the pile confirmed the start: remembered, sent once it does
    const stop = await ctx.p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(stop.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 3 });

    await settle(); // the start command has reached the pile
    const fault = failFirstOrderStarted(seq);
    try {
      // the pile answers the start within 2–5 s (simulated); its first reading would come 15 s after
      ctx.platform.simulator!.advance(5_000);
      await eventually(async () => ({ failed: fault.state.failed, status: (await order(seq)).status }), {
        until: (x) => x.failed === 1 && x.status === 2,
        what: 'the order charging, its OrderStarted publish failed',
      });
    } finally {
      fault.restore();
    }
    // charging, yet nobody was told: no OrderStarted, no stop command; the confirmation waits for its redelivery
    const charging = await order(seq);
    expect(charging).toMatchObject({ status: 2, stopRequested: true });
    expect(startedOn(seq)).toHaveLength(0);
    expect(commandsOf(seq)).toEqual(['start']);

    clock.advance(REDELIVERY_MS);
    await eventually(async () => ({ started: startedOn(seq).length, commands: commandsOf(seq) }), {
      until: (x) => x.started === 1 && x.commands.includes('stop'),
      what: 'the redelivered confirmation: OrderStarted published, the stop sent',
    });
    expect(startedOn(seq)[0]!.detail).toMatchObject({
      StartChargeSeq: seq,
      succeeded: true,
      StartChargeSeqStat: 2,
      StartTime: formatDateTime(new Date(charging.startedAt!)),
    });
    await settle();
    // the pile stops 1–3 s (simulated) after the command: before its first reading
    await ctx.pump(
      () => order(seq),
      (o) => o.status === 4,
      `${seq} finished`,
    );
    await settle();

    const finished = await order(seq);
    expect(finished).toMatchObject({ charged: true, stoppedByPartner: true, stopReason: 1 });
    expect(finished.lastProgressAt).toBeUndefined(); // no reading: nothing but OrderStarted carried the start result
    const pushes = orderPushes(seq);
    expect(pushes.map((r) => r.iface)).toEqual([
      'notification_start_charge_result',
      'notification_equip_charge_status',
      'notification_stop_charge_result',
      'notification_charge_order_info',
    ]);
    expect(pushes[0]!.data).toEqual({
      StartChargeSeq: seq,
      StartChargeSeqStat: 2,
      ConnectorID: connector,
      StartTime: formatDateTime(new Date(charging.startedAt!)),
    });
    expect(pushes[1]!.data).toMatchObject({ StartChargeSeqStat: 4 });
    expect(pushes[2]!.data).toMatchObject({ StartChargeSeqStat: 4, SuccStat: 0 });
    for (const iface of new Set(pushes.map((r) => r.iface))) acceptedOf(demo(ctx.platform, P1), iface, seq); // each conforms
    expect(commandsOf(seq)).toEqual(['start', 'stop']);
  });

  it('the confirmation once more, the order finished: ignored as before (no OrderStarted, no command, no push)', async () => {
    const finished = await order(seq);
    expect(finished.status).toBe(4);
    const pushes = orderPushes(seq).length;
    await confirmAgain(finished);
    await settle();
    expect(await order(seq)).toMatchObject({ status: 4, charged: true, stopReason: 1, endedAt: finished.endedAt, bill: finished.bill });
    expect(startedOn(seq)).toHaveLength(1);
    expect(commandsOf(seq)).toEqual(['start', 'stop']);
    expect(orderPushes(seq)).toHaveLength(pushes);
  });
});

describe('a start that never began whose failed start result was not published (issue 17)', () => {
  const failedStarts = (seq: string) => acceptedOf(demo(ctx.platform, P1), 'notification_start_charge_result', seq);

  it('the pile refused: the redelivered refusal tells it, once; the start timeout after it publishes nothing', async () => {
    const connector = 'FX0002E02C1';
    await ctx.admin(connector, 'refuse');
    try {
      const seq = seqOf(ctx.p1);
      const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
      expect(start.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });
      await settle(); // the start command has reached the pile
      const fault = failFirstOrderStarted(seq);
      try {
        ctx.platform.simulator!.advance(5_000); // the pile answers within 2–5 s: refused
        await eventually(async () => ({ failed: fault.state.failed, status: (await order(seq)).status }), {
          until: (x) => x.failed === 1 && x.status === 4,
          what: 'the order finished as refused, its OrderStarted publish failed',
        });
      } finally {
        fault.restore();
      }
      expect(startedOn(seq)).toHaveLength(0);

      // the refusal's redelivery; the start timeout (60 s) comes due with it, its first delivery: nothing more
      clock.advance(REDELIVERY_MS);
      await eventually(async () => startedOn(seq).length, { until: (n) => n === 1, what: 'OrderStarted (failed) published' });
      await settle();
      const ended = await order(seq);
      expect(ended).toMatchObject({ status: 4, charged: false, stopReason: 5, finishReason: 'pile refused the start' });
      expect(startedOn(seq)).toHaveLength(1);
      expect(startedOn(seq)[0]!.detail).toMatchObject({
        succeeded: false,
        StartChargeSeqStat: 4,
        failReason: ended.finishReason,
        StartTime: formatDateTime(new Date(ended.endedAt!)),
      });
      const got = failedStarts(seq);
      expect(got).toHaveLength(1);
      expect(got[0]!.data).toEqual({
        StartChargeSeq: seq,
        StartChargeSeqStat: 4,
        ConnectorID: connector,
        StartTime: formatDateTime(new Date(ended.endedAt!)),
      });
    } finally {
      await ctx.admin(connector, 'normal');
    }
  });

  it('the pile never answered: the redelivered start timeout tells it, once, and tells the pile to stop again', async () => {
    const connector = 'FX0003E02C1';
    await ctx.admin(connector, 'silent');
    try {
      const seq = seqOf(ctx.p1);
      const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
      expect(start.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });
      const fault = failFirstOrderStarted(seq);
      try {
        clock.advance(REDELIVERY_MS); // past the start timeout (START_TIMEOUT_SECONDS 60)
        await eventually(async () => ({ failed: fault.state.failed, status: (await order(seq)).status }), {
          until: (x) => x.failed === 1 && x.status === 4,
          what: 'the order finished by its start timeout, its OrderStarted publish failed',
        });
      } finally {
        fault.restore();
      }
      expect(startedOn(seq)).toHaveLength(0);
      expect(commandsOf(seq)).toEqual(['start']); // the stop after the timeout never left either

      clock.advance(REDELIVERY_MS);
      await eventually(async () => ({ started: startedOn(seq).length, commands: commandsOf(seq) }), {
        until: (x) => x.started === 1 && x.commands.includes('stop'),
        what: 'the redelivered timeout: OrderStarted (failed) published, the stop sent',
      });
      await settle();
      const ended = await order(seq);
      expect(ended).toMatchObject({ status: 4, charged: false, stopReason: 5 });
      expect(ended.finishReason).toMatch(/did not answer the start/);
      expect(startedOn(seq)).toHaveLength(1);
      expect(commandsOf(seq)).toEqual(['start', 'stop']);
      const got = failedStarts(seq);
      expect(got).toHaveLength(1);
      expect(got[0]!.data).toMatchObject({ StartChargeSeqStat: 4, StartTime: formatDateTime(new Date(ended.endedAt!)) });
    } finally {
      await ctx.admin(connector, 'normal');
    }
  });
});

describe('duplicates of a start confirmation that was applied in full (issue 17)', () => {
  it('OrderStarted again each time, the partner still has ONE start result: FIFO dedup within 5 minutes, the gate after', async () => {
    const connector = 'FX0003E01C1';
    await plug(connector);
    const seq = seqOf(ctx.p1);
    const start = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(start.data).toMatchObject({ SuccStat: 0 });
    await settle(); // the start command has reached the pile
    ctx.platform.simulator!.advance(5_000);
    await eventually(() => order(seq), { until: (o) => o.status === 2, what: `${seq} charging` });
    await settle();
    const starts = () => acceptedOf(demo(ctx.platform, P1), 'notification_start_charge_result', seq);
    expect(starts()).toHaveLength(1);
    expect(startedOn(seq)).toHaveLength(1);
    const charging = await order(seq);

    // within 5 minutes: the same push id, dropped by the push lane's FIFO deduplication
    await confirmAgain(charging);
    await settle();
    expect(startedOn(seq)).toHaveLength(2);
    expect(startedOn(seq)[1]!.detail).toEqual(startedOn(seq)[0]!.detail);
    expect(starts()).toHaveLength(1);

    // beyond 5 minutes (no reading meanwhile, so no charge status made it stale): one copy per order at the gate
    clock.advance(PAST_DEDUP_MS);
    await confirmAgain(charging);
    await settle();
    expect(startedOn(seq)).toHaveLength(3);
    expect(starts()).toHaveLength(1);
    // no stop was asked for: none sent; the order is as it was
    expect(commandsOf(seq)).toEqual(['start']);
    const after = await order(seq);
    expect(after).toMatchObject({ status: 2, startedAt: charging.startedAt });
    expect(after.lastProgressAt).toBeUndefined();
  });
});
