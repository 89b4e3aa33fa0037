/** T/CEC 102 §3.6 — a connector's time-of-use prices. The rules live in shared/domain/station-queries.ts. */

import { queryBusinessPolicy } from '../../shared/domain/station-queries.ts';
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';

export const handler = tcecHandler('query_equip_business_policy', ({ partner, data }) => queryBusinessPolicy(partner, data));
