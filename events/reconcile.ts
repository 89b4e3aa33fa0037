/** Events of the reconciliation service (check_charge_orders with each partner). */
import { z } from 'zod';
import { defineEvent } from './define.ts';

const RECONCILE_SOURCE = 'evcs.reconcile';

const Figures = z.object({ TotalPower: z.number(), TotalMoney: z.number() });

export const ReconcileOrderDisputed = defineEvent({
  source: RECONCILE_SOURCE,
  detailType: 'OrderDisputed',
  version: 1,
  description:
    "A partner's check_charge_orders answer disputes one of our orders (1 not found, 2 amount, 3 energy, 4–99 custom); once per (partner, day, order)",
  detail: z.object({
    StartChargeSeq: z.string().min(1).max(64),
    /** the partner that disputes */
    OperatorID: z.string().length(9),
    /** the China-time day reconciled, YYYY-MM-DD */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    DisputeReason: z.number().int().min(1).max(99),
    CheckOrderSeq: z.string().min(1).max(64),
    ours: Figures.optional(),
    theirs: Figures.optional(),
    /** ISO time the answer arrived */
    at: z.iso.datetime({ offset: true }),
  }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    OperatorID: 'MA01H3BQ2',
    day: '2026-11-23',
    DisputeReason: 3,
    CheckOrderSeq: 'MA5GS8X01261124010000000001',
    ours: { TotalPower: 12.35, TotalMoney: 14.97 },
    theirs: { TotalPower: 12.3, TotalMoney: 14.97 },
    at: '2026-11-23T17:00:02.000Z',
  },
});
