/**
 * The parking service (L1, its own nested stack): DiDi's ground-lock and parking interfaces (extensions
 * behind the profile switch), the parking fee waiver of finished orders and the raise of a dropped
 * ground lock once the car has left. Its one table holds lock states and waivers; it reads orders
 * and stations and never writes them, so a failing car park (gate, locks) never touches an order.
 *
 *   OrderFinished ─rule─▶ parking-waivers (+DLQ) ─▶ parking-waiver ─▶ the car park's gate (HTTP)
 *   ConnectorStatusChanged (status 1, parkingSpace true or not known) ─rule─▶ parking-lock-raise ─▶ the car park's lock (HTTP);
 *     a failed raise ─GroundLockRaiseDue (sent direct)─▶ parking-waivers ─▶ parking-waiver (backoff, DLQ, replay)
 *   a lock's new state (drop, raise, fault) ─▶ GroundLockChanged ─rule─▶ connector-status (the
 *   connector's LockStatus, pushed like a pile status)
 */
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import { ParkingWaiversQueue } from '../../events/queues.ts';
import { putEvents, tcecInterface } from './helpers.ts';
import type { FunctionDecl, QueueDecl, TableDecl } from './types.ts';

export const parkingTables: readonly TableDecl[] = [
  {
    name: 'parking',
    description: 'Parking: ground-lock states (LOCK#<StationID>#<LockNum>) and parking fee waivers (WAIVER#<StartChargeSeq>)',
    partitionKey: { name: 'pk', type: 'S' },
  },
];

export const parkingQueues: readonly QueueDecl[] = [ParkingWaiversQueue.decl];

const parking = { table: 'parking', access: 'readWrite' } as const;
const readStations = { table: 'stations', access: 'read' } as const;
const readOrders = { table: 'orders', access: 'read' } as const;

export const parkingFunctions: readonly FunctionDecl[] = [
  tcecInterface('query_ground_locks', 'parking', 'L1', "Extension (DiDi ground locks): a station's locks and their LockStatus", [
    readStations,
    parking,
  ]),
  tcecInterface('query_ground_lock_auth', 'parking', 'L1', "Extension (DiDi ground locks): may the caller drop each station's locks", [
    readStations,
  ]),
  tcecInterface(
    'query_drop_lock',
    'parking',
    'L1',
    "Extension (DiDi ground locks): drop a lock for the caller's driver at the car park's gateway; one-time DropCode",
    // putEvents: GroundLockChanged, the lock's state into the connector status pipeline
    [readStations, readOrders, parking, putEvents],
  ),
  tcecInterface(
    'query_drop_lock_result',
    'parking',
    'L1',
    'Extension (DiDi ground locks): the drop in force; a spent DropCode is refused',
    [readStations, parking],
  ),
  tcecInterface('query_parking_free_info', 'parking', 'L1', "Extension (DiDi parking): an order's parking waiver and its status", [
    readOrders,
    parking,
  ]),
  tcecInterface('query_parking_station', 'parking', 'L1', "Extension (DiDi parking): a station's parking waiver policy", [readStations]),
  tcecInterface('query_parking_free_wave', 'parking', 'L1', "Extension (DiDi parking): apply a finished order's waiver at the gate now", [
    readStations,
    readOrders,
    parking,
  ]),
  tcecInterface(
    'modify_parking_fee_wave_car_number',
    'parking',
    'L1',
    "Extension (DiDi parking): the plate of an order's waiver; a waiver waiting for it goes to the gate",
    [readStations, readOrders, parking],
  ),
  {
    id: 'parking-waiver',
    service: 'parking',
    entry: 'functions/parking/parking-waiver.ts',
    tier: 'L1',
    description:
      "A finished order's parking fee waiver (station policy), sent to the car park's gate, and a ground lock's raise still due; a failing gateway retries with backoff, then the DLQ",
    triggers: [{ type: 'queue', queue: ParkingWaiversQueue.name, batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 2 }],
    // send: the queue's URL, to set a failed waiver's retry backoff (ChangeMessageVisibility)
    // putEvents: a due lock raise announces the lock's state (GroundLockChanged)
    grants: [readStations, parking, { queue: ParkingWaiversQueue.name, access: 'send' }, putEvents],
    // a batch of 10 gate calls of at most 2 s each would not fit the tier's default; the calls are sequential
    timeoutSeconds: 10,
    alarms: [{ metric: 'ParkingGateFailed', threshold: 5, description: "a car park's gate failed more than 5 waivers" }],
  },
  {
    id: 'parking-lock-raise',
    service: 'parking',
    entry: 'functions/parking/parking-lock-raise.ts',
    tier: 'L1',
    description:
      'A connector available again (the car left): raise its dropped ground lock; the drop code is spent; a failed raise goes to the parking-waivers queue',
    // only a connector that has (or may have: not known) a parking space: a boot's "available" of every
    // other connector invokes nothing (a demo boot: 2,005 invocations → 80, the 40 connectors with a space)
    triggers: [
      {
        type: 'event',
        pattern: ConnectorStatusChanged.pattern({ status: [1], $or: [{ parkingSpace: [true] }, { parkingSpace: [{ exists: false }] }] }),
      },
    ],
    // send: a raise the car park failed, handed to the parking-waivers queue (GroundLockRaiseDue)
    grants: [readStations, parking, putEvents, { queue: ParkingWaiversQueue.name, access: 'send' }],
  },
];
