/** T/CEC 102 §3.4 — energy per connector, equipment and station for a date range. The rules live in shared/services/station-queries.ts. */

import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { queryStationStats } from '../../shared/services/station-queries.ts';

export const handler = tcecHandler('query_station_stats', ({ partner, data }) => queryStationStats(partner, data));
