/**
 * The roaming service (L1): OUR users on PARTNERS' piles — the customer side of T/CEC 102. We serve
 * the partner's notifications about our users' sessions and its connector status pushes at
 * `/evcs/v1/` through the same gateway pipeline as every interface we serve.
 */

import { putEvents, readPartners, readSecrets, tcecInterface } from './helpers.ts';
import type { FunctionDecl, TableDecl } from './types.ts';

export const roamingTables: readonly TableDecl[] = [
  {
    name: 'roaming',
    description: "Roaming orders (ORDER#<StartChargeSeq>: our users on partners' piles, both sides' figures) and partner connector status",
    partitionKey: { name: 'pk', type: 'S' },
    indexes: [
      // the inbound check_charge_orders reads a partner's orders of a period; keys and the seq only,
      // so a notification (which never changes them) costs no index write
      {
        name: 'byPartner',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
        projection: ['StartChargeSeq'],
      },
      // SPARSE and overloaded (one index, so one deploy step adds it): `OPEN` → the roaming orders the
      // session sweep must look at (createdAt order); `PCELL#<cell>` → the partner stations of a
      // grid cell, with what the station search filters by (owner, coordinates) — never a Scan
      {
        name: 'byGroup',
        partitionKey: { name: 'gsi2pk', type: 'S' },
        sortKey: { name: 'gsi2sk', type: 'S' },
        projection: ['StartChargeSeq', 'StationID', 'owner', 'StationLng', 'StationLat'],
      },
    ],
    critical: true,
  },
];

const roaming = { table: 'roaming', access: 'readWrite' } as const;
/** the partner's access token, shared with the pushes (one token per partner endpoint) */
const tokens = { table: 'push-state', access: 'readWrite' } as const;

export const roamingFunctions: readonly FunctionDecl[] = [
  tcecInterface(
    'notification_start_charge_result',
    'roaming',
    'L1',
    'Customer side §3.8: the partner started (or not) our user’s session',
    [roaming],
  ),
  tcecInterface(
    'notification_equip_charge_status',
    'roaming',
    'L1',
    'Customer side §3.9: live values of our user’s session on a partner pile',
    [roaming],
  ),
  tcecInterface('notification_stop_charge_result', 'roaming', 'L1', 'Customer side §3.11: the partner stopped our user’s session', [
    roaming,
  ]),
  tcecInterface(
    'notification_charge_order_info',
    'roaming',
    'L1',
    'Customer side §3.12: the partner’s bill, recomputed with our billing function; ConfirmResult 0/1 (+ OrderDisputed)',
    [roaming, putEvents],
  ),
  tcecInterface(
    'notification_stationStatus',
    'roaming',
    'L1',
    'Customer side §3.3: a partner connector’s status (newest by arrival wins)',
    [roaming],
    { id: 'notification-station-status', entry: 'functions/roaming/notification-station-status.ts' },
  ),
  tcecInterface(
    'check_charge_orders',
    'roaming',
    'L1',
    'Customer side §3.13: the partner’s order list of a period vs our roaming orders; DisputeOrders 1/2/3, the run stored',
    [roaming, putEvents],
  ),
  {
    id: 'roaming-catalog-sync',
    service: 'roaming',
    entry: 'functions/roaming/catalog-sync.ts',
    tier: 'L1',
    description: "Pull every roam-out partner's stations (query_stations_info, all pages; then by LastQueryTime)",
    triggers: [{ type: 'schedule', expression: 'rate(1 hour)' }],
    grants: [roaming, readPartners, readSecrets, tokens],
    timeoutSeconds: 300,
    calls: ['query_token', 'query_stations_info'],
  },
  {
    id: 'roaming-session-sweep',
    service: 'roaming',
    entry: 'functions/roaming/session-sweep.ts',
    tier: 'L1',
    description:
      'Moves open roaming sessions without the app (lost starts and stale sessions resolved by query_equip_charge_status, pending disputes published, overdue bills alarmed, never-sent bills abandoned); every third run the slow status poll (query_station_status)',
    // the sweep: one Query of the sparse byGroup index (OPEN), then per open session one GetItem and at
    // most one partner call. The status poll rides on the same function (every 15 min): a function costs
    // the monitoring stacks three parameters (handler, logs, on-failure DLQ; README "CloudFormation allows")
    triggers: [{ type: 'schedule', expression: 'rate(5 minutes)' }],
    grants: [roaming, readPartners, readSecrets, tokens, putEvents],
    timeoutSeconds: 300,
    calls: ['query_token', 'query_equip_charge_status', 'query_station_status'],
    alarms: [
      {
        metric: 'RoamingFinalOrderOverdue',
        threshold: 0,
        statistic: 'Maximum',
        description: 'a session on a partner’s pile has had no final order for ROAMING_FINAL_ORDER_HOURS',
      },
    ],
  },
];
