/** T/CEC 102 §3.2 — live connector status of up to 50 stations. The rules live in shared/services/station-queries.ts. */

import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { queryStationStatus } from '../../shared/services/station-queries.ts';

export const handler = tcecHandler('query_station_status', ({ partner, data }) => queryStationStatus(partner, data));
