/** query_ground_locks — extension (DiDi 1.4.0 ground locks, reference §5.1): a station's locks and their LockStatus. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { groundLocks } from '../../shared/services/ground-locks.ts';

export const handler = tcecHandler('query_ground_locks', ({ partner, data }) => groundLocks(partner, data));
