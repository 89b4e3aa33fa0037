/**
 * The topology is the whole truth locally too: each local invocation sees only its own function's
 * environment (its grants' TABLE_/QUEUE_URL_, its declared environment, the common settings), so a
 * missing grant fails here as it would in AWS.
 */
import { describe, expect, it } from 'vitest';
import { localFunctionEnv } from '../../infra/local/function-env.ts';
import { createInvoker } from '../../infra/local/invoke.ts';
import { topology } from '../../infra/topology/index.ts';
import { envName, type FunctionDecl } from '../../infra/topology/types.ts';
import { config, runWithEnv } from '../../shared/config.ts';
import { pushConfig } from '../../shared/push/config.ts';

const settings = {
  topology,
  queueUrl: (logical: string) => `http://127.0.0.1:1/queue/evcs-${logical}`,
  buckets: Object.fromEntries((topology.buckets ?? []).map((b) => [b.name, `evcs-${b.name}`])),
  operatorId: 'MA5GS8X01',
  secretsPrefix: 'evcs/',
  eventBusName: 'evcs',
  logLevel: 'WARN',
};

const probe = (id: string, grants: FunctionDecl['grants'], environment?: Record<string, string>): FunctionDecl => ({
  id,
  service: 'ops',
  entry: 'test/fixtures/handlers/config-probe.ts',
  handler: id.startsWith('push') ? 'pushTimeout' : 'tableName',
  tier: 'L3',
  description: 'config probe',
  triggers: [],
  grants,
  ...(environment ? { environment } : {}),
});

describe('a function’s local environment', () => {
  it.each(topology.functions.map((f) => [f.id, f] as const))('%s names exactly the tables and queues it is granted', (_id, fn) => {
    const env = localFunctionEnv(fn, settings);
    const tables = fn.grants.flatMap((g) => ('table' in g ? [envName('TABLE', g.table)] : []));
    const queues = fn.grants.flatMap((g) => ('queue' in g ? [envName('QUEUE_URL', g.queue)] : []));
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('TABLE_'))
        .sort(),
    ).toEqual([...new Set(tables)].sort());
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('QUEUE_URL_'))
        .sort(),
    ).toEqual([...new Set(queues)].sort());
    expect(env).toMatchObject({
      OPERATOR_ID: 'MA5GS8X01',
      EVENT_BUS_NAME: 'evcs',
      SECRETS_PREFIX: 'evcs/',
      POWERTOOLS_SERVICE_NAME: fn.service,
    });
  });

  it('carries the local settings over every function’s own, and cannot be changed by a handler', () => {
    const fn = probe('probe', [], { PUSH_TIMEOUT_MS: '5000' });
    const env = localFunctionEnv(fn, { ...settings, overrides: { PUSH_TIMEOUT_MS: '250', PILE_TRANSPORT: 'local' } });
    expect(env).toMatchObject({ PUSH_TIMEOUT_MS: '250', PILE_TRANSPORT: 'local' });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('refuses a grant on a table the topology does not declare', () => {
    expect(() => localFunctionEnv(probe('probe', [{ table: 'nope', access: 'read' }]), settings)).toThrow(
      "function probe: grant on undeclared table 'nope'",
    );
  });
});

describe('the local invoker', () => {
  const invoker = createInvoker({
    rootDir: new URL('../..', import.meta.url).pathname,
    region: 'ap-northeast-1',
    account: '000000000000',
    envFor: (fn) => localFunctionEnv(fn, settings),
  });

  it('runs a handler with its grants: a granted table is named', async () => {
    await expect(invoker.invoke(probe('granted', [{ table: 'orders', access: 'read' }]), { table: 'orders' })).resolves.toBe('evcs-orders');
  });

  it('a function without a grant on a table cannot read its name, even when process.env has it', async () => {
    const saved = process.env.TABLE_ORDERS;
    process.env.TABLE_ORDERS = 'evcs-orders'; // the operator's view, as the local cloud sets it
    try {
      await expect(invoker.invoke(probe('ungranted', [{ table: 'stations', access: 'read' }]), { table: 'orders' })).rejects.toThrow(
        "configuration: TABLE_ORDERS is not set (no grant on table 'orders'?)",
      );
    } finally {
      if (saved === undefined) delete process.env.TABLE_ORDERS;
      else process.env.TABLE_ORDERS = saved;
    }
  });

  it('keeps configuration caches per function: concurrent invocations see their own settings', async () => {
    const a = probe('push-a', [], { PUSH_TIMEOUT_MS: '1111' });
    const b = probe('push-b', [], { PUSH_TIMEOUT_MS: '2222' });
    const results = await Promise.all([invoker.invoke(a, {}), invoker.invoke(b, {}), invoker.invoke(a, {})]);
    expect(results).toEqual([1111, 2222, 1111]);
  });
});

describe('runWithEnv', () => {
  it('scopes config() and pushConfig() to the environment it is given', () => {
    const inside = runWithEnv({ TABLE_ORDERS: 'scoped-orders' }, () => config().tableName('orders'));
    expect(inside).toBe('scoped-orders');
    expect(() => runWithEnv({}, () => config().tableName('orders'))).toThrow(/no grant on table 'orders'/);
    expect(runWithEnv({ PUSH_TIMEOUT_MS: '42' }, () => pushConfig().PUSH_TIMEOUT_MS)).toBe(42);
  });
});
