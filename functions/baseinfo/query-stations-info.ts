/** T/CEC 102 §3.1 — station, equipment and connector data, paged and incremental. The rules live in shared/services/station-queries.ts. */

import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { queryStationsInfo } from '../../shared/services/station-queries.ts';

export const handler = tcecHandler('query_stations_info', ({ partner, data }) => queryStationsInfo(partner, data));
