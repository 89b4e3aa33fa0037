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
