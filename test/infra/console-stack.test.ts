/**
 * The operator console in AWS (issue 16 item 6): the admin API's routes never without the Cognito
 * JWT authorizer; the console a private bucket behind CloudFront with OAC, `/admin/*` routed to the
 * core HTTP API on the same origin; staff sign in with the managed login (authorization code +
 * PKCE, a public client whose callback is the console's own URL), the settings in config.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestedStack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { topology } from '../../infra/topology/index.ts';

let dir: string;
let core: Template;
/** the core and its nested stacks (a nested service's routes live in its own stack: infra/stack.ts) */
let all: Template[];
let site: Template;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'evcs-console-stack-'));
  const { stack, consoleStack } = buildApp({
    app: { outdir: dir, context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false },
  });
  core = Template.fromStack(stack);
  all = [stack, ...stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c))].map((x) => Template.fromStack(x));
  if (!consoleStack) throw new Error('no console stack: the topology declares operator routes');
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
    const routes = all.flatMap((t) => Object.values(t.findResources('AWS::ApiGatewayV2::Route')));
    const withAuth = routes.filter((r) => r.Properties.AuthorizationType === 'JWT').map((r) => r.Properties.RouteKey as string);
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

/** a value that resolves to the console's distribution URL (`https://<domain>/`) */
const distributionUrl = () => {
  const [distId] = Object.keys(site.findResources('AWS::CloudFront::Distribution'));
  return { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distId, 'DomainName'] }, '/']] };
};

describe('staff sign-in (managed login, authorization code + PKCE)', () => {
  it('a Cognito domain with the managed login and its branding', () => {
    site.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    site.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    site.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });

  it('the console client: code flow only, public (no secret), no implicit grant, callback and sign-out = the distribution URL', () => {
    const clients = Object.values(site.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const c = clients[0]!.Properties;
    expect(c.AllowedOAuthFlows).toEqual(['code']);
    expect(c.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(c.GenerateSecret).toBe(false);
    expect([...c.AllowedOAuthScopes].sort()).toEqual(['email', 'openid', 'profile']);
    expect(c.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(c.EnableTokenRevocation).toBe(true);
    expect(c.CallbackURLs).toEqual([distributionUrl()]);
    expect(c.LogoutURLs).toEqual([distributionUrl()]);
  });

  it('the core pool still requires MFA and admits no self sign-up; its authorizer accepts the console client', () => {
    core.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      UserPoolTier: 'ESSENTIALS',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    core.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    const [auth] = Object.values(core.findResources('AWS::ApiGatewayV2::Authorizer'));
    const audience = JSON.stringify(auth!.Properties.JwtConfiguration.Audience);
    // the client lives in the nested console stack: the audience is that stack's output
    expect(audience).toMatch(/Outputs\..*Console/);
  });

  it('deploys config.json (sign-in domain, client id, redirect URI) with the site', () => {
    const deployments = Object.values(site.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const markers = JSON.stringify(deployments[0]!.Properties.SourceMarkers);
    const clientId = Object.keys(site.findResources('AWS::Cognito::UserPoolClient'))[0]!;
    const domainId = Object.keys(site.findResources('AWS::Cognito::UserPoolDomain'))[0]!;
    expect(markers).toContain(`{"Ref":"${clientId}"}`);
    expect(markers).toContain(`{"Ref":"${domainId}"}`);
    const distId = Object.keys(site.findResources('AWS::CloudFront::Distribution'))[0]!;
    expect(markers).toContain(`{"Fn::GetAtt":["${distId}","DomainName"]}`);
    expect(deployments[0]!.Properties.SourceObjectKeys).toHaveLength(2);
  });
});
