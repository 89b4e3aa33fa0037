/**
 * query_reserve_connector — extension (ours, reservation 预约充电; docs/conformance.md): hold an idle
 * connector for ReserveMinutes. Served only to partners whose profile enables it.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { reserveConnector } from '../../shared/services/reservation.ts';

export const handler = tcecHandler('query_reserve_connector', ({ partner, data, now }) => reserveConnector(partner, data, now));
