/**
 * query_equip_business_policy — T/CEC 102 §3.6 over HTTP against the local runtime: the
 * connector's time-of-use periods (StartTime HHmmss, ElecPrice, SevicePrice — ServicePrice in the
 * xiaoju dialect, reference §5.1), SumPeriod; FailReason 1 when there is no policy.
 */
import { describe, expect, it } from 'vitest';
import { type Caller, useStationsPlatform } from '../support/stations.ts';

const ctx = useStationsPlatform();

const seq = (p: Caller, n: number) => `${p.partner.operatorId}${String(n).padStart(18, '0')}`;

const PERIODS = [
  ['000000', 0.35, 0.4],
  ['080000', 1.05, 0.8],
  ['120000', 0.68, 0.6],
  ['220000', 0.35, 0.4],
] as const;

describe('query_equip_business_policy — T/CEC 102 §3.6', () => {
  it('§3.6 cec2016 dialect: exact wire keys with SevicePrice (sic), SumPeriod = number of periods', async () => {
    const r = await ctx.p1.call('query_equip_business_policy', { EquipBizSeq: seq(ctx.p1, 1), ConnectorID: 'FX0001E01C1' });
    expect(r.ret, r.msg).toBe(0);
    expect(r.sigVerified).toBe(true);
    expect(r.data).toEqual({
      EquipBizSeq: seq(ctx.p1, 1),
      ConnectorID: 'FX0001E01C1',
      SuccStat: 0,
      FailReason: 0,
      SumPeriod: 4,
      PolicyInfos: PERIODS.map(([StartTime, ElecPrice, SevicePrice]) => ({ StartTime, ElecPrice, SevicePrice })),
    });
  });

  it('§3.6 + §5.1 xiaoju dialect: the same periods with ServicePrice, no SevicePrice key', async () => {
    const r = await ctx.p2.call('query_equip_business_policy', { EquipBizSeq: seq(ctx.p2, 2), ConnectorID: 'FX0003E02C1' });
    expect(r.ret, r.msg).toBe(0);
    const d = r.data as { PolicyInfos: Array<Record<string, unknown>> };
    expect(d).toMatchObject({ SuccStat: 0, FailReason: 0, SumPeriod: 4 });
    expect(d.PolicyInfos).toEqual(PERIODS.map(([StartTime, ElecPrice, ServicePrice]) => ({ StartTime, ElecPrice, ServicePrice })));
    for (const p of d.PolicyInfos) expect(Object.keys(p).sort()).toEqual(['ElecPrice', 'ServicePrice', 'StartTime']);
  });

  it('§3.6 FailReason 1: a station without prices → SuccStat 1, SumPeriod 0, no periods', async () => {
    const r = await ctx.p1.call('query_equip_business_policy', { EquipBizSeq: seq(ctx.p1, 3), ConnectorID: 'FX0004E01C1' });
    expect(r.ret).toBe(0);
    expect(r.data).toMatchObject({ EquipBizSeq: seq(ctx.p1, 3), ConnectorID: 'FX0004E01C1', SuccStat: 1, FailReason: 1, SumPeriod: 0 });
    expect((r.data as { PolicyInfos?: unknown[] }).PolicyInfos ?? []).toEqual([]);
  });

  it('§3.6 FailReason 1: an unknown connector gets the same answer (existence is not leaked)', async () => {
    const r = await ctx.p1.call('query_equip_business_policy', { EquipBizSeq: seq(ctx.p1, 4), ConnectorID: 'NOPE' });
    expect(r.ret).toBe(0);
    expect(r.data).toMatchObject({ SuccStat: 1, FailReason: 1, SumPeriod: 0 });
  });

  it('§3.6: missing ConnectorID → Ret 4004 naming it', async () => {
    const r = await ctx.p1.call('query_equip_business_policy', { EquipBizSeq: seq(ctx.p1, 5) });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/ConnectorID/);
  });
});
