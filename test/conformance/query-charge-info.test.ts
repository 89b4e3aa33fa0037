/**
 * query_charge_info — extension (reference §3.14: not in the 2016 standard), enabled per partner
 * (`features.queryChargeInfo`): the order's StartChargeSeqStat and the notification_charge_order_info
 * (§3.12) fields — times, energy, money, StopReason once finished, ChargeDetails summing to the
 * totals. A partner without the feature gets Ret 4004; an unknown order Ret 4004.
 */
import { describe, expect, it } from 'vitest';
import { DATE_TIME, useChargingPlatform } from '../support/charging.ts';

const ctx = useChargingPlatform();
const cents = (x: number) => Math.round(x * 100);
type Info = {
  StartChargeSeq: string;
  StartChargeSeqStat: number;
  ConnectorID: string;
  StartTime: string;
  EndTime: string;
  TotalPower: number;
  TotalElecMoney: number;
  TotalSeviceMoney: number;
  TotalMoney: number;
  StopReason?: number;
  SumPeriod: number;
  ChargeDetails: Array<{
    DetailStartTime: string;
    DetailEndTime: string;
    DetailPower: number;
    DetailElecMoney: number;
    DetailSeviceMoney: number;
  }>;
};
const info = async (seq: string) => {
  const r = await ctx.p1.call('query_charge_info', { StartChargeSeq: seq });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  return r.data as Info;
};

describe('query_charge_info — extension §3.14 (partner feature queryChargeInfo)', () => {
  it('a finished order: StartChargeSeqStat 4, StopReason 1 (stopped by the partner), the bill as in query_equip_charge_status', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0001E01C1');
    await ctx.stopped(ctx.p1, seq, 'FX0001E01C1');
    const d = await info(seq);
    expect(d).toMatchObject({ StartChargeSeq: seq, ConnectorID: 'FX0001E01C1', StartChargeSeqStat: 4, StopReason: 1 });
    expect(d.StartTime).toMatch(DATE_TIME);
    expect(d.EndTime).toMatch(DATE_TIME);
    expect(d.EndTime >= d.StartTime).toBe(true);
    expect(d.TotalPower).toBeGreaterThan(0);
    expect(cents(d.TotalMoney)).toBe(cents(d.TotalElecMoney) + cents(d.TotalSeviceMoney));
    expect(d.SumPeriod).toBe(d.ChargeDetails.length);
    expect(d.ChargeDetails.reduce((a, x) => a + cents(x.DetailPower), 0)).toBe(cents(d.TotalPower));
    expect(d.ChargeDetails.reduce((a, x) => a + cents(x.DetailElecMoney), 0)).toBe(cents(d.TotalElecMoney));
    expect(d.ChargeDetails.reduce((a, x) => a + cents(x.DetailSeviceMoney), 0)).toBe(cents(d.TotalSeviceMoney));

    const status = (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as Record<string, number>;
    expect({ TotalPower: d.TotalPower, TotalMoney: d.TotalMoney }).toEqual({
      TotalPower: status.TotalPower,
      TotalMoney: status.TotalMoney,
    });
  });

  it('a running order: StartChargeSeqStat 2 and no StopReason yet', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0002E01C1');
    const d = await info(seq);
    expect(d).toMatchObject({ StartChargeSeq: seq, StartChargeSeqStat: 2 });
    expect(d).not.toHaveProperty('StopReason');
  });

  it('an unknown StartChargeSeq → Ret 4004 naming it', async () => {
    const r = await ctx.p1.call('query_charge_info', { StartChargeSeq: `${ctx.p1.partner.operatorId}000000000000000009` });
    expect(r.ret).toBe(4004);
    expect(r.msg).toContain('StartChargeSeq');
  });

  it('a partner without the feature → Ret 4004 "not enabled", even for its own order', async () => {
    const seq = await ctx.charging(ctx.p2, 'FX0003E01C1');
    const r = await ctx.p2.call('query_charge_info', { StartChargeSeq: seq });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/not enabled/);
  });
});
