/**
 * Conformance: check_charge_orders — T/CEC 102 §3.13 (reference /work/shared/reference/tcec102.md), as we CALL it
 * (we are the CPO; the partner answers with the disputed orders): to outbound.baseUrl + interface, our
 * OperatorID in the envelope, encrypted and signed with the set the partner issued us, a Bearer token
 * from the partner's query_token (one retry after Ret 4002), a 27-character CheckOrderSeq.
 */
import { describe, expect, it } from 'vitest';
import { reconcilePartnerDay } from '../../shared/services/reconcile.ts';
import { demo, P1, P2, usePushPlatform, wireOf } from '../support/push.ts';
import { finishedOrder } from '../support/reconcile.ts';

const ctx = usePushPlatform();
const sentFor = (operatorId: string, day: string) =>
  demo(ctx.platform, operatorId).received.filter((r) => r.iface === 'check_charge_orders' && String(r.data.StartTime).startsWith(day));

describe('check_charge_orders — §3.13', () => {
  it('§3.13: the day’s orders and totals in the standard field order, our OperatorID, outbound Sig, Bearer token', async () => {
    const day = '2026-09-01';
    const seq = await finishedOrder(P1, '2026-09-01T02:00:00Z', '2026-09-01T03:00:00Z', 12.35, 14.97);
    const r = await reconcilePartnerDay(P1, day, 'manual');
    expect(r.run.status).toBe('agreed');
    const [req] = sentFor(P1, day);
    const w = wireOf(ctx.platform, P1, req!);
    expect(w.envelope.OperatorID).toBe(ctx.platform.seed.operatorId);
    expect(w.envelope.Sig).toBe(w.expectedSig);
    expect(req!.token).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(w.data)).toEqual([
      'CheckOrderSeq',
      'StartTime',
      'EndTime',
      'OrderCount',
      'TotalOrderPower',
      'TotalOrderMoney',
      'ChargeOrders',
    ]);
    expect(w.data.CheckOrderSeq).toMatch(new RegExp(`^${ctx.platform.seed.operatorId}\\d{18}$`));
    expect(w.data).toMatchObject({
      StartTime: '2026-09-01 00:00:00',
      EndTime: '2026-09-01 23:59:59',
      OrderCount: 1,
      TotalOrderPower: 12.35,
      TotalOrderMoney: 14.97,
    });
    expect(w.data.ChargeOrders).toEqual([{ StartChargeSeq: seq, TotalPower: 12.35, TotalMoney: 14.97 }]);
    // both decimals on the wire at their precision (2 dp), not float noise
    expect(w.plain).toContain('"TotalOrderPower":12.35');
  });

  it('§1.7 + §3.13: a refused token (Ret 4002) is renewed once and the request sent again; xiaoju reads the same fields', async () => {
    const day = '2026-09-02';
    await finishedOrder(P2, '2026-09-02T02:00:00Z', '2026-09-02T03:00:00Z', 1, 2);
    await reconcilePartnerDay(P2, day, 'manual');
    const partner = demo(ctx.platform, P2);
    partner.expireTokens();
    const tokens = partner.tokensIssued();
    const requests = partner.requests();
    const received = sentFor(P2, day).length;
    const r = await reconcilePartnerDay(P2, day, 'manual');
    expect(r.run.status).toBe('agreed');
    expect(partner.tokensIssued()).toBe(tokens + 1);
    // the refused call, query_token, the call again
    expect(partner.requests() - requests).toBe(3);
    const sent = sentFor(P2, day);
    expect(sent).toHaveLength(received + 1);
    expect(sent.at(-1)?.accepted).toBe(true);
    expect(wireOf(ctx.platform, P2, sent.at(-1)!).data.OrderCount).toBe(1);
  });
});
