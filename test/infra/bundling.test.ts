/**
 * One real bundle: the function construct's esbuild settings (local esbuild, no Docker) produce a
 * CommonJS bundle (index.js, loaded with `require` as Lambda's runtime does) and a source map, with every dependency — the AWS
 * SDK included — inside it, so it runs from a directory that has no node_modules; only the SDK's
 * credential providers a Lambda never reaches are left out, and only behind a dynamic `import()`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import {
  BUNDLE_METAFILE_CONTEXT,
  EVENT_STREAMS_MODULE,
  LAMBDA_UNREACHED_SDK_MODULES,
  STRICT_BANNER,
} from '../../infra/constructs/evcs-function.ts';
import { catalogInterfaces } from '../../infra/topology/catalog.ts';
import { topology } from '../../infra/topology/index.ts';
import type { Topology } from '../../infra/topology/types.ts';

const load = createRequire(import.meta.url);

/**
 * What a CommonJS bundle loads besides its own code: the packages it `require`s (at load) and the
 * ones it reaches by a dynamic `import("…")` (esbuild keeps those as they are: run only when that
 * code runs). node built-ins aside.
 */
const externalsOf = (code: string) => ({
  required: [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string).filter((m) => !m.startsWith('node:')),
  dynamic: new Set([...code.matchAll(/\bimport\(\s*["'](@[^"']+)["']\s*\)/g)].map((m) => m[1] as string)),
});

const probeTopology: Topology = {
  tables: [],
  queues: [],
  functions: [
    {
      id: 'bundle-probe',
      service: 'ops',
      entry: 'test/fixtures/handlers/bundle-probe.ts',
      handler: 'probe',
      tier: 'L3',
      description: 'bundling probe',
      triggers: [{ type: 'http', method: 'POST', path: '/probe' }],
      grants: [],
    },
  ],
};

