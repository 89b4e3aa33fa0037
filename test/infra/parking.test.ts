/**
 * The parking service (L1, issue 15) in the template: its own nested stack, the waiver queue with a
 * DLQ, the lock-raise rule narrowed to "available again", and no way to write an order.
 */
import { NestedStack, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConnectorStatusChanged } from '../../events/baseinfo.ts';
import type { DetailOf } from '../../events/define.ts';
import { matchPattern } from '../../infra/local/pattern.ts';
import { functions } from '../../infra/topology/index.ts';
import { synth } from './template.ts';

describe('parking service', () => {
  const s = synth();
  const parking = functions.filter((f) => f.service === 'parking');

  it('its functions (the eight DiDi interfaces, the waiver consumer, the lock raise) live in the ParkingService nested stack', () => {
    expect(parking.map((f) => f.id).sort()).toEqual(
      [
        'modify-parking-fee-wave-car-number',
        'parking-lock-raise',
        'parking-waiver',
        'query-drop-lock',
        'query-drop-lock-result',
        'query-ground-lock-auth',
        'query-ground-locks',
        'query-parking-free-info',
        'query-parking-free-wave',
        'query-parking-station',
      ].sort(),
    );
    for (const f of parking) {
      const fn = s.stack.functions.get(f.id)?.fn;
      if (!fn) throw new Error(`no function ${f.id}`);
      const scope = Stack.of(fn);
      expect(scope).toBeInstanceOf(NestedStack);
      expect(scope.node.id).toBe('ParkingService');
    }
  });

  it('parking-waivers has a DLQ after 5 receives, and is fed by the OrderFinished rule', () => {
    const q = s.stack.queues.get('parking-waivers');
    if (!q) throw new Error('no parking-waivers queue');
    expect(s.res(q.queue).Properties.RedrivePolicy).toMatchObject({
      maxReceiveCount: 5,
      deadLetterTargetArn: { 'Fn::GetAtt': [s.lid(q.dlq), 'Arn'] },
    });
    const rules = s.ofType('AWS::Events::Rule').map(([, r]) => JSON.stringify(r.Properties));
    expect(rules.some((r) => r.includes('OrderFinished') && r.includes(s.lid(q.queue)))).toBe(true);
  });

  it('a failing car park never touches an order: no parking function may write the orders table', () => {
    for (const f of parking)
      for (const g of f.grants)
        if ('table' in g && g.table === 'orders') expect({ fn: f.id, access: g.access }).toEqual({ fn: f.id, access: 'read' });
  });

  it('the lock raise runs for a connector available again that has a parking space, or may have one (not known); never for one known to have none', () => {
    const raise = parking.find((f) => f.id === 'parking-lock-raise');
    const t = raise?.triggers[0];
    if (t?.type !== 'event') throw new Error('parking-lock-raise: no event trigger');
    expect(raise?.triggers).toHaveLength(1);
    // as the local bus reads a rule's pattern
    const pattern = t.pattern as unknown as Record<string, unknown>;
    const event = (detail: Partial<DetailOf<typeof ConnectorStatusChanged>>) => ({
      source: ConnectorStatusChanged.source,
      'detail-type': ConnectorStatusChanged.detailType,
      detail: { ...ConnectorStatusChanged.sample, ...detail },
    });
    const { parkingSpace: _, ...unknown } = ConnectorStatusChanged.sample as DetailOf<typeof ConnectorStatusChanged>;
    expect(matchPattern(pattern, event({ status: 1, parkingSpace: true }))).toBe(true);
    expect(matchPattern(pattern, { ...event({}), detail: { ...unknown, status: 1 } })).toBe(true);
    expect(matchPattern(pattern, event({ status: 1, parkingSpace: false }))).toBe(false);
    expect(matchPattern(pattern, event({ status: 3, parkingSpace: true }))).toBe(false);
    expect(matchPattern(pattern, { ...event({}), detail: { ...unknown, status: 2 } })).toBe(false);
    // the same pattern is the deployed rule's
    const rules = s.ofType('AWS::Events::Rule').map(([, r]) => r.Properties as { EventPattern?: unknown });
    expect(rules.some((r) => JSON.stringify(r.EventPattern) === JSON.stringify(t.pattern))).toBe(true);
  });
});
