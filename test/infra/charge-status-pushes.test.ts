/**
 * Issue 9 §2: a due charge-status push is planned by the charging consumer and sent straight to
 * the push lanes. Its role follows: send on both FIFO lanes, read on what planning reads (partners,
 * stations), nothing on the push planner's queue; and no function writes Lambda's per-invocation lines.
 */
import { describe, expect, it } from 'vitest';
import { actions, arnOf, resourcesOf, roleStatements, synth } from './template.ts';

describe('pile-session-events plans and sends charge-status pushes itself', () => {
  const s = synth();
  const fn = s.stack.functions.get('pile-session-events')!.fn;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
  const fnProps = s.res(fn).Properties as Record<string, any>;
  const statements = roleStatements(s.resources, fnProps.Role['Fn::GetAtt'][0] as string);
  const on = (logicalId: string) =>
    statements.filter((st) => resourcesOf(st).some((r) => JSON.stringify(r) === JSON.stringify(arnOf(logicalId)))).flatMap(actions);
  const queue = (name: string) => s.lid(s.stack.queues.get(name)!.queue);
  const table = (name: string) => s.lid(s.stack.tables.get(name)!);

  it('may send to push-deliveries and push-supervision, not to push-events', () => {
    expect(on(queue('push-deliveries'))).toContain('sqs:SendMessage');
    expect(on(queue('push-supervision'))).toContain('sqs:SendMessage');
    expect(on(queue('push-events'))).not.toContain('sqs:SendMessage');
    expect(fnProps.Environment.Variables).toHaveProperty('QUEUE_URL_PUSH_DELIVERIES');
    expect(fnProps.Environment.Variables).not.toHaveProperty('QUEUE_URL_PUSH_EVENTS');
  });

  it('reads partners and stations (the plan), writes neither', () => {
    for (const t of ['partners', 'stations']) {
      expect(on(table(t))).toContain('dynamodb:GetItem');
      expect(on(table(t))).toContain('dynamodb:Scan');
      expect(on(table(t))).not.toContain('dynamodb:PutItem');
    }
  });

  it('logs JSON with no platform lines below WARN', () => {
    expect(fnProps.LoggingConfig).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' });
  });
});

describe('the per-reading functions are sized for I/O (issue 9 §2: GB-s per reading and per push)', () => {
  const s = synth();
  const memoryOf = (id: string): unknown => s.res(s.stack.functions.get(id)!.fn).Properties?.MemorySize;

  it('pile-session-events 512 MB, push-deliver 256 MB; the supervision lane and the L0 gateway keep their tier default', () => {
    expect(memoryOf('pile-session-events')).toBe(512);
    expect(memoryOf('push-deliver')).toBe(256);
    expect(memoryOf('push-deliver-supervision')).toBe(512);
    expect(memoryOf('query-start-charge')).toBe(1024);
  });
});
