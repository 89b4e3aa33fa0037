/** Template assertions for the topology's buckets (issue 13): the exports bucket's encryption, versioning, lifecycle, public access block, SSL. */
import { describe, expect, it } from 'vitest';
import { glacierContextKey, retentionContextKey } from '../../infra/constructs/evcs-bucket.ts';
import { DXP_RETENTION_DAYS } from '../../infra/topology/dxp.ts';
import { topology } from '../../infra/topology/index.ts';
import { type CfnRes, synth } from './template.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
const props = (r: CfnRes) => r.Properties as Record<string, any>;

describe('exports bucket (CDK)', () => {
  const s = synth();
  const bucket = s.stack.buckets.get('exports');
  const exportsDecl = topology.buckets?.find((b) => b.name === 'exports');

  it('every topology bucket is in the stack, retained with the stack', () => {
    expect([...s.stack.buckets.keys()].sort()).toEqual((topology.buckets ?? []).map((b) => b.name).sort());
    expect(bucket).toBeDefined();
    const r = s.res(bucket!.bucket);
    expect(r.DeletionPolicy).toBe('Retain');
  });

  it('is encrypted, versioned and blocks every public access', () => {
    const p = props(s.res(bucket!.bucket));
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('moves objects to Glacier after the declared days and expires them after the retention', () => {
    const rule = props(s.res(bucket!.bucket)).LifecycleConfiguration.Rules[0];
    expect(rule.Status).toBe('Enabled');
    expect(rule.Transitions).toEqual([{ StorageClass: 'GLACIER', TransitionInDays: exportsDecl!.glacierAfterDays }]);
    expect(rule.ExpirationInDays).toBe(DXP_RETENTION_DAYS);
    // a replaced version (a re-export with a reason) is kept as long as the objects
    expect(rule.NoncurrentVersionExpiration.NoncurrentDays).toBe(DXP_RETENTION_DAYS);
  });

  it('aborts incomplete multipart uploads (lib-storage Upload of a large object) after a day', () => {
    const rule = props(s.res(bucket!.bucket)).LifecycleConfiguration.Rules[0];
    expect(rule.AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 1 });
  });

  it('the retention is configurable by context: objects and replaced versions expire after it', () => {
    expect(retentionContextKey('exports')).toBe('exportsRetentionDays');
    const fiveYears = synth({}, { exportsRetentionDays: '1830', exportsGlacierAfterDays: 180 });
    const rule = props(fiveYears.res(fiveYears.stack.buckets.get('exports')!.bucket)).LifecycleConfiguration.Rules[0];
    expect(rule.ExpirationInDays).toBe(1830);
    expect(rule.NoncurrentVersionExpiration.NoncurrentDays).toBe(1830);
    expect(rule.Transitions[0].TransitionInDays).toBe(180);
  });

  it.each([
    [{ exportsRetentionDays: 'three years' }, /exportsRetentionDays must be a whole number of days/],
    [{ exportsRetentionDays: 0 }, /exportsRetentionDays must be a whole number of days ≥ 1/],
    [{ exportsGlacierAfterDays: -1 }, /exportsGlacierAfterDays must be a whole number of days/],
    [{ exportsRetentionDays: 150, exportsGlacierAfterDays: 90 }, /retention 150 d .* must exceed the Glacier transition 90 d/],
  ])('refuses a lifecycle context %j at synth', (context, message) => {
    expect(() => synth({}, context)).toThrow(message);
  });

  it('the Glacier transition is configurable by context', () => {
    const other = synth({}, { [glacierContextKey('exports')]: 30 });
    const b = other.stack.buckets.get('exports')!;
    expect(props(other.res(b.bucket)).LifecycleConfiguration.Rules[0].Transitions[0].TransitionInDays).toBe(30);
  });

  it('refuses any request that is not over TLS', () => {
    const policies = s.ofType('AWS::S3::BucketPolicy').filter(([, r]) => JSON.stringify(props(r).Bucket).includes(s.lid(bucket!.bucket)));
    expect(policies).toHaveLength(1);
    expect(props(policies[0]![1]).PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });

  it('a function with a bucket grant gets BUCKET_<NAME> and only the access it declared', () => {
    const granted = topology.functions.filter((f) => !f.localOnly && f.grants.some((g) => 'bucket' in g));
    for (const f of granted) {
      const fn = s.stack.functions.get(f.id)!;
      expect(props(s.res(fn.fn)).Environment.Variables.BUCKET_EXPORTS).toEqual({ Ref: s.lid(bucket!.bucket) });
    }
    const without = topology.functions.filter((f) => !f.localOnly && !f.grants.some((g) => 'bucket' in g));
    for (const f of without.slice(0, 5)) {
      const fn = s.stack.functions.get(f.id)!;
      expect(props(s.res(fn.fn)).Environment.Variables.BUCKET_EXPORTS).toBeUndefined();
    }
  });
});
