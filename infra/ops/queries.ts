/**
 * The keys an engineer searches the logs by, and the CloudWatch Logs Insights query that finds
 * every record carrying one of them, in time order. The stack saves one query per key
 * (infra/constructs/operations.ts); `evcs trace --aws` runs the same query.
 */

/** log keys, as the Powertools logger writes them (shared/middleware/tcec-gateway.ts, shared/observability) */
export const TRACE_KEYS = ['StartChargeSeq', 'ConnectorID', 'OperatorID', 'interface', 'xray_trace_id'] as const;
export type TraceKey = (typeof TRACE_KEYS)[number];

/** what a trace line shows */
export const TRACE_FIELDS = [
  '@timestamp',
  'function_name',
  'level',
  'message',
  'interface',
  'profile',
  'OperatorID',
  'StartChargeSeq',
  'ConnectorID',
  'Ret',
  'xray_trace_id',
] as const;

const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** the most rows a Logs Insights query returns */
export const QUERY_LIMIT = 10_000;

/** the most log groups one Logs Insights query (StartQuery, a saved QueryDefinition) may name */
export const MAX_GROUPS = 50;

/** `items` in runs of at most MAX_GROUPS, in order */
export const groupBatches = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / MAX_GROUPS) }, (_, i) => items.slice(i * MAX_GROUPS, (i + 1) * MAX_GROUPS));

/** `<key> = "<value>"` */
export const traceFilter = (key: TraceKey, value: string): string => `${key} = ${quote(value)}`;

/** One query for any of the keys: the trace CLI does not know which kind of id it was given. */
export const anyKeyQuery = (value: string): string =>
  [
    `fields ${TRACE_FIELDS.join(', ')}`,
    `filter ${TRACE_KEYS.map((k) => traceFilter(k, value)).join(' or ')}`,
    'sort @timestamp asc',
    `limit ${QUERY_LIMIT}`,
  ].join('\n| ');
