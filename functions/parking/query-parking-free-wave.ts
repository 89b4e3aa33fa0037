/** query_parking_free_wave — extension (DiDi 1.4.0 parking, reference §5.1): apply a finished order's waiver at the gate now. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { setPlate } from '../../shared/services/parking.ts';

export const handler = tcecHandler('query_parking_free_wave', ({ partner, data, now }) => setPlate(partner, data, now));
