/**
 * The delivery message: ONE push to ONE partner, carried on the `push-deliveries` queue. It holds
 * the canonical Data (cec2016 spelling; the partner's dialect is applied at send time) and its
 * own retry state, so a retry is a re-send of the message with DelaySeconds — no scheduler.
 */
import * as z from 'zod/mini';
import { once } from '../domain/once.ts';

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
  'notification_stationInfo',
  // ours: pay after charging (shared/domain/pay-after.ts)
  'notification_order_settlement',
  // ours: invoices (shared/domain/invoices.ts)
  'notification_invoice_info',
  // ours: plug-and-charge (shared/domain/vin.ts)
  'notification_vin_start_charge',
] as const;
export type PushInterface = (typeof PUSH_INTERFACES)[number];

const failureClass = () => z.enum(['transport', 'timeout', 'sig', 'ret', 'permanent', 'reply', 'token', 'config']);
export type FailureClass = z.infer<ReturnType<typeof failureClass>>;

const count = () => z.int().check(z.nonnegative());

/** the message schema, built on first use (every function importing the queue catalog imports it) */
export const deliverySchema = /* @__PURE__ */ once(() =>
  z.object({
    kind: z.literal('push'),
    v: z.literal(1),
    /** stable id of the push (same across retries): `<iface>:<partner>:<subject>` */
    id: z.string().check(z.minLength(1), z.maxLength(256)),
    /** the partner's OperatorID */
    partner: z.string().check(z.regex(/^[0-9A-Za-z]{9}$/)),
    iface: z.enum(PUSH_INTERFACES),
    /** canonical Data */
    data: z.record(z.string(), z.unknown()),
    /** ordering: per (partner, key) a push older than the newest attempted one is skipped (shared/store/push-gate.ts) */
    gate: z.optional(z.object({ key: z.string().check(z.minLength(1), z.maxLength(128)), version: count() })),
    /** failed attempts so far */
    attempt: z._default(count(), 0),
    /** failed attempts of the permanent class (4001/4003/4004) */
    permanent: z._default(count(), 0),
    /** epoch ms the push was first enqueued */
    createdAt: count(),
    /** epoch ms before which the message is not attempted (a retry's backoff, a breaker hold: held in flight until then) */
    notBefore: z.optional(count()),
    lastError: z.optional(z.object({ class: failureClass(), ret: z.optional(z.int()), msg: z.string().check(z.maxLength(512)) })),
    /** set when the budget is spent: the message only waits for maxReceiveCount to move it to the DLQ */
    parked: z.optional(z.object({ reason: z.string().check(z.maxLength(512)), at: z.string() })),
    /** values for the partner profile's `fact` fields beside the Data (a plug-and-charge order's Vin, PlateNum: the oem-example profile) */
    facts: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
    /** a supervision platform's push (issue 13): its own queue, its profile's schedule and deadline */
    supervision: z.optional(
      z.object({
        /** seconds before each resend; after the last the push is parked for the DLQ */
        resend: z.array(z.int().check(z.positive())).check(z.minLength(1)),
        /** the SLA timer: epoch ms of the event and the seconds the profile allows to the delivered (Ret 0) push */
        sla: z.optional(z.object({ eventAt: count(), deadlineSeconds: z.int().check(z.positive()) })),
        /** values for the profile's `fact` fields (UserName, MeterValueStart, Vin…) */
        facts: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
      }),
    ),
  }),
);
export type Delivery = z.infer<ReturnType<typeof deliverySchema>>;
export type NewDelivery = Omit<Delivery, 'attempt' | 'permanent' | 'kind' | 'v'>;

export const newDelivery = (d: NewDelivery): Delivery => ({ kind: 'push', v: 1, attempt: 0, permanent: 0, ...d });
