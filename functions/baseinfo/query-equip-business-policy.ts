/** T/CEC 102 §3.6 — a connector's time-of-use prices. The rules live in shared/services/station-queries.ts. */

import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { queryBusinessPolicy } from '../../shared/services/station-queries.ts';

export const handler = tcecHandler('query_equip_business_policy', ({ partner, data }) => queryBusinessPolicy(partner, data));
