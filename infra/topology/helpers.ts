/** Building blocks for the per-service topology files. */
import type { InterfaceName } from '../../shared/tcec/interfaces.ts';
import type { FunctionDecl, Grant, Tier } from './types.ts';

/** Base path of the T/CEC interfaces we serve. */
export const TCEC_BASE_PATH = '/evcs/v1';
/** Base path of the interfaces served under a custom partner profile (msp, shared/tcec/profiles.ts). */
const MSP_BASE_PATH = '/msp/{profile}/v1';

export const readPartners: Grant = { table: 'partners', access: 'read' };
export const readSecrets: Grant = { secrets: 'read' };
export const putEvents: Grant = { bus: 'put' };

/**
 * One Lambda per T/CEC interface we serve, routed at `POST /evcs/v1/<interface>`, entry
 * `functions/<service>/<interface-in-kebab-case>.ts`. Every one runs the same request pipeline and
 * so needs the partner registry, the token store and the partners' secrets. The name is a catalog
 * name (shared/tcec/interfaces.ts): a misspelled route does not type-check.
 */
export const tcecInterface = (
  iface: InterfaceName,
  service: FunctionDecl['service'],
  tier: Tier,
  description: string,
  extraGrants: readonly Grant[] = [],
  extra: Partial<FunctionDecl> = {},
): FunctionDecl => ({
  id: iface.replace(/_/g, '-'),
  service,
  entry: `functions/${service}/${iface.replace(/_/g, '-')}.ts`,
  tier,
  description,
  triggers: [
    { type: 'http', method: 'POST', path: `${TCEC_BASE_PATH}/${iface}` },
    // the same function under a profile's own prefix; the gateway checks it is the partner's profile's
    { type: 'http', method: 'POST', path: `${MSP_BASE_PATH}/${iface}` },
  ],
  grants: [readPartners, readSecrets, { table: 'tokens', access: 'read' }, ...extraGrants],
  ...extra,
});
