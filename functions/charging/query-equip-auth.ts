/** T/CEC 102 §3.5 query_equip_auth — may a session start on this connector? */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { equipAuth } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_equip_auth', ({ partner, data }) => equipAuth(partner, data));
