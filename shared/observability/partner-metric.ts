/**
 * A count both for the platform (dimension `service`, what the rate alarms read) and for one
 * partner (dimensions `service`, `OperatorID`: the per-partner dashboards and the worst-partner
 * alarms, infra/constructs/alarm-topics.ts). Partners are tens, not thousands: the dimension's
 * cardinality stays small.
 */
import { MetricUnit, metrics } from '#powertools';

export const countForPartner = (name: string, operatorId: string): void => {
  metrics.addMetric(name, MetricUnit.Count, 1);
  const m = metrics.singleMetric();
  m.addDimension('OperatorID', operatorId);
  m.addMetric(name, MetricUnit.Count, 1);
};

/**
 * One partner's 0/1 outcome (1 = failed), dimensions `service`, `OperatorID`: its Average over a
 * period is the share that failed — what a per-partner rate alarm reads (infra/topology/push.ts).
 */
export const shareForPartner = (name: string, operatorId: string, failed: boolean): void => {
  const m = metrics.singleMetric();
  m.addDimension('OperatorID', operatorId);
  m.addMetric(name, MetricUnit.Count, failed ? 1 : 0);
};
