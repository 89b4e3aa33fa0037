/**
 * The queue catalog: every SQS queue of the platform, declared once with what it carries.
 *
 *   - a queue EventBridge rules feed declares the events it subscribes to: its body is the union of
 *     their envelopes, and its consumer's `parse` returns that union (a `switch` on `detail-type`
 *     narrows it);
 *   - a queue our own code sends to declares its body schema: `send` / `sendBatch` validate before
 *     anything leaves, and the consumer's `parse` returns the same type.
 *
 * The topology (`infra/topology/*.ts`) lists `contract.decl`; the stack and the local runtime read it
 * from there. The functions that consume or send are declared in the topology (triggers, grants).
 *
 * Every `defineQueue(…)` call is marked `@__PURE__` (as the events' `defineEvent`): a function's
 * bundle keeps only the queues it uses, and with them only the event catalogs they subscribe to
 * (issue 9 §4). esbuild honours the mark only when every argument is side-effect free by its own
 * rules: literals, references, arrow functions — not arithmetic, so `10_800` rather than
 * `3 * 3600`. test/infra/bundling.test.ts fails when a contract slips back into a bundle.
 */
import * as z from 'zod/mini';
import { deliverySchema } from '../shared/push/messages.ts';
import { ConnectorStatusChanged, StationChanged } from './baseinfo.ts';
import { defineQueue } from './define.ts';
import { OrderFinished, OrderPaid, OrderProgress, OrderStarted } from './orders.ts';
import { GroundLockChanged, GroundLockRaiseDue } from './parking.ts';
import {
  PileCommandRequested,
  PileMeterValues,
  PileReservationRequested,
  PileSessionStarted,
  PileSessionStopped,
  PileStatusChanged,
} from './piles.ts';

// -- baseinfo --------------------------------------------------------------------------------------

export const ConnectorStatusQueue = /* @__PURE__ */ defineQueue({
  name: 'connector-status',
  description: 'PileStatusChanged and GroundLockChanged events for the connector status ingest',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  subscribe: [PileStatusChanged, GroundLockChanged],
  dlqRetentionDays: 14,
});

// -- piles -----------------------------------------------------------------------------------------

export const PileCommandsQueue = /* @__PURE__ */ defineQueue({
  name: 'pile-commands',
  description:
    'Start/stop and reserve/cancel commands for the piles (PileCommandRequested, PileReservationRequested); a command the transport cannot hand over ends in the DLQ',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  subscribe: [PileCommandRequested, PileReservationRequested],
  dlqRetentionDays: 14,
});

/** what the OCPP gateway checks later: a disconnected charge point still gone, an outgoing call still unanswered */
const ocppCheckSchema = () =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('offline'),
      chargePointId: z.string().check(z.minLength(1), z.maxLength(48)),
      connectionId: z.string().check(z.minLength(1)),
      at: z.iso.datetime(),
    }),
    z.object({ kind: z.literal('call-timeout'), messageId: z.string().check(z.minLength(1), z.maxLength(36)) }),
    // issue 9 §2: set a booted charge point's metering (ChangeConfiguration), once its boot is answered
    z.object({ kind: z.literal('configure'), chargePointId: z.string().check(z.minLength(1), z.maxLength(48)) }),
  ]);

export const OcppChecksQueue = /* @__PURE__ */ defineQueue({
  name: 'ocpp-checks',
  description:
    'Delayed OCPP gateway checks: connectors offline after a disconnect grace period; outgoing calls timed out; metering set after a boot',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  body: ocppCheckSchema,
  dlqRetentionDays: 14,
});

// -- charging --------------------------------------------------------------------------------------

/**
 * A pile session event as `emitPileEvents` (shared/piles/emit.ts) hands it to the charging queue:
 * straight to SQS, no EventBridge hop (only the charging service consumes these). The same
 * `{ type, detail }` shape the pile gateways give emitPileEvents.
 */
const pileSessionEvent = () =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal(PileSessionStarted.detailType), detail: PileSessionStarted.detail }),
    z.object({ type: z.literal(PileMeterValues.detailType), detail: PileMeterValues.detail }),
    z.object({ type: z.literal(PileSessionStopped.detailType), detail: PileSessionStopped.detail }),
  ]);

/**
 * A session's start and stop, apart from its readings (ChargingPileMetersQueue): a backlog of
 * readings never delays the confirmation a partner's start or stop waits for (a load hold at 60
 * req/s on one laptop queued 80,000 readings in front of the starts, which then timed out). Its
 * body still takes every session event: messages of a release that sent readings here too drain.
 */