describe('real bundling with local esbuild', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'evcs-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles an ESM handler with banner, source map and every dependency inside', async () => {
    const { app, stack } = buildApp({ app: { outdir, builtinCloudFormationValidation: false }, stack: { topology: probeTopology } });
    app.synth();
    // the probe's service (ops) lives in a nested stack of its own
    const template = Template.fromStack(stack.functions.get('bundle-probe')!.fn.stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Code: { S3Key: string }; Handler: string };
    };
    expect(fn.Properties.Handler).toBe('index.probe');
    const assetDir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    const bundle = join(assetDir, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);

    const code = readFileSync(bundle, 'utf8');
    // strict mode, as the ES module bundle it replaces was
    expect(code.startsWith(STRICT_BANNER)).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    // CommonJS, not an ES module: no import/export statement at the top level
    expect(code).not.toMatch(/(^|[;}\n])\s*(import\s*[{*\w]|export\s*[{*])/);
    // nothing left to resolve at load: no package required; what is left out is reached by dynamic
    // import() only, and is one of the unreached providers
    const ext = externalsOf(code);
    expect(ext.required).toEqual([]);
    expect(ext.dynamic.size).toBeGreaterThan(0);
    for (const m of ext.dynamic) expect([...LAMBDA_UNREACHED_SDK_MODULES, EVENT_STREAMS_MODULE]).toContain(m);

    // it runs from a directory without node_modules, loaded as Lambda's runtime loads index.js
    const mod = load(bundle) as { probe: (e: unknown) => Promise<unknown> };
    await expect(mod.probe({ name: 'partners' })).resolves.toEqual({ name: 'partners', env: 'TABLE_PARTNERS', sdk: 'function' });
    await expect(mod.probe({ name: '' })).rejects.toThrow();

    // Lambda's credentials (the environment) resolve without the left-out providers
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLEPROBE',
      AWS_SECRET_ACCESS_KEY: 'probe-not-a-secret',
      AWS_SESSION_TOKEN: 'probe',
    });
    delete process.env.AWS_PROFILE;
    try {
      await expect(mod.probe({ name: 'partners', credentials: true })).resolves.toMatchObject({ accessKeyId: 'AKIDBUNDLEPROBE' });
    } finally {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

/**
 * Real functions as the stack bundles them (the topology's own declarations): the OCPP message
 * handler checks with ocpp-rpc's schemas copied into shared/ocpp/schemas.generated.ts, so neither
 * ajv nor ocpp-rpc nor its JSON file is in it, and the pile gateway (our own calls only) holds none
 * of the schemas of what a charge point sends; no bundle carries the credential
 * providers a Lambda never reaches, and one without S3 not the SDK's event streams — dynamic
 * `import()`s only; a function that writes to a bucket (the S3 client imports event streams) keeps
 * them; one that only presigns links (a read grant) holds neither the S3 client nor event streams.
 * None carries full zod (its classic API): zod/mini's core only.
 */
describe('real function bundles: what is left out', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'evcs-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  // station-changes: once the one function with full zod (447 KB), through the station import's classic schemas
  // query-invoice-info: a read-only bucket grant, its download links presigned without the S3 client (once 510 KB)
  const ids = ['ocpp-message', 'pile-gateway', 'query-token', 'dxp-export-hourly', 'station-changes', 'query-invoice-info'];
  const withS3 = 'dxp-export-hourly';

  it('the OCPP handler has no ajv, no ocpp-rpc, no schemas; no full zod; event streams only with S3; left-out modules are dynamic imports', async () => {
    const only: Topology = { ...topology, functions: topology.functions.filter((f) => ids.includes(f.id)) };
    const { app, stack } = buildApp({
      app: { outdir, builtinCloudFormationValidation: false, context: { [BUNDLE_METAFILE_CONTEXT]: true } },
      stack: { topology: only },
    });
    app.synth();
    expect([...stack.functions.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const fn = stack.functions.get(id)!.fn;
      const code = fn.stack.resolve((fn.node.defaultChild as CfnFunction).code) as { s3Key: string };
      const assetDir = join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
      const meta = JSON.parse(readFileSync(join(assetDir, 'index.meta.json'), 'utf8')) as {
        outputs: Record<string, { inputs: Record<string, unknown> }>;
      };
      const inputs = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
      expect(inputs.length, id).toBeGreaterThan(100);
      expect(
        inputs.filter((p) => /node_modules\/(ajv|ajv-formats|ocpp-rpc)\//.test(p)),
        id,
      ).toEqual([]);
      // zod/mini only: full zod's classic API (~440 KB) is in none of them, its core is
      expect(
        inputs.filter((p) => p.includes('node_modules/zod/v4/classic/')),
        id,
      ).toEqual([]);
      expect(
        inputs.some((p) => p.includes('node_modules/zod/v4/core/')),
        id,
      ).toBe(true);
      const eventStreams = inputs.filter((p) => p.includes('@smithy/core/dist-es/submodules/event-streams/'));
      if (id === withS3) expect(eventStreams.length, id).toBeGreaterThan(0);
      else expect(eventStreams, id).toEqual([]);
      for (const m of LAMBDA_UNREACHED_SDK_MODULES)
        expect(
          inputs.filter((p) => p.includes(`node_modules/${m}/`)),
          `${id}: ${m}`,
        ).toEqual([]);
      if (id === 'ocpp-message' || id === 'pile-gateway')
        expect(
          inputs.some((p) => p.endsWith('shared/ocpp/schemas.generated.ts')),
          id,
        ).toBe(true);
      // the heavy clients stay where they are used: S3 (~100 KB, +40 KB of @smithy/core) and its
      // multipart upload only with a bucket grant, the invoice PDF (pdf-lib, its fonts, pako: ~420 KB)
      // in invoice-issue only, and a function that neither sends nor publishes holds no SQS or
      // EventBridge client — a shared module importing one of them brings it back silently
      const packages = new Set(inputs.map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1]).filter(Boolean));
      for (const pkg of ['pdf-lib', '@pdf-lib/standard-fonts', 'pako']) expect(packages.has(pkg), `${id}: ${pkg}`).toBe(false);
      for (const pkg of ['@aws-sdk/client-s3', '@aws-sdk/lib-storage']) expect(packages.has(pkg), `${id}: ${pkg}`).toBe(id === withS3);
      if (id === 'query-token')
        for (const pkg of ['@aws-sdk/client-sqs', '@aws-sdk/client-eventbridge']) expect(packages.has(pkg), `${id}: ${pkg}`).toBe(false);
      // the DynamoDB client's endpoint cache takes our Map-based LRU, not mnemonist's (SDK_ALIASES)
      expect(packages.has('mnemonist'), `${id}: mnemonist`).toBe(false);
      if (id === 'query-token') expect(packages.has('@aws-sdk/endpoint-cache'), id).toBe(true);
      if (packages.has('@aws-sdk/endpoint-cache'))
        expect(
          inputs.some((p) => p.endsWith('shared/sdk/lru-cache.ts')),
          id,
        ).toBe(true);

      const text = readFileSync(join(assetDir, 'index.js'), 'utf8');
      // the schema tables are tree-shaken per function: BootNotification's and MeterValues' fields are
      // a charge point's CALLs (the message handler), RemoteStartTransaction's chargingProfile our own
      if (id === 'ocpp-message')
        for (const field of ['chargePointVendor', 'sampledValue']) expect(text, `${id}: ${field}`).toContain(field);
      if (id === 'pile-gateway') {
        for (const field of ['chargePointVendor', 'sampledValue']) expect(text, `${id}: ${field}`).not.toContain(field);
        expect(text, id).toContain('chargingSchedulePeriod');
      }
      // what is left out is reached by dynamic import() only (a `require` left in the code, such as the
      // SDK's optional signature-v4-crt, runs only where it is called: the load below proves none runs at init)
      const ext = externalsOf(text);
      if (id !== withS3) expect(ext.dynamic, id).toContain(EVENT_STREAMS_MODULE);
      for (const m of ext.dynamic) expect([...LAMBDA_UNREACHED_SDK_MODULES, EVENT_STREAMS_MODULE], id).toContain(m);
      // it loads from a folder without node_modules: nothing left out is required at init
      const handlerName = stack.functions.get(id)!.decl.handler ?? 'handler';
      expect(load(join(assetDir, 'index.js')), id).toHaveProperty(handlerName);
    }
  });
});

