/**
 * Events of the roaming service (our users on partners' piles, and the reconciliation of orders
 * between us and a partner). Money in yuan (2 dp), energy in kWh (2 dp), as the protocol carries them.
 */
import { z } from 'zod';
import { defineEvent } from './define.ts';

const ROAMING_SOURCE = 'evcs.roaming';

/** What one side says an order (or one of its ChargeDetails) is worth. */
const Figures = z.object({
  TotalPower: z.number().min(0),
  TotalMoney: z.number().min(0),
  ElecMoney: z.number().min(0).optional(),
  SeviceMoney: z.number().min(0).optional(),
});

/**
 * One order two platforms disagree on. Covers both directions so the outbound reconciliation
 * (we are the operator, the partner disputes our order) and the inbound side (we are the
 * customer, we dispute the partner's bill or list) share one contract:
 *   direction `in`  — a partner's order for OUR user (roaming out: its bill, its check_charge_orders),
 *   direction `out` — OUR order for the partner's user (roaming in: our bill, our check_charge_orders).
 */
export const OrderDisputed = defineEvent({
  source: ROAMING_SOURCE,
  detailType: 'OrderDisputed',
  version: 1,
  description: 'An order two platforms disagree on: who, which order, why, and both figures',
  detail: z.object({
    direction: z.enum(['in', 'out']),
    /** the partner's OperatorID */
    OperatorID: z.string().length(9),
    StartChargeSeq: z.string().min(1).max(64),
    /** where the disagreement was found */
    via: z.enum(['notification_charge_order_info', 'check_charge_orders']),
    /** T/CEC DisputeReason: 1 no such order, 2 money, 3 energy; 4–99 custom (notification_charge_order_info uses 2/3) */
    reason: z.number().int().min(1).max(99),
    /** what is wrong, in words (which detail, by how much) */
    detail: z.string().max(500),
    ours: Figures.optional(),
    theirs: Figures.optional(),
  }),
  sample: {
    direction: 'in',
    OperatorID: 'MA01H3BQ2',
    StartChargeSeq: 'MA5GS8X01202611230930450001',
    via: 'notification_charge_order_info',
    reason: 2,
    detail: 'ChargeDetails[0]: theirs 12.40 yuan, ours 12.35 yuan',
    ours: { TotalPower: 10, TotalMoney: 12.35 },
    theirs: { TotalPower: 10, TotalMoney: 12.4 },
  },
});
