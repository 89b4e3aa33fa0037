/** The charging service: orders, pile commands, billing (L0). */

import {
  ChargingPileEventsQueue,
  ChargingPileMetersQueue,
  ChargingTimeoutsQueue,
  PushDeliveriesQueue,
  PushSupervisionQueue,
} from '../../events/queues.ts';
import { putEvents, readPartners, tcecInterface } from './helpers.ts';
import { CALLS_NONE, type FunctionDecl, type QueueDecl, type TableDecl } from './types.ts';

export const chargingTables: readonly TableDecl[] = [
  {
    name: 'orders',
    description: 'Charging orders (ORDER#<StartChargeSeq>), connector locks (LOCK#<ConnectorID>) and refused starts (REFUSAL#…, expiring)',
    partitionKey: { name: 'pk', type: 'S' },
    ttlAttribute: 'ttl',
    indexes: [
      // each index copies only what its reader needs (shared/store/orders.ts): a meter sample writes none of it
      {
        name: 'byPartner',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
        // sparse: gsi1sk = endedAt, written when the order finishes (reconciliation, order catch-up).
        // Changed from createdAt/['StartChargeSeq','status','bill'] (issue 11): a GSI whose keys or
        // projection change is deleted and re-created by CloudFormation (a backfill in AWS).
        projection: ['StartChargeSeq', 'ConnectorID', 'endedAt', 'charged', 'bill', 'confirmResult'],
      },
      {
        name: 'byStation',
        partitionKey: { name: 'gsi2pk', type: 'S' },
        sortKey: { name: 'gsi2sk', type: 'S' },
        projection: ['ConnectorID', 'charged', 'energyWh'],
      },
      {
        // sparse: the orders charging now (set by the confirmed start, removed by the finish); keys only —
        // the stranded-session sweep (issue 17) reads each candidate order itself
        name: 'byCharging',
        partitionKey: { name: 'gsi3pk', type: 'S' },
        sortKey: { name: 'gsi3sk', type: 'S' },
        projection: [],
      },
    ],
    critical: true,
  },
];

export const chargingQueues: readonly QueueDecl[] = [
  ChargingPileEventsQueue.decl,
  ChargingPileMetersQueue.decl,
  ChargingTimeoutsQueue.decl,
];

const orders = { table: 'orders', access: 'readWrite' } as const;
const readOrders = { table: 'orders', access: 'read' } as const;
const readStations = { table: 'stations', access: 'read' } as const;
const timeouts = { queue: ChargingTimeoutsQueue.name, access: 'send' } as const;

