/**
 * query_start_charge_prepay — ours (预支付; no public contract, reference §5.5), enabled by the
 * partner's profile `extensions`: a start holding the user's prepayment. The session stops itself
 * (StopReason 7) at the first meter reading whose running bill reaches the prepayment; the bill is
 * capped at the prepayment (TotalMoney ≤ PrepayMoney, running and final: what was metered after the
 * crossing reading is waived off the last lines); the final order carries PrepayMoney, ConsumedMoney
 * = TotalMoney, RefundMoney = the rest, and its ChargeDetails sum to its totals. Bad input: a prepayment of 0, negative, over 5000 or
 * with 3 decimals (Ret 4004, nothing written); a partner whose profile does not enable it (4004).
 */
import { describe, expect, it } from 'vitest';
import { type ChargingCtx, seqOf, useChargingPlatform } from '../support/charging.ts';
import { extensionSeed } from '../support/extensions.ts';

const ctx: ChargingCtx = useChargingPlatform({ seedFile: extensionSeed(['query_start_charge_prepay']) });
const fen = (x: number) => Math.round(x * 100);
type Status = { StartChargeSeqStat: number; TotalPower: number; TotalMoney: number };
type Info = {
  StartChargeSeqStat: number;
  StopReason?: number;
  TotalPower: number;
  TotalElecMoney: number;
  TotalSeviceMoney: number;
  TotalMoney: number;
  SumPeriod: number;
  ChargeDetails: Array<{ DetailPower: number; DetailElecMoney: number; DetailSeviceMoney: number }>;
  PrepayMoney?: number;
  ConsumedMoney?: number;
  RefundMoney?: number;
};

