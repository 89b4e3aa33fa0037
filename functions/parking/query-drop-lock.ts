/** query_drop_lock — extension (DiDi 1.4.0 ground locks, reference §5.1): drop a lock for the caller's driver (one-time DropCode). */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { dropLock } from '../../shared/services/ground-locks.ts';

export const handler = tcecHandler('query_drop_lock', ({ partner, data, now }) => dropLock(partner, data, now));
