/**
 * The ONE dispute contract: an order we and a partner disagree on, whoever found it and how.
 *
 *   direction `out` — a partner disputes OUR order (we are the operator, it is the partner's user):
 *     via notification_charge_order_info  the partner answered our push with ConfirmResult ≠ 0
 *                                         (shared/push/deliver.ts; `reason` is that ConfirmResult)
 *     via check_charge_orders             the partner's answer to our nightly reconciliation lists
 *                                         it (shared/services/reconcile.ts; `reason` is its DisputeReason,
 *                                         `day` and `CheckOrderSeq` name the run)
 *   direction `in`  — we dispute the PARTNER's order (it is the operator, it is our user):
 *     via notification_charge_order_info  its bill, re-priced with our billing function, disagrees; we
 *                                         answered ConfirmResult 1 (shared/services/roaming-notifications.ts;
 *                                         `reason` 2 money / 3 energy)
 *     via check_charge_orders             its reconciliation list disagrees with the orders we hold; we
 *                                         answered the DisputeOrders (shared/services/roaming-check.ts;
 *                                         `reason` is the DisputeReason we gave, `CheckOrderSeq` its request)
 *     via roaming_session_sweep           its final order never came: ROAMING_ABANDON_HOURS after the
 *                                         session's last sign of life the sweep gave up on it
 *                                         (shared/services/roaming-sweep.ts; `reason` 1, `theirs` its last
 *                                         figures if it sent any)
 *
 * ONE source (`evcs.disputes`) for every publisher: `defineEvent` gives a contract one source and
 * one rule pattern, so per-publisher sources would mean three contracts of the same detail-type (what
 * this file replaces) or a consumer with three rules. Who found it is in the detail instead
 * (`direction` × `via`), and a rule narrows on it: `OrderDisputed.pattern({ direction: ['out'] })`.
 *
 * `reason` reads the T/CEC codes as they are: DisputeReason (§3.13) 1 not found, 2 money, 3 energy,
 * 4–99 custom; for a partner's ConfirmResult (§3.12) 1 disputed, 2–99 custom. Figures (kWh, yuan,
 * 2 dp as the wire carries them) are present when the side has them (no `ours` for an order we do
 * not hold, no `theirs` when the partner only sent a ConfirmResult).
 */
import * as z from 'zod/mini';
import { defineEvent } from './define.ts';

const DISPUTES_SOURCE = 'evcs.disputes';

/** What one side says an order is worth. */
const Figures = z.object({ TotalPower: z.number(), TotalMoney: z.number() });

export const OrderDisputed = /* @__PURE__ */ defineEvent({
  source: DISPUTES_SOURCE,
  detailType: 'OrderDisputed',
  version: 1,
  description:
    'An order we and a partner disagree on: out = the partner disputes ours, in = we dispute its; found via notification_charge_order_info, check_charge_orders or the roaming session sweep (no final order)',
  detail: () =>
    z.object({
      direction: z.enum(['in', 'out']),
      /** the partner's OperatorID */
      OperatorID: z.string().check(z.length(9)),
      StartChargeSeq: z.string().check(z.minLength(1), z.maxLength(64)),
      /** where the disagreement was found */
      via: z.enum(['notification_charge_order_info', 'check_charge_orders', 'roaming_session_sweep']),
      /** DisputeReason 1–99 (check_charge_orders, and our own verdict on a partner's bill), or the partner's ConfirmResult 1–99 */
      reason: z.int().check(z.gte(1), z.lte(99)),
      /** the connector, when the notification carried it */
      ConnectorID: z.optional(z.string().check(z.minLength(1), z.maxLength(26))),
      ours: z.optional(Figures),
      theirs: z.optional(Figures),
      /** the China-time day reconciled, YYYY-MM-DD (our nightly check_charge_orders) */
      day: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
      /** the check_charge_orders request the dispute answers */
      CheckOrderSeq: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
      /** what is wrong, in words (which detail, by how much) */
      detail: z.optional(z.string().check(z.maxLength(500))),
      /** ISO time the disagreement was found */
      at: z.iso.datetime({ offset: true }),
    }),
  sample: {
    direction: 'out',
    OperatorID: 'MA01H3BQ2',
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    via: 'check_charge_orders',
    reason: 3,
    ours: { TotalPower: 12.35, TotalMoney: 14.97 },
    theirs: { TotalPower: 12.3, TotalMoney: 14.97 },
    day: '2026-11-23',
    CheckOrderSeq: 'MA5GS8X01261124010000000001',
    at: '2026-11-23T17:00:02.000Z',
  },
});
