/** query_ground_lock_auth — extension (DiDi 1.4.0 ground locks, reference §5.1): may the caller drop each station's locks. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { groundLockAuth } from '../../shared/services/ground-locks.ts';

export const handler = tcecHandler('query_ground_lock_auth', ({ partner, data }) => groundLockAuth(partner, data));
