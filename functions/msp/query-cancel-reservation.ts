/**
 * query_cancel_reservation — extension (ours, reservation): release a reservation before it lapses.
 * Served only to partners whose profile enables it.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { cancelReservation } from '../../shared/services/reservation.ts';

export const handler = tcecHandler('query_cancel_reservation', ({ partner, data, now }) => cancelReservation(partner, data, now));
