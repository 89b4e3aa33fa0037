/**
 * The reconciliation service (L2): nightly check_charge_orders with every partner, and the order
 * catch-up (shared/services/reconcile.ts).
 *
 *   Scheduler rate(5 min) ─▶ reconcile-dispatch ─▶ reconcile-runs (+DLQ, alarm) ─▶ reconcile-run ─▶ partner
 *   Scheduler rate(15 min) ─▶ order-catchup ─▶ push-deliveries
 *   Scheduler rate(5 min)  ─▶ station-changes ─▶ StationChanged the station import recorded, not yet published
 *
 * One schedule fans out (partners are data); the dispatcher acts only within 00:00–04:00 China
 * time, from RECONCILE_AT on, so the schedule needs no time zone.
 */
import { PushDeliveriesQueue, ReconcileRunsQueue } from '../../events/queues.ts';
import { putEvents, readPartners, readSecrets } from './helpers.ts';
import { CALLS_NONE, type FunctionDecl, type QueueDecl, type TableDecl } from './types.ts';

export const reconcileTables: readonly TableDecl[] = [
  {
    name: 'reconcile',
    description: 'Reconciliation runs per (partner, China-time day), their disputed orders, and the order catch-up history',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
  },
];

export const reconcileQueues: readonly QueueDecl[] = [ReconcileRunsQueue.decl];

const table = { table: 'reconcile', access: 'readWrite' } as const;
const readOrders = { table: 'orders', access: 'read' } as const;
const runs = { queue: ReconcileRunsQueue.name, access: 'send' } as const;
const pushes = { queue: PushDeliveriesQueue.name, access: 'send' } as const;

/** alarm when one partner's run disputes more orders than this (ReconcileRunDisputes, Maximum over 5 minutes) */
export const RECONCILE_DISPUTES_ALARM_THRESHOLD = 10;

export const reconcileFunctions: readonly FunctionDecl[] = [
  {
    id: 'reconcile-dispatch',
    service: 'reconcile',
    entry: 'functions/reconcile/reconcile-dispatch.ts',
    tier: 'L2',
    description: 'Nightly fan-out: claims each due partner’s previous China-time day once and enqueues its run',
    triggers: [{ type: 'schedule', expression: 'rate(5 minutes)' }],
    calls: CALLS_NONE,
    grants: [readPartners, table, runs],
    timeoutSeconds: 60,
  },
  {
    id: 'reconcile-run',
    service: 'reconcile',
    entry: 'functions/reconcile/reconcile-run.ts',
    tier: 'L2',
    description: 'check_charge_orders with one partner for one day: requests, answer, disputes, re-push of orders not found',
    triggers: [{ type: 'queue', queue: ReconcileRunsQueue.name, batchSize: 1, maxConcurrency: 2 }],
    grants: [
      readPartners,
      readSecrets,
      readOrders,
      table,
      runs,
      pushes,
      putEvents,
      { table: 'push-state', access: 'readWrite' },
      // a supervision platform's day: the stations' AreaCodes (issue 13)
      { table: 'stations', access: 'read' },
    ],
    // a day of 100,000 orders: 200 requests of 500
    timeoutSeconds: 300,
    memoryMb: 1024,
    calls: ['query_token', 'check_charge_orders'],
    alarms: [
      {
        metric: 'ReconcileRunDisputes',
        statistic: 'Maximum',
        threshold: RECONCILE_DISPUTES_ALARM_THRESHOLD,
        description: `a partner disputes more than ${RECONCILE_DISPUTES_ALARM_THRESHOLD} orders of one day`,
      },
      {
        metric: 'ReconcileRunRejected',
        statistic: 'Sum',
        threshold: 0,
        description: 'a reconciliation answer was refused, malformed or suspicious',
      },
    ],
  },
  {
    id: 'order-catchup',
    service: 'reconcile',
    entry: 'functions/reconcile/order-catchup.ts',
    tier: 'L2',
    description: 'Re-pushes orders whose notification_charge_order_info was not confirmed within CATCHUP_AFTER_SECONDS',
    triggers: [{ type: 'schedule', expression: 'rate(15 minutes)' }],
    calls: CALLS_NONE,
    grants: [readPartners, readOrders, table, pushes],
  },
  {
    id: 'station-changes',
    service: 'reconcile',
    entry: 'functions/reconcile/station-changes.ts',
    tier: 'L2',
    description: 'Publishes the StationChanged facts a station import recorded (outbox) but did not publish (a failed publish, a crash)',
    // nothing pending: one Query of the outbox's empty key range (shared/store/stations.ts)
    triggers: [{ type: 'schedule', expression: 'rate(5 minutes)' }],
    grants: [{ table: 'stations', access: 'readWrite' }, putEvents],
    timeoutSeconds: 60,
  },
];
