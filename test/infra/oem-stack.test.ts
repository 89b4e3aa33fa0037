/**
 * One stack per OEM (infra/oem-stack.ts): `-c oem=<name>` adds an independent EvcsOem<Name> stack —
 * its own HTTP API under the OEM profile's prefix, its own functions (L1, reserved concurrency,
 * alarms on its own topics), the core's tables, queues and bus by import (no copies) — and the
 * core stack's template is the same with or without it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { TCEC_BASE_PATH, topology } from '../../infra/topology/index.ts';
import { oemProfile, oemStackName } from '../../infra/topology/oem.ts';
import type { CfnRes } from './template.ts';

const CONTEXT = { 'aws:cdk:bundling-stacks': [] };
const synthApp = (extra: Record<string, unknown> = {}) =>
  buildApp({ app: { context: { ...CONTEXT, ...extra }, builtinCloudFormationValidation: false } });

describe('OEM stack', () => {
  const withOem = synthApp({ oem: 'oem-example' });
  const oem = withOem.oems[0]!;
  const oemTemplate = Template.fromStack(oem).toJSON() as { Resources: Record<string, CfnRes>; Outputs: Record<string, unknown> };
  const resources = Object.values(oemTemplate.Resources);
  const ofType = (t: string) => resources.filter((r) => r.Type === t);
  const served = topology.functions.filter(
    (f) =>
      !f.localOnly &&
      // the core serves the interfaces that read its buckets (query_invoice_info): an OEM stack does not import them
      !f.grants.some((g) => 'bucket' in g) &&
      f.triggers.some((t) => t.type === 'http' && t.path.startsWith(`${TCEC_BASE_PATH}/`)),
  );

  it('is an independent stack named after the OEM', () => {
    expect(withOem.oems).toHaveLength(1);
    expect(oem.stackName).toBe('EvcsOemExample');
    expect(oemStackName('bmw')).toBe('EvcsOemBmw');
    expect(oem.dependencies.map((d) => d.stackName)).toEqual([]);
  });

  it('has its own HTTP API routing the OEM prefix to its own functions', () => {
    expect(ofType('AWS::ApiGatewayV2::Api')).toHaveLength(1);
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey as string);
    expect(routes).toHaveLength(served.length);
    for (const r of routes) expect(r).toMatch(/^POST \/msp\/oem-example\/v1\/[a-z_A-Z]+$/);
    expect(routes).toContain('POST /msp/oem-example/v1/query_start_charge');
    expect(oemProfile('oem-example').servedAt).toBe('/msp/oem-example/v1/');
  });

  it('its functions are L1 with reserved concurrency, and alarmed on its own topics', () => {
    const fns = ofType('AWS::Lambda::Function').filter((f) => (f.Properties.Handler as string | undefined)?.startsWith('index.'));
    expect(fns).toHaveLength(served.length);
    for (const f of fns) expect(f.Properties.ReservedConcurrentExecutions).toBeGreaterThan(0);
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(served.length);
    expect(ofType('AWS::SNS::Topic').length).toBeGreaterThan(0);
  });

  it("holds no data of its own: the core's tables, queues and bus by import", () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(0);
    expect(ofType('AWS::Events::EventBus')).toHaveLength(0);
    expect(ofType('AWS::SQS::Queue')).toHaveLength(0);
    const startCharge = ofType('AWS::Lambda::Function').find((f) => String(f.Properties.Description).startsWith('T/CEC 102 §3.7'));
    expect(startCharge).toBeDefined();
    const env = (startCharge!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.TABLE_ORDERS).toEqual({ 'Fn::ImportValue': 'EvcsInterconnect-table-orders' });
    expect(env.EVENT_BUS_NAME).toEqual({ 'Fn::ImportValue': 'EvcsInterconnect-bus-name' });
  });

  it('the core exports what the OEM imports', () => {
    const core = Template.fromStack(withOem.stack).toJSON() as { Outputs: Record<string, { Export?: { Name: string } }> };
    const exported = new Set(Object.values(core.Outputs).flatMap((o) => (o.Export ? [o.Export.Name] : [])));
    const imports = new Set([...JSON.stringify(oemTemplate).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]));
    expect(imports.size).toBeGreaterThan(0);
    for (const i of imports) expect(exported.has(i as string), i).toBe(true);
  });

  it('the core stack is unchanged by adding an OEM', () => {
    const without = synthApp();
    expect(without.oems).toEqual([]);
    expect(Template.fromStack(without.stack).toJSON()).toEqual(Template.fromStack(withOem.stack).toJSON());
  });

  it('an unknown OEM or one without its own prefix is refused at synth', () => {
    expect(() => synthApp({ oem: 'nobody' })).toThrow(/oem 'nobody': no built-in profile/);
    expect(() => synthApp({ oem: 'didi' })).toThrow(/an OEM needs its own prefix/);
  });

  it("its functions carry OEM_NAME (the gateway then serves the OEM's partners only); the core's never do", () => {
    const envOf = (f: CfnRes) => (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const fns = ofType('AWS::Lambda::Function').filter((f) => (f.Properties.Handler as string | undefined)?.startsWith('index.'));
    for (const f of fns) expect(envOf(f).OEM_NAME).toBe('oem-example');
    expect(JSON.stringify(Template.fromStack(withOem.stack).toJSON())).not.toContain('OEM_NAME');
  });
});

describe('OEMs as data: -c oemProfiles=<file>', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oem-profiles-'));
  const file = (name: string, content: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(content));
    return f;
  };
  const BMW = {
    extends: 'cec2016',
    oem: true,
    servedAt: '/msp/bmw/v1/',
    rename: { notification_charge_order_info: { TotalMoney: 'OrderAmount' } },
    add: { notification_charge_order_info: { Vin: { fn: 'fact' } } },
  };

  it('a custom OEM spec synthesizes EvcsOemBmw routing /msp/bmw/v1/ to its own functions', () => {
    const { oems } = synthApp({ oem: 'bmw', oemProfiles: file('bmw.json', { bmw: BMW }) });
    expect(oems.map((o) => o.stackName)).toEqual(['EvcsOemBmw']);
    const t = Template.fromStack(oems[0]!).toJSON() as { Resources: Record<string, CfnRes> };
    const routes = Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey as string);
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) expect(r).toMatch(/^POST \/msp\/bmw\/v1\/[a-z_A-Z]+$/);
    expect(routes).toContain('POST /msp/bmw/v1/query_start_charge');
  });

  it('its own saved Logs Insights queries, per search key, over every one of its function log groups and no other', () => {
    const { oems } = synthApp({ oem: 'bmw', oemProfiles: file('bmw.json', { bmw: BMW }) });
    const t = Template.fromStack(oems[0]!).toJSON() as { Resources: Record<string, CfnRes> };
    // the log groups its functions log to
    const groups = Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.LoggingConfig)
      .map((r) => JSON.stringify((r.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup));
    expect(groups).toHaveLength(oems[0]!.functions.size);
    const queries = Object.values(t.Resources)
      .filter((r) => r.Type === 'AWS::Logs::QueryDefinition')
      .map((r) => r.Properties as { Name: string; QueryString: string; LogGroupNames: unknown[] });
    const parts = Math.ceil(groups.length / 50);
    for (const key of ['ConnectorID', 'OperatorID', 'StartChargeSeq', 'interface', 'xray_trace_id']) {
      const mine = queries.filter((q) => q.Name.startsWith(`evcs/oem-bmw/by-${key}/`));
      expect(mine.map((q) => q.Name).sort()).toEqual(
        Array.from({ length: parts }, (_, i) => `evcs/oem-bmw/by-${key}/${i + 1}-of-${parts}`),
      );
      for (const q of mine) expect(q.QueryString).toContain(`filter ${key} = "<${key}>"`);
      // its own functions' groups (Refs within this stack), each once; never the API's access logs
      expect(mine.flatMap((q) => q.LogGroupNames.map((g) => JSON.stringify(g))).sort()).toEqual([...groups].sort());
    }
    expect(queries).toHaveLength(5 * parts);
  });

  it("a seed's profiles serve as the file too", () => {
    const seed = { operatorId: 'MA5GS8X01', partners: [], profiles: { bmw: BMW } };
    expect(synthApp({ oem: 'bmw', oemProfiles: file('seed.json', seed) }).oems[0]!.profile.servedAt).toBe('/msp/bmw/v1/');
  });

  it('an invalid spec, one not marked oem, or an unreadable file is refused at synth, naming the problem', () => {
    const bad = file('bad.json', { bmw: { ...BMW, rename: { notification_charge_order_info: { NoSuchField: 'X' } } } });
    expect(() => synthApp({ oem: 'bmw', oemProfiles: bad })).toThrow(
      /oem 'bmw': profiles\.bmw\.rename\.notification_charge_order_info\.NoSuchField/,
    );
    const { oem: _o, ...notOem } = BMW;
    expect(() => synthApp({ oem: 'bmw', oemProfiles: file('core.json', { bmw: notOem }) })).toThrow(/not marked "oem": true/);
    expect(() => synthApp({ oem: 'bmw', oemProfiles: join(dir, 'missing.json') })).toThrow(/profiles file .*missing\.json: not readable/);
  });
});
