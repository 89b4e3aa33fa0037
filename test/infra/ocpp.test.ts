/** Template assertions for the OCPP gateway: the WebSocket API, its routes and stage, grants, the command queue, the alarms. */
import { describe, expect, it } from 'vitest';
import { PileCommandRequested } from '../../events/piles.ts';
import { ocppRewriteCode } from '../../infra/constructs/ocpp-edge.ts';
import { actions, arnOf, type CfnRes, roleStatements, synth } from './template.ts';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
const props = (r: CfnRes) => r.Properties as Record<string, any>;

describe('OCPP gateway (CDK)', () => {
  const s = synth();
  const api = s.stack.ocppApi!;
  const apiLid = s.lid(api);
  const fnLid = (id: string) => s.lid(s.stack.functions.get(id)!.fn);
  const roleOf = (id: string) => s.lid(s.stack.functions.get(id)!.fn.role!);

  it('one WebSocket API with a stage `ocpp` that deploys itself', () => {
    const apis = s.ofType('AWS::ApiGatewayV2::Api').filter(([, r]) => props(r).ProtocolType === 'WEBSOCKET');
    expect(apis).toHaveLength(1);
    expect(apis[0]![0]).toBe(apiLid);
    const stages = s
      .ofType('AWS::ApiGatewayV2::Stage')
      .filter(([, r]) => JSON.stringify(props(r).ApiId) === JSON.stringify({ Ref: apiLid }));
    expect(stages).toHaveLength(1);
    expect(props(stages[0]![1])).toMatchObject({ StageName: 'ocpp', AutoDeploy: true });
  });

  it('$connect, $disconnect and $default go to their functions; $default answers in its route response', () => {
    const routes = s
      .ofType('AWS::ApiGatewayV2::Route')
      .filter(([, r]) => JSON.stringify(props(r).ApiId) === JSON.stringify({ Ref: apiLid }));
    const byKey = new Map(routes.map(([lid, r]) => [String(props(r).RouteKey), { lid, r: props(r) }]));
    expect([...byKey.keys()].sort()).toEqual(['$connect', '$default', '$disconnect']);
    for (const [key, id] of [
      ['$connect', 'ocpp-connect'],
      ['$disconnect', 'ocpp-disconnect'],
      ['$default', 'ocpp-message'],
    ] as const) {
      const integrationLid = byKey.get(key)!.r.Target['Fn::Join'][1][1].Ref as string;
      const integration = props(s.resources[integrationLid]!);
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      expect(JSON.stringify(integration.IntegrationUri)).toContain(fnLid(id));
    }
    expect(byKey.get('$default')!.r.RouteResponseSelectionExpression).toBe('$default');
    const responses = s.ofType('AWS::ApiGatewayV2::RouteResponse');
    expect(responses.some(([, r]) => JSON.stringify(props(r).RouteId) === JSON.stringify({ Ref: byKey.get('$default')!.lid }))).toBe(true);
  });

  it('only the pile gateway and the OCPP checks (metering set after a boot) may post to connections, on this API only, and know its management endpoint', () => {
    const posters = new Set(['pile-gateway', 'ocpp-checks']);
    for (const [id, f] of s.stack.functions) {
      const manage = roleStatements(s.resources, roleOf(id)).filter((st) => actions(st).includes('execute-api:ManageConnections'));
      expect(manage.length > 0, id).toBe(posters.has(id));
      for (const st of manage) expect(JSON.stringify(st.Resource)).toContain(apiLid);
      const env = JSON.stringify(props(s.res(f.fn)).Environment ?? {});
      expect(env.includes('OCPP_CALLBACK_URL'), id).toBe(posters.has(id));
    }
  });

  it('no IoT Core path is left: no iot:* action, no IoT endpoint lookup', () => {
    const all = s.ofType('AWS::IAM::Policy').flatMap(([, r]) => props(r).PolicyDocument.Statement as Parameters<typeof actions>[0][]);
    expect(all.flatMap((st) => actions(st)).filter((a) => a.startsWith('iot:'))).toEqual([]);
    expect(s.ofType('Custom::AWS')).toHaveLength(0);
  });

  it('the ocpp table keys pk/sk with TTL, and the gateway functions read and write it', () => {
    const t = props(s.res(s.stack.tables.get('ocpp')!));
    expect(t.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(t.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    for (const id of ['ocpp-connect', 'ocpp-disconnect', 'ocpp-message', 'ocpp-checks', 'pile-gateway']) {
      const writes = roleStatements(s.resources, roleOf(id)).filter(
        (st) => actions(st).includes('dynamodb:PutItem') && JSON.stringify(st.Resource).includes(s.lid(s.stack.tables.get('ocpp')!)),
      );
      expect(writes.length, id).toBeGreaterThan(0);
    }
  });

  it('PileCommandRequested is routed by a rule into the pile-commands queue (with a DLQ) the gateway consumes', () => {
    const rules = s
      .ofType('AWS::Events::Rule')
      .filter(([, r]) => JSON.stringify(props(r).EventPattern) === JSON.stringify(PileCommandRequested.pattern()));
    expect(rules).toHaveLength(1);
    const q = s.stack.queues.get('pile-commands')!;
    expect(JSON.stringify(props(rules[0]![1]).Targets)).toContain(s.lid(q.queue));
    expect(JSON.stringify(props(s.res(q.queue)).RedrivePolicy)).toContain('maxReceiveCount');
    const mappings = s.ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => props(r));
    expect(
      mappings.some(
        (m) =>
          JSON.stringify(m.EventSourceArn) === JSON.stringify(arnOf(s.lid(q.queue))) &&
          JSON.stringify(m.FunctionName).includes(fnLid('pile-gateway')),
      ),
    ).toBe(true);
  });

  it('alarms on refused connections and on calls that timed out (the gateway metrics)', () => {
    const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => props(r));
    for (const name of ['OcppConnectRejected', 'OcppCallTimeouts']) {
      const a = alarms.filter((x) => x.MetricName === name);
      expect(a, name).toHaveLength(1);
      expect(a[0]).toMatchObject({
        Namespace: 'EVCS',
        Dimensions: [{ Name: 'service', Value: 'piles' }],
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(a[0]!.AlarmActions?.length).toBeGreaterThan(0);
    }
  });
});

describe('OCPP edge: wss://<edge>/ocpp/<chargePointId> (CloudFront + a rewrite to the stage)', () => {
  const s = synth();
  // the operator console's distribution (its nested stack, infra/console-stack.ts) is not the OCPP edge
  const edges = s
    .ofType('AWS::CloudFront::Distribution')
    .filter(([, r]) => props(r).DistributionConfig.Comment !== 'EVCS operator console');
  const dist = edges[0]?.[1];
  const config = props(dist!).DistributionConfig;

  it('one distribution whose origin is the WebSocket API over HTTPS, with the rewrite on viewer requests', () => {
    expect(edges).toHaveLength(1);
    const origin = config.Origins[0];
    expect(JSON.stringify(origin.DomainName)).toContain(s.lid(s.stack.ocppApi!));
    expect(JSON.stringify(origin.DomainName)).toContain('execute-api');
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    const [assoc] = config.DefaultCacheBehavior.FunctionAssociations;
    expect(assoc.EventType).toBe('viewer-request');
    const fnLid = s.ofType('AWS::CloudFront::Function')[0]![0];
    expect(JSON.stringify(assoc.FunctionARN)).toContain(fnLid);
  });

  it('Basic auth and the subprotocol reach $connect: in the cache key (CloudFront drops Authorization otherwise); the handshake headers forwarded', () => {
    const cache = s.ofType('AWS::CloudFront::CachePolicy')[0]![1];
    const c = props(cache!).CachePolicyConfig;
    expect(c.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers.sort()).toEqual(['Authorization', 'Sec-WebSocket-Protocol']);
    expect(c.MaxTTL).toBeLessThanOrEqual(1);
    const orp = s.ofType('AWS::CloudFront::OriginRequestPolicy')[0]![1];
    expect(props(orp!).OriginRequestPolicyConfig.HeadersConfig.Headers.sort()).toEqual([
      'Sec-WebSocket-Extensions',
      'Sec-WebSocket-Key',
      'Sec-WebSocket-Version',
    ]);
  });

  it('the output OcppUrl is wss://<distribution>/ocpp; the stage URL stays an output of its own', () => {
    const outputs = (s.template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(JSON.stringify(outputs.OcppUrl!.Value)).toContain('wss://');
    expect(JSON.stringify(outputs.OcppUrl!.Value)).toContain(s.lid(s.stack.node.findChild('OcppEdge').node.findChild('Distribution')));
    expect(outputs.OcppStageUrl).toBeDefined();
  });

  it('the rewrite (run as CloudFront would): /ocpp/<id> → the stage with ?chargePointId=<id>; anything else 404', () => {
    const code = ocppRewriteCode('ocpp');
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => Record<string, unknown>;
    const run = (uri: string) => handler({ request: { uri, querystring: { x: { value: '1' } }, headers: {} } });
    expect(run('/ocpp/CP001')).toMatchObject({ uri: '/ocpp', querystring: { chargePointId: { value: 'CP001' } } });
    expect(run('/ocpp/SH0001D01/')).toMatchObject({ uri: '/ocpp', querystring: { chargePointId: { value: 'SH0001D01' } } });
    for (const bad of ['/', '/ocpp', '/ocpp/', '/ocpp/a/b', '/other/CP001', `/ocpp/${'x'.repeat(65)}`])
      expect(run(bad), bad).toEqual({ statusCode: 404, statusDescription: 'Not Found' });
    // the function as deployed is that code
    const fn = s.ofType('AWS::CloudFront::Function')[0]![1];
    expect(props(fn!).FunctionCode).toBe(code);
    expect(props(fn!).FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  });
});
