/**
 * Conformance: notification_charge_order_info — T/CEC 102 §3.12 (reference /work/shared/reference/tcec102.md), as we PUSH it:
 * to outbound.baseUrl + interface, our OperatorID in the envelope, encrypted and signed with the set
 * the partner issued us, Data in the partner's dialect, a Bearer token from the partner's query_token.
 */
import { describe, expect, it } from 'vitest';
import { acceptedOf, demo, emitFinished, newSeq, P1, P2, usePushPlatform, wireOf } from '../support/push.ts';

const ctx = usePushPlatform();

describe('notification_charge_order_info — §3.12', () => {
  it('§3.12: the final order with ChargeDetails in cec2016 spelling, our OperatorID, outbound Sig', async () => {
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E01C1', { stoppedByPartner: false, charged: true, StopReason: 0 });
    await ctx.drain();
    const [r] = acceptedOf(demo(ctx.platform, P1), 'notification_charge_order_info', seq);
    const w = wireOf(ctx.platform, P1, r!);
    expect(w.envelope.OperatorID).toBe(ctx.platform.seed.operatorId);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(Object.keys(w.data)).toEqual([
      'StartChargeSeq',
      'ConnectorID',
      'StartTime',
      'EndTime',
      'TotalPower',
      'TotalElecMoney',
      'TotalSeviceMoney',
      'TotalMoney',
      'StopReason',
      'SumPeriod',
      'ChargeDetails',
    ]);
    expect(Object.keys((w.data.ChargeDetails as Record<string, unknown>[])[0]!)).toEqual([
      'DetailStartTime',
      'DetailEndTime',
      'ElecPrice',
      'SevicePrice',
      'DetailPower',
      'DetailElecMoney',
      'DetailSeviceMoney',
    ]);
  });

  it('§3.12 + §5.1: xiaoju gets TotalServiceMoney, ServicePrice, DetailServiceMoney', async () => {
    const seq = newSeq(P2);
    await emitFinished(P2, seq, 'FX0003E01C2', { stoppedByPartner: false, charged: true });
    await ctx.drain();
    const [r] = acceptedOf(demo(ctx.platform, P2), 'notification_charge_order_info', seq);
    const w = wireOf(ctx.platform, P2, r!);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(w.data).toHaveProperty('TotalServiceMoney', 18.08);
    expect(w.data).not.toHaveProperty('TotalSeviceMoney');
    expect(Object.keys((w.data.ChargeDetails as Record<string, unknown>[])[0]!)).toEqual([
      'DetailStartTime',
      'DetailEndTime',
      'ElecPrice',
      'ServicePrice',
      'DetailPower',
      'DetailElecMoney',
      'DetailServiceMoney',
    ]);
  });

  it('§3.12: no order push for a session that never charged', async () => {
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0004E01C1', { stoppedByPartner: false, charged: false });
    await ctx.drain();
    expect(acceptedOf(demo(ctx.platform, P1), 'notification_charge_order_info', seq)).toEqual([]);
  });
});
