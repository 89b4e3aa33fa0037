/**
 * The supervision push lane (issue 13) in the template: its own queue with a DLQ, its own consumer
 * with its own concurrency (a slow commercial partner's backlog cannot delay it), and the SLA-breach
 * and parked-push alarms per platform.
 */
import { describe, expect, it } from 'vitest';
import { synth } from './template.ts';

describe('supervision push lane', () => {
  const s = synth();
  const json = JSON.stringify(s.template.toJSON());
  const mappingsOf = (fnLid: string) =>
    s
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnLid }));

  it('push-supervision is its own queue with a DLQ, consumed by push-deliver-supervision only, with its own maximum concurrency', () => {
    const q = s.stack.queues.get('push-supervision');
    if (!q) throw new Error('no push-supervision queue');
    const queue = s.lid(q.queue);
    expect(s.res(q.queue).Properties.RedrivePolicy).toMatchObject({
      // a backstop only: the deliverer parks a push in the DLQ itself after its profile's resends
      maxReceiveCount: 1000,
      deadLetterTargetArn: { 'Fn::GetAtt': [s.lid(q.dlq), 'Arn'] },
    });
    const lane = s.lid(s.stack.functions.get('push-deliver-supervision')?.fn as never);
    // it parks in the DLQ itself: SendMessage on the DLQ in its role's policy
    const policies = s
      .ofType('AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties.Roles).includes(lane.replace(/[0-9A-F]{8}$/, '')));
    expect(policies.some(([, r]) => JSON.stringify(r).includes('sqs:SendMessage') && JSON.stringify(r).includes(s.lid(q.dlq)))).toBe(true);
    const commercial = s.lid(s.stack.functions.get('push-deliver')?.fn as never);
    const [laneMapping, ...more] = mappingsOf(lane);
    expect(more).toHaveLength(0);
    expect(laneMapping?.[1].Properties).toMatchObject({ ScalingConfig: { MaximumConcurrency: 4 } });
    expect(JSON.stringify(laneMapping?.[1].Properties.EventSourceArn)).toContain(queue);
    // the commercial deliverer does not read the supervision queue: its backlog and concurrency are its own
    const commercialMappings = mappingsOf(commercial);
    expect(commercialMappings.length).toBeGreaterThan(0);
    for (const [, m] of commercialMappings) expect(JSON.stringify(m.Properties.EventSourceArn)).not.toContain(queue);
  });

  it('alarms: a supervision push later than its deadline, and one parked after its resend schedule, per platform', () => {
    const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => JSON.stringify(r));
    const sla = alarms.filter((a) => a.includes('push-deliver-supervision: a supervision push was delivered later than'));
    expect(sla).toHaveLength(1);
    expect(sla[0]).toContain('SupervisionSlaBreached');
    expect(sla[0]).toMatch(/GROUP BY OperatorID/);
    expect(alarms.filter((a) => a.includes('push-deliver-supervision: a supervision push was parked'))).toHaveLength(1);
    expect(json).toContain('push-supervision');
  });

  it('the daily export is fanned out: dxp-export-daily sends to dxp-export-parts (DLQ after 3 receives, alarmed), one part per dxp-export-part invocation within Lambda’s 15 minutes', () => {
    const q = s.stack.queues.get('dxp-export-parts');
    if (!q) throw new Error('no dxp-export-parts queue');
    const queue = s.lid(q.queue);
    expect(s.res(q.queue).Properties).toMatchObject({
      VisibilityTimeout: 900,
      RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: { 'Fn::GetAtt': [s.lid(q.dlq), 'Arn'] } },
    });
    const part = s.stack.functions.get('dxp-export-part')?.fn;
    const daily = s.stack.functions.get('dxp-export-daily')?.fn;
    if (!part || !daily) throw new Error('no dxp-export-part / dxp-export-daily function');
    const partFn = s.res(part).Properties;
    expect(partFn.Timeout).toBe(600);
    expect(partFn.Timeout as number).toBeLessThanOrEqual(900);
    expect(s.res(daily).Properties.Timeout).toBe(60);
    const [mapping, ...more] = mappingsOf(s.lid(part));
    expect(more).toHaveLength(0);
    expect(mapping?.[1].Properties).toMatchObject({ BatchSize: 1, ScalingConfig: { MaximumConcurrency: 4 } });
    expect(JSON.stringify(mapping?.[1].Properties.EventSourceArn)).toContain(queue);
    // the daily function may send to the parts queue; the part writes the exports bucket
    const policies = s.ofType('AWS::IAM::Policy').map(([, r]) => JSON.stringify(r));
    const dailyRole = JSON.stringify((s.res(daily).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
    expect(policies.some((p) => p.includes(dailyRole) && p.includes('sqs:SendMessage') && p.includes(queue))).toBe(true);
    // a part stuck in the DLQ is alarmed (no manifest for the day until it is redriven)
    const alarms = s.ofType('AWS::CloudWatch::Alarm').map(([, r]) => JSON.stringify(r));
    expect(alarms.some((a) => a.includes(s.lid(q.dlq)))).toBe(true);
  });
});

describe('a supervision platform’s region (byArea)', () => {
  it('the stations table has the byArea index: province partition, AreaCode#StationID sort key, the two attributes a region read needs', () => {
    const s = synth();
    const stations = s
      .ofType('AWS::DynamoDB::Table')
      .map(([, r]) => r.Properties as { GlobalSecondaryIndexes?: Array<Record<string, unknown>> })
      .find((p) => (p.GlobalSecondaryIndexes ?? []).some((g) => g.IndexName === 'byChange'));
    const byArea = stations?.GlobalSecondaryIndexes?.find((g) => g.IndexName === 'byArea');
    expect(byArea).toEqual({
      IndexName: 'byArea',
      KeySchema: [
        { AttributeName: 'gsi2pk', KeyType: 'HASH' },
        { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['stationId', 'effChangedAt'] },
    });
  });
});
