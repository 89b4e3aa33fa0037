/**
 * The operator console in AWS (issue 16 item 6): the admin API's routes never without the Cognito
 * JWT authorizer; the console a private bucket behind CloudFront with OAC, `/admin/*` routed to the
 * core HTTP API on the same origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { topology } from '../../infra/topology/index.ts';

let dir: string;
let core: Template;
let site: Template;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'evcs-console-stack-'));
  const { stack, consoleStack } = buildApp({
    app: { outdir: dir, context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false },
  });
  core = Template.fromStack(stack);
  site = Template.fromStack(consoleStack);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('admin API auth', () => {
  const operatorRoutes = topology.functions.flatMap((f) =>
    f.triggers.flatMap((t) => (t.type === 'http' && t.auth === 'operator' ? [`${t.method} ${t.path}`] : [])),
  );

  it('every operator route carries the JWT authorizer of the staff user pool; no other route does', () => {
    expect(operatorRoutes.length).toBeGreaterThan(0);
    core.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    core.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    const routes = core.findResources('AWS::ApiGatewayV2::Route');
    const withAuth = Object.values(routes)
      .filter((r) => r.Properties.AuthorizationType === 'JWT')
      .map((r) => r.Properties.RouteKey as string);
    expect(withAuth.sort()).toEqual([...operatorRoutes].sort());
  });

  it('the staff pool has no self sign-up and requires MFA', () => {
    core.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });
});

describe('console stack', () => {
  it('a private, TLS-only bucket read by CloudFront through OAC', () => {
    site.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    site.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    site.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('routes /admin/* to the core HTTP API uncached, everything else to the bucket', () => {
    site.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CacheBehaviors: [Match.objectLike({ PathPattern: '/admin/*', ViewerProtocolPolicy: 'https-only' })],
      }),
    });
  });
});
