/**
 * One S3 bucket of the topology (BucketDecl): SSE-S3 encrypted, versioned (a re-export that changes
 * bytes keeps the previous version), every public access blocked, SSL enforced by bucket policy,
 * current objects to Glacier after `glacierAfterDays` (context `<name>GlacierAfterDays` overrides),
 * expired after the declared retention, replaced versions kept `noncurrentVersionDays`. The data is
 * the audit record: the bucket is retained when the stack is deleted.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketDecl } from '../topology/types.ts';
import { acknowledgeBucket } from './nag.ts';

export interface EvcsBucketProps {
  readonly decl: BucketDecl;
}

/** the context key that overrides a bucket's Glacier transition (`exportsGlacierAfterDays`) */
export const glacierContextKey = (logical: string): string =>
  `${logical.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}GlacierAfterDays`;

export class EvcsBucket extends Construct {
  readonly decl: BucketDecl;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvcsBucketProps) {
    super(scope, id);
    const { decl } = props;
    this.decl = decl;
    const fromContext: unknown = this.node.tryGetContext(glacierContextKey(decl.name));
    const glacierAfterDays = fromContext === undefined ? decl.glacierAfterDays : Number(fromContext);
    if (!Number.isInteger(glacierAfterDays) || glacierAfterDays < 0)
      throw new Error(`bucket ${decl.name}: ${glacierContextKey(decl.name)} must be a whole number of days, got ${String(fromContext)}`);
    if (decl.retentionDays !== undefined && decl.retentionDays <= glacierAfterDays + 90)
      throw new Error(
        `bucket ${decl.name}: retention ${decl.retentionDays} d must exceed the Glacier transition + 90 d (Glacier's minimum)`,
      );

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
          ...(decl.retentionDays !== undefined ? { expiration: Duration.days(decl.retentionDays) } : {}),
          noncurrentVersionExpiration: Duration.days(decl.noncurrentVersionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    acknowledgeBucket(this.bucket);
  }
}
