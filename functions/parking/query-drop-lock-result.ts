/** query_drop_lock_result — extension (DiDi 1.4.0 ground locks, reference §5.1): the drop in force; a spent DropCode is Ret 4004. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { dropLockResult } from '../../shared/services/ground-locks.ts';

export const handler = tcecHandler('query_drop_lock_result', ({ partner, data }) => dropLockResult(partner, data));
