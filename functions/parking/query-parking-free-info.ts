/** query_parking_free_info — extension (DiDi 1.4.0 parking, reference §5.1): an order's parking waiver and its status. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { parkingFreeInfo } from '../../shared/services/parking.ts';

export const handler = tcecHandler('query_parking_free_info', ({ partner, data }) => parkingFreeInfo(partner, data));
