/** Events of the push service (notifications to partners). */
import { z } from 'zod';
import { defineEvent } from './define.ts';

const PUSH_SOURCE = 'evcs.push';

export const OrderDisputed = defineEvent({
  source: PUSH_SOURCE,
  detailType: 'OrderDisputed',
  version: 1,
  description:
    'A partner answered notification_charge_order_info with ConfirmResult ≠ 0 (1 disputed, 2–99 custom); reconciliation follows up',
  detail: z.object({
    StartChargeSeq: z.string().min(1).max(64),
    ConnectorID: z.string().min(1).max(26),
    /** the partner that disputes */
    OperatorID: z.string().length(9),
    ConfirmResult: z.number().int().min(1).max(99),
    /** ISO time the reply arrived */
    at: z.iso.datetime({ offset: true }),
  }),
  sample: {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: '1010000000000000000000001',
    OperatorID: 'MA01H3BQ2',
    ConfirmResult: 1,
    at: '2026-11-23T02:30:50.000Z',
  },
});
