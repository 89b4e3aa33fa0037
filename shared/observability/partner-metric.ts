/**
 * A count both for the platform (dimension `service`, what the rate alarms read) and for one
 * partner (dimensions `service`, `OperatorID`: the per-partner dashboards and the worst-partner
 * alarms, infra/constructs/alarm-topics.ts). Partners are tens, not thousands: the dimension's
 * cardinality stays small.
 *
 * Outside `withPartnerMetrics` every per-partner value is its own EMF record (one log line each).
 * Inside it (a push batch: issue 9 §2, log bytes per push) the values are held per partner and
 * written when the batch ends: ONE record per partner with each metric's values as an array, which
 * CloudWatch reads as that many samples (Sum and Average as before; ~230 B per value saved).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit, metrics, metricsWith } from '#powertools';

/** the per-partner buffers of the open batches, by OperatorID */
const held = new Map<string, Metrics>();
/** batches open in this process (the local runtime runs invocations side by side in one process) */
let open = 0;

const forPartner = (operatorId: string): Metrics => {
  if (open === 0) {
    const single = metrics.singleMetric();
    single.addDimension('OperatorID', operatorId);
    return single;
  }
  let m = held.get(operatorId);
  if (!m) {
    m = metricsWith({ OperatorID: operatorId });
    held.set(operatorId, m);
  }
  return m;
};

export const countForPartner = (name: string, operatorId: string): void => {
  metrics.addMetric(name, MetricUnit.Count, 1);
  forPartner(operatorId).addMetric(name, MetricUnit.Count, 1);
};

/**
 * One partner's 0/1 outcome (1 = failed), dimensions `service`, `OperatorID`: its Average over a
 * period is the share that failed — what a per-partner rate alarm reads (infra/topology/push.ts).
 */
export const shareForPartner = (name: string, operatorId: string, failed: boolean): void => {
  forPartner(operatorId).addMetric(name, MetricUnit.Count, failed ? 1 : 0);
};

/**
 * Run `fn` with the per-partner values it records held, then write them: one EMF record per
 * partner. Whatever happens in `fn`, what it recorded is written (by the last batch to end, when
 * batches overlap in one process: nothing is held after it).
 */
export const withPartnerMetrics = async <T>(fn: () => Promise<T>): Promise<T> => {
  open++;
  try {
    return await fn();
  } finally {
    open--;
    for (const [operatorId, m] of held) {
      held.delete(operatorId);
      if (m.hasStoredMetrics()) m.publishStoredMetrics();
    }
  }
};
