/**
 * One function's environment in the local runtime: the derivation the stack uses
 * (infra/topology/environment.ts) with the local tables' and queues' names, plus the local settings
 * every function gets (tests shorten windows; the pile transport points at the simulator). The
 * invoker runs each invocation inside it (shared/config.ts runWithEnv).
 */
import { functionEnvironment } from '../topology/environment.ts';
import type { FunctionDecl, Topology } from '../topology/types.ts';
import { localTableName } from './dynamodb.ts';

export interface LocalEnvSettings {
  readonly topology: Pick<Topology, 'tables'>;
  /** the physical table names' prefix (tests share one DynamoDB Local, each platform under its own prefix) */
  readonly tablePrefix?: string;
  queueUrl(logical: string): string;
  /** the physical names of the topology's buckets, by logical name */
  readonly buckets?: Readonly<Record<string, string>>;
  readonly operatorId: string;
  readonly secretsPrefix: string;
  readonly eventBusName: string;
  readonly logLevel: string;
  /** the local WebSocket API's management endpoint (the AWS emulator's PostToConnection) */
  readonly websocketCallbackUrl?: string;
  /** applied last, to every function */
  readonly overrides?: Readonly<Record<string, string>>;
}

export const localFunctionEnv = (fn: FunctionDecl, s: LocalEnvSettings): Readonly<Record<string, string>> =>
  Object.freeze({
    ...functionEnvironment(fn, {
      operatorId: s.operatorId,
      secretsPrefix: s.secretsPrefix,
      eventBusName: s.eventBusName,
      logLevel: s.logLevel,
      tableName: (logical) => {
        if (!s.topology.tables.some((t) => t.name === logical))
          throw new Error(`function ${fn.id}: grant on undeclared table '${logical}'`);
        return localTableName(logical, s.tablePrefix);
      },
      queueUrl: (logical) => s.queueUrl(logical),
      bucketName: (logical) => {
        const name = s.buckets?.[logical];
        if (!name) throw new Error(`function ${fn.id}: grant on undeclared bucket '${logical}'`);
        return name;
      },
      ...(s.websocketCallbackUrl ? { websocketCallbackUrl: s.websocketCallbackUrl } : {}),
    }),
    ...s.overrides,
  });
