/**
 * The operator console as a static site, with its sign-in: a nested stack of the core (the core's
 * own template is near CloudFormation's 500-resource limit; a nested stack counts as one there).
 *
 *   site     S3 (private, TLS only) behind CloudFront with Origin Access Control; CloudFront also
 *            routes `/admin/*` to the core's HTTP API, so the console calls the admin API on its own
 *            origin (no CORS). The files are the Vite build of console/, built at synth (local
 *            bundling, no Docker), plus `config.json`: the sign-in settings of this deployment, so
 *            one build serves any stage.
 *   sign-in  the staff pool's managed login (a Cognito domain, Cognito's default branding) and the
 *            console's app client: OAuth 2.0 authorization code flow with PKCE (the console sends
 *            an S256 challenge), a public client (no secret: a browser cannot keep one), no implicit
 *            grant, callback and sign-out URL = this distribution's URL, scopes openid/email/profile,
 *            refresh tokens revocable. The pool itself (no self sign-up, MFA required) and the admin
 *            API's JWT authorizer, which accepts this client's tokens, live in the core
 *            (infra/constructs/operator-auth.ts).
 *
 * Why nested and not a stack of its own: the client's callback URL is the distribution's URL, the
 * distribution's `/admin/*` origin is the core's API, and the core's authorizer must name the
 * client — across two top-level stacks that is a cycle; parent → nested is not (the API, then
 * this stack, then the authorizer).
 *
 * The site's files are code only — no data, no key. Every datum comes from the admin API, whose
 * routes carry the core's Cognito JWT authorizer: without a staff token the console shows nothing
 * but its sign-in button.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Aws, CfnOutput, DockerImage, Duration, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { acknowledgeConsoleSite } from './constructs/nag.ts';

export interface EvcsConsoleStackProps {
  /** the core HTTP API's endpoint (`https://<id>.execute-api.<region>.amazonaws.com`) */
  readonly apiEndpoint: string;
  readonly repoRoot: string;
  /** the operator staff pool (core stack) */
  readonly userPool: cognito.IUserPool;
}

/** the scopes the console asks for (and the client allows) */
const SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];

export class EvcsConsoleStack extends NestedStack {
  /** the console's app client: the admin API's authorizer accepts its tokens */
  readonly client: cognito.UserPoolClient;
  /** `https://<distribution>/`: where the console is, and where sign-in and sign-out return to */
  readonly url: string;
  /** the managed login's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`) */
  readonly signInDomain: string;

  constructor(scope: Construct, id: string, props: EvcsConsoleStackProps) {
    super(scope, id, {
      description: 'EVCS Interconnect: the operator console (static site, staff sign-in; data via the authenticated admin API)',
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
    this.url = `https://${distribution.distributionDomainName}/`;

    // sign-in: the managed login on a Cognito domain. The prefix is unique per region across AWS:
    // the account plus a hash of the core stack's name (two stages in one account get two domains).
    const core = Stack.of(scope);
    const stage = createHash('sha256').update(core.stackName).digest('hex').slice(0, 8);
    const domain = new cognito.UserPoolDomain(this, 'SignIn', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: Fn.join('-', ['evcs-ops', Aws.ACCOUNT_ID, stage]) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.signInDomain = domain.baseUrl();
    this.client = new cognito.UserPoolClient(this, 'Console', {
      userPool: props.userPool,
      generateSecret: false,
      // SRP for scripted sign-ins (aws cognito-idp initiate-auth); the console uses the managed login
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: SCOPES,
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // a working day; the console refreshes the access token before it expires
      refreshTokenValidity: Duration.hours(12),
    });
    // the managed login's look: Cognito's default branding for this client
    new cognito.CfnManagedLoginBranding(this, 'SignInBranding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    }).node.addDependency(domain);

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
        // the console's sign-in settings (console/src/config.ts reads them), resolved at deploy
        s3deploy.Source.jsonData('config.json', {
          auth: {
            domain: this.signInDomain,
            clientId: this.client.userPoolClientId,
            redirectUri: this.url,
            scopes: SCOPES.map((s) => s.scopeName),
          },
        }),
      ],
    });
    acknowledgeConsoleSite(this, this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
    new CfnOutput(core, 'ConsoleUrl', { value: this.url, description: 'the operator console (staff sign in with the managed login)' });
    new CfnOutput(core, 'ConsoleSignInDomain', { value: this.signInDomain, description: 'the staff pool’s managed login' });
  }
}
