/**
 * A push replayed from the DLQ (shared/push/dlq.ts revive): a fresh budget; a start result loses its
 * gate (version 0 of its order's gate would hold it stale behind the order's charge statuses, and a
 * replay is the operator's decision to deliver it), every other push keeps its ordering gate.
 */
import { describe, expect, it } from 'vitest';
import { OrderProgress, OrderStarted } from '../../../events/orders.ts';
import { revive } from '../../../shared/push/dlq.ts';
import { equipStatusPush, startResultPush } from '../../../shared/push/plan.ts';

const NOW = Date.parse('2026-11-30T08:00:00Z');

describe('revive (evcs dlq replay)', () => {
  it('a parked start result comes back without its gate, with a fresh budget', () => {
    const parked = {
      ...startResultPush(OrderStarted.sample, NOW),
      attempt: 7,
      permanent: 2,
      parked: { reason: 'retries exhausted', at: new Date(NOW).toISOString() },
      notBefore: NOW + 1,
    };
    expect(parked.gate).toBeDefined();
    const d = revive(parked, NOW + 60_000);
    expect(d.gate).toBeUndefined();
    expect(d).toMatchObject({ attempt: 0, permanent: 0, createdAt: NOW + 60_000, iface: 'notification_start_charge_result' });
    expect(d).not.toHaveProperty('parked');
    expect(d).not.toHaveProperty('notBefore');
  });

  it('a parked charge status keeps its gate: an older one is never delivered after a newer one', () => {
    const parked = { ...equipStatusPush(OrderProgress.sample, NOW), attempt: 3 };
    expect(revive(parked, NOW).gate).toEqual(parked.gate);
  });
});
