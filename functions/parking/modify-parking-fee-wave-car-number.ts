/** modify_parking_fee_wave_car_number — extension (DiDi 1.4.0 parking, reference §5.1): the plate of an order's waiver. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { setPlate } from '../../shared/services/parking.ts';

export const handler = tcecHandler('modify_parking_fee_wave_car_number', ({ partner, data, now }) => setPlate(partner, data, now));
