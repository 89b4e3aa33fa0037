/**
 * Conformance: notification_stationStatus — T/CEC 102 §3.3 (reference /work/shared/reference/tcec102.md), as we PUSH it:
 * to outbound.baseUrl + interface, our OperatorID in the envelope, encrypted and signed with the set
 * the partner issued us, Data in the partner's dialect, a Bearer token from the partner's query_token.
 */
import { describe, expect, it } from 'vitest';
import { acceptedOf, demo, emitStatus, P1, P2, statusChange, usePushPlatform, wireOf } from '../support/push.ts';

const ctx = usePushPlatform();

describe('notification_stationStatus — §3.3', () => {
  it('§3.3: one ConnectorStatusInfo object (not an array), our OperatorID, signed and encrypted with the outbound set', async () => {
    await emitStatus([statusChange('FX0001E01C1', 11, 3, 50, 10)]);
    await ctx.drain();
    for (const p of [P1, P2]) {
      const r = acceptedOf(demo(ctx.platform, p), 'notification_stationStatus', 'FX0001E01C1').at(-1)!;
      const w = wireOf(ctx.platform, p, r);
      expect(w.envelope.OperatorID).toBe(ctx.platform.seed.operatorId);
      expect(w.envelope.Sig).toBe(w.expectedSig);
      expect(w.envelope.Sig).toMatch(/^[0-9A-F]{32}$/);
      expect(w.envelope.TimeStamp).toMatch(/^\d{14}$/);
      expect(w.envelope.Seq).toMatch(/^\d{4}$/);
      expect(w.plain).toBe('{"ConnectorStatusInfo":{"ConnectorID":"FX0001E01C1","Status":3,"ParkStatus":50,"LockStatus":10}}');
      expect(r.token).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('§2.2: the URL is outbound.baseUrl + the interface name, exactly', async () => {
    const p = ctx.platform.seed.partners.find((x) => x.operatorId === P1)!;
    expect(p.outbound!.baseUrl).toBe(demo(ctx.platform, P1).baseUrl);
    expect(acceptedOf(demo(ctx.platform, P1), 'notification_stationStatus').length).toBeGreaterThan(0);
  });
});