export const chargingFunctions: readonly FunctionDecl[] = [
  tcecInterface('query_equip_auth', 'charging', 'L0', 'T/CEC 102 §3.5: may a session start on this connector', [readStations]),
  tcecInterface('query_start_charge', 'charging', 'L0', 'T/CEC 102 §3.7: create the order, lock the connector, command the pile', [
    readStations,
    orders,
    putEvents,
    timeouts,
  ]),
  tcecInterface('query_equip_charge_status', 'charging', 'L0', 'T/CEC 102 §3.9: live values and the running bill of an order', [
    readStations,
    readOrders,
  ]),
  tcecInterface('query_stop_charge', 'charging', 'L0', 'T/CEC 102 §3.10: stop an order', [readStations, orders, putEvents, timeouts]),
  tcecInterface(
    'query_charge_info',
    'charging',
    'L0',
    'Extension (reference §3.14): the order detail by StartChargeSeq, per-partner feature',
    [readOrders],
  ),
  tcecInterface(
    'query_start_charge_prepay',
    'charging',
    'L0',
    'Ours (预支付): a start holding a prepayment; the session stops itself when the running bill reaches it',
    [readStations, orders, putEvents, timeouts],
  ),
  tcecInterface(
    'query_start_charge_coupon',
    'charging',
    'L0',
    "Ours (卡券): a start using a coupon of the partner's user (used once, in the order's creating transaction)",
    [readStations, orders, putEvents, timeouts],
  ),
  tcecInterface(
    'query_order_settlement',
    'charging',
    'L1',
    'Ours (充电后支付): the settlement of a pay-after order (payable to us, paid)',
    [readOrders],
  ),
  tcecInterface('query_order_pay', 'charging', 'L1', 'Ours (充电后支付): the partner reports it paid a payable order', [orders, putEvents]),
  {
    id: 'pile-session-events',
    service: 'charging',
    entry: 'functions/charging/pile-session-events.ts',
    tier: 'L0',
    description: 'Pile started / meter values / stopped → order state, running bill, final bill; connector released',
    // readings: the consumer folds every waiting reading of an order with one write and shares one
    // invocation (receive, delete, request, logs, one process-samples write, one send to the push
    // lanes) among up to 50 readings: the operator's ~4,200 sessions at once send ~84 readings/s (a
    // sample every 50 s), so a 1 s window gathers ~42 where 2 pollers share them (~17 if the mapping
    // kept SQS's 5 baseline pollers: AWS does not document how maximum concurrency scales them);
    // 50 orders stay far inside the L0 10 s timeout. Starts and stops on their own queue, no window: a pile's
    // answer reaches its order at once, never behind a backlog of readings (one invocation each,
    // ≈ $4 × 10⁻⁷ a session). Both mappings share the function's reserved concurrency (L0: 20): the
    // readings' mapping takes at most 2 of them, SQS's least (2 × 50 readings a batch drain ~800
    // readings/s in AWS, ~10× the operator's rate; 5 pollers split the same readings into batches
    // 2.5× smaller, each paying the per-batch calls: issue 9 §2), so starts and stops keep 18
    // whatever the readings' backlog. Locally: 2 receive loops on the readings, the starts/stops
    // trigger the pollers' default 2, each trigger its own loops
    triggers: [
      { type: 'queue', queue: ChargingPileMetersQueue.name, batchSize: 50, maxBatchingWindowSeconds: 1, maxConcurrency: 2 },
      { type: 'queue', queue: ChargingPileEventsQueue.name, batchSize: 10 },
    ],
    // I/O-bound (a batch is one read and one write per order, in parallel, one samples write and one
    // send): half the L0 default, so its GB-s per reading halves (issue 9 §2, bench/cost.bench.ts)
    memoryMb: 512,
    // push-deliver sends the pushes it plans
    calls: CALLS_NONE,
    // + the charging-process samples supervision reporting needs, in their own items (infra/topology/dxp.ts);
    // + the due charge-status pushes (OrderProgress) planned here (push-planning: the partners, and a
    // station's AreaCode / equipment when a supervision platform exists) and sent straight to the
    // push lanes, no push-events message and no push-plan invocation (issue 9 §2)
    grants: [
      orders,
      putEvents,
      timeouts,
      { table: 'process-samples', access: 'write' },
      readPartners,
      readStations,
      { queue: PushDeliveriesQueue.name, access: 'send' },
      { queue: PushSupervisionQueue.name, access: 'send' },
    ],
  },
  {
    id: 'charging-timeout',
    service: 'charging',
    entry: 'functions/charging/charging-timeout.ts',
    tier: 'L0',
    description: 'A start or stop the pile never answered: finish the order with a reason and release the connector',
    triggers: [{ type: 'queue', queue: ChargingTimeoutsQueue.name, batchSize: 10 }],
    grants: [orders, putEvents],
  },
  {
    id: 'stranded-sweep',
    service: 'charging',
    entry: 'functions/charging/stranded-sweep.ts',
    tier: 'L0',
    description:
      'Stranded sessions: a charging order whose pile vanished (offline/idle connector, silent meter) is billed on its last readings and ended',
    // one query of the byCharging index (keys only) + a BatchGet of the candidates and their connectors' status
    triggers: [{ type: 'schedule', expression: 'rate(5 minutes)' }],
    grants: [orders, readStations, putEvents],
    timeoutSeconds: 60,
  },
];
