/**
 * Conformance: notification_start_charge_result — T/CEC 102 §3.8 (reference /work/shared/reference/tcec102.md), as we PUSH it:
 * to outbound.baseUrl + interface, our OperatorID in the envelope, encrypted and signed with the set
 * the partner issued us, Data in the partner's dialect, a Bearer token from the partner's query_token.
 */
import { describe, expect, it } from 'vitest';
import { acceptedOf, demo, emitStarted, newSeq, P2, usePushPlatform, wireOf } from '../support/push.ts';

const ctx = usePushPlatform();

describe('notification_start_charge_result — §3.8', () => {
  it('§3.8: StartChargeSeq, StartChargeSeqStat, ConnectorID, StartTime (yyyy-MM-dd HH:mm:ss), our OperatorID, outbound Sig', async () => {
    const seq = newSeq(P2);
    await emitStarted(P2, seq, 'FX0003E01C1');
    await ctx.drain();
    const [r] = acceptedOf(demo(ctx.platform, P2), 'notification_start_charge_result', seq);
    const w = wireOf(ctx.platform, P2, r!);
    expect(w.envelope.OperatorID).toBe(ctx.platform.seed.operatorId);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(w.plain).toBe(
      JSON.stringify({ StartChargeSeq: seq, StartChargeSeqStat: 2, ConnectorID: 'FX0003E01C1', StartTime: '2026-11-23 09:30:47' }),
    );
  });
});
