/**
 * query_stop_charge — T/CEC 102 §3.10, over HTTP against the local runtime, with the pile
 * simulator's time driven by the test: a charging order is stopped (SuccStat 0, StartChargeSeqStat
 * 3) and ends stopped by the partner; FailReason 1 order/device does not exist (also: another
 * partner's order, or another ConnectorID), 2 the pile is offline, 3 already stopped; a stop before
 * the start is confirmed is accepted.
 */
import { describe, expect, it } from 'vitest';
import { getOrder } from '../../shared/store/orders.ts';
import { seqOf, useChargingPlatform } from '../support/charging.ts';

const ctx = useChargingPlatform();
const stop = async (seq: string, connectorId: string, caller = ctx.p1) => {
  const r = await caller.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connectorId });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  expect(r.data).toMatchObject({ StartChargeSeq: seq });
  return r.data as { StartChargeSeqStat: number; SuccStat: number; FailReason: number };
};

describe('query_stop_charge — T/CEC 102 §3.10', () => {
  it('a charging order → SuccStat 0, FailReason 0, StartChargeSeqStat 3; it ends stopped by the partner (StopReason 1)', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0001E01C1');
    expect(await stop(seq, 'FX0001E01C1')).toEqual({ StartChargeSeq: seq, StartChargeSeqStat: 3, SuccStat: 0, FailReason: 0 });
    const order = await ctx.pump(
      () => getOrder(seq),
      (o) => o?.status === 4,
      'finished',
    );
    expect(order).toMatchObject({ stoppedByPartner: true, stopReason: 1 });
  });

  it('3: a finished order is already stopped (StartChargeSeqStat 4)', async () => {
    const seq = await ctx.charging(ctx.p2, 'FX0001E01C2');
    await ctx.stopped(ctx.p2, seq, 'FX0001E01C2');
    expect(await stop(seq, 'FX0001E01C2', ctx.p2)).toMatchObject({ StartChargeSeqStat: 4, SuccStat: 1, FailReason: 3 });
  });

  it("1: an unknown order; another partner's order (left running); the right order with another ConnectorID", async () => {
    expect(await stop(`${ctx.p1.partner.operatorId}000000000000000000`, 'FX0002E01C1')).toMatchObject({ SuccStat: 1, FailReason: 1 });
    const seq = await ctx.charging(ctx.p1, 'FX0003E01C1');
    expect(await stop(seq, 'FX0003E01C1', ctx.p2)).toMatchObject({ SuccStat: 1, FailReason: 1 });
    expect(await stop(seq, 'FX0003E01C2')).toMatchObject({ SuccStat: 1, FailReason: 1 });
    expect(await getOrder(seq)).toMatchObject({ status: 2 });
    expect((await getOrder(seq))?.stoppedByPartner).toBeFalsy();
  });

  it('2: the pile went offline during the session → the order keeps charging (StartChargeSeqStat 2)', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0002E01C1');
    await ctx.admin('FX0002E01C1', 'offline', 0);
    expect(await stop(seq, 'FX0002E01C1')).toMatchObject({ StartChargeSeqStat: 2, SuccStat: 1, FailReason: 2 });
  });

  it('a stop before the pile confirmed the start → accepted, StartChargeSeqStat 3', async () => {
    await ctx.admin('FX0002E02C1', 'silent');
    const seq = seqOf(ctx.p1);
    expect((await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0002E02C1' })).data).toMatchObject({
      SuccStat: 0,
      StartChargeSeqStat: 1,
    });
    expect(await stop(seq, 'FX0002E02C1')).toMatchObject({ StartChargeSeqStat: 3, SuccStat: 0, FailReason: 0 });
    expect(await getOrder(seq)).toMatchObject({ stoppedByPartner: true });
  });
});