export const ChargingPileEventsQueue = /* @__PURE__ */ defineQueue({
  name: 'charging-pile-events',
  description: 'Pile session started / stopped, sent by emitPileEvents, for the orders (never behind the readings)',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  body: pileSessionEvent,
});

/** A session's meter readings (PileMeterValues), the platform's most frequent event, for the running bills. */
export const ChargingPileMetersQueue = /* @__PURE__ */ defineQueue({
  name: 'charging-pile-meters',
  description: "Pile meter values, sent by emitPileEvents, for the orders' running bills and charge-status pushes",
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  body: pileSessionEvent,
});
export type PileSessionMessage = z.output<ReturnType<typeof pileSessionEvent>>;

export const ChargingTimeoutsQueue = /* @__PURE__ */ defineQueue({
  name: 'charging-timeouts',
  description: 'Delayed checks: a start or stop the pile has not answered in time finishes the order and frees the connector',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  body: () =>
    z.object({
      /** which command the pile has not answered */
      kind: z.enum(['start', 'stop']),
      StartChargeSeq: z.string().check(z.minLength(1), z.maxLength(64)),
    }),
});
export type TimeoutMessage = z.output<typeof ChargingTimeoutsQueue.body>;

// -- push ------------------------------------------------------------------------------------------

export const PushEventsQueue = /* @__PURE__ */ defineQueue({
  name: 'push-events',
  description: 'Events that cause pushes (connector status changes, order started / progress / finished / paid) for the push planner',
  tier: 'L1',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  subscribe: [ConnectorStatusChanged, OrderStarted, OrderFinished, OrderPaid],
  // issue 9 §2: a due OrderProgress (→ notification_equip_charge_status, one per 50 s of every
  // session) is planned by the charging consumer itself, in this envelope (push-planning.ts
  // planProgress), and its deliveries sent straight to the push lanes; the planner still takes one
  // (a message of the earlier path in flight at deploy time, or replayed from the DLQ)
  direct: [OrderProgress],
  dlqRetentionDays: 14,
});

export const PushDeliveriesQueue = /* @__PURE__ */ defineQueue({
  name: 'push-deliveries',
  description: 'One message per partner and push, with its retry state; the deliverer parks a push in the DLQ after its real attempts',
  tier: 'L1',
  // ≥ 6 × push-deliver's timeout
  visibilityTimeoutSeconds: 180,
  // only a backstop (a record that crashes its consumer every time): a push is parked in the DLQ by
  // its deliverer after its real attempts; the pushes queued behind a held one are received and
  // handed back with it (≤ PUSH_MAX_ATTEMPTS + a few hundred breaker holds over 3 days), never reaching this
  maxReceiveCount: 1000,
  dlqRetentionDays: 14,
  // issue 9 §3: message group (partner, connector / order) = one push of a key in flight, in order (shared/push/queue.ts)
  fifo: true,
  // retries wait up to an hour and a dead partner's pushes are held by its breaker: only a
  // message older than the whole retry budget means the consumer is stuck
  ageAlarmSeconds: 10_800, // 3 h
  body: deliverySchema,
});

/**
 * The supervision push lane (issue 13): government platforms' pushes in their own queue with their
 * own consumer and concurrency, so a slow commercial partner's backlog never delays a timed push
 * (an order due within 30 s). Same message, same deliverer; the message's `supervision` says the lane.
 */
export const PushSupervisionQueue = /* @__PURE__ */ defineQueue({
  name: 'push-supervision',
  description:
    "One message per supervision platform and push, with its profile's resend schedule and SLA timer; parked pushes reach the DLQ",
  tier: 'L1',
  visibilityTimeoutSeconds: 180,
  // a backstop, like push-deliveries: the deliverer parks a push after its profile's resends
  maxReceiveCount: 1000,
  dlqRetentionDays: 14,
  // FIFO like push-deliveries (shared/push/queue.ts)
  fifo: true,
  // Beijing's schedule resends for about 4 h (150 s … 1800 s, 3600 s)
  ageAlarmSeconds: 21_600, // 6 h
  body: deliverySchema,
});

// -- dxp -------------------------------------------------------------------------------------------

/**
 * Supervision reporting's own copy of the changes it reports (issue 13): station changes (also
 * pushed as notification_station_change) and connector status changes, kept by hour for the
 * audited exports. L2: its backlog never touches the pushes or the orders.
 */
