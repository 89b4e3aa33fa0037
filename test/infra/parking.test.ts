/**
 * The parking service (L1, issue 15) in the template: its own nested stack, the waiver queue with a
 * DLQ, the lock-raise rule narrowed to "available again", and no way to write an order.
 */
import { NestedStack, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
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
    const raise = parking.find((f) => f.id === 'parking-lock-raise');
    expect(raise?.triggers).toEqual([
      { type: 'event', pattern: expect.objectContaining({ 'detail-type': ['ConnectorStatusChanged'], detail: { status: [1] } }) },
    ]);
  });
});
