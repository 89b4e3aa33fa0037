/**
 * What AWS gives against one partner flooding the T/CEC interfaces, next to the per-partner token
 * bucket in the gateway (shared/middleware/partner-guards.ts, zero AWS calls per request):
 *
 * - the HTTP API stage throttle (infra/stack.ts `API_THROTTLE`): the ceiling of the whole API;
 * - reserved concurrency on every partner-facing function: a flood on one interface cannot take
 *   the account's concurrency from the pile gateway, charging and pushes, and it bounds how many
 *   instances (each with its own buckets) one partner's budget is multiplied by. Context
 *   `evcs:partnerReservedConcurrency` (default 20; 0 = no function reserves any, the L0 tier's
 *   default included, for accounts with a low quota);
 * - one alarm on `PartnerThrottled` (EMF, dimension OperatorID): fires when any partner was over
 *   its budget in 5 minutes; the Metrics Insights query in the description, grouped by OperatorID,
 *   names the partners. One alarm for all partners because partners are data (the registry table,
 *   `partners add` needs no deploy), not stack resources, and the monitoring nested stack is at its
 *   parameter cap; with threshold 0 it is in ALARM exactly when a per-partner alarm would be (what it
 *   cannot do: notify again for a second partner while already in ALARM). Per-partner series are the
 *   metric's OperatorID dimension.
 *
 * Not mitigated here: the stage throttle is shared by every partner and route (a flood above it is
 * answered 429 at the edge for everyone); see the README's "Limits" section.
 */

import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../topology/environment.ts';
import { ALARM_PERIOD, type AlarmTopics } from './alarm-topics.ts';
import type { EvcsFunction } from './evcs-function.ts';

export const PARTNER_RESERVED_CONCURRENCY_CONTEXT = 'evcs:partnerReservedConcurrency';
const DEFAULT_PARTNER_RESERVED_CONCURRENCY = 20;

/** a function partners call: an HTTP route under /evcs/ */
const isPartnerFacing = (f: EvcsFunction): boolean => f.decl.triggers.some((t) => t.type === 'http' && t.path.startsWith('/evcs/'));

export interface PartnerLimitsProps {
  readonly functions: Iterable<EvcsFunction>;
  readonly alarms: AlarmTopics;
}

export class PartnerLimits extends Construct {
  readonly throttledAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PartnerLimitsProps) {
    super(scope, id);
    const ctx: unknown = this.node.tryGetContext(PARTNER_RESERVED_CONCURRENCY_CONTEXT);
    const reserved = ctx === undefined ? DEFAULT_PARTNER_RESERVED_CONCURRENCY : Number(ctx);
    if (!Number.isInteger(reserved) || reserved < 0)
      throw new Error(`${PARTNER_RESERVED_CONCURRENCY_CONTEXT} must be a non-negative integer`);
    for (const f of props.functions) {
      const cfn = f.fn.node.defaultChild as CfnFunction;
      // 0: an account whose quota cannot spare any — no function reserves (the L0 tier default included)
      if (reserved === 0) cfn.reservedConcurrentExecutions = undefined;
      else if (isPartnerFacing(f)) cfn.reservedConcurrentExecutions = Math.max(reserved, cfn.reservedConcurrentExecutions ?? 0);
    }

    const query = `SELECT SUM(PartnerThrottled) FROM "${METRICS_NAMESPACE}"`;
    this.throttledAlarm = props.alarms.alarm(this, 'PartnerThrottledAlarm', {
      metric: new cloudwatch.MathExpression({
        expression: query,
        period: ALARM_PERIOD,
        label: 'requests refused with Ret -1 (all partners)',
      }),
      threshold: 0,
      severity: 'medium',
      description: `a partner is over its request budget (Ret -1); which: ${query} GROUP BY OperatorID`,
    });
  }
}