export const DxpChangesQueue = /* @__PURE__ */ defineQueue({
  name: 'dxp-changes',
  description: 'Station and connector status changes for the supervision exports (kept by hour) and notification_station_change',
  tier: 'L2',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  subscribe: [StationChanged, ConnectorStatusChanged],
  dlqRetentionDays: 14,
});

/** a partner's OperatorID and a China-time day, as the per-partner daily jobs' messages carry them */
const operatorId = () => z.string().check(z.regex(/^[0-9A-Za-z]{9}$/));
const day = () => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

export const DxpExportPartsQueue = /* @__PURE__ */ defineQueue({
  name: 'dxp-export-parts',
  description:
    "One part (China-time hour) of a supervision partner's daily export: the part writes its objects and record; the last one the day's manifest",
  tier: 'L2',
  // 1.5 × dxp-export-part's timeout (600 s): a crashed part is received again within 15 minutes
  visibilityTimeoutSeconds: 900,
  // a part that keeps failing is tried 3 times, then the DLQ and its alarm (no manifest for the day until it is redriven)
  maxReceiveCount: 3,
  dlqRetentionDays: 14,
  ageAlarmSeconds: 10_800, // 3 h
  body: () =>
    z.object({
      OperatorID: operatorId(),
      day: day(),
      /** the China-time hour of the day this part exports, `YYYY-MM-DDTHH` */
      part: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)),
      /** the day's run (parts/run.json): a part of an older run writes its objects but no manifest */
      runId: z.string().check(z.minLength(1), z.maxLength(64)),
    }),
});
export type DxpExportPartMessage = z.output<typeof DxpExportPartsQueue.body>;

// -- reconcile -------------------------------------------------------------------------------------

export const ReconcileRunsQueue = /* @__PURE__ */ defineQueue({
  name: 'reconcile-runs',
  description:
    'One message per (partner, China-time day) to reconcile; a partner that cannot be reached is retried with backoff through the night, then parked for the DLQ',
  tier: 'L2',
  // 3 × reconcile-run's timeout (300 s): a crashed run is received again within 15 minutes
  visibilityTimeoutSeconds: 900,
  maxReceiveCount: 3,
  dlqRetentionDays: 14,
  // retries of an unreachable partner wait up to 15 minutes each: only an older message means a stuck consumer
  ageAlarmSeconds: 10_800, // 3 h
  body: () =>
    z.object({
      OperatorID: operatorId(),
      day: day(),
      trigger: z.enum(['schedule', 'manual']),
      /** failed attempts so far (transport, timeout, token) */
      attempt: z._default(z.int().check(z.gte(0)), 0),
      /** the last failure */
      lastError: z.optional(z.string().check(z.maxLength(512))),
      /** set when the retry budget is spent: the message only waits for maxReceiveCount to move it to the DLQ */
      parked: z.optional(z.string().check(z.maxLength(512))),
    }),
});
export type ReconcileRunMessage = z.output<typeof ReconcileRunsQueue.body>;

// -- parking ---------------------------------------------------------------------------------------

/**
 * The parking service (L1): finished orders for the parking fee waiver. A car park gate that fails
 * or times out fails the message: redelivered after the visibility timeout, parked in the DLQ after
 * maxReceiveCount (alarm), replayed with `evcs dlq replay --queue parking-waivers`. The order is
 * never touched.
 */
export const ParkingWaiversQueue = /* @__PURE__ */ defineQueue({
  name: 'parking-waivers',
  description:
    "The car park's gateway calls that must not be lost: finished orders (OrderFinished) for the parking fee waiver at the gate, and ground locks still to be raised (GroundLockRaiseDue, sent direct)",
  tier: 'L1',
  // ≥ 6 × parking-waiver's timeout (10 s)
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  subscribe: [OrderFinished],
  direct: [GroundLockRaiseDue],
  dlqRetentionDays: 14,
});

// -- invoices (msp extension, ours) ---------------------------------------------------------------

export const InvoiceIssueQueue = /* @__PURE__ */ defineQueue({
  name: 'invoice-issue',
  description: 'Invoices applied for (query_invoice_apply): the PDF is made, stored in S3 and pushed (notification_invoice_info)',
  tier: 'L2',
  // ≥ 6 × invoice-issue's timeout (60 s)
  visibilityTimeoutSeconds: 360,
  maxReceiveCount: 5,
  dlqRetentionDays: 14,
  body: () =>
    z.object({
      InvoiceSeq: z.string().check(z.minLength(27), z.maxLength(27)),
    }),
});
export type InvoiceIssueMessage = z.output<typeof InvoiceIssueQueue.body>;
