/**
 * The msp service's extension functions (L1: a partner's extra feature; a failure here never
 * touches a session in progress): each is a T/CEC extension interface behind the profile switch
 * (shared/middleware/tcec-gateway.ts), served at /evcs/v1/ and /msp/{profile}/v1/ like the core's.
 */
import { putEvents, tcecInterface } from './helpers.ts';
import type { FunctionDecl } from './types.ts';

const orders = { table: 'orders', access: 'readWrite' } as const;
const readStations = { table: 'stations', access: 'read' } as const;

export const mspFunctions: readonly FunctionDecl[] = [
  tcecInterface(
    'query_reserve_connector',
    'msp',
    'L1',
    'Extension (ours): reserve an idle connector for N minutes (station policy); the pile is told (ReserveNow)',
    [readStations, orders, putEvents],
  ),
  tcecInterface('query_cancel_reservation', 'msp', 'L1', 'Extension (ours): cancel a reservation; the pile is told (CancelReservation)', [
    orders,
    putEvents,
  ]),
  {
    id: 'reservation-expiry',
    service: 'msp',
    entry: 'functions/msp/reservation-expiry.ts',
    tier: 'L1',
    description: 'Extension (reservation): lapsed reservations no start used are settled as no-shows, billed once',
    // one query of the orders table's byCharging index, RESERVED partition (lapsed ones), then per
    // lapsed reservation a read and one conditional write (a second run or a racing start writes nothing)
    triggers: [{ type: 'schedule', expression: 'rate(5 minutes)' }],
    grants: [orders],
    timeoutSeconds: 60,
  },
];
