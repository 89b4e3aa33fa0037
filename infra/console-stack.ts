/**
 * The operator console as a static site (`EvcsConsole`, a small stack of its own: the core stack is
 * near CloudFormation's 500-resource limit). S3 (private, TLS only) behind CloudFront with Origin
 * Access Control; CloudFront also routes `/admin/*` to the core's HTTP API, so the console calls
 * the admin API on its own origin (no CORS). The files are the Vite build of console/, built at
 * synth (local bundling, no Docker).
 *
 * Authentication: the site's files are code only — no data, no key. Every datum comes from the
 * admin API, whose routes carry the core stack's Cognito JWT authorizer (infra/constructs/operator-auth.ts):
 * without a valid staff token the console shows nothing but its sign-in field.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CfnOutput, DockerImage, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { acknowledgeConsoleSite } from './constructs/nag.ts';

export interface EvcsConsoleStackProps extends StackProps {
  /** the core HTTP API's endpoint (`https://<id>.execute-api.<region>.amazonaws.com`) */
  readonly apiEndpoint: string;
  readonly repoRoot: string;
}

export class EvcsConsoleStack extends Stack {
  constructor(scope: Construct, id: string, props: EvcsConsoleStackProps) {
    super(scope, id, {
      description: 'EVCS Interconnect: the operator console (static site; data via the authenticated admin API)',
      ...props,
    });
    const bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    // `https://<id>.execute-api.<region>.amazonaws.com` → its host (resolved by CloudFormation)
    const apiDomain = Fn.select(2, Fn.split('/', props.apiEndpoint));
    const distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'EVCS operator console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      },
      additionalBehaviors: {
        '/admin/*': {
          origin: new origins.HttpOrigin(apiDomain),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        },
      },
    });
    const root = props.repoRoot;
    new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: bucket,
      distribution,
      memoryLimit: 256,
      sources: [
        s3deploy.Source.asset(join(root, 'console'), {
          exclude: ['dist', 'node_modules'],
          bundling: {
            // never used: the build runs locally (tryBundle); the image is only CDK's fallback
            image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
            local: {
              tryBundle(outputDir) {
                const r = spawnSync('npx', ['vite', 'build', '--config', join(root, 'console/vite.config.ts'), '--outDir', outputDir], {
                  cwd: root,
                  stdio: 'inherit',
                });
                return r.status === 0;
              },
            },
          },
        }),
      ],
    });
    acknowledgeConsoleSite(this, this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${distribution.distributionDomainName}/`, description: 'the operator console' });
  }
}
