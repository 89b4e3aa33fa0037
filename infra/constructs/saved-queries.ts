/**
 * Saved Logs Insights queries, one per search key (infra/ops/queries.ts), over a set of function
 * log groups: a saved query names at most 50 groups, so each key has one query per 50 groups
 * (`<prefix>by-<key>/1-of-2`, …; the L0 functions' groups first). CloudFormation's
 * QueryDefinition takes only group names (no name prefix), so the split is the way to cover them all.
 *
 * The core stack keeps its queries in a nested stack of their own (infra/stack.ts): each log group
 * is a parameter there, one per function, and the monitoring stack's 200 are taken by its alarms
 * and dashboards. An OEM stack (infra/oem-stack.ts) saves its own, over its own functions' groups.
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { groupBatches, QUERY_LIMIT, TRACE_FIELDS, TRACE_KEYS, traceFilter } from '../ops/queries.ts';
import type { EvcsFunction } from './evcs-function.ts';

export interface SavedQueriesProps {
  readonly functions: Iterable<EvcsFunction>;
  /** what every query's name starts with: `evcs/` (the core), `evcs/oem-<name>/` (an OEM stack) */
  readonly namePrefix: string;
}

export class SavedQueries extends Construct {
  /** per search key, its saved queries (one per ≤ 50 log groups) */
  readonly queries = new Map<string, logs.QueryDefinition[]>();

  constructor(scope: Construct, id: string, props: SavedQueriesProps) {
    super(scope, id);
    // L0 first: the first part of every key covers the core
    const byTier = [...props.functions].sort((a, b) => a.decl.tier.localeCompare(b.decl.tier) || a.decl.id.localeCompare(b.decl.id));
    const batches = groupBatches(byTier.map((f) => f.logGroup));
    for (const key of TRACE_KEYS) {
      const parts = batches.map(
        (logGroups, i) =>
          new logs.QueryDefinition(this, `By${key}Query${i + 1}`, {
            queryDefinitionName: `${props.namePrefix}by-${key}/${i + 1}-of-${batches.length}`,
            // the saved query filters on a placeholder the engineer replaces
            queryString: new logs.QueryString({
              fields: [...TRACE_FIELDS],
              filterStatements: [traceFilter(key, `<${key}>`)],
              sort: '@timestamp asc',
              limit: QUERY_LIMIT,
            }),
            logGroups,
          }),
      );
      this.queries.set(key, parts);
    }
  }
}
