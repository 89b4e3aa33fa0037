/**
 * query_vin_bind — extension (ours, plug-and-charge 即插即充; docs/conformance.md): bind a car's VIN to
 * the partner's user. Served only to partners whose profile enables it.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { bindVin } from '../../shared/services/vin-bindings.ts';

export const handler = tcecHandler('query_vin_bind', ({ partner, data, now }) => bindVin(partner, data, now));
