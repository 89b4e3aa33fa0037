/**
 * cdk-nag (AwsSolutions) findings this stack accepts, each on the narrowest construct it concerns
 * and each with its reason. The synth test (test/infra/nag.test.ts) runs the AwsSolutions pack
 * over the whole app and fails on any finding not acknowledged here, and on any acknowledgement
 * without a reason.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
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

export const acknowledgeApi = (api: apigwv2.HttpApi): void =>
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