const status = async (seq: string) => (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as Status;
const info = async (seq: string) => {
  const r = await ctx.p1.call('query_charge_info', { StartChargeSeq: seq });
  expect(r.ret, r.msg).toBe(0);
  return r.data as Info;
};
const startPrepaid = async (connectorId: string, prepay: number) => {
  ctx.platform.simulator!.setVehicle(connectorId, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
  await ctx.admin(connectorId, 'plugged', 2);
  const seq = seqOf(ctx.p1);
  const r = await ctx.p1.call('query_start_charge_prepay', { StartChargeSeq: seq, ConnectorID: connectorId, PrepayMoney: prepay });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  expect(r.data).toMatchObject({ StartChargeSeq: seq, ConnectorID: connectorId, SuccStat: 0, StartChargeSeqStat: 1, PrepayMoney: prepay });
  await ctx.pump(
    () => status(seq),
    (d) => d.StartChargeSeqStat === 2,
    `${seq} charging`,
  );
  return seq;
};
const expectExactBill = (d: Info) => {
  expect(fen(d.TotalMoney)).toBe(fen(d.TotalElecMoney) + fen(d.TotalSeviceMoney));
  expect(d.SumPeriod).toBe(d.ChargeDetails.length);
  expect(d.ChargeDetails.reduce((a, x) => a + fen(x.DetailPower), 0)).toBe(fen(d.TotalPower));
  expect(d.ChargeDetails.reduce((a, x) => a + fen(x.DetailElecMoney), 0)).toBe(fen(d.TotalElecMoney));
  expect(d.ChargeDetails.reduce((a, x) => a + fen(x.DetailSeviceMoney), 0)).toBe(fen(d.TotalSeviceMoney));
};

describe('query_start_charge_prepay — ours (预支付), profile extension', () => {
  it('stops itself at the first reading whose running bill reaches the prepayment: StopReason 7, consumed = prepaid, exact bill', async () => {
    const PREPAY = 1;
    const seq = await startPrepaid('FX0001E01C1', PREPAY);
    // one meter interval (15 s simulated) at a time, each reading folded before the next: the
    // running bill below the prepayment keeps charging, the first one at or over it stops the session
    let below = 0;
    let crossing: Status | undefined;
    for (let i = 0; i < 40 && !crossing; i++) {
      const before = await status(seq);
      ctx.platform.simulator!.advance(15_000);
      const after = await ctx.pump(
        () => status(seq),
        (d) =>
          d.TotalPower > before.TotalPower && (fen(d.TotalMoney) < fen(PREPAY) ? d.StartChargeSeqStat === 2 : d.StartChargeSeqStat >= 3),
        `${seq}: the next reading folded`,
      );
      // the running bill never shows more than the prepayment
      expect(fen(after.TotalMoney)).toBeLessThanOrEqual(fen(PREPAY));
      if (fen(after.TotalMoney) >= fen(PREPAY)) crossing = after;
      else below = after.TotalMoney;
    }
    expect(crossing, 'the running bill reached the prepayment').toBeDefined();
    expect(fen(below)).toBeLessThan(fen(PREPAY));
    await ctx.pump(
      () => status(seq),
      (d) => d.StartChargeSeqStat === 4,
      `${seq} finished`,
    );
    const d = await info(seq);
    expect(d).toMatchObject({ StartChargeSeqStat: 4, StopReason: 7, PrepayMoney: PREPAY, ConsumedMoney: PREPAY, RefundMoney: 0 });
    expectExactBill(d);
    // the bill is capped at the prepayment: what was metered after the crossing reading (until the
    // pile's stop) is delivered (TotalPower) but waived off the last lines, never charged
    expect(fen(d.TotalMoney)).toBe(fen(PREPAY));
    expect(d.TotalPower).toBeGreaterThanOrEqual(crossing!.TotalPower);
    expect(fen(d.TotalMoney)).toBeLessThanOrEqual(fen(d.PrepayMoney!));
    expect(fen(d.ConsumedMoney!) + fen(d.RefundMoney!)).toBe(fen(d.PrepayMoney!));
  });

  it('stopped by the partner before the prepayment is used: the rest is refunded', async () => {
    const seq = await startPrepaid('FX0002E01C1', 50);
    await ctx.pump(
      () => status(seq),
      (d) => d.TotalPower > 0,
      `${seq} energy`,
    );
    await ctx.stopped(ctx.p1, seq, 'FX0002E01C1');
    const d = await info(seq);
    expect(d.StopReason).toBe(1);
    expect(d.PrepayMoney).toBe(50);
    expect(fen(d.ConsumedMoney!)).toBe(fen(d.TotalMoney));
    expect(fen(d.RefundMoney!)).toBe(5000 - fen(d.TotalMoney));
    expect(d.TotalMoney).toBeGreaterThan(0);
    expectExactBill(d);
  });

  it.each([
    [0, /PrepayMoney/],
    [-5, /PrepayMoney/],
    [5000.01, /PrepayMoney/],
    [1.234, /PrepayMoney/],
    ['abc', /PrepayMoney/],
  ])('PrepayMoney %s → Ret 4004 naming it, no order', async (prepay, msg) => {
    const seq = seqOf(ctx.p1);
    const r = await ctx.p1.call('query_start_charge_prepay', { StartChargeSeq: seq, ConnectorID: 'FX0003E01C1', PrepayMoney: prepay });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(msg);
    const q = await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq });
    expect(q.ret).toBe(4004);
  });

  it('the same StartChargeSeq with another PrepayMoney → Ret 4004; the same again → the same answer', async () => {
    const seq = await startPrepaid('FX0003E01C1', 20);
    const again = await ctx.p1.call('query_start_charge_prepay', { StartChargeSeq: seq, ConnectorID: 'FX0003E01C1', PrepayMoney: 20 });
    expect(again.ret).toBe(0);
    expect(again.data).toMatchObject({ SuccStat: 0, PrepayMoney: 20 });
    const other = await ctx.p1.call('query_start_charge_prepay', { StartChargeSeq: seq, ConnectorID: 'FX0003E01C1', PrepayMoney: 30 });
    expect(other.ret).toBe(4004);
    expect(other.msg).toMatch(/PrepayMoney/);
    await ctx.stopped(ctx.p1, seq, 'FX0003E01C1');
  });

  it('a partner whose profile does not enable it → Ret 4004 "not enabled", no order', async () => {
    const seq = seqOf(ctx.p2);
    const r = await ctx.p2.call('query_start_charge_prepay', { StartChargeSeq: seq, ConnectorID: 'FX0001E01C2', PrepayMoney: 10 });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/not enabled/);
    expect((await ctx.p2.call('query_equip_charge_status', { StartChargeSeq: seq })).ret).toBe(4004);
  });
});
