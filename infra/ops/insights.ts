/**
 * The AWS side of `evcs trace --aws` and `evcs usage --aws`: CloudWatch Logs Insights over the
 * platform's function log groups (found by name prefix), the same keys and rows as the local data
 * dir gives. Only these calls: DescribeLogGroups, StartQuery, GetQueryResults.
 *
 * A query names at most 50 log groups: the stack's groups are queried in batches of 50 and the
 * rows merged — a trace is sorted again by time after the merge (each batch is in order, their
 * concatenation is not). A batch that returns Logs Insights' row limit (10,000) was cut: the
 * caller is told (`warn`), never silently given a partial story.
 */
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  type ResultField,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { anyKeyQuery, MAX_GROUPS, QUERY_LIMIT } from './queries.ts';
import { inTimeOrder, type LogRecord } from './trace.ts';
import type { UsageRow } from './usage.ts';

export interface InsightsOptions {
  readonly client: CloudWatchLogsClient;
  /** the stacks' log groups start with their names (default EvcsInterconnect- and EvcsOem: the msp layer of an OEM) */
  readonly logGroupPrefix: string | readonly string[];
  /** wait between GetQueryResults polls (tests: 0) */
  readonly pollMs?: number;
  readonly maxPolls?: number;
  /** told when a batch hit the row limit (default: stderr) */
  readonly warn?: (line: string) => void;
}

const logGroupNames = async (o: InsightsOptions): Promise<string[]> => {
  const names: string[] = [];
  let nextToken: string | undefined;
  for (const prefix of typeof o.logGroupPrefix === 'string' ? [o.logGroupPrefix] : o.logGroupPrefix)
    do {
      const r = await o.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, ...(nextToken ? { nextToken } : {}) }));
      for (const g of r?.logGroups ?? []) if (g.logGroupName) names.push(g.logGroupName);
      nextToken = r?.nextToken;
    } while (nextToken);
  return names;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** run one query over all the groups (in chunks of 50); rows as field → value */
const runQuery = async (
  o: InsightsOptions,
  queryString: string,
  startTime: Date,
  endTime: Date,
  knownGroups?: readonly string[],
): Promise<Record<string, string>[]> => {
  const groups = knownGroups ?? (await logGroupNames(o));
  if (groups.length === 0) throw new Error(`no log groups start with '${o.logGroupPrefix}' (wrong account, region or --log-group-prefix?)`);
  const rows: Record<string, string>[] = [];
  for (let i = 0; i < groups.length; i += MAX_GROUPS) {
    const { queryId } = await o.client.send(
      new StartQueryCommand({
        logGroupNames: groups.slice(i, i + MAX_GROUPS),
        queryString,
        startTime: Math.floor(startTime.getTime() / 1000),
        endTime: Math.ceil(endTime.getTime() / 1000),
      }),
    );
    if (!queryId) throw new Error('StartQuery returned no queryId');
    for (let polls = 0; ; polls++) {
      const r = await o.client.send(new GetQueryResultsCommand({ queryId }));
      if (r.status === 'Complete') {
        const results = r.results ?? [];
        for (const fields of results) rows.push(toRow(fields));
        if (results.length >= QUERY_LIMIT) {
          const batch = groups.slice(i, i + MAX_GROUPS);
          (o.warn ?? console.warn)(
            `warning: log groups ${i + 1}..${i + batch.length} of ${groups.length} returned Logs Insights' limit of ${QUERY_LIMIT} rows: ` +
              'their part is cut — narrow the window (--days) or the id',
          );
        }
        break;
      }
      if (r.status === 'Failed' || r.status === 'Cancelled' || r.status === 'Timeout') throw new Error(`Logs Insights query ${r.status}`);
      if (polls >= (o.maxPolls ?? 120)) throw new Error('Logs Insights query did not complete in time');
      await sleep(o.pollMs ?? 1000);
    }
  }
  return rows;
};

const toRow = (fields: readonly ResultField[]): Record<string, string> =>
  Object.fromEntries(fields.filter((f) => f.field && f.value !== undefined).map((f) => [f.field as string, f.value as string]));

/**
 * the trace's records from CloudWatch, oldest first across every batch: `@timestamp` (UTC,
 * "YYYY-MM-DD HH:MM:SS.mmm") becomes `timestamp`
 */
export const traceFromAws = async (o: InsightsOptions, id: string, since: Date, until: Date): Promise<LogRecord[]> =>
  inTimeOrder(
    (await runQuery(o, anyKeyQuery(id), since, until)).map((r) => {
      const { '@timestamp': at, ...rest } = r;
      return { ...rest, ...(at ? { timestamp: `${at.replace(' ', 'T')}Z` } : {}) };
    }),
  );

const REQUESTS = 'filter ispresent(interface) and ispresent(Ret) and ispresent(Requests)';
export const USAGE_COUNT_QUERY = `${REQUESTS} | stats count(*) as calls by datefloor(@timestamp, 1d) as day, interface, OperatorID, Ret`;
export const USAGE_LATENCY_QUERY = `${REQUESTS} | stats pct(durationMs, 50) as p50, pct(durationMs, 99) as p99 by datefloor(@timestamp, 1d) as day, interface, OperatorID`;

/** the usage rows from the EMF records in CloudWatch Logs (two aggregations, merged) */
export const usageFromAws = async (o: InsightsOptions, since: Date, until: Date, partner?: string): Promise<UsageRow[]> => {
  const only = partner ? ` and OperatorID = "${partner.replace(/"/g, '')}"` : '';
  const groups = await logGroupNames(o);
  const counts = await runQuery(o, USAGE_COUNT_QUERY.replace(REQUESTS, REQUESTS + only), since, until, groups);
  const latencies = await runQuery(o, USAGE_LATENCY_QUERY.replace(REQUESTS, REQUESTS + only), since, until, groups);
  const key = (r: Record<string, string>) => `${(r.day ?? '').slice(0, 10)}\u0000${r.interface}\u0000${r.OperatorID ?? '-'}`;
  const rows = new Map<string, { day: string; interface: string; partner: string; calls: number; rets: Record<string, number> }>();
  for (const r of counts) {
    const k = key(r);
    const row = rows.get(k) ?? {
      day: (r.day ?? '').slice(0, 10),
      interface: r.interface ?? '?',
      partner: r.OperatorID ?? '-',
      calls: 0,
      rets: {},
    };
    const n = Number(r.calls ?? 0);
    row.calls += n;
    row.rets[r.Ret ?? '?'] = (row.rets[r.Ret ?? '?'] ?? 0) + n;
    rows.set(k, row);
  }
  const lat = new Map(latencies.map((r) => [key(r), r]));
  return [...rows.entries()]
    .map(([k, r]) => ({ ...r, p50Ms: Math.round(Number(lat.get(k)?.p50 ?? 0)), p99Ms: Math.round(Number(lat.get(k)?.p99 ?? 0)) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.interface.localeCompare(b.interface) || a.partner.localeCompare(b.partner));
};
