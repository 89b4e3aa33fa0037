/**
 * A function's environment, derived from its declaration: the ONE derivation both runtimes use.
 * The CDK construct (infra/constructs/evcs-function.ts) sets exactly these variables on the deployed
 * function; the local runtime (infra/local/invoke.ts) runs each invocation inside exactly these
 * (shared/config.ts `runWithEnv`). So a function without a grant on a table has no `TABLE_<NAME>`
 * in either, and a missing grant fails a local test as it would fail in AWS.
 *
 * AWS SDK settings (region, credentials, AWS_ENDPOINT_URL_<SERVICE>) are not part of it: Lambda
 * sets them per function in AWS, the local runtime sets them process-wide.
 */
import { envName, type FunctionDecl } from './types.ts';

/** a function that reads the core's buckets (an OEM stack imports tables and queues, not buckets: it leaves these out) */
export const readsCoreBuckets = (decl: Pick<FunctionDecl, 'grants'>): boolean => decl.grants.some((g) => 'bucket' in g);

/** The table whose REPLAY#… keys hold the marks of accepted envelopes (grant `{ replay: 'put' }`). */
export const REPLAY_MARKS_TABLE = 'tokens';

/** The Powertools metrics namespace of every function. */
export const METRICS_NAMESPACE = 'EVCS';

export interface EnvironmentContext {
  readonly operatorId: string;
  readonly secretsPrefix: string;
  readonly eventBusName: string;
  /** POWERTOOLS_LOG_LEVEL */
  readonly logLevel: string;
  /** the physical name of a declared table (a CloudFormation token in the stack) */
  tableName(logical: string): string;
  /** the URL of a declared queue (a CloudFormation token in the stack) */
  queueUrl(logical: string): string;
  /** the name of a declared bucket (a CloudFormation token in the stack) */
  bucketName?(logical: string): string;
  /** the OCPP WebSocket API's management endpoint (`OCPP_CALLBACK_URL` of a function with the websocket grant) */
  readonly websocketCallbackUrl?: string;
}

export const functionEnvironment = (decl: FunctionDecl, ctx: EnvironmentContext): Record<string, string> => {
  // No NODE_OPTIONS=--enable-source-maps: it parses the bundle's source map at every cold start
  // (~18 ms CPU of ~135, bench/coldstart.bench.ts). The .map ships next to the bundle in the asset,
  // so a minified stack trace maps back offline.
  const env: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: decl.service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: ctx.logLevel,
    OPERATOR_ID: ctx.operatorId,
    SECRETS_PREFIX: ctx.secretsPrefix,
    EVENT_BUS_NAME: ctx.eventBusName,
    ...decl.environment,
  };
  // the core serves OEM partners too where their OEM stack cannot (it imports no bucket; infra/topology/oem.ts)
  if (readsCoreBuckets(decl) && !decl.environment?.OEM_NAME) env.OEM_PARTNERS_SERVED = 'true';
  for (const grant of decl.grants) {
    if ('table' in grant) env[envName('TABLE', grant.table)] = ctx.tableName(grant.table);
    else if ('queue' in grant) env[envName('QUEUE_URL', grant.queue)] = ctx.queueUrl(grant.queue);
    else if ('bucket' in grant) {
      if (!ctx.bucketName) throw new Error(`function ${decl.id}: grant on bucket '${grant.bucket}' but no buckets are declared`);
      env[envName('BUCKET', grant.bucket)] = ctx.bucketName(grant.bucket);
    } else if ('websocket' in grant && ctx.websocketCallbackUrl) env.OCPP_CALLBACK_URL = ctx.websocketCallbackUrl;
    else if ('replay' in grant) env.REPLAY_TABLE = ctx.tableName(REPLAY_MARKS_TABLE);
  }
  return env;
};
