/**
 * Conformance: notification_stop_charge_result — T/CEC 102 §3.11 (reference /work/shared/reference/tcec102.md), as we PUSH it:
 * to outbound.baseUrl + interface, our OperatorID in the envelope, encrypted and signed with the set
 * the partner issued us, Data in the partner's dialect, a Bearer token from the partner's query_token.
 */
import { describe, expect, it } from 'vitest';
import { acceptedOf, demo, emitFinished, newSeq, P1, usePushPlatform, wireOf } from '../support/push.ts';

const ctx = usePushPlatform();

describe('notification_stop_charge_result — §3.11', () => {
  it('§3.11: StartChargeSeq, StartChargeSeqStat 4, ConnectorID, SuccStat 0, FailReason 0 when the partner stopped the order', async () => {
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E01C1', { stoppedByPartner: true, charged: true, StopReason: 1 });
    await ctx.drain();
    const [r] = acceptedOf(demo(ctx.platform, P1), 'notification_stop_charge_result', seq);
    const w = wireOf(ctx.platform, P1, r!);
    expect(w.envelope.OperatorID).toBe(ctx.platform.seed.operatorId);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(w.plain).toBe(
      JSON.stringify({ StartChargeSeq: seq, StartChargeSeqStat: 4, ConnectorID: 'FX0002E01C1', SuccStat: 0, FailReason: 0 }),
    );
  });

  it('§3.11: no stop result when the partner did not stop it (BMS full)', async () => {
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E01C2', { stoppedByPartner: false, charged: true, StopReason: 2 });
    await ctx.drain();
    expect(acceptedOf(demo(ctx.platform, P1), 'notification_stop_charge_result', seq)).toEqual([]);
    expect(acceptedOf(demo(ctx.platform, P1), 'notification_charge_order_info', seq)).toHaveLength(1);
  });
});
