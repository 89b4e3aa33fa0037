/**
 * One stack per OEM (the one-to-one msp deployments, tier L1): `npx cdk synth -c oem=<name>` (or
 * an `oems` list in cdk.json) adds an independent `EvcsOem<Name>` stack next to the core:
 *
 *   - its own HTTP API, serving the OEM profile's prefix (`/msp/<name>/v1/<interface>`);
 *   - its own copy of every T/CEC function we serve (the same entries, the same core handlers —
 *     the profile is applied by the gateway at the edge), with its own log groups, alarms (its own
 *     alarm topics, its own saved Logs Insights queries) and reserved concurrency, so load or failure in one OEM never takes the core's
 *     concurrency or its functions; `OEM_NAME` in their environment, so they serve the OEM's
 *     partners only, and the core's gateway refuses those (infra/topology/oem.ts oemFunctions);
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
import { SavedQueries } from './constructs/saved-queries.ts';
import { coreExportName, pascal } from './stack.ts';
import { topology as realTopology } from './topology/index.ts';
import { oemFunctions, oemProfile } from './topology/oem.ts';
import type { Topology } from './topology/types.ts';

/** Reserved concurrency of each OEM function: its share, taken from no one else. */
const OEM_RESERVED_CONCURRENCY = 10;
/** The OEM API's stage throttling (requests/second, burst). */
const OEM_API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

export interface EvcsOemStackProps extends StackProps {
  /** the OEM's name = its profile's name (a built-in or one of `profiles`, marked `oem`, with its own `servedAt`) */
  readonly oem: string;
  /** OEM profile specs given as data (`-c oemProfiles=<file>`, infra/topology/oem.ts readOemProfiles) */
  readonly profiles?: Readonly<Record<string, unknown>>;
  /** the core stack's name, whose exports this stack imports */
  readonly coreStackName: string;
  readonly operatorId: string;
  readonly secretsPrefix: string;
  readonly repoRoot: string;
  readonly topology?: Topology;
  readonly reservedConcurrency?: number;
}

export class EvcsOemStack extends Stack {
  readonly profile: Profile;
  readonly api: apigwv2.HttpApi;
  readonly functions = new Map<string, EvcsFunction>();

  constructor(scope: Construct, id: string, props: EvcsOemStackProps) {
    super(scope, id, {
      description: `EVCS Interconnect msp for OEM ${props.oem}: its own API and functions over the core's data`,
      ...props,
    });
    this.profile = oemProfile(props.oem, props.profiles);
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

    // the same functions the local runtime serves for the OEM: L1, OEM_NAME set, routed at its prefix
    for (const decl of oemFunctions(topology, props.oem, this.profile)) {
      const fn = new EvcsFunction(this, pascal(decl.id), {
        decl,
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
      for (const t of decl.triggers)
        if (t.type === 'http')
          this.api.addRoutes({
            path: t.path,
            methods: [apigwv2.HttpMethod.POST],
            integration: new HttpLambdaIntegration(`${pascal(decl.id)}Integration`, fn.fn, {
              payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
            }),
          });
    }

    // its own saved Logs Insights queries over its own functions' log groups, as the core has over its
    new SavedQueries(this, 'Queries', { functions: this.functions.values(), namePrefix: `evcs/oem-${props.oem}/` });

    new CfnOutput(this, 'ApiUrl', {
      value: stage.url,
      description: `base URL of OEM ${props.oem}: <this>${this.profile.servedAt.slice(1)}`,
    });
  }
}
