/** Stack outputs: what a partner and the operator CLI need after `cdk deploy`. */
import { describe, expect, it } from 'vitest';
import { envName, topology } from '../../infra/topology/index.ts';
import { synth } from './template.ts';

describe('stack outputs', () => {
  const s = synth();
  const outputs = (s.template.toJSON() as { Outputs: Record<string, { Value: unknown; Description?: string }> }).Outputs;

  it('the API URL, the bus and the secrets prefix', () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'EventBusName', 'SecretsPrefix']));
    expect(outputs.SecretsPrefix!.Value).toBe('evcs/');
  });

  it('one output per table and queue, naming the environment variable the CLI reads, referencing the real resource', () => {
    for (const t of topology.tables) {
      const o = Object.values(outputs).find((x) => x.Description === `export ${envName('TABLE', t.name)}=<this>`);
      expect(o, t.name).toBeDefined();
      expect(o!.Value).toEqual({ Ref: s.lid(s.stack.tables.get(t.name)!) });
    }
    for (const q of topology.queues) {
      expect(
        Object.values(outputs).some((x) => x.Description === `export ${envName('QUEUE_URL', q.name)}=<this>`),
        q.name,
      ).toBe(true);
    }
  });
});
