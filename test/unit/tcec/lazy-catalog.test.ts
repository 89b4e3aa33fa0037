/**
 * The T/CEC catalog builds its schemas lazily (issue 9 §4): importing it builds none (no zod
 * schema constructor is even called), and using one interface builds that interface's schemas
 * only (and the shared objects they hold), once. Every function imports the whole catalog; this is
 * what keeps its cold start from paying for the other forty interfaces.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const zodCalls = vi.hoisted(() => [] as string[]);

// every schema-building function of zod/mini, counted (the catalog's modules import `* as z`)
vi.mock('zod/mini', async (importOriginal) => {
  const { countingZod } = await import('../../support/zod-calls.ts');
  return countingZod(await importOriginal<Record<string, unknown>>(), zodCalls);
});

const SEQ = 'MA59J8YL8202403150930450001';

/** the catalog as a fresh process imports it */
async function freshCatalog() {
  vi.resetModules();
  zodCalls.length = 0;
  const interfaces = await import('../../../shared/tcec/interfaces.ts');
  const dialect = await import('../../../shared/tcec/dialect.ts');
  const { builtSchemas } = await import('../../../shared/tcec/schemas.ts');
  return { ...interfaces, ...dialect, builtSchemas };
}

describe('the T/CEC catalog is built lazily', () => {
  beforeEach(() => {
    zodCalls.length = 0;
  });

  it('importing the catalog (interfaces, dialect, schemas) builds no schema', async () => {
    const c = await freshCatalog();
    expect(c.builtSchemas()).toEqual([]);
    expect(zodCalls).toEqual([]);
    // the declarations are there: names, sections, flags, without a schema
    expect(c.INTERFACE_NAMES.length).toBeGreaterThanOrEqual(40);
    expect(c.INTERFACES.query_charge_info.extension).toBe(true);
    expect(c.resolveInterfaceName('check_charge_order')).toBe('check_charge_orders');
    expect(c.builtSchemas()).toEqual([]);
    expect(zodCalls).toEqual([]);
  });

  it('using one interface builds its own schemas only, each once', async () => {
    const c = await freshCatalog();
    const req = c.parseRequestData('query_token', { OperatorID: 'MA59J8YL8', OperatorSecret: 's3cret' });
    expect(req.ok).toBe(true);
    expect(c.builtSchemas()).toEqual([c.INTERFACES.query_token.request]);
    // the counter sees zod/mini's builders (so the empty count at import means something)
    expect(zodCalls).toContain('object');
    const wire = c.toWire(
      'query_token',
      'response',
      { OperatorID: 'MA59J8YL8', SuccStat: 0, AccessToken: 't', TokenAvailableTime: 7200 },
      'cec2016',
    );
    expect(wire).toEqual({ OperatorID: 'MA59J8YL8', SuccStat: 0, AccessToken: 't', TokenAvailableTime: 7200 });
    const token = [c.INTERFACES.query_token.request, c.INTERFACES.query_token.response];
    expect(c.builtSchemas()).toHaveLength(2);
    expect(c.builtSchemas()[1]).toBe(token[1]);

    // memoised: the same schema object every time, nothing built again
    const calls = zodCalls.length;
    expect(c.INTERFACES.query_token.request).toBe(c.INTERFACES.query_token.request);
    c.parseRequestData('query_token', { OperatorID: 'MA59J8YL8', OperatorSecret: 'again' });
    expect(zodCalls.length).toBe(calls);
    expect(c.builtSchemas()).toHaveLength(2);
  });

  it('an interface with nested objects builds those objects, and nothing of the other interfaces', async () => {
    const c = await freshCatalog();
    const r = c.fromWire('query_equip_charge_status', 'response', {
      StartChargeSeq: SEQ,
      StartChargeSeqStat: 2,
      ConnectorID: '1',
      ConnectorStatus: 3,
      CurrentA: 10,
      VoltageA: 380,
      StartTime: '2024-03-15 09:30:45',
      EndTime: '2024-03-15 09:45:45',
      TotalPower: 1.5,
      ChargeDetails: [],
    });
    expect(r.ok).toBe(true);
    // the snapshot and its ChargeDetail objects
    expect(c.builtSchemas()).toHaveLength(2);
    expect(c.builtSchemas()[1]).toBe(c.INTERFACES.query_equip_charge_status.response);
    // the push of the same snapshot reuses it: notification_equip_charge_status's request is that schema
    expect(c.INTERFACES.notification_equip_charge_status.request).toBe(c.INTERFACES.query_equip_charge_status.response);
    expect(c.builtSchemas()).toHaveLength(2);
  });

  it('the partner profiles resolve their field changes per interface, on first use', async () => {
    const c = await freshCatalog();
    const { loadProfiles, profileToWire } = await import('../../../shared/tcec/profiles.ts');
    const profiles = loadProfiles();
    expect(c.builtSchemas()).toEqual([]);
    // didi adds OperatorID to the query_equip_auth answer: writing it builds that answer's schema, nothing else
    const wire = profileToWire(
      profiles.get('didi')!,
      'query_equip_auth',
      'response',
      { EquipAuthSeq: SEQ, ConnectorID: '1', SuccStat: 0, FailReason: 0 },
      { ourOperatorId: 'MA59J8YL8', partnerOperatorId: 'MA01H3BQ2' },
    );
    expect(wire).toEqual({ EquipAuthSeq: SEQ, ConnectorID: '1', SuccStat: 0, FailReason: 0, OperatorID: 'MA59J8YL8' });
    expect(c.builtSchemas()).toHaveLength(1);
    expect(c.builtSchemas()[0]).toBe(c.INTERFACES.query_equip_auth.response);
    // a custom profile (a seed's, a partner's) is checked at load: that builds what its own changes name
    loadProfiles({ mine: { extends: 'didi', omit: { query_start_charge: ['ConnectorID'] } } });
    expect(c.builtSchemas()).toHaveLength(3);
    expect(c.builtSchemas().slice(1)).toEqual(
      expect.arrayContaining([c.INTERFACES.query_start_charge.request, c.INTERFACES.query_start_charge.response]),
    );
  });

  it('every interface alone builds a handful of the catalog’s schemas, never all', async () => {
    const all = await freshCatalog();
    for (const name of all.INTERFACE_NAMES) {
      void all.INTERFACES[name].request;
      void all.INTERFACES[name].response;
    }
    const total = all.builtSchemas().length;
    expect(total).toBeGreaterThan(80);
    for (const name of all.INTERFACE_NAMES) {
      const c = await freshCatalog();
      void c.INTERFACES[name].request;
      void c.INTERFACES[name].response;
      const built = c.builtSchemas();
      expect(built.length, name).toBeGreaterThan(0);
      // the station master data (station → equipment → connector, each with its field set) is the largest: 8
      expect(built.length, name).toBeLessThanOrEqual(8);
    }
  });

  /**
   * A Lambda bundle holds the schemas of its own interfaces only: evcsBundling defines
   * `process.env.EVCS_TCEC_<interface>` ("1" or "") and esbuild folds the catalog's getters
   * (test/infra/bundling.test.ts checks the bundles). Unbundled, the same conditions read the
   * environment at import, so a fresh import with those variables set is that bundle's catalog.
   */
  it('in a bundle of one interface, the others keep their names and flags and refuse their schemas loudly', async () => {
    const { INTERFACE_NAMES } = await freshCatalog();
    const vars = INTERFACE_NAMES.map((n) => `EVCS_TCEC_${n}`);
    for (const [i, v] of vars.entries()) process.env[v] = INTERFACE_NAMES[i] === 'query_token' ? '1' : '';
    try {
      const c = await freshCatalog();
      expect(c.schemasBundled('query_token')).toBe(true);
      expect(c.schemasBundled('query_start_charge')).toBe(false);
      expect(c.parseRequestData('query_token', { OperatorID: 'MA59J8YL8', OperatorSecret: 's3cret' }).ok).toBe(true);
      expect(() => c.INTERFACES.query_start_charge.request).toThrow(/schemas of query_start_charge are not in this function's bundle/);
      expect(() => c.parseRequestData('query_start_charge', {})).toThrow(/not in this function's bundle/);
      expect(c.INTERFACES.query_charge_info.extension).toBe(true);
      expect(c.resolveInterfaceName('check_charge_order')).toBe('check_charge_orders');
      const { loadProfiles } = await import('../../../shared/tcec/profiles.ts');
      // the built-in profiles (their extensions, supervision interfaces) resolve without any schema
      expect(loadProfiles().get('didi')?.extensions.size).toBeGreaterThan(0);
      // a custom profile: its changes to this bundle's interface are checked here, the others' where served
      expect(() => loadProfiles({ mine: { extends: 'didi', omit: { query_token: ['Nope'] } } })).toThrow(/Nope/);
      expect(() => loadProfiles({ mine: { extends: 'didi', omit: { query_start_charge: ['Nope'] } } })).not.toThrow();
      // an unknown interface name is still an error everywhere
      expect(() => loadProfiles({ mine: { extends: 'didi', omit: { query_nothing: ['Nope'] } } })).toThrow(/unknown interface/);
    } finally {
      for (const v of vars) delete process.env[v];
      // the unit lane shares its module registry between files (isolate: false): drop the pruned catalog
      vi.resetModules();
    }
  });
});
