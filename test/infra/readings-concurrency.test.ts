/**
 * Readings never take every slot of their consumer (issue 17 review): pile-session-events has two
 * SQS mappings sharing its reserved concurrency, and the readings' one is capped below it, so a
 * backlog of PileMeterValues leaves slots to the starts and stops.
 */
import { describe, expect, it } from 'vitest';
import { arnOf, synth } from './template.ts';

describe('pile-session-events: the readings leave slots to starts and stops', () => {
  const s = synth();
  const fn = s.stack.functions.get('pile-session-events')!.fn;
  const fnLid = s.lid(fn);
  const reserved = s.res(fn).Properties.ReservedConcurrentExecutions as number;
  const mapping = (queue: string) => {
    const arn = JSON.stringify(arnOf(s.lid(s.stack.queues.get(queue)!.queue)));
    const found = s
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnLid }))
      .filter(([, r]) => JSON.stringify(r.Properties.EventSourceArn) === arn);
    expect(found, `one mapping of ${queue}`).toHaveLength(1);
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
    return found[0]![1].Properties as Record<string, any>;
  };

  it('the readings mapping has a MaximumConcurrency (2 at least) at most half the reserved concurrency', () => {
    expect(reserved).toBe(20);
    const max = mapping('charging-pile-meters').ScalingConfig?.MaximumConcurrency;
    expect(max).toBeGreaterThanOrEqual(2);
    expect(max).toBeLessThanOrEqual(reserved / 2);
  });

  it('the starts and stops mapping is not capped below the readings: it may use every slot the readings leave', () => {
    const readings = mapping('charging-pile-meters').ScalingConfig.MaximumConcurrency as number;
    const starts = mapping('charging-pile-events').ScalingConfig?.MaximumConcurrency as number | undefined;
    expect(starts === undefined || starts >= reserved - readings).toBe(true);
  });
});
