/**
 * Plug-and-charge (即插即充, ours; msp extension, L1: a failure is felt by plug-in starts only, never
 * by a session in progress nor by a QR start):
 *
 *   query_vin_bind / query_vin_unbind ─▶ orders table VIN#<Vin> (one item per VIN)
 *   charger ─DataTransfer EVCS/VinReport─▶ ocpp-message (L0) ─PileVinReported─▶ plug-charge
 *     ─▶ the binding ─▶ the start path (order, PileCommandRequested, start timeout)
 *     ─▶ push-deliveries: notification_vin_start_charge
 */
import { PileVinReported } from '../../events/piles.ts';
import { ChargingTimeoutsQueue, PushDeliveriesQueue } from '../../events/queues.ts';
import { putEvents, readPartners, tcecInterface } from './helpers.ts';
import { CALLS_NONE, type FunctionDecl } from './types.ts';

const orders = { table: 'orders', access: 'readWrite' } as const;

export const plugChargeFunctions: readonly FunctionDecl[] = [
  tcecInterface('query_vin_bind', 'msp', 'L1', "Ours (即插即充): bind a car's VIN (and plate) to the partner's user", [orders]),
  tcecInterface('query_vin_unbind', 'msp', 'L1', 'Ours (即插即充): release a VIN the partner bound', [orders]),
  {
    id: 'plug-charge',
    service: 'msp',
    entry: 'functions/msp/plug-charge.ts',
    tier: 'L1',
    description: 'A VIN reported at plug-in → a session under the partner that bound it (the start path), notification_vin_start_charge',
    triggers: [{ type: 'event', pattern: PileVinReported.pattern() }],
    // push-deliver sends notification_vin_start_charge
    calls: CALLS_NONE,
    grants: [
      orders,
      readPartners,
      { table: 'stations', access: 'read' },
      putEvents,
      { queue: ChargingTimeoutsQueue.name, access: 'send' },
      { queue: PushDeliveriesQueue.name, access: 'send' },
    ],
  },
];
