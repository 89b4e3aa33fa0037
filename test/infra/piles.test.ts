/** Template assertions for the pile side: the gateway's queue, its rule, its DLQ and its IoT grant. */
import { describe, expect, it } from 'vitest';
import { PileCommandRequested } from '../../events/piles.ts';
import { synth } from './template.ts';

describe('pile gateway (CDK)', () => {
  const s = synth();
  const policies = s.ofType('AWS::IAM::Policy');
  const statements = policies.flatMap(
    ([, r]) => (r.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement ?? [],
  );

  it('may publish to the pile command topics only (iot:Publish on topic/evcs/piles/*); the only other IoT action is the endpoint lookup', () => {
    const iot = statements.filter((st) => JSON.stringify(st.Action).includes('iot:'));
    const publish = iot.filter((st) => JSON.stringify(st.Action).includes('iot:Publish'));
    expect(publish.length).toBeGreaterThan(0);
    for (const st of publish) {
      expect(st.Action).toBe('iot:Publish');
      expect(JSON.stringify(st.Resource)).toContain(':topic/evcs/piles/*');
    }
    for (const st of iot.filter((x) => !publish.includes(x))) expect(st.Action).toBe('iot:DescribeEndpoint');
  });

  it('PileCommandRequested is routed by a rule into an SQS queue that has a DLQ', () => {
    const rules = s
      .ofType('AWS::Events::Rule')
      .filter(([, r]) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(PileCommandRequested.pattern()));
    expect(rules).toHaveLength(1);
    const targets = rules[0]![1].Properties.Targets as { Arn: unknown }[];
    expect(targets).toHaveLength(1);
    const arn = JSON.stringify(targets[0]!.Arn);
    const queue = s.ofType('AWS::SQS::Queue').find(([lid]) => arn.includes(lid));
    expect(queue).toBeDefined();
    expect(JSON.stringify(queue![1].Properties.RedrivePolicy)).toContain('maxReceiveCount');
  });

  it("the gateway publishes to the account's ATS data endpoint, looked up by iot:DescribeEndpoint", () => {
    const lookups = s.ofType('Custom::AWS').filter(([, r]) => JSON.stringify(r.Properties).includes('describeEndpoint'));
    expect(lookups).toHaveLength(1);
    expect(JSON.stringify(lookups[0]![1].Properties)).toContain('iot:Data-ATS');
    const gateways = s
      .ofType('AWS::Lambda::Function')
      .filter(([, r]) => JSON.stringify(r.Properties.Environment ?? {}).includes('AWS_ENDPOINT_URL_IOT_DATA_PLANE'));
    expect(gateways).toHaveLength(1);
    expect(JSON.stringify(gateways[0]![1].Properties.Environment)).toContain(lookups[0]![0]);
  });
});
