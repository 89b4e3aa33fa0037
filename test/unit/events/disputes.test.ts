/** The one OrderDisputed contract (events/disputes.ts): every publisher's case fits it, and no second contract shares its name. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventContract } from '../../../events/define.ts';
import { OrderDisputed } from '../../../events/disputes.ts';

const EVENTS_DIR = join(import.meta.dirname, '../../../events');
const at = '2026-11-23T17:00:02.000Z';
const who = { OperatorID: 'MA01H3BQ2', StartChargeSeq: 'MA01H3BQ2202611230930450001', at };

describe('OrderDisputed', () => {
  it('is the only contract with detail-type OrderDisputed in events/', async () => {
    const found: string[] = [];
    for (const file of readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(join(EVENTS_DIR, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod))
        if ((value as EventContract | undefined)?.detailType === 'OrderDisputed') found.push(`${file}:${name}`);
    }
    expect(found).toEqual(['disputes.ts:OrderDisputed']);
  });

  it('carries the four cases: out/in × notification_charge_order_info/check_charge_orders', () => {
    const cases = [
      { ...who, direction: 'out', via: 'notification_charge_order_info', reason: 1, ConnectorID: '1010000000000000000000001' },
      {
        ...who,
        direction: 'out',
        via: 'check_charge_orders',
        reason: 1,
        theirs: { TotalPower: 1, TotalMoney: 2 },
        day: '2026-11-23',
        CheckOrderSeq: 'C1',
      },
      {
        ...who,
        direction: 'in',
        via: 'notification_charge_order_info',
        reason: 2,
        ours: { TotalPower: 1, TotalMoney: 2 },
        detail: 'ChargeDetails[0]',
      },
      { ...who, direction: 'in', via: 'check_charge_orders', reason: 3, CheckOrderSeq: 'C2' },
    ];
    for (const c of cases) expect(OrderDisputed.detail.safeParse(c).success, JSON.stringify(c)).toBe(true);
  });

  it('refuses what no case means: reason 0 (agreed), an unknown via or direction, a missing time', () => {
    const ok = { ...who, direction: 'out', via: 'check_charge_orders', reason: 2 };
    expect(OrderDisputed.detail.safeParse(ok).success).toBe(true);
    for (const bad of [{ reason: 0 }, { reason: 100 }, { via: 'query_charge_orders' }, { direction: 'both' }, { at: undefined }])
      expect(OrderDisputed.detail.safeParse({ ...ok, ...bad }).success, JSON.stringify(bad)).toBe(false);
  });

  it('a rule narrows on who found it', () => {
    expect(OrderDisputed.pattern({ direction: ['out'] })).toEqual({
      source: ['evcs.disputes'],
      'detail-type': ['OrderDisputed'],
      detail: { direction: ['out'] },
    });
  });
});
