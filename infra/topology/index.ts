/**
 * THE topology: every table, queue and function of the platform, declared once.
 * The CDK stack and the local runtime both read this; neither adds wiring of its own.
 */
import type { FunctionDecl, Grant, QueueDecl, TableDecl, Tier, Topology } from './types.ts';

export * from './types.ts';

/** Base path of the T/CEC interfaces we serve. */
export const TCEC_BASE_PATH = '/evcs/v1';

export const tables: readonly TableDecl[] = [
  {
    name: 'partners',
    description: 'Partner registry: OperatorID → name, dialect, grants, endpoint, secret references (never secret values)',
    partitionKey: { name: 'pk', type: 'S' },
  },
  {
    name: 'tokens',
    description: 'Access tokens we issued, stored as SHA-256 hashes, expired by TTL',
    partitionKey: { name: 'pk', type: 'S' },
    ttlAttribute: 'ttl',
  },
];

export const queues: readonly QueueDecl[] = [];

const readPartners: Grant = { table: 'partners', access: 'read' };
const readSecrets: Grant = { secrets: 'read' };

/**
 * One Lambda per T/CEC interface we serve, routed at `POST /evcs/v1/<interface>`.
 * Every one of them runs the same request pipeline and so needs the partner registry,
 * the token store (to check the Bearer token) and the partners' secrets.
 */
const tcecInterface = (
  iface: string,
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
  triggers: [{ type: 'http', method: 'POST', path: `${TCEC_BASE_PATH}/${iface}` }],
  grants: [readPartners, readSecrets, { table: 'tokens', access: 'read' }, ...extraGrants],
  ...extra,
});

export const functions: readonly FunctionDecl[] = [
  tcecInterface('query_token', 'evcs', 'L0', 'T/CEC 102 §3.0: issues access tokens to partners', [
    { table: 'tokens', access: 'readWrite' },
  ]),
];

export const topology: Topology = { tables, queues, functions };

/** Functions that exist in a given runtime. */
export const deployedFunctions = (): readonly FunctionDecl[] => functions.filter((f) => !f.localOnly);
