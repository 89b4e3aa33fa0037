/**
 * query_equip_charge_status — T/CEC 102 §3.9, over HTTP against the local runtime, with the pile
 * simulator's time driven by the test: a charging order reports StartChargeSeqStat 2, the
 * connector charging, live current/voltage/SOC, energy and money whose ChargeDetails sum to the
 * totals; a finished one StartChargeSeqStat 4 with no current; the partner's dialect spells the
 * money fields (xiaoju `ElectMoney`/`ServiceMoney`); an unknown order and another partner's order
 * are the same Ret 4004.
 */
import { describe, expect, it } from 'vitest';
import { DATE_TIME, useChargingPlatform } from '../support/charging.ts';

const ctx = useChargingPlatform();
const cents = (x: number) => Math.round(x * 100);
type Status = Record<string, unknown> & {
  StartChargeSeqStat: number;
  ConnectorStatus: number;
  CurrentA: number;
  VoltageA: number;
  Soc: number;
  StartTime: string;
  EndTime: string;
  TotalPower: number;
  TotalMoney: number;
  SumPeriod: number;
  ChargeDetails: unknown[];
};
const status = async (seq: string, caller = ctx.p1) => {
  const r = await caller.call('query_equip_charge_status', { StartChargeSeq: seq });
  expect(r.ret, r.msg).toBe(0);
  expect(r.sigVerified).toBe(true);
  return r.data as Status;
};

/** the bill's invariant: details sum to the totals, Elec + Sevice = Total, one detail per period (`service`: the dialect's spelling) */
const expectConsistentMoney = (d: Status, elec: number, sevice: number, service: 'Sevice' | 'Service' = 'Sevice') => {
  const details = d.ChargeDetails as unknown as Array<Record<string, number>>;
  expect(cents(d.TotalMoney)).toBe(cents(elec) + cents(sevice));
  expect(d.SumPeriod).toBe(details.length);
  expect(details.reduce((a, x) => a + cents(x.DetailPower!), 0)).toBe(cents(d.TotalPower));
  expect(details.reduce((a, x) => a + cents(x.DetailElecMoney!), 0)).toBe(cents(elec));
  expect(details.reduce((a, x) => a + cents(x[`Detail${service}Money`]!), 0)).toBe(cents(sevice));
};

describe('query_equip_charge_status — T/CEC 102 §3.9', () => {
  it('a charging order: StartChargeSeqStat 2, ConnectorStatus 3, live current/voltage/SOC, energy and a consistent bill', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0001E01C1');
    const d = await ctx.pump(
      () => status(seq),
      (x) => x.ChargeDetails.length > 0 && x.Soc > 0,
      'a charging sample',
    );
    expect(d).toMatchObject({ StartChargeSeq: seq, StartChargeSeqStat: 2, ConnectorID: 'FX0001E01C1', ConnectorStatus: 3 });
    expect(d.CurrentA).toBeGreaterThan(0);
    expect(d.VoltageA).toBeGreaterThan(0);
    expect(d.Soc).toBeGreaterThan(0);
    expect(d.Soc).toBeLessThanOrEqual(100);
    expect(d.StartTime).toMatch(DATE_TIME);
    expect(d.EndTime).toMatch(DATE_TIME);
    expect(d.EndTime >= d.StartTime).toBe(true);
    expect(d.TotalPower).toBeGreaterThan(0);
    expect(d).toHaveProperty('ElecMoney');
    expect(d).toHaveProperty('SeviceMoney');
    expectConsistentMoney(d, d.ElecMoney as number, d.SeviceMoney as number);

    // the energy only grows while the order charges
    const later = await ctx.pump(
      () => status(seq),
      (x) => x.TotalPower > d.TotalPower,
      'more energy',
    );
    expect(later.StartChargeSeqStat).toBe(2);
  });

  it('a finished order: StartChargeSeqStat 4, no current, the final bill; the connector no longer charging', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0001E01C2');
    await ctx.stopped(ctx.p1, seq, 'FX0001E01C2');
    const d = await status(seq);
    expect(d).toMatchObject({ StartChargeSeq: seq, StartChargeSeqStat: 4, ConnectorID: 'FX0001E01C2', CurrentA: 0 });
    expect([1, 2]).toContain(d.ConnectorStatus);
    expect(d.TotalPower).toBeGreaterThan(0);
    expectConsistentMoney(d, d.ElecMoney as number, d.SeviceMoney as number);
    // a finished order's figures are final
    expect(await status(seq)).toEqual(d);
  });

  it('speaks the partner dialect: xiaoju gets ElectMoney/ServiceMoney, cec2016 ElecMoney/SeviceMoney', async () => {
    const seq = await ctx.charging(ctx.p2, 'FX0003E01C1');
    const xiaoju = await status(seq, ctx.p2);
    expect(Object.keys(xiaoju)).toEqual(expect.arrayContaining(['ElectMoney', 'ServiceMoney', 'TotalMoney']));
    expect(xiaoju).not.toHaveProperty('ElecMoney');
    expect(xiaoju).not.toHaveProperty('SeviceMoney');
    expectConsistentMoney(xiaoju, xiaoju.ElectMoney as number, xiaoju.ServiceMoney as number, 'Service');
    expect(JSON.stringify(xiaoju)).not.toContain('Sevice');
  });

  it("an unknown StartChargeSeq → Ret 4004 naming it; another partner's order → exactly the same", async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0003E02C1');
    const none = await ctx.p2.call('query_equip_charge_status', { StartChargeSeq: `${ctx.p2.partner.operatorId}000000000000000000` });
    const other = await ctx.p2.call('query_equip_charge_status', { StartChargeSeq: seq });
    expect(none.ret).toBe(4004);
    expect(none.msg).toContain('StartChargeSeq');
    expect(other.ret).toBe(4004);
    expect(other.msg).toBe(none.msg);
  });
});
