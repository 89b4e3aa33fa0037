/**
 * Stranded sessions (issue 17; rule: shared/domain/stranded.ts): a pile killed mid-session never
 * sends its StopTransaction. The scheduled sweep (stranded-sweep) ends such an order once — billed
 * by the one billing function on its last readings, StopReason 3 (charger fault: the connector went
 * offline), the order and its last charge status pushed to the partner as for a stop the pile made itself, the connector freed — while a session
 * whose meter is live is never touched. The pile's own stop, replayed when it comes back, is
 * recorded on the order and never billed twice.
 *
 * Time is the pile simulator's MANUAL clock: the test moves it, and fires the sweep's schedule at
 * the simulated time it chooses (the schedule's time is the rule's clock). Default thresholds
 * (offline 15 min), no shortened timeouts.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedPush } from '../../infra/local/partner-server.ts';
import { getOrder, type Order } from '../../shared/store/orders.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';

const ctx = useChargingPlatform();
const KILLED = 'FX0002E01C1';
const LIVE = 'FX0002E02C1';

interface ChargeStatus {
  StartChargeSeqStat: number;
  TotalPower: number;
  TotalMoney: number;
  ElecMoney: number;
  SeviceMoney: number;
}

/** fire the sweep's schedule at simulated time `at` (twice at once: two sweeps racing) and wait until it has run */
const sweep = async (at: Date, times = 1) => {
  for (let i = 0; i < times; i++) ctx.platform.cloud.scheduler.fire('stranded-sweep', at);
  await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
};
const order = async (seq: string): Promise<Order> => {
  const o = await getOrder(seq);
  if (!o) throw new Error(`no order ${seq}`);
  return o;
};
const pushesOf = (iface: ReceivedPush['iface'], seq: string) =>
  (ctx.platform.demoPartners.get(ctx.p1.partner.operatorId)?.accepted(iface) ?? []).filter((r) => r.data.StartChargeSeq === seq);

describe('stranded sessions — a pile killed mid-session', () => {
  it('the sweep ends the order once on its last readings, pushes it, frees the connector; a live session is untouched; a late stop is recorded, not billed', async () => {
    const killedSeq = await ctx.charging(ctx.p1, KILLED);
    const liveSeq = await ctx.charging(ctx.p1, LIVE);

    // the pile dies: its connector goes offline, its stop report never leaves (until it comes back)
    await ctx.admin(KILLED, 'offline', 0);
    await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
    const before = await order(killedSeq);
    expect(before.status).toBe(2);
    const lastReadingAt = before.meter!.t;
    const running = (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: killedSeq })).data as ChargeStatus;
    expect(running.TotalPower).toBeGreaterThan(0);

    // a sweep inside the offline time changes nothing
    await sweep(ctx.platform.simulator!.now());
    expect((await order(killedSeq)).status).toBe(2);

    // 16 simulated minutes pass: the live session keeps metering, the killed one stays silent
    for (let m = 0; m < 16; m++) {
      ctx.platform.simulator!.advance(60_000);
      await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
    }
    const liveReading = (await order(liveSeq)).meter!.t;
    expect(liveReading).toBeGreaterThan(lastReadingAt + 15 * 60_000);

    // two sweeps racing at the same moment
    await sweep(ctx.platform.simulator!.now(), 2);

    const ended = await order(killedSeq);
    expect(ended).toMatchObject({ status: 4, stopReason: 3, stranded: 'connector-offline', charged: true });
    expect(ended.finishReason).toMatch(/offline and no meter reading for 15 min/);
    // EndTime = the last reading; the bill = the running bill over the last readings, to the fen
    expect(ended.endedAt).toBe(new Date(lastReadingAt).toISOString());
    expect(ended.meter?.t).toBe(lastReadingAt);
    expect(ended.bill).toMatchObject({
      TotalPower: running.TotalPower,
      TotalMoney: running.TotalMoney,
      TotalElecMoney: running.ElecMoney,
      TotalSeviceMoney: running.SeviceMoney,
    });
    // the live session was not touched
    expect((await order(liveSeq)).status).toBe(2);

    // the partner is told as for any stop the pile made itself: the order, with the same bill
    const info = await eventually(async () => pushesOf('notification_charge_order_info', killedSeq), {
      until: (l) => l.length > 0,
      what: 'notification_charge_order_info of the stranded order',
    });
    // its last charge status, finished (a stop the partner did not ask for has no notification_stop_charge_result, §3.11)
    await eventually(async () => pushesOf('notification_equip_charge_status', killedSeq), {
      until: (l) => l.some((p) => p.data.StartChargeSeqStat === 4),
      what: 'the last notification_equip_charge_status of the stranded order',
    });
    expect(pushesOf('notification_stop_charge_result', killedSeq)).toEqual([]);
    for (const p of info) expect(p.data).toMatchObject({ StopReason: 3, TotalPower: running.TotalPower, TotalMoney: running.TotalMoney });

    // a second sweep later changes nothing (the order is finished, no longer in the index)
    ctx.platform.simulator!.advance(60_000);
    await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
    await sweep(ctx.platform.simulator!.now());
    // (the pile's own stop may be recorded by now: below)
    expect({ ...(await order(killedSeq)), lateStop: undefined }).toEqual({ ...ended, lateStop: undefined });
    expect((await order(liveSeq)).status).toBe(2);

    // the pile comes back and replays its stop (the platform's stop command may bring it sooner): recorded on the order, the bill untouched
    await ctx.admin(KILLED, 'idle', 1);
    const late = await eventually(() => order(killedSeq), { until: (o) => o.lateStop !== undefined, what: 'the late stop recorded' });
    expect(late.lateStop).toMatchObject({ cause: 'fault' });
    expect(late.lateStop!.energyWh).toBeGreaterThanOrEqual(before.meter!.raw);
    expect({ ...late, lateStop: undefined }).toEqual({ ...ended, lateStop: undefined });
    await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
    for (const p of pushesOf('notification_charge_order_info', killedSeq))
      expect(p.data).toMatchObject({ StopReason: 3, TotalMoney: running.TotalMoney });

    // the connector was freed: a new session starts on it
    const again = await ctx.charging(ctx.p1, KILLED);
    await ctx.stopped(ctx.p1, again, KILLED);
    await ctx.stopped(ctx.p1, liveSeq, LIVE);
  });
});
