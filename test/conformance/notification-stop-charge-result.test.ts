/**
 * Conformance: notification_stop_charge_result — T/CEC 102 §3.11 (reference /work/shared/reference/tcec102.md), as we PUSH it:
 * to outbound.baseUrl + interface, our OperatorID in the envelope, encrypted and signed with the set
 * the partner issued us, Data in the partner's dialect, a Bearer token from the partner's query_token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { P1, P2, acceptedOf, demo, emitFinished, emitStarted, emitStatus, newSeq, startPushPlatform, statusChange, wireOf } from '../support/push.ts';
import { publish } from '../../shared/bus/publish.ts';
import { OrderProgress } from '../../events/orders.ts';

let platform: Platform;
beforeAll(async () => {
  platform = await startPushPlatform();
}, 120_000);
afterAll(async () => platform?.stop());
const drain = () => platform.cloud.drain({ timeoutMs: 60_000, includeDelayed: true });

describe('notification_stop_charge_result — §3.11', () => {
  it('§3.11: StartChargeSeq, StartChargeSeqStat 4, ConnectorID, SuccStat 0, FailReason 0 when the partner stopped the order', async () => {
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E01C1', { stoppedByPartner: true, charged: true, StopReason: 1 });
    await drain();
    const [r] = acceptedOf(demo(platform, P1), 'notification_stop_charge_result', seq);
    const w = wireOf(platform, P1, r!);
    expect(w.envelope.OperatorID).toBe(platform.seed.operatorId);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(w.plain).toBe(JSON.stringify({ StartChargeSeq: seq, StartChargeSeqStat: 4, ConnectorID: 'FX0002E01C1', SuccStat: 0, FailReason: 0 }));
  });

  it('§3.11: no stop result when the partner did not stop it (BMS full)', async () => {
    const seq = newSeq(P1);
    await emitFinished(P1, seq, 'FX0002E01C2', { stoppedByPartner: false, charged: true, StopReason: 2 });
    await drain();
    expect(acceptedOf(demo(platform, P1), 'notification_stop_charge_result', seq)).toEqual([]);
    expect(acceptedOf(demo(platform, P1), 'notification_charge_order_info', seq)).toHaveLength(1);
  });
});
