/**
 * What AWS adds to the gateway's per-partner limiter: reserved concurrency on every function partners
 * call (and on no other), and the alarm on requests refused with Ret -1; and the durable replay
 * marks: which interfaces write them (derived from their grants) and what IAM lets them write.
 */
import { describe, expect, it } from 'vitest';
import { PARTNER_RESERVED_CONCURRENCY_CONTEXT } from '../../infra/constructs/partner-limits.ts';
import { topology } from '../../infra/topology/index.ts';
import { actions, arnOf, resourcesOf, roleStatements, synth } from './template.ts';

const partnerFacing = (s: ReturnType<typeof synth>) =>
  [...s.stack.functions.values()].map((f) => ({
    id: f.decl.id,
    partnerFacing: f.decl.triggers.some((t) => t.type === 'http' && t.path.startsWith('/evcs/')),
    reserved: s.res(f.fn).Properties.ReservedConcurrentExecutions,
  }));

describe('partner limits in the stack', () => {
  const s = synth();

  it('every partner-facing function has reserved concurrency 20; any other only its tier default (L0: 20)', () => {
    const fns = partnerFacing(s);
    expect(fns.filter((f) => f.partnerFacing).length).toBeGreaterThan(5);
    for (const f of fns) {
      const tier = s.stack.functions.get(f.id)!.decl.tier;
      expect({ id: f.id, reserved: f.reserved }).toEqual({ id: f.id, reserved: f.partnerFacing || tier === 'L0' ? 20 : undefined });
    }
  });

  it('one alarm on PartnerThrottled (Metrics Insights over every OperatorID), to the medium topic', () => {
    const alarms = s
      .ofType('AWS::CloudWatch::Alarm')
      .filter(([, r]) => JSON.stringify(r.Properties.Metrics ?? []).includes('PartnerThrottled'));
    expect(alarms).toHaveLength(1);
    const props = alarms[0]![1].Properties;
    expect(props).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    expect(JSON.stringify(props.Metrics)).toContain('SELECT SUM(PartnerThrottled) FROM \\"EVCS\\"');
    expect(JSON.stringify(props.AlarmActions)).toContain(s.lid(s.stack.alarmTopics.topic('medium')));
  });

  it('context 0 leaves every function unreserved (accounts with a low concurrency quota)', () => {
    const none = synth({}, { [PARTNER_RESERVED_CONCURRENCY_CONTEXT]: 0 });
    for (const f of partnerFacing(none)) expect({ id: f.id, reserved: f.reserved }).toEqual({ id: f.id, reserved: undefined });
  });
});

describe('durable replay marks (issue 17)', () => {
  const s = synth();
  const tcec = topology.functions.filter((f) => f.triggers.some((t) => t.type === 'http' && t.path.startsWith('/evcs/')));
  const marking = tcec.filter((f) => f.grants.some((g) => 'replay' in g)).map((f) => f.id);

  it('derived from the grants: every state-changing interface marks its envelopes, no read-only one does', () => {
    for (const id of [
      'query-token',
      'query-start-charge',
      'query-stop-charge',
      'query-start-charge-prepay',
      'query-start-charge-coupon',
      'query-order-pay',
      'query-reserve-connector',
      'query-cancel-reservation',
      'query-invoice-apply',
    ])
      expect(marking, id).toContain(id);
    for (const id of [
      'query-station-status',
      'query-stations-info',
      'query-equip-business-policy',
      'query-equip-charge-status',
      'query-charge-info',
    ])
      expect(marking, id).not.toContain(id);
    // the rule itself: a function that may write a table, publish, send or command a pile marks
    for (const f of tcec) {
      const writes = f.grants.some(
        (g) => (('table' in g || 'bucket' in g) && g.access !== 'read') || 'bus' in g || 'queue' in g || 'websocket' in g,
      );
      expect({ id: f.id, marks: marking.includes(f.id) }).toEqual({ id: f.id, marks: writes });
    }
  });

  it('IAM: a marking function may PutItem in the tokens table only under REPLAY#… keys; the others may not write it at all', () => {
    const tokensArn = JSON.stringify(arnOf(s.lid(s.stack.tables.get('tokens')!)));
    for (const f of tcec) {
      const fn = s.stack.functions.get(f.id);
      if (!fn) continue; // local-only
      const statements = roleStatements(s.resources, (s.res(fn.fn).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]);
      const writesTokens = statements.filter(
        (st) =>
          resourcesOf(st).some((r) => JSON.stringify(r) === tokensArn) &&
          actions(st).some((a) => /dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/.test(a)),
      );
      if (f.id === 'query-token') continue; // issues tokens: readWrite, besides its mark
      if (!marking.includes(f.id)) {
        expect(writesTokens, f.id).toEqual([]);
        expect(s.res(fn.fn).Properties.Environment, f.id).not.toMatchObject({ Variables: { REPLAY_TABLE: expect.anything() } });
        continue;
      }
      expect(writesTokens, f.id).toEqual([
        expect.objectContaining({
          Action: 'dynamodb:PutItem',
          Effect: 'Allow',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPLAY#*'] } },
        }),
      ]);
      expect(s.res(fn.fn).Properties.Environment, f.id).toMatchObject({
        Variables: { REPLAY_TABLE: { Ref: s.lid(s.stack.tables.get('tokens')!) } },
      });
    }
  });
});
