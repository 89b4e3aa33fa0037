/**
 * cdk-nag (AwsSolutions) findings this stack accepts, each on the narrowest construct it concerns
 * and each with its reason. The synth test (test/infra/nag.test.ts) runs the AwsSolutions pack
 * over the whole app and fails on any finding not acknowledged here, and on any acknowledgement
 * without a reason.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import type { EvcsFunction } from './evcs-function.ts';

export interface NagAcknowledgement {
  /** the pack's rule id, optionally narrowed to one finding: `AwsSolutions-IAM5[Resource::*]` */
  readonly rule: string;
  readonly reason: string;
}

/** the id cdk-nag reports a finding under */
const id = (rule: string): string => `AwsSolutions::${rule}`;

const acknowledge = (scope: IConstruct, acks: readonly NagAcknowledgement[]): void =>
  Validations.of(scope).acknowledge(...acks.map((a) => ({ id: id(a.rule), reason: a.reason })));

/** every function's role: logs, X-Ray, and the wildcard suffixes its declared grants need */
const FUNCTION_ACKNOWLEDGEMENTS: readonly NagAcknowledgement[] = [
  {
    rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'the AWS managed basic execution policy only allows writing the function’s own CloudWatch Logs',
  },
  {
    rule: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions',
  },
  {
    rule: 'AwsSolutions-L1',
    reason:
      'the runtime is pinned to the Node.js version the bundles are built and tested for (evcsBundling target); upgraded deliberately',
  },
];

/** a grant's wildcard, accepted only where the topology declared that grant */
export const grantAcknowledgement = (resource: string, reason: string): NagAcknowledgement => ({
  rule: `AwsSolutions-IAM5[Resource::${resource}]`,
  reason,
});

export const acknowledgeFunction = (fn: EvcsFunction, extra: readonly NagAcknowledgement[]): void =>
  acknowledge(fn, [...FUNCTION_ACKNOWLEDGEMENTS, ...extra]);

/** the HTTP API's unauthorised (T/CEC) routes: the API itself, or one route made in a nested service's stack */
export const acknowledgeApi = (api: apigwv2.HttpApi | apigwv2.HttpRoute): void =>
  acknowledge(api, [
    {
      rule: 'AwsSolutions-APIG4',
      reason:
        'T/CEC 102 authenticates in the protocol: every request carries a partner token (query_token) and an HMAC Sig the gateway verifies before any work; API Gateway authorizers cannot verify either',
    },
  ]);

/** the OCPP WebSocket API: the charge point authenticates at `$connect` (HTTP Basic, OCPP security profile 1) */
export const acknowledgeOcppApi = (api: apigwv2.WebSocketApi): void =>
  acknowledge(api, [
    {
      rule: 'AwsSolutions-APIG4',
      reason:
        'OCPP 1.6 security profile 1: the $connect function checks the charge point id and its Basic-auth password against the registry and refuses with 401; $default/$disconnect only exist on a connection $connect accepted',
    },
  ]);

/** the CloudFront edge in front of the OCPP WebSocket stage (ocpp-edge.ts) */
export const acknowledgeOcppEdge = (distribution: IConstruct, customDomain: boolean): void =>
  acknowledge(distribution, [
    {
      rule: 'AwsSolutions-CFR1',
      reason:
        'chargers are installed where the operator sells; a charge point outside is refused by its registry entry and password, not by country',
    },
    {
      rule: 'AwsSolutions-CFR2',
      reason:
        'only WebSocket upgrades of registered charge points pass: unknown ids and wrong passwords get 401 at $connect, and the stage throttles; a WAF web ACL costs more than the whole gateway at this scale',
    },
    {
      rule: 'AwsSolutions-CFR3',
      reason:
        'every connection is logged where it is decided: the WebSocket stage access log and the $connect function log (charge point, outcome)',
    },
    ...(customDomain
      ? []
      : [
          {
            rule: 'AwsSolutions-CFR4',
            reason:
              'without the operator domain (context ocppDomain + ocppCertificateArn) the distribution serves its cloudfront.net name, whose certificate CloudFront controls; with it, TLS 1.2 is the minimum',
          },
        ]),
  ]);

export const acknowledgeSecret = (secret: secretsmanager.Secret): void =>
  acknowledge(secret, [
    {
      rule: 'AwsSolutions-SMG4',
      reason:
        'the platform signing key is rotated by the operator together with the partners (evcs partners rotate keeps the previous set valid for a grace period); an unannounced automatic rotation would break every partner',
    },
  ]);

