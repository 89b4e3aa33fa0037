/**
 * Conformance: notification_equip_charge_status — T/CEC 102 §3.9 (reference /work/shared/reference/tcec102.md), as we PUSH it:
 * to outbound.baseUrl + interface, our OperatorID in the envelope, encrypted and signed with the set
 * the partner issued us, Data in the partner's dialect, a Bearer token from the partner's query_token.
 */
import { describe, expect, it } from 'vitest';
import { OrderProgress, OrderStarted } from '../../events/orders.ts';
import { sendProgress } from '../../shared/services/charging.ts';
import { acceptedOf, demo, emitFinished, emitStarted, newSeq, P1, P2, usePushPlatform, wireOf } from '../support/push.ts';

const ctx = usePushPlatform();

describe('notification_equip_charge_status — §3.9', () => {
  // as the charging consumer sends a due progress: planned there, straight to the push lanes (issue 9 §2)
  // (an order's first carries its start: `withStart`)
  const progress = (operatorId: string, seq: string, endTime: string, withStart = false) => {
    const base = { StartChargeSeq: seq, OperatorID: operatorId, ConnectorID: 'FX0001E01C1', StationID: 'FX0001' };
    return sendProgress([
      {
        progress: { ...OrderProgress.sample, ...base, EndTime: endTime },
        ...(withStart ? { start: { ...OrderStarted.sample, ...base } } : {}),
      },
    ]);
  };
  const ifacesOf = (seq: string) =>
    demo(ctx.platform, P1)
      .accepted()
      .filter((r) => r.data.StartChargeSeq === seq)
      .map((r) => r.iface);

  // at most one push per 50 s of samples: the charging service sends OrderProgress only when it is due
  // (test/integration/charging-concurrency.test.ts, "progress at most once per 50 s")
  it('§3.9: the query_equip_charge_status object; cec2016 keeps SeviceMoney; each progress is pushed in order', async () => {
    const seq = newSeq(P1);
    await progress(P1, seq, '2026-11-23 09:45:00');
    await ctx.drain();
    await progress(P1, seq, '2026-11-23 09:45:50');
    await ctx.drain();
    const got = acceptedOf(demo(ctx.platform, P1), 'notification_equip_charge_status', seq);
    expect(got.map((r) => r.data.EndTime)).toEqual(['2026-11-23 09:45:00', '2026-11-23 09:45:50']);
    const w = wireOf(ctx.platform, P1, got[0]!);
    expect(w.envelope.OperatorID).toBe(ctx.platform.seed.operatorId);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(Object.keys(w.data)).toEqual([
      'StartChargeSeq',
      'StartChargeSeqStat',
      'ConnectorID',
      'ConnectorStatus',
      'CurrentA',
      'VoltageA',
      'Soc',
      'StartTime',
      'EndTime',
      'TotalPower',
      'ElecMoney',
      'SeviceMoney',
      'TotalMoney',
      'SumPeriod',
      'ChargeDetails',
    ]);
    expect(w.data).toMatchObject({
      StartChargeSeqStat: 2,
      ConnectorStatus: 3,
      TotalPower: 12.35,
      ElecMoney: 10.03,
      SeviceMoney: 4.94,
      TotalMoney: 14.97,
    });
    expect((w.data.ChargeDetails as Record<string, unknown>[])[0]).toHaveProperty('DetailSeviceMoney', 4.94);
  });

  it('§3.9 + §5.1: xiaoju gets ServiceMoney / DetailServiceMoney and keeps ElecMoney (its push, not its query)', async () => {
    const seq = newSeq(P2);
    await progress(P2, seq, '2026-11-23 10:00:00');
    await ctx.drain();
    const [r] = acceptedOf(demo(ctx.platform, P2), 'notification_equip_charge_status', seq);
    const w = wireOf(ctx.platform, P2, r!);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(w.data).toHaveProperty('ServiceMoney', 4.94);
    expect(w.data).toHaveProperty('ElecMoney', 10.03);
    expect(w.data).not.toHaveProperty('SeviceMoney');
    expect(w.data).not.toHaveProperty('ElectMoney');
    expect((w.data.ChargeDetails as Record<string, unknown>[])[0]).toHaveProperty('ServicePrice', 0.4);
  });

  it("§3.8 before §3.9: an order's first charge status carries its start result ahead of it; the planner's later copy is dropped", async () => {
    const seq = newSeq(P1);
    // the charging consumer sends the first due progress straight to the push lane; the start's planner comes later
    await progress(P1, seq, '2026-11-23 12:00:00', true);
    await emitStarted(P1, seq, 'FX0001E01C1');
    await ctx.drain();
    expect(ifacesOf(seq)).toEqual(['notification_start_charge_result', 'notification_equip_charge_status']);
  });

  it('§3.8 before §3.9: a start result planned after a charge status of its order was pushed is stale, never pushed after it', async () => {
    const seq = newSeq(P1);
    await progress(P1, seq, '2026-11-23 12:10:00');
    await ctx.drain();
    await emitStarted(P1, seq, 'FX0001E01C1');
    await ctx.drain();
    expect(ifacesOf(seq)).toEqual(['notification_equip_charge_status']);
  });

  it('§3.9: a last push at the end (StartChargeSeqStat 4) and no older sample after it', async () => {
    const seq = newSeq(P1);
    await progress(P1, seq, '2026-11-23 11:00:00');
    await ctx.drain();
    await emitFinished(P1, seq, 'FX0001E01C1', { charged: true, stoppedByPartner: false, StopReason: 2, finalSoc: 97.5 });
    await ctx.drain();
    await progress(P1, seq, '2026-11-23 11:05:00'); // a late sample after the end
    await ctx.drain();
    const got = acceptedOf(demo(ctx.platform, P1), 'notification_equip_charge_status', seq);
    expect(got.map((r) => r.data.StartChargeSeqStat)).toEqual([2, 4]);
    expect(got[1]!.data).toMatchObject({ TotalMoney: 54.8, TotalPower: 45.21, Soc: 97.5, CurrentA: 0 });
  });
});
