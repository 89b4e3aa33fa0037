/** T/CEC 102 §3.2 — live connector status of up to 50 stations. The rules live in shared/domain/station-queries.ts. */

import { queryStationStatus } from '../../shared/domain/station-queries.ts';
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import type { ResponseData } from '../../shared/tcec/interfaces.ts';

// Merge note: station-queries' hand-written StationStatusResponse types Status as `number`; this cast
// goes once it returns the catalog type. Until then the gateway's run-time check covers it.
export const handler = tcecHandler(
  'query_station_status',
  async ({ partner, data }) => (await queryStationStatus(partner, data)) as ResponseData<'query_station_status'>,
);
