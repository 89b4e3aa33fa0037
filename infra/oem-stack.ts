/**
 * One stack per OEM (the one-to-one msp deployments, tier L1): `npx cdk synth -c oem=<name>` (or
 * an `oems` list in cdk.json) adds an independent `EvcsOem<Name>` stack next to the core:
 *
 *   - its own HTTP API, serving the OEM profile's prefix (`/msp/<name>/v1/<interface>`);
 *   - its own copy of every T/CEC function we serve (the same entries, the same core handlers —
 *     the profile is applied by the gateway at the edge), with its own log groups, alarms (its own
 *     alarm topics) and reserved concurrency, so load or failure in one OEM never takes the core's
 *     concurrency or its functions;
 *   - the core's tables, queues and bus by IMPORT (the core stack's exports): no copy of the data,
 *     no second source of truth. Adding an OEM does not change the core stack's template.
 *
 * Pushes to an OEM's platform are the core push service's: it reads the partner's profile.
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Profile } from '../shared/tcec/profiles.ts';
import { AlarmTopics } from './constructs/alarm-topics.ts';
import { EvcsFunction } from './constructs/evcs-function.ts';
import { acknowledgeApi } from './constructs/nag.ts';
import { coreExportName, pascal } from './stack.ts';
import { topology as realTopology, TCEC_BASE_PATH } from './topology/index.ts';
import { oemProfile } from './topology/oem.ts';
import type { FunctionDecl, Topology } from './topology/types.ts';

/** Reserved concurrency of each OEM function: its share, taken from no one else. */
const OEM_RESERVED_CONCURRENCY = 10;
/** The OEM API's stage throttling (requests/second, burst). */
const OEM_API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

export interface EvcsOemStackProps extends StackProps {
  /** the OEM's name = its profile's name (a built-in profile with its own `servedAt`) */
  readonly oem: string;
  /** the core stack's name, whose exports this stack imports */
  readonly coreStackName: string;
  readonly operatorId: string;
  readonly secretsPrefix: string;
  readonly repoRoot: string;
  readonly topology?: Topology;
  readonly reservedConcurrency?: number;
}

/** The http-served functions of the topology and the interface each serves. */
const servedFunctions = (topology: Topology): { decl: FunctionDecl; iface: string }[] =>
  topology.functions.flatMap((decl) => {
    if (decl.localOnly) return [];
    // an interface that reads the core's buckets (query_invoice_info's download link) is served by the core only:
    // an OEM stack imports the core's tables and queues, not its buckets
    if (decl.grants.some((g) => 'bucket' in g)) return [];
    const t = decl.triggers.find((x) => x.type === 'http' && x.path.startsWith(`${TCEC_BASE_PATH}/`));
    return t && t.type === 'http' ? [{ decl, iface: t.path.slice(TCEC_BASE_PATH.length + 1) }] : [];
  });

export class EvcsOemStack extends Stack {
  readonly profile: Profile;
  readonly api: apigwv2.HttpApi;
  readonly functions = new Map<string, EvcsFunction>();

  constructor(scope: Construct, id: string, props: EvcsOemStackProps) {
    super(scope, id, {
      description: `EVCS Interconnect msp for OEM ${props.oem}: its own API and functions over the core's data`,
      ...props,
    });
    this.profile = oemProfile(props.oem);
    const topology = props.topology ?? realTopology;
    const imported = (what: string) => Fn.importValue(coreExportName(props.coreStackName, what));

    const tables = new Map<string, dynamodb.ITable>();
    for (const t of topology.tables) {
      tables.set(
        t.name,
        dynamodb.Table.fromTableAttributes(this, `Core${pascal(t.name)}Table`, {
          tableName: imported(`table-${t.name}`),
          grantIndexPermissions: true,
        }),
      );
    }
    const queues = new Map<string, sqs.IQueue>();
    for (const q of topology.queues) {
      queues.set(
        q.name,
        sqs.Queue.fromQueueAttributes(this, `Core${pascal(q.name)}Queue`, {
          queueArn: imported(`queue-arn-${q.name}`),
          queueUrl: imported(`queue-url-${q.name}`),
        }),
      );
    }
    const eventBus = events.EventBus.fromEventBusAttributes(this, 'CoreBus', {
      eventBusName: imported('bus-name'),
      eventBusArn: imported('bus-arn'),
      eventBusPolicy: '',
    });
    const alarms = new AlarmTopics(this, 'Alarms');

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `evcs-oem-${props.oem}`,
      description: `T/CEC 102 interfaces of OEM ${props.oem} (profile ${this.profile.name}, ${this.profile.servedAt})`,
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    const stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: OEM_API_THROTTLE,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: AccessLogFormat.clf() },
    });
    acknowledgeApi(this.api);

    for (const { decl, iface } of servedFunctions(topology)) {
      // an OEM is a one-to-one L1 service: its functions are L1 whatever the core's tier
      const oemDecl: FunctionDecl = { ...decl, tier: 'L1', description: `${decl.description} (OEM ${props.oem})` };
      const fn = new EvcsFunction(this, pascal(decl.id), {
        decl: oemDecl,
        repoRoot: props.repoRoot,
        operatorId: props.operatorId,
        secretsPrefix: props.secretsPrefix,
        eventBus,
        tables,
        queues,
        alarms,
      });
      (fn.fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = props.reservedConcurrency ?? OEM_RESERVED_CONCURRENCY;
      this.functions.set(decl.id, fn);
      this.api.addRoutes({
        path: `${this.profile.servedAt}${iface}`,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration(`${pascal(decl.id)}Integration`, fn.fn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        }),
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: stage.url,
      description: `base URL of OEM ${props.oem}: <this>${this.profile.servedAt.slice(1)}`,
    });
  }
}
