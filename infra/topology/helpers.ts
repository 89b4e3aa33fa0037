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
 * Whether a function with these grants changes state (writes a table or a bucket, publishes, sends,
 * commands a pile, writes a secret): its T/CEC interface gets durable replay protection.
 */
const changesState = (grants: readonly Grant[]): boolean =>
  grants.some(
    (g) =>
      (('table' in g || 'bucket' in g) && g.access !== 'read') ||
      'bus' in g ||
      'queue' in g ||
      'websocket' in g ||
      ('secrets' in g && g.secrets === 'readWrite'),
  );

/**
 * One Lambda per T/CEC interface we serve, routed at `POST /evcs/v1/<interface>`, entry
 * `functions/<service>/<interface-in-kebab-case>.ts`. Every one runs the same request pipeline and
 * so needs the partner registry, the token store and the partners' secrets; one whose grants change
 * state also marks each accepted envelope (`{ replay: 'put' }`, shared/store/replay.ts). The name is a catalog
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
  grants: [
    readPartners,
    readSecrets,
    { table: 'tokens', access: 'read' },
    ...extraGrants,
    // an interface that changes state refuses a replayed envelope on every instance, after a restart
    // too (one conditional put per accepted call); a read-only one relies on the in-process cache
    ...(changesState(extraGrants) ? [{ replay: 'put' } as const] : []),
  ],
  ...extra,
});
