/**
 * One derivation of a function's environment for both runtimes: the variables the stack sets on
 * each deployed function are exactly the ones the local runtime runs its invocations with
 * (infra/topology/environment.ts), so local tests see the grants AWS will enforce.
 */
import { describe, expect, it } from 'vitest';
import { localFunctionEnv } from '../../infra/local/function-env.ts';
import { topology } from '../../infra/topology/index.ts';
import { synth } from './template.ts';

/** variables only the deployed functions have (none today) */
const AWS_ONLY = new Set<string>();

describe('function environment: stack and local runtime', () => {
  const s = synth();
  const deployed = topology.functions.filter((f) => !f.localOnly);

  it.each(deployed.map((f) => [f.id, f] as const))('%s has the same variables in both', (_id, f) => {
    const fn = s.stack.functions.get(f.id);
    if (!fn) throw new Error(`no function ${f.id} in the stack`);
    const deployedEnv = (s.res(fn.fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const local = localFunctionEnv(f, {
      topology,
      queueUrl: (q) => `http://127.0.0.1:1/queue/evcs-${q}`,
      buckets: Object.fromEntries((topology.buckets ?? []).map((b) => [b.name, `evcs-${b.name}`])),
      operatorId: 'MA5GS8X01',
      secretsPrefix: 'evcs/',
      eventBusName: 'evcs',
      logLevel: 'INFO',
      websocketCallbackUrl: 'http://127.0.0.1:1/ocpp',
    });
    expect(Object.keys(local).sort()).toEqual(
      Object.keys(deployedEnv)
        .filter((k) => !AWS_ONLY.has(k))
        .sort(),
    );
    // plain values agree; table names, queue URLs and the bus name are CloudFormation references in the stack
    for (const [k, v] of Object.entries(deployedEnv)) if (typeof v === 'string' && !AWS_ONLY.has(k)) expect(local[k]).toBe(v);
  });
});