/** the operator staff pool of the admin API (infra/constructs/operator-auth.ts) */
export const acknowledgeOperatorPool = (pool: IConstruct): void =>
  acknowledge(pool, [
    ...['AwsSolutions-COG3', 'AwsSolutions-COG8'].map((rule) => ({
      rule,
      reason:
        'a handful of operator staff accounts, no self sign-up, MFA required: threat protection (the Plus feature plan, billed per user) adds nothing an admin-created, MFA-bound account lacks',
    })),
  ]);

/** the console stack (infra/console-stack.ts): a static site of code only, its data behind the admin API's authorizer */
export const acknowledgeConsoleSite = (stack: IConstruct, siteBucketId: string): void =>
  acknowledge(stack, [
    {
      rule: 'AwsSolutions-S1',
      reason: 'the bucket holds the console build only (public code, no data); CloudFront is its one reader, through OAC',
    },
    {
      rule: 'AwsSolutions-CFR1',
      reason: 'the operator staff work from anywhere; access is decided by the admin API’s Cognito JWT authorizer, not by geography',
    },
    {
      rule: 'AwsSolutions-CFR2',
      reason:
        'the site serves static code; /admin/* is authenticated by the API’s JWT authorizer and throttled by API Gateway, a WAF would guard nothing more',
    },
    {
      rule: 'AwsSolutions-CFR3',
      reason:
        'the admin API logs every request (API Gateway access logs in the core stack); static-file access logs would add a bucket and nothing to search by',
    },
    {
      rule: 'AwsSolutions-CFR4',
      reason:
        'the default CloudFront certificate (*.cloudfront.net) cannot pin TLS 1.2; a custom domain with an ACM certificate is the operator’s choice at deploy',
    },
    {
      rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'CDK’s BucketDeployment function: the AWS managed basic execution policy only writes its own logs',
    },
    ...[
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Resource::*',
      `Resource::<${siteBucketId}.Arn>/*`,
      `Resource::${nagResource(Stack.of(stack), `arn:${Stack.of(stack).partition}:s3:::cdk-hnb659fds-assets-${Stack.of(stack).account}-${Stack.of(stack).region}/*`)}`,
    ].map((finding) => ({
      rule: `AwsSolutions-IAM5[${finding}]`,
      reason:
        'CDK’s BucketDeployment function copies the built console from the CDK asset bucket into the site bucket (object wildcards of those two buckets) and invalidates the distribution (CreateInvalidation has no resource-level permission)',
    })),
    {
      rule: 'AwsSolutions-L1',
      reason: 'the runtime of CDK’s own BucketDeployment function is chosen by aws-cdk-lib, upgraded with it',
    },
  ]);

/** a function's on-failure queue: it IS a dead-letter queue (a Lambda destination), which the SQS3 rule cannot see */
export const acknowledgeOnFailureQueue = (queue: IConstruct): void =>
  acknowledge(queue, [
    {
      rule: 'AwsSolutions-SQS3',
      reason: 'this queue is the dead-letter destination of the function’s failed async invocations (OnFailure destination)',
    },
  ]);

/** the Scheduler's role may invoke the scheduled function, any version or alias (`<fn>:*`) */
export const acknowledgeSchedulerRole = (role: IConstruct, functionLogicalId: string): void =>
  acknowledge(role, [
    {
      rule: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
      reason: 'EventBridge Scheduler’s target role invokes the scheduled function, whichever version or alias it targets',
    },
  ]);

/**
 * A resource as cdk-nag names it in a finding id: literal text as is, `{ Ref: X }` as `<X>`,
 * `{ Fn::GetAtt: [R, A] }` as `<R.A>`, joins joined — whether the stack's env is concrete or not.
 */
export const nagResource = (stack: Stack, value: string): string => {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return `<${o.Ref}>`;
    const att = o['Fn::GetAtt'] as [string, string] | undefined;
    if (att) return `<${att[0]}.${att[1]}>`;
    // an import is named by its export's name (the OEM stacks' tables)
    if (typeof o['Fn::ImportValue'] === 'string') return o['Fn::ImportValue'];
    const join = o['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(render).join(join[0]);
    throw new Error(`nagResource: cannot render ${JSON.stringify(v)}`);
  };
  return render(stack.resolve(value));
};

/** a topology bucket without server access logs (infra/constructs/evcs-bucket.ts) */
export const acknowledgeBucket = (bucket: IConstruct): void =>
  acknowledge(bucket, [
    {
      rule: 'AwsSolutions-S1',
      reason:
        'only the platform’s own functions write it (least-privilege grants from the topology) and each write is logged by the writer with its key and SHA-256; every export is listed in a manifest with its hashes, and versioning keeps every replaced object. A second access-log bucket would add resources to a stack near its limit without adding audit value; CloudTrail data events can be enabled per account',
    },
  ]);
