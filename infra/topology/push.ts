/**
 * The push service (L1): notifications to partners that are never lost.
 *
 *   EventBridge ─rules─▶ push-events (+DLQ) ─▶ push-plan ─▶ push-deliveries (+DLQ) ─▶ push-deliver ─▶ partner
 *   charging (a due OrderProgress, planned there by the same planPushes) ──────┘ (and push-supervision)
 *
 * One delivery message per partner and push (isolation); FIFO lanes, one message group per
 * (partner, connector / order): a retry holds its group (the same message, received again after
 * its backoff), a connector status retry goes behind newer ones (latest wins); a push is parked in
 * the DLQ by its deliverer after its real attempts; both DLQs alarm (from the stack, like every queue's DLQ).
 */

import { PushDeliveriesQueue, PushEventsQueue, PushSupervisionQueue } from '../../events/queues.ts';
import { putEvents, readPartners, readSecrets } from './helpers.ts';
import { CALLS_NONE, type FunctionDecl, type QueueDecl, type TableDecl } from './types.ts';

export const pushTables: readonly TableDecl[] = [
  {
    name: 'push-state',
    description:
      'Push state: shared partner tokens, per-partner circuit breakers, per-connector/order ordering gates, charge status throttle',
    partitionKey: { name: 'pk', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
];

export const pushQueues: readonly QueueDecl[] = [PushEventsQueue.decl, PushDeliveriesQueue.decl, PushSupervisionQueue.decl];

const state = { table: 'push-state', access: 'readWrite' } as const;
const deliveries = { queue: PushDeliveriesQueue.name, access: 'send' } as const;
const supervisionLane = { queue: PushSupervisionQueue.name, access: 'send' } as const;
/** a deliverer re-sends to its lane and parks a push in the lane's DLQ itself, after the push's real attempts */
const parkDeliveries = { queue: PushDeliveriesQueue.name, access: 'park' } as const;
const parkSupervision = { queue: PushSupervisionQueue.name, access: 'park' } as const;

/** the pushes a deliverer may call (either lane) */
const PUSH_CALLS = [
  'query_token',
  'notification_stationStatus',
  'notification_start_charge_result',
  'notification_equip_charge_status',
  'notification_stop_charge_result',
  'notification_charge_order_info',
  // ours: plug-and-charge (shared/services/plug-charge.ts)
  'notification_vin_start_charge',
  // ours: pay after charging (shared/push/plan.ts, OrderFinished / OrderPaid) and invoices (shared/services/invoice-issue.ts)
  'notification_order_settlement',
  'notification_invoice_info',
] as const;

export const pushFunctions: readonly FunctionDecl[] = [
  {
    id: 'push-plan',
    service: 'push',
    entry: 'functions/push/push-plan.ts',
    tier: 'L1',
    description: 'Events → one delivery message per partner (status fan-out to granted partners, order pushes, charge status throttle)',
    triggers: [{ type: 'queue', queue: PushEventsQueue.name, batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 4 }],
    calls: CALLS_NONE,
    // stations (AreaCode, equipment, power) and orders (meter register) only when a supervision partner exists
    grants: [readPartners, state, deliveries, supervisionLane, { table: 'stations', access: 'read' }, { table: 'orders', access: 'read' }],
  },
  {
    id: 'push-deliver',
    service: 'push',
    entry: 'functions/push/push-deliver.ts',
    tier: 'L1',
    description:
      "One T/CEC push to one partner: breaker, ordering gate, partner token, dialect, retry/park; records the order's ConfirmResult",
    triggers: [{ type: 'queue', queue: PushDeliveriesQueue.name, batchSize: 10, maxConcurrency: 10 }],
    grants: [readPartners, readSecrets, state, deliveries, parkDeliveries, { table: 'orders', access: 'readWrite' }, putEvents],
    // worst case of one push: query_token, the push, a re-token after 4002, the push again (4 × PUSH_TIMEOUT_MS)
    timeoutSeconds: 30,
    // a push is mostly the partner's answer time (I/O): half the L1 default, so its GB-s per push
    // halves (issue 9 §2, bench/cost.bench.ts); the supervision lane keeps the default for its SLA timers
    memoryMb: 256,
    alarms: [
      {
        metric: 'PushFailedAttempt',
        threshold: 20,
        description: 'more than 20% of push attempts failed',
        per: { rateOf: ['PushDelivered'] },
      },
      {
        // 1 per failed attempt, 0 per delivered one (shared/push/deliver.ts): the average is the share that failed
        metric: 'PushFailureShare',
        statistic: 'Average',
        threshold: 0.2,
        description: "more than 20% of one partner's push attempts failed",
        per: 'partner',
      },
      { metric: 'PushBreakerOpened', threshold: 0, description: "a partner's circuit breaker opened", per: 'partner' },
      { metric: 'PushParked', threshold: 0, description: 'a push was parked in the DLQ (replay it: evcs dlq replay)', per: 'partner' },
      { metric: 'OrderDisputed', threshold: 0, description: 'a partner disputed an order (ConfirmResult ≠ 0)' },
    ],
    calls: [...PUSH_CALLS],
  },
  {
    id: 'push-deliver-supervision',
    service: 'push',
    entry: 'functions/push/push-deliver-supervision.ts',
    tier: 'L1',
    description:
      "The supervision push lane (issue 13): pushes to government platforms with their profile's resend schedule and SLA timers, apart from the commercial lane",
    // its own concurrency: a slow commercial partner's backlog never delays a timed push
    triggers: [{ type: 'queue', queue: PushSupervisionQueue.name, batchSize: 10, maxConcurrency: 4 }],
    grants: [readPartners, readSecrets, state, supervisionLane, parkSupervision, { table: 'orders', access: 'readWrite' }, putEvents],
    timeoutSeconds: 30,
    alarms: [
      {
        metric: 'SupervisionSlaBreached',
        threshold: 0,
        description: "a supervision push was delivered later than its profile's deadline (order > 150 s on Beijing, > 30 s on Chengdu)",
        per: 'partner',
      },
      {
        metric: 'PushParked',
        threshold: 0,
        description: 'a supervision push was parked in the DLQ after its resend schedule (replay it: evcs dlq replay)',
        per: 'partner',
      },
    ],
    calls: [
      ...PUSH_CALLS,
      'notification_charge_order_info_for_bonus',
      'notification_records_amount_info',
      'notification_station_change',
      'notification_realtime_power_info',
      'notification_stationInfo',
    ],
  },
];
