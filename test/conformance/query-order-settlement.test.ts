/**
 * Pay after charging (充电后支付) — ours (no public contract, reference §5.5), enabled by the
 * partner's profile `extensions` (query_order_settlement): the partner's orders are payable to us
 * once finished (PayableMoney = TotalMoney of the one billing function); query_order_settlement
 * answers the status (0 running, 1 payable, 2 paid), query_order_pay records the payment once
 * (idempotent per PaySeq; concurrent payments: exactly one recorded), and
 * notification_order_settlement pushes "payable" and "paid". Bad input: a wrong amount, a payment
 * of a running order, a second PaySeq, an unknown order (FailReason 3/2/4/1), a negative or
 * 3-decimal PayMoney (Ret 4004), a partner without the extension (Ret 4004).
 */
import { describe, expect, it } from 'vitest';
import { type ChargingCtx, seqOf, useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { extensionSeed } from '../support/extensions.ts';
import { acceptedOf, demo } from '../support/push.ts';

const ctx: ChargingCtx = useChargingPlatform({ seedFile: extensionSeed(['query_order_settlement', 'query_order_pay']) });
type Settlement = {
  StartChargeSeq: string;
  SettleStatus: number;
  PayableMoney: number;
  PaidMoney?: number;
  PaySeq?: string;
  PaidTime?: string;
};
type Pay = Settlement & { SuccStat: number; FailReason: number };

const settlement = async (seq: string) => {
  const r = await ctx.p1.call('query_order_settlement', { StartChargeSeq: seq });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  return r.data as Settlement;
};
const pay = async (seq: string, PaySeq: string, PayMoney: number | string) => {
  const r = await ctx.p1.call('query_order_pay', { StartChargeSeq: seq, PaySeq, PayMoney });
  expect(r.ret, r.msg).toBe(0);
  return r.data as Pay;
};
const totalOf = async (seq: string) =>
  ((await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { TotalMoney: number }).TotalMoney;
const pushedSettlements = (seq: string) =>
  acceptedOf(demo(ctx.platform, ctx.p1.partner.operatorId), 'notification_order_settlement', seq).map((r) => r.data as Settlement);

describe('query_order_settlement — pay after charging, with query_order_pay and notification_order_settlement (ours)', () => {
  describe('notification_order_settlement — pushed when the order is payable and when it is paid (ours)', () => {
    it('running → payable (pushed) → paid once (pushed); a repeat of the payment gets the same answer', async () => {
      const seq = await ctx.charging(ctx.p1, 'FX0001E01C1');
      expect(await settlement(seq)).toMatchObject({ StartChargeSeq: seq, SettleStatus: 0, PayableMoney: 0 });
      expect((await pay(seq, 'PAY-RUNNING', 1)).FailReason).toBe(2);

      await ctx.stopped(ctx.p1, seq, 'FX0001E01C1');
      const total = await totalOf(seq);
      expect(total).toBeGreaterThan(0);
      expect(await settlement(seq)).toEqual({ StartChargeSeq: seq, ConnectorID: 'FX0001E01C1', SettleStatus: 1, PayableMoney: total });
      const payable = await eventually(async () => pushedSettlements(seq), { until: (l) => l.length > 0, what: 'the payable push' });
      expect(payable[0]).toMatchObject({ SettleStatus: 1, PayableMoney: total });

      expect(await pay(seq, 'PAY-WRONG', Math.round(total * 100 + 1) / 100)).toMatchObject({ SuccStat: 1, FailReason: 3, SettleStatus: 1 });
      const paid = await pay(seq, 'PAY-0001', total);
      expect(paid).toMatchObject({
        SuccStat: 0,
        FailReason: 0,
        SettleStatus: 2,
        PayableMoney: total,
        PaidMoney: total,
        PaySeq: 'PAY-0001',
      });
      expect(paid.PaidTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(await pay(seq, 'PAY-0001', total)).toEqual(paid);
      expect(await pay(seq, 'PAY-0002', total)).toMatchObject({ SuccStat: 1, FailReason: 4, SettleStatus: 2, PaySeq: 'PAY-0001' });
      expect(await settlement(seq)).toMatchObject({ SettleStatus: 2, PaidMoney: total, PaySeq: 'PAY-0001' });
      await eventually(async () => pushedSettlements(seq), {
        until: (l) => l.some((s) => s.SettleStatus === 2 && s.PaySeq === 'PAY-0001'),
        what: 'the paid push',
      });
    });
  });

  describe('query_order_pay — one payment per order', () => {
    it('concurrent payments under different PaySeqs: exactly one is recorded', async () => {
      const seq = await ctx.charging(ctx.p1, 'FX0002E01C1');
      await ctx.stopped(ctx.p1, seq, 'FX0002E01C1');
      const total = await totalOf(seq);
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => pay(seq, `PAY-RACE-${i}`, total)));
      const won = answers.filter((a) => a.SuccStat === 0);
      expect(won).toHaveLength(1);
      expect(answers.filter((a) => a.FailReason === 4)).toHaveLength(4);
      expect((await settlement(seq)).PaySeq).toBe(won[0]!.PaySeq);
    });
  });

  it('an unknown order → FailReason 1 (pay) and Ret 4004 (settlement)', async () => {
    const seq = seqOf(ctx.p1);
    expect(await pay(seq, 'PAY-X', 1)).toMatchObject({ SuccStat: 1, FailReason: 1 });
    const r = await ctx.p1.call('query_order_settlement', { StartChargeSeq: seq });
    expect(r.ret).toBe(4004);
  });

  it.each([[-1], [1.234], ['x']])('PayMoney %s → Ret 4004 naming it', async (money) => {
    const r = await ctx.p1.call('query_order_pay', { StartChargeSeq: seqOf(ctx.p1), PaySeq: 'PAY-BAD', PayMoney: money });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/PayMoney/);
  });

  it('a partner whose profile does not enable it → Ret 4004 "not enabled" on both interfaces', async () => {
    const seq = await ctx.charging(ctx.p2, 'FX0003E01C1');
    for (const [iface, data] of [
      ['query_order_settlement', { StartChargeSeq: seq }],
      ['query_order_pay', { StartChargeSeq: seq, PaySeq: 'PAY-P2', PayMoney: 1 }],
    ] as const) {
      const r = await ctx.p2.call(iface, data);
      expect(r.ret).toBe(4004);
      expect(r.msg).toMatch(/not enabled/);
    }
    await ctx.stopped(ctx.p2, seq, 'FX0003E01C1');
  });
});
