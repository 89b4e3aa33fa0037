/** T/CEC 102 §3.1 — station, equipment and connector data, paged and incremental. The rules live in shared/domain/station-queries.ts. */

import { queryStationsInfo } from '../../shared/domain/station-queries.ts';
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';

export const handler = tcecHandler('query_stations_info', ({ partner, data }) => queryStationsInfo(partner, data));
