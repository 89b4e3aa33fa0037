/**
 * Per-partner push metrics (shared/observability/partner-metric.ts): inside a push batch
 * (`withPartnerMetrics`) one EMF record per partner carries every value the batch recorded, as
 * arrays, so CloudWatch's Sum (PushDelivered) and Average (PushFailureShare, the per-partner rate
 * alarm) are those of one record per value, which is what is written outside a batch.
 */
import { describe, expect, it } from 'vitest';
import { metrics } from '#powertools';
import { countForPartner, shareForPartner, withPartnerMetrics } from '../../../shared/observability/partner-metric.ts';
import { captureEmf } from '../../support/emf.ts';

const emf = captureEmf({ publishAfter: true });

const perPartner = () => emf.records.filter((r) => r._aws.CloudWatchMetrics[0]?.Dimensions.some((d) => d.includes('OperatorID')));
/** the values of `name` in records of partner `op`, flattened (an array is that many samples) */
const values = (op: string, name: string): number[] =>
  perPartner()
    .filter((r) => r.OperatorID === op && name in r)
    .flatMap((r) => (Array.isArray(r[name]) ? (r[name] as number[]) : [r[name] as number]));

const batch = () => {
  countForPartner('PushDelivered', 'P1');
  shareForPartner('PushFailureShare', 'P1', false);
  countForPartner('PushDelivered', 'P1');
  shareForPartner('PushFailureShare', 'P1', false);
  countForPartner('PushFailedAttempt', 'P1');
  shareForPartner('PushFailureShare', 'P1', true);
  countForPartner('PushDelivered', 'P2');
  shareForPartner('PushFailureShare', 'P2', false);
};

describe('per-partner metrics of a push batch', () => {
  it('outside a batch: one record per value', () => {
    batch();
    expect(perPartner()).toHaveLength(8);
    expect(values('P1', 'PushFailureShare')).toEqual([0, 0, 1]);
  });

  it('inside a batch: one record per partner, the same values, the same dimensions', async () => {
    await withPartnerMetrics(async () => {
      batch();
      expect(perPartner()).toHaveLength(0); // held until the batch ends
    });
    const got = perPartner();
    expect(got).toHaveLength(2);
    for (const r of got) expect(r._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'OperatorID']]);
    expect(values('P1', 'PushDelivered')).toEqual([1, 1]);
    expect(values('P1', 'PushFailedAttempt')).toEqual([1]);
    expect(values('P1', 'PushFailureShare')).toEqual([0, 0, 1]);
    expect(values('P2', 'PushDelivered')).toEqual([1]);
    expect(values('P2', 'PushFailureShare')).toEqual([0]);
    // the platform's counts (dimension service) are the batch's own metrics, as before
    metrics.publishStoredMetrics();
    const platform = emf.records.find((r) => r._aws.CloudWatchMetrics[0]?.Dimensions[0]?.length === 1 && 'PushDelivered' in r);
    expect(platform?.PushDelivered).toEqual([1, 1, 1]);
  });

  it('a batch that throws still writes what it recorded', async () => {
    await expect(
      withPartnerMetrics(async () => {
        countForPartner('PushParked', 'P1');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(values('P1', 'PushParked')).toEqual([1]);
  });

  it('overlapping batches (one process, the local runtime): every value written once', async () => {
    let release: () => void = () => {};
    const slow = withPartnerMetrics(
      () =>
        new Promise<void>((resolve) => {
          shareForPartner('PushFailureShare', 'P1', true);
          release = resolve;
        }),
    );
    await withPartnerMetrics(async () => shareForPartner('PushFailureShare', 'P1', false));
    shareForPartner('PushFailureShare', 'P1', false); // after the quick batch, while the slow one is open: held
    release();
    await slow;
    expect(values('P1', 'PushFailureShare').sort()).toEqual([0, 0, 1]);
  });
});
