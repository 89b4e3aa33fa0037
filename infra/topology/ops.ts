/**
 * The operations service: the admin API the operator console reads (functions/ops/admin-api.ts,
 * shared/services/admin-views.ts). Never public: every route needs the operator's authentication
 * (`auth: 'operator'`: a Cognito JWT authorizer in AWS, the local bearer key on a laptop).
 */
import { PushDeliveriesQueue } from '../../events/queues.ts';
import { readPartners } from './helpers.ts';
import type { FunctionDecl } from './types.ts';

/** where the admin API is served; the console (console/) calls it on its own origin */
const ADMIN_BASE_PATH = '/admin/v1';

export const opsFunctions: readonly FunctionDecl[] = [
  {
    id: 'admin-api',
    service: 'ops',
    entry: 'functions/ops/admin-api.ts',
    tier: 'L3',
    description: 'Admin API of the operator console: stations, sessions, push health, DLQ replay, disputes, SLAs, charge points',
    triggers: [
      { type: 'http', method: 'GET', path: `${ADMIN_BASE_PATH}/{view}`, auth: 'operator' },
      { type: 'http', method: 'POST', path: `${ADMIN_BASE_PATH}/dlq/replay`, auth: 'operator' },
    ],
    grants: [
      readPartners,
      { table: 'stations', access: 'read' },
      { table: 'orders', access: 'read' },
      { table: 'push-state', access: 'read' },
      { table: 'reconcile', access: 'read' },
      { table: 'ocpp', access: 'read' },
      { queue: PushDeliveriesQueue.name, access: 'redrive' },
    ],
  },
];
