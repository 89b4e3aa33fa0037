/**
 * The delivery message: ONE push to ONE partner, carried on the `push-deliveries` queue. It holds
 * the canonical Data (cec2016 spelling; the partner's dialect is applied at send time) and its
 * own retry state, so a retry is a re-send of the message with DelaySeconds — no scheduler.
 */
import { z } from 'zod';

const PUSH_INTERFACES = [
  'notification_stationStatus',
  'notification_start_charge_result',
  'notification_equip_charge_status',
  'notification_stop_charge_result',
  'notification_charge_order_info',
  // supervision platforms only (§5.3)
  'notification_charge_order_info_for_bonus',
  'notification_records_amount_info',
  'notification_station_change',
  'notification_realtime_power_info',
  // ours: pay after charging (shared/domain/pay-after.ts)
  'notification_order_settlement',
  // ours: invoices (shared/domain/invoices.ts)
  'notification_invoice_info',
] as const;
export type PushInterface = (typeof PUSH_INTERFACES)[number];

export const FailureClass = z.enum(['transport', 'timeout', 'sig', 'ret', 'permanent', 'reply', 'token', 'config']);
export type FailureClass = z.infer<typeof FailureClass>;

export const DeliverySchema = z.object({
  kind: z.literal('push'),
  v: z.literal(1),
  /** stable id of the push (same across retries): `<iface>:<partner>:<subject>` */
  id: z.string().min(1).max(256),
  /** the partner's OperatorID */
  partner: z.string().regex(/^[0-9A-Za-z]{9}$/),
  iface: z.enum(PUSH_INTERFACES),
  /** canonical Data */
  data: z.record(z.string(), z.unknown()),
  /** ordering: per (partner, key) a push with a version not newer than the last delivered one is skipped */
  gate: z.object({ key: z.string().min(1).max(128), version: z.number().int().nonnegative() }).optional(),
  /** failed attempts so far */
  attempt: z.number().int().nonnegative().default(0),
  /** failed attempts of the permanent class (4001/4003/4004) */
  permanent: z.number().int().nonnegative().default(0),
  /** epoch ms the push was first enqueued */
  createdAt: z.number().int().nonnegative(),
  /** epoch ms before which the message is only re-delayed (waits longer than one 900 s hop) */
  notBefore: z.number().int().nonnegative().optional(),
  lastError: z.object({ class: FailureClass, ret: z.number().int().optional(), msg: z.string().max(512) }).optional(),
  /** set when the budget is spent: the message only waits for maxReceiveCount to move it to the DLQ */
  parked: z.object({ reason: z.string().max(512), at: z.string() }).optional(),
  /** a supervision platform's push (issue 13): its own queue, its profile's schedule and deadline */
  supervision: z
    .object({
      /** seconds before each resend; after the last the push is parked for the DLQ */
      resend: z.array(z.number().int().positive()).min(1),
      /** the SLA timer: epoch ms of the event and the seconds the profile allows to the delivered (Ret 0) push */
      sla: z.object({ eventAt: z.number().int().nonnegative(), deadlineSeconds: z.number().int().positive() }).optional(),
      /** values for the profile's `fact` fields (UserName, MeterValueStart, Vin…) */
      facts: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;
export type NewDelivery = Omit<Delivery, 'attempt' | 'permanent' | 'kind' | 'v'>;

export const newDelivery = (d: NewDelivery): Delivery => ({ kind: 'push', v: 1, attempt: 0, permanent: 0, ...d });
