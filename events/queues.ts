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
 */
import { z } from 'zod';
import { DeliverySchema } from '../shared/push/messages.ts';
import { ConnectorStatusChanged } from './baseinfo.ts';
import { defineQueue } from './define.ts';
import { OrderFinished, OrderPaid, OrderProgress, OrderStarted } from './orders.ts';
import {
  PileCommandRequested,
  PileMeterValues,
  PileReservationRequested,
  PileSessionStarted,
  PileSessionStopped,
  PileStatusChanged,
} from './piles.ts';

// -- baseinfo --------------------------------------------------------------------------------------

export const ConnectorStatusQueue = defineQueue({
  name: 'connector-status',
  description: 'PileStatusChanged events for the connector status ingest',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  subscribe: [PileStatusChanged],
  dlqRetentionDays: 14,
});

// -- piles -----------------------------------------------------------------------------------------

export const PileCommandsQueue = defineQueue({
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
const OcppCheckSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offline'), chargePointId: z.string().min(1).max(48), connectionId: z.string().min(1), at: z.iso.datetime() }),
  z.object({ kind: z.literal('call-timeout'), messageId: z.string().min(1).max(36) }),
]);

export const OcppChecksQueue = defineQueue({
  name: 'ocpp-checks',
  description: 'Delayed OCPP gateway checks: connectors offline after a disconnect grace period; outgoing calls timed out',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  body: OcppCheckSchema,
  dlqRetentionDays: 14,
});

// -- charging --------------------------------------------------------------------------------------

/**
 * A pile session event as `emitPileEvents` (shared/piles/emit.ts) hands it to the charging queue:
 * straight to SQS, no EventBridge hop (only the charging service consumes these). The same
 * `{ type, detail }` shape the pile gateways give emitPileEvents.
 */
const PileSessionEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal(PileSessionStarted.detailType), detail: PileSessionStarted.detail }),
  z.object({ type: z.literal(PileMeterValues.detailType), detail: PileMeterValues.detail }),
  z.object({ type: z.literal(PileSessionStopped.detailType), detail: PileSessionStopped.detail }),
]);

export const ChargingPileEventsQueue = defineQueue({
  name: 'charging-pile-events',
  description: 'Pile session events (started, meter values, stopped), sent by emitPileEvents, for the orders',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  body: PileSessionEvent,
});
export type PileSessionMessage = z.output<typeof PileSessionEvent>;

export const ChargingTimeoutsQueue = defineQueue({
  name: 'charging-timeouts',
  description: 'Delayed checks: a start or stop the pile has not answered in time finishes the order and frees the connector',
  tier: 'L0',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  body: z.object({
    /** which command the pile has not answered */
    kind: z.enum(['start', 'stop']),
    StartChargeSeq: z.string().min(1).max(64),
  }),
});
export type TimeoutMessage = z.output<typeof ChargingTimeoutsQueue.body>;

// -- push ------------------------------------------------------------------------------------------

export const PushEventsQueue = defineQueue({
  name: 'push-events',
  description: 'Events that cause pushes (connector status changes, order started / progress / finished / paid) for the push planner',
  tier: 'L1',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 8,
  subscribe: [ConnectorStatusChanged, OrderStarted, OrderProgress, OrderFinished, OrderPaid],
  dlqRetentionDays: 14,
});

export const PushDeliveriesQueue = defineQueue({
  name: 'push-deliveries',
  description:
    'One message per partner and push, with its retry state; parked pushes reach the DLQ after maxReceiveCount immediate redeliveries',
  tier: 'L1',
  // ≥ 6 × push-deliver's timeout
  visibilityTimeoutSeconds: 180,
  // a re-sent copy is received twice when all goes well (held until due, then attempted)
  maxReceiveCount: 5,
  dlqRetentionDays: 14,
  // issue 9 §3: message group (partner, connector / order) = one push of a key in flight, in order (shared/push/queue.ts)
  fifo: true,
  // retries wait up to an hour and a dead partner's pushes are held by its breaker: only a
  // message older than the whole retry budget means the consumer is stuck
  ageAlarmSeconds: 3 * 3600,
  body: DeliverySchema,
});

/**
 * The supervision push lane (issue 13): government platforms' pushes in their own queue with their
 * own consumer and concurrency, so a slow commercial partner's backlog never delays a timed push
 * (an order due within 30 s). Same message, same deliverer; the message's `supervision` says the lane.
 */
export const PushSupervisionQueue = defineQueue({
  name: 'push-supervision',
  description:
    "One message per supervision platform and push, with its profile's resend schedule and SLA timer; parked pushes reach the DLQ",
  tier: 'L1',
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
  dlqRetentionDays: 14,
  // FIFO like push-deliveries (shared/push/queue.ts)
  fifo: true,
  // Beijing's schedule resends for about 4 h (150 s … 1800 s, 3600 s)
  ageAlarmSeconds: 6 * 3600,
  body: DeliverySchema,
});

// -- reconcile -------------------------------------------------------------------------------------

export const ReconcileRunsQueue = defineQueue({
  name: 'reconcile-runs',
  description:
    'One message per (partner, China-time day) to reconcile; a partner that cannot be reached is retried with backoff through the night, then parked for the DLQ',
  tier: 'L2',
  // 3 × reconcile-run's timeout (300 s): a crashed run is received again within 15 minutes
  visibilityTimeoutSeconds: 900,
  maxReceiveCount: 3,
  dlqRetentionDays: 14,
  // retries of an unreachable partner wait up to 15 minutes each: only an older message means a stuck consumer
  ageAlarmSeconds: 3 * 3600,
  body: z.object({
    OperatorID: z.string().regex(/^[0-9A-Za-z]{9}$/),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    trigger: z.enum(['schedule', 'manual']),
    /** failed attempts so far (transport, timeout, token) */
    attempt: z.number().int().nonnegative().default(0),
    /** the last failure */
    lastError: z.string().max(512).optional(),
    /** set when the retry budget is spent: the message only waits for maxReceiveCount to move it to the DLQ */
    parked: z.string().max(512).optional(),
  }),
});
export type ReconcileRunMessage = z.output<typeof ReconcileRunsQueue.body>;
