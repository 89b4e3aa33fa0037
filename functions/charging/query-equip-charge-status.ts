/** T/CEC 102 §3.9 query_equip_charge_status — live values and the running bill. */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { chargeStatus } from '../../shared/services/charging.ts';

export const handler = tcecHandler('query_equip_charge_status', ({ partner, data }) => chargeStatus(partner, data.StartChargeSeq));
