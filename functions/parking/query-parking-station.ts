/** query_parking_station — extension (DiDi 1.4.0 parking, reference §5.1): a station's waiver policy. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { parkingStation } from '../../shared/services/parking.ts';

export const handler = tcecHandler('query_parking_station', ({ partner, data }) => parkingStation(partner, data));
