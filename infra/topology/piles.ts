/**
 * The pile side (L0): the OCPP 1.6J gateway charge points connect to (a WebSocket API:
 * `$connect`, `$disconnect`, `$default`), its delayed checks, and the pile gateway that turns
 * PileCommandRequested into OCPP calls. Pile → platform events (status, session started/stopped,
 * meter values) come out of the OCPP gateway through shared/piles/emit.ts (and, locally, out of the
 * simulator's direct mode) and are consumed by baseinfo and charging.
 *
 * The local simulator's admin routes (`/local/sim/...`) are NOT declared here: they exist only in
 * the local runtime (infra/local/simulator) and are never deployed.
 */

import { ChargingPileEventsQueue, ChargingPileMetersQueue, OcppChecksQueue, PileCommandsQueue } from '../../events/queues.ts';
import type { FunctionDecl, QueueDecl, TableDecl } from './types.ts';

/** where charge points connect: `wss://<host>/ocpp/<chargePointId>` (locally `ws://127.0.0.1:<port>/ocpp/<chargePointId>`) */
export const OCPP_PATH = '/ocpp';

export const pilesTables: readonly TableDecl[] = [
  {
    name: 'ocpp',
    description:
      'OCPP gateway: charge point registry (connectors, password hash), live connections, pending outgoing calls, transactions bound to orders, issued idTags',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: 'ttl',
  },
];

export const pilesQueues: readonly QueueDecl[] = [PileCommandsQueue.decl, OcppChecksQueue.decl];

// pile events enter through shared/piles/emit.ts: statuses on the bus, session events and readings on the charging queues
const ocppGrants = [
  { table: 'ocpp', access: 'readWrite' },
  { bus: 'put' },
  { queue: ChargingPileEventsQueue.name, access: 'send' },
  { queue: ChargingPileMetersQueue.name, access: 'send' },
  { queue: OcppChecksQueue.name, access: 'send' },
] as const;

/** the reservation extension's items in the orders table (RESV#, LOCK#), withdrawn when a charger does not take a ReserveNow */
const withdrawReservations = { table: 'orders', access: 'readWrite' } as const;

export const pilesFunctions: readonly FunctionDecl[] = [
  {
    id: 'pile-gateway',
    service: 'piles',
    entry: 'functions/piles/pile-gateway.ts',
    tier: 'L0',
    description: 'Hands pile commands to the piles: OCPP RemoteStart/RemoteStopTransaction over the WebSocket API; the simulator locally',
    triggers: [{ type: 'queue', queue: PileCommandsQueue.name, batchSize: 10 }],
    grants: [...ocppGrants, { table: 'stations', access: 'read' }, { websocket: 'post' }],
  },
  {
    id: 'ocpp-connect',
    service: 'piles',
    entry: 'functions/ocpp/ocpp-connect.ts',
    tier: 'L0',
    description: 'OCPP $connect: subprotocol ocpp1.6, HTTP Basic auth of the charge point (security profile 1), 401 otherwise',
    triggers: [{ type: 'websocket', route: '$connect' }],
    grants: [{ table: 'ocpp', access: 'readWrite' }],
    alarms: [
      {
        metric: 'OcppConnectRejected',
        threshold: 50,
        description: 'OCPP: more than 50 charge point connections refused in 5 minutes (wrong passwords, unknown charge points)',
      },
    ],
  },
  {
    id: 'ocpp-disconnect',
    service: 'piles',
    entry: 'functions/ocpp/ocpp-disconnect.ts',
    tier: 'L0',
    description:
      'OCPP $disconnect: forgets the connection; connectors go offline after the grace period unless the charge point reconnects',
    triggers: [{ type: 'websocket', route: '$disconnect' }],
    grants: [
      { table: 'ocpp', access: 'readWrite' },
      { queue: OcppChecksQueue.name, access: 'send' },
    ],
  },
  {
    id: 'ocpp-message',
    service: 'piles',
    entry: 'functions/ocpp/ocpp-message.ts',
    tier: 'L0',
    description: 'OCPP $default: one OCPP-J frame; CALLs answered in the route response, answers to our calls matched by message id',
    triggers: [{ type: 'websocket', route: '$default' }],
    // + orders: a ReserveNow the charger refuses withdraws its reservation (RESV#/LOCK#, shared/services/reservation.ts)
    grants: [...ocppGrants, withdrawReservations],
  },
  {
    id: 'ocpp-checks',
    service: 'piles',
    entry: 'functions/ocpp/ocpp-checks.ts',
    tier: 'L0',
    description:
      'Delayed OCPP checks: connectors offline after the disconnect grace period; outgoing calls timed out; metering set after a boot',
    triggers: [{ type: 'queue', queue: OcppChecksQueue.name, batchSize: 10 }],
    // + PostToConnection: the ChangeConfiguration calls that set a booted charge point's metering (issue 9 §2)
    // + orders: a ReserveNow that timed out withdraws its reservation (shared/services/reservation.ts)
    grants: [...ocppGrants, { websocket: 'post' }, withdrawReservations],
    alarms: [
      {
        metric: 'OcppCallTimeouts',
        threshold: 5,
        description: 'OCPP: more than 5 calls to charge points (RemoteStart/Stop, …) unanswered in 5 minutes',
      },
    ],
  },
];
