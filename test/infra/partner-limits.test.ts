/**
 * What AWS adds to the gateway's per-partner limiter: reserved concurrency on every function partners
 * call (and on no other), and the alarm on requests refused with Ret -1.
 */
import { describe, expect, it } from 'vitest';
import { PARTNER_RESERVED_CONCURRENCY_CONTEXT } from '../../infra/constructs/partner-limits.ts';
import { synth } from './template.ts';

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