/**
 * What a function's bundle leaves out of the modules it imports (issue 9 §4): an event or queue
 * contract it does not use (every `defineEvent` / `defineQueue` is a pure call, so esbuild drops it
 * with the catalogs only it needed — an argument esbuild cannot prove side-effect free, such as
 * `3 * 3600`, keeps it in every bundle again), and the code of another function that shares its
 * module (OCPP `$connect` / `$disconnect` beside the frame handling and its compiled validators, VIN
 * binding beside the plug-and-charge start), or the T/CEC catalog a function that only reads
 * partner records never uses (the partner schemas and the catalog are built through a pure
 * `atImport`). A contract is recognised in the minified bundle by its description, which only its
 * declaration holds.
 */
describe('real function bundles: only the contracts and modules the function uses', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'evcs-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const ids = ['query-token', 'ocpp-connect', 'ocpp-disconnect', 'query-vin-bind', 'charging-timeout'];

  it('keeps only the queues and events it uses, and none of its neighbours in a shared module', async () => {
    const catalogs = await Promise.all(
      ['baseinfo', 'disputes', 'orders', 'parking', 'piles', 'queues'].map(
        (f) => import(`../../events/${f}.ts`) as Promise<Record<string, unknown>>,
      ),
    );
    const contracts = catalogs.flatMap((m) =>
      Object.entries(m).flatMap(([name, c]) =>
        c && typeof c === 'object' && 'decl' in c && typeof (c as { decl: { description?: unknown } }).decl.description === 'string'
          ? [{ name, description: (c as { decl: { description: string } }).decl.description }]
          : c && typeof c === 'object' && 'detailType' in c && 'description' in c
            ? [{ name, description: (c as { description: string }).description }]
            : [],
      ),
    );
    expect(contracts.length).toBeGreaterThan(25);
    // esbuild writes non-ASCII characters as \u escapes: the ASCII start of the description is the marker
    const marker = (d: string) =>
      /^[\x20-\x7e]*/
        .exec(d)?.[0]
        .replace(/['"\\]/g, '')
        .slice(0, 48) ?? '';
    for (const c of contracts) expect(marker(c.description).length, c.name).toBeGreaterThanOrEqual(20);
    expect(new Set(contracts.map((c) => marker(c.description))).size).toBe(contracts.length);
    // the contracts each function uses (sends, publishes or consumes)
    const uses: Record<string, string[]> = {
      'query-token': [],
      'ocpp-connect': [],
      'ocpp-disconnect': ['OcppChecksQueue'],
      'query-vin-bind': [],
      'charging-timeout': ['ChargingTimeoutsQueue', 'OrderFinished', 'OrderStarted', 'PileCommandRequested'],
    };
    // modules a function must not hold (bytes in its bundle)
    const never: Record<string, RegExp> = {
      'query-token': /^events\//,
      'ocpp-connect': /^shared\/(ocpp\/validators\.generated\.js|services\/ocpp\.ts|tcec\/schemas\.ts)$/,
      'ocpp-disconnect': /^shared\/(ocpp\/validators\.generated\.js|services\/ocpp\.ts|tcec\/schemas\.ts)$/,
      'query-vin-bind': /^(shared\/(services\/(plug-charge|charging)\.ts|push\/queue\.ts)|events\/queues\.ts)$/,
      // it reads partner records, not the T/CEC catalog the partner module can reach
      'charging-timeout': /^shared\/tcec\/(interfaces|profiles)\.ts$/,
    };

    const only: Topology = { ...topology, functions: topology.functions.filter((f) => ids.includes(f.id)) };
    const { app, stack } = buildApp({
      app: { outdir, builtinCloudFormationValidation: false, context: { [BUNDLE_METAFILE_CONTEXT]: true } },
      stack: { topology: only },
    });
    app.synth();
    for (const id of ids) {
      const fn = stack.functions.get(id)!.fn;
      const code = fn.stack.resolve((fn.node.defaultChild as CfnFunction).code) as { s3Key: string };
      const assetDir = join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`);
      const text = readFileSync(join(assetDir, 'index.js'), 'utf8');
      // the schema tables are tree-shaken per function: BootNotification's and MeterValues' fields are
      // a charge point's CALLs (the message handler), RemoteStartTransaction's chargingProfile our own
      if (id === 'ocpp-message')
        for (const field of ['chargePointVendor', 'sampledValue']) expect(text, `${id}: ${field}`).toContain(field);
      if (id === 'pile-gateway') {
        for (const field of ['chargePointVendor', 'sampledValue']) expect(text, `${id}: ${field}`).not.toContain(field);
        expect(text, id).toContain('chargingSchedulePeriod');
      }
      const held = contracts.filter((c) => text.includes(marker(c.description))).map((c) => c.name);
      expect(held.sort(), id).toEqual([...(uses[id] ?? [])].sort());

      const meta = JSON.parse(readFileSync(join(assetDir, 'index.meta.json'), 'utf8')) as {
        outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
      };
      const inputs = Object.values(meta.outputs).flatMap((o) =>
        Object.entries(o.inputs)
          .filter(([, v]) => v.bytesInOutput > 0)
          .map(([p]) => p),
      );
      expect(inputs.length, id).toBeGreaterThan(100);
      expect(
        inputs.filter((p) => never[id]?.test(p)),
        id,
      ).toEqual([]);
    }
  });
});

/**
 * The T/CEC catalog in a bundle (issue 9 §4): a function holds the request/response schema builders
 * of the interfaces its topology entry serves (route) or calls (`calls`) only — evcsBundling defines
 * `process.env.EVCS_TCEC_<interface>` and esbuild folds the catalog's getters — while every
 * interface's name and flags stay. A schema builder is recognised in the minified bundle by a field
 * of its object shape that no other code names: `QRCode:` (query_start_charge's request),
 * `PolicyInfos:` (query_equip_business_policy's response), `LastQueryTime:` (query_stations_info's
 * request).
 */
describe('real function bundles: the catalog schemas of its own interfaces only', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'evcs-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const holds: Record<string, { yes: string[]; no: string[] }> = {
    // serves query_token: no schema of query_start_charge, of the station queries, of the tariff
    'query-token': { yes: [], no: ['QRCode:', 'PolicyInfos:', 'LastQueryTime:'] },
    'query-start-charge': { yes: ['QRCode:'], no: ['PolicyInfos:', 'LastQueryTime:'] },
    // calls query_token, query_equip_auth, query_equip_business_policy, query_start_charge, query_equip_charge_status
    'app-session-start': { yes: ['QRCode:', 'PolicyInfos:'], no: ['LastQueryTime:'] },
    // `calls: CALLS_NONE`: serves and calls none, holds none
    'pile-session-events': { yes: [], no: ['QRCode:', 'PolicyInfos:', 'LastQueryTime:'] },
  };
  const ids = Object.keys(holds);

  it('keeps the schemas of the interfaces a function serves or calls, and every interface name', () => {
    for (const id of ids) expect(catalogInterfaces(topology.functions.find((f) => f.id === id)!), id).toBeDefined();
    // a function that declares no interface keeps every schema; one that declares it calls none holds none
    expect(catalogInterfaces(topology.functions.find((f) => f.id === 'admin-api')!)).toBeUndefined();
    expect(catalogInterfaces(topology.functions.find((f) => f.id === 'pile-session-events')!)).toEqual([]);
    // a misspelt call would prune the schema it needs: refused
    const pushDeliver = topology.functions.find((f) => f.id === 'push-deliver')!;
    expect(() => catalogInterfaces({ ...pushDeliver, calls: [...(pushDeliver.calls ?? []), 'notification_station_status'] })).toThrow(
      /notification_station_status/,
    );
    const only: Topology = { ...topology, functions: topology.functions.filter((f) => ids.includes(f.id)) };
    const { app, stack } = buildApp({ app: { outdir, builtinCloudFormationValidation: false }, stack: { topology: only } });
    app.synth();
    for (const id of ids) {
      const fn = stack.functions.get(id)!.fn;
      const code = fn.stack.resolve((fn.node.defaultChild as CfnFunction).code) as { s3Key: string };
      const text = readFileSync(join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8');
      for (const m of holds[id]!.yes) expect(text.includes(m), `${id} holds ${m}`).toBe(true);
      for (const m of holds[id]!.no) expect(text.includes(m), `${id} holds no ${m}`).toBe(false);
      // the declarations of the others stay (names, sections, flags): the gateway and profiles read them
      for (const name of ['query_stations_info', 'notification_charge_order_info_for_bonus', 'query_vin_unbind'])
        expect(text.includes(`name:"${name}"`), `${id}: ${name}`).toBe(true);
      // folded at build time: no environment read is left for the catalog
      expect(text.includes('EVCS_TCEC_'), id).toBe(false);
    }
  });
});
