/**
 * `evcs trace` and `evcs usage`: read the local data dir (the platform need not be running), or
 * with `--aws` CloudWatch Logs Insights over the stack's log groups.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DEFAULT_DATA_DIR } from '../local/defaults.ts';
import { LOG_FILE, METRICS_FILE } from '../local/ops-files.ts';
import { type InsightsOptions, traceFromAws, usageFromAws } from '../ops/insights.ts';
import { parseJsonLines, renderTrace, traceOf } from '../ops/trace.ts';
import { type Call, callOf, renderUsage, reportOf, usageOf } from '../ops/usage.ts';
import { TCEC_BASE_PATH, topology } from '../topology/index.ts';

/** the stack's log groups are named after it (infra/app.ts STACK_NAME; a test keeps the two equal) */
export const DEFAULT_LOG_GROUP_PREFIX = 'EvcsInterconnect-';
/** the OEM stacks' (infra/topology/oem.ts oemStackName): an order's search shows the msp layer with the core */
export const OEM_LOG_GROUP_PREFIX = 'EvcsOem';

export interface OpsArgs {
  readonly dataDir?: string;
  readonly aws: boolean;
  readonly days?: string;
  readonly partner?: string;
  readonly logGroupPrefix?: string;
  readonly now?: Date;
  readonly client?: CloudWatchLogsClient;
  readonly print?: (line: string) => void;
}

/** the T/CEC interfaces we serve (the usage report names the ones nobody called) */
export const servedInterfaces = (): string[] =>
  topology.functions
    .flatMap((f) => f.triggers)
    .flatMap((t) => (t.type === 'http' && t.path.startsWith(`${TCEC_BASE_PATH}/`) ? [t.path.slice(TCEC_BASE_PATH.length + 1)] : []));

const readLines = (dataDir: string | undefined, file: string) => {
  const path = join(resolve(dataDir ?? DEFAULT_DATA_DIR), file);
  if (!existsSync(path)) throw new Error(`${path} does not exist: start the platform with this data dir (npm start) or use --aws`);
  // the rotated part first: it is the older one
  const older = existsSync(`${path}.1`) ? parseJsonLines(readFileSync(`${path}.1`, 'utf8')) : [];
  return [...older, ...parseJsonLines(readFileSync(path, 'utf8'))];
};

const daysOf = (v: string | undefined): number => {
  const d = Number(v ?? 7);
  if (!Number.isInteger(d) || d < 1 || d > 90) throw new Error('--days must be an integer 1..90');
  return d;
};

const insights = (a: OpsArgs): InsightsOptions => ({
  client: a.client ?? new CloudWatchLogsClient({}),
  logGroupPrefix: a.logGroupPrefix?.split(',') ?? [DEFAULT_LOG_GROUP_PREFIX, OEM_LOG_GROUP_PREFIX],
  ...(a.print ? { warn: a.print } : {}),
});

export const traceCommand = async (id: string | undefined, a: OpsArgs): Promise<number> => {
  const print = a.print ?? console.log;
  if (!id) throw new Error('trace needs an id: a StartChargeSeq, ConnectorID, OperatorID or trace id');
  const now = a.now ?? new Date();
  const records = a.aws
    ? await traceFromAws(insights(a), id, new Date(now.getTime() - daysOf(a.days) * 86_400_000), now)
    : traceOf(readLines(a.dataDir, LOG_FILE), id);
  for (const line of renderTrace(records)) print(line);
  print(`${records.length} record(s) for ${id}${a.aws ? ' (CloudWatch Logs)' : ''}`);
  return records.length ? 0 : 1;
};

export const usageCommand = async (a: OpsArgs): Promise<number> => {
  const print = a.print ?? console.log;
  const now = a.now ?? new Date();
  const since = new Date(now.getTime() - daysOf(a.days) * 86_400_000);
  const served = servedInterfaces();
  const report = a.aws
    ? reportOf(await usageFromAws(insights(a), since, now, a.partner), served)
    : usageOf(
        readLines(a.dataDir, METRICS_FILE)
          .map(callOf)
          .filter((c): c is Call => c !== undefined),
        { since: since.getTime(), until: now.getTime(), served, ...(a.partner ? { partner: a.partner } : {}) },
      );
  for (const line of renderUsage(report)) print(line);
  return 0;
};
