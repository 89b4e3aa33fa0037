/**
 * `metrics.singleMetric()` hands out one reused instance (shared/observability/powertools.ts): each
 * `addMetric` still writes one record of its own, and nothing one caller set (dimensions, metadata,
 * a dimension left without a metric) reaches the next caller's record.
 */
import { expect, it } from 'vitest';
import { MetricUnit, metrics } from '#powertools';
import { captureEmf, type Emf } from '../../support/emf.ts';

const emf = captureEmf();

const dims = (r: Emf) => r._aws.CloudWatchMetrics[0]?.Dimensions.flat().sort();

it('writes one record per addMetric, each with only its own dimensions and metadata', () => {
  const a = metrics.singleMetric();
  a.addDimensions({ interface: 'query_station_status', Ret: '0' });
  a.addMetadata('OperatorID', 'MA0000001');
  a.addMetric('Requests', MetricUnit.Count, 1);

  // a caller that sets a dimension and metadata, then adds no metric
  const left = metrics.singleMetric();
  left.addDimensions({ OperatorID: 'MA0000002' });
  left.addMetadata('durationMs', '9');

  const b = metrics.singleMetric();
  b.addMetric('SessionStarted', MetricUnit.Count, 1);
  const c = metrics.singleMetric();
  c.addDimension('OperatorID', 'MA0000003');
  c.addMetric('PartnerThrottled', MetricUnit.Count, 1);
  c.addMetric('PartnerThrottled', MetricUnit.Count, 1);

  expect(emf.records).toHaveLength(4);
  expect(emf.records[0]).toMatchObject({ Requests: 1, interface: 'query_station_status', Ret: '0', OperatorID: 'MA0000001' });
  expect(dims(emf.records[0]!)).toEqual(['Ret', 'interface', 'service']);
  expect(emf.records[1]).toMatchObject({ SessionStarted: 1 });
  expect(dims(emf.records[1]!)).toEqual(['service']);
  expect(emf.records[1]).not.toHaveProperty('OperatorID');
  expect(emf.records[1]).not.toHaveProperty('durationMs');
  expect(emf.records[1]).not.toHaveProperty('Requests');
  // the first addMetric wrote and cleared the dimension: the second record has none of its own
  expect(emf.records[2]).toMatchObject({ PartnerThrottled: 1, OperatorID: 'MA0000003' });
  expect(dims(emf.records[3]!)).toEqual(['service']);
  // the instance buffered for invocations is untouched
  expect(metrics.hasStoredMetrics()).toBe(false);
});
