/** The protocol gateway's own tables and functions. */

import { tcecInterface } from './helpers.ts';
import type { FunctionDecl, TableDecl } from './types.ts';

export const evcsTables: readonly TableDecl[] = [
  {
    name: 'partners',
    description: 'Partner registry: OperatorID → name, dialect, grants, endpoint (never secret values)',
    partitionKey: { name: 'pk', type: 'S' },
  },
  {
    name: 'tokens',
    description: 'Access tokens we issued, stored as SHA-256 hashes, expired by TTL',
    partitionKey: { name: 'pk', type: 'S' },
    ttlAttribute: 'ttl',
  },
];

export const evcsFunctions: readonly FunctionDecl[] = [
  tcecInterface('query_token', 'evcs', 'L0', 'T/CEC 102 §3.0: issues access tokens to partners', [
    { table: 'tokens', access: 'readWrite' },
  ]),
];
