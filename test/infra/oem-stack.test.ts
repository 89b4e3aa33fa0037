/**
 * One stack per OEM (infra/oem-stack.ts): `-c oem=<name>` adds an independent EvcsOem<Name> stack —
 * its own HTTP API under the OEM profile's prefix, its own functions (L1, reserved concurrency,
 * alarms on its own topics), the core's tables, queues and bus by import (no copies) — and the
 * core stack's template is the same with or without it.
 */
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
});
