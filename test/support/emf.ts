/**
 * EMF records written by the Powertools metrics (shared/observability/powertools.ts), captured for a
 * test file: `captureEmf()` routes the metric sink into an array before each test and back after.
 */
import { afterEach, beforeEach } from 'vitest';
import { metrics, setMetricSink } from '#powertools';

export interface Emf {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [k: string]: unknown;
}

/**
 * The records of the running test (a fresh array per test). `publishAfter`: flush the metrics the
 * test left stored before the sink goes back, so nothing leaks into the next file's output.
 */
export const captureEmf = (opts: { publishAfter?: boolean } = {}): { readonly records: Emf[] } => {
  const captured = { records: [] as Emf[] };
  beforeEach(() => {
    captured.records = [];
    setMetricSink((line) => captured.records.push(JSON.parse(line) as Emf));
  });
  afterEach(() => {
    if (opts.publishAfter) metrics.publishStoredMetrics();
    setMetricSink(undefined);
  });
  return captured;
};
