/**
 * The app API (`/app/v1`, issue 12 §4): JSON over HTTPS for OUR apps — find our and partners'
 * stations, start, watch and stop sessions on either. Part of the `roaming` service (L1): a
 * failure here hurts our own users' branch of the flow, never the partners' sessions on our piles
 * (the L0 charging service is called, it does not call back).
 *
 * Every route is `auth: 'app'`: in AWS an IAM (SigV4) authorizer — our app backend signs with its
 * role, no anonymous caller reaches a Lambda; locally the runtime's bearer key
 * (`EVCS_APP_API_KEY`, else generated and printed at `npm start`).
 */
import { ChargingTimeoutsQueue } from '../../events/queues.ts';
import { putEvents, readPartners, readSecrets } from './helpers.ts';
import type { FunctionDecl } from './types.ts';

const APP_BASE_PATH = '/app/v1';

const roaming = { table: 'roaming', access: 'readWrite' } as const;
const readRoaming = { table: 'roaming', access: 'read' } as const;
/** the partner's access token, shared with the pushes and the catalog sync */
const tokens = { table: 'push-state', access: 'readWrite' } as const;
const readStations = { table: 'stations', access: 'read' } as const;
const orders = { table: 'orders', access: 'readWrite' } as const;
const timeouts = { queue: ChargingTimeoutsQueue.name, access: 'send' } as const;

/** a session on a partner's pile (T/CEC client) or one of ours (the charging service) */
const sessionGrants = [roaming, readPartners, readSecrets, tokens, readStations, orders, putEvents, timeouts] as const;

export const appFunctions: readonly FunctionDecl[] = [
  {
    id: 'app-stations',
    service: 'roaming',
    entry: 'functions/app/app-stations.ts',
    tier: 'L1',
    description: "App API: our and the partners' stations near a point, nearest first, live availability and prices",
    triggers: [{ type: 'http', method: 'GET', path: `${APP_BASE_PATH}/stations`, auth: 'app' }],
    grants: [readStations, readRoaming],
  },
  {
    id: 'app-session-start',
    service: 'roaming',
    entry: 'functions/app/app-session-start.ts',
    tier: 'L1',
    description:
      "App API: start a session — a partner's connector: query_equip_auth, then ONE query_start_charge (a lost answer resolved by query_equip_charge_status); ours: the charging service",
    triggers: [{ type: 'http', method: 'POST', path: `${APP_BASE_PATH}/sessions`, auth: 'app' }],
    grants: sessionGrants,
    calls: ['query_token', 'query_equip_auth', 'query_equip_business_policy', 'query_start_charge', 'query_equip_charge_status'],
  },
  {
    id: 'app-session-get',
    service: 'roaming',
    entry: 'functions/app/app-session-get.ts',
    tier: 'L1',
    description: "App API: a session's state, energy and running cost (the partner's pushes, else a poll of query_equip_charge_status)",
    triggers: [{ type: 'http', method: 'GET', path: `${APP_BASE_PATH}/sessions/{id}`, auth: 'app' }],
    grants: sessionGrants,
    calls: ['query_token', 'query_equip_charge_status'],
  },
  {
    id: 'app-session-stop',
    service: 'roaming',
    entry: 'functions/app/app-session-stop.ts',
    tier: 'L1',
    description: 'App API: stop a session (query_stop_charge on a partner’s pile; the charging service on ours)',
    triggers: [{ type: 'http', method: 'DELETE', path: `${APP_BASE_PATH}/sessions/{id}`, auth: 'app' }],
    grants: sessionGrants,
    calls: ['query_token', 'query_equip_charge_status', 'query_stop_charge'],
  },
];
