/**
 * query_vin_unbind — extension (ours, plug-and-charge; docs/conformance.md): release a VIN the
 * partner bound. Served only to partners whose profile enables it.
 */
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { unbindVin } from '../../shared/services/vin-bindings.ts';

export const handler = tcecHandler('query_vin_unbind', ({ partner, data }) => unbindVin(partner, data));
