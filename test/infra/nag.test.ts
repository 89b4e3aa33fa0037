/**
 * cdk-nag's AwsSolutions pack over the whole app: clean, every accepted finding acknowledged in
 * code with its reason (infra/constructs/nag.ts), and a new unjustified finding fails the synth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import type { EvcsStackProps } from '../../infra/stack.ts';
import { fixtureTopology } from '../fixtures/local-topology.ts';

const dirs: string[] = [];
const outdir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'evcs-nag-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const app = (stack: EvcsStackProps = {}) =>
  buildApp({
    nag: true,
    app: { outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false },
    stack,
  });

describe('cdk-nag AwsSolutions', () => {
  it('the production stack synthesises clean, every acknowledgement with a reason', () => {
    const { app: a, stack } = app();
    expect(() => a.synth()).not.toThrow();
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-/);
      expect(ack.reason.length, ack.id).toBeGreaterThan(30);
    }
  });

  it('a topology with every grant kind (secrets, tables, queues, bus) synthesises clean', () => {
    const topology = {
      ...fixtureTopology,
      functions: fixtureTopology.functions.map((f) =>
        f.id === 'tick' ? { ...f, grants: [...f.grants, { secrets: 'readWrite' as const }, { bus: 'put' as const }] } : f,
      ),
    };
    const { app: a } = app({ topology });
    expect(() => a.synth()).not.toThrow();
  });

  it('synthesises clean in a concrete environment too (ARNs with a literal partition and region)', () => {
    const { app: a } = app({ env: { account: '123456789012', region: 'cn-north-1' } });
    expect(() => a.synth()).not.toThrow();
  });

  it('fails the synth on a wildcard nobody justified', () => {
    const { app: a, stack } = app();
    new iam.Role(stack, 'Careless', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        all: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] }),
      },
    });
    expect(() => a.synth()).toThrow(/Careless[\s\S]*AwsSolutions-IAM5\[Resource::\*\]/);
  });
});
