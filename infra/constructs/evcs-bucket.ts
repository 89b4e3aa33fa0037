/**
 * One S3 bucket of the topology (BucketDecl): SSE-S3 encrypted, versioned (a re-export that changes
 * bytes keeps the previous version), every public access blocked, SSL enforced by bucket policy,
 * current objects to Glacier after `glacierAfterDays` (context `<name>GlacierAfterDays` overrides),
 * expired after the retention (`retentionDays`; context `<name>RetentionDays` overrides), replaced
 * versions kept `noncurrentVersionDays` (default: the retention), incomplete multipart uploads
 * (lib-storage `Upload`) aborted after a day. Context values are validated at synth (whole days, the
 * retention beyond the transition + Glacier's 90-day minimum). The data is the audit record: the
 * bucket is retained when the stack is deleted.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketDecl } from '../topology/types.ts';
import { acknowledgeBucket } from './nag.ts';

export interface EvcsBucketProps {
  readonly decl: BucketDecl;
}

const camel = (logical: string): string => logical.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** the context key that overrides a bucket's Glacier transition (`exportsGlacierAfterDays`) */
export const glacierContextKey = (logical: string): string => `${camel(logical)}GlacierAfterDays`;

/** the context key that overrides a bucket's retention (`exportsRetentionDays`): objects and replaced versions expire after it */
export const retentionContextKey = (logical: string): string => `${camel(logical)}RetentionDays`;

/** Glacier Flexible Retrieval bills at least 90 days: expiring sooner after the transition pays for days never kept */
const GLACIER_MINIMUM_DAYS = 90;

/** A whole number of days ≥ `min` from context (`-c key=N` gives a string), else the declared value. */
const daysFrom = (scope: Construct, key: string, declared: number | undefined, min: number): number | undefined => {
  const raw: unknown = scope.node.tryGetContext(key);
  if (raw === undefined) return declared;
  const days = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(days) || days < min)
    throw new Error(`context ${key} must be a whole number of days ≥ ${min}, got ${JSON.stringify(raw)}`);
  return days;
};

export class EvcsBucket extends Construct {
  readonly decl: BucketDecl;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvcsBucketProps) {
    super(scope, id);
    const { decl } = props;
    this.decl = decl;
    const glacierAfterDays = daysFrom(this, glacierContextKey(decl.name), decl.glacierAfterDays, 0) as number;
    const retentionDays = daysFrom(this, retentionContextKey(decl.name), decl.retentionDays, 1);
    if (retentionDays !== undefined && retentionDays <= glacierAfterDays + GLACIER_MINIMUM_DAYS)
      throw new Error(
        `bucket ${decl.name}: retention ${retentionDays} d (${retentionContextKey(decl.name)}) must exceed the Glacier transition ${glacierAfterDays} d (${glacierContextKey(decl.name)}) + ${GLACIER_MINIMUM_DAYS} d (Glacier's minimum)`,
      );
    const noncurrentDays = decl.noncurrentVersionDays ?? retentionDays;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'archive',
          transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(glacierAfterDays) }],
          ...(retentionDays !== undefined ? { expiration: Duration.days(retentionDays) } : {}),
          ...(noncurrentDays !== undefined ? { noncurrentVersionExpiration: Duration.days(noncurrentDays) } : {}),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    acknowledgeBucket(this.bucket);
  }
}
