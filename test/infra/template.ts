/** Helpers for the template assertions: synthesise without bundling, find a declaration's resources. */

import type { CfnResource } from 'aws-cdk-lib';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/app.ts';
import type { EvcsStack, EvcsStackProps } from '../../infra/stack.ts';

export interface CfnRes {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Synth {
  readonly stack: EvcsStack;
  readonly template: Template;
  readonly resources: Readonly<Record<string, CfnRes>>;
  /** the logical id of a construct's CloudFormation resource (or of the resource itself) */
  lid(construct: IConstruct): string;
  res(construct: IConstruct): CfnRes;
  ofType(type: string): readonly [string, CfnRes][];
}

/**
 * Synthesises the stack with bundling skipped (`aws:cdk:bundling-stacks: []`) and without the
 * CDK's built-in CloudFormation validation (seconds per synth; one test runs it on its own).
 */
export const synth = (props: EvcsStackProps = {}, context: Record<string, unknown> = {}): Synth => {
  // the production stack as it is (no props, no context): synthesised once per worker, read by every file
  // (the infra lane does not isolate its files: vitest.config.ts)
  if (Object.keys(props).length === 0 && Object.keys(context).length === 0) {
    defaultSynth ??= synthesise({}, {});
    return defaultSynth;
  }
  return synthesise(props, context);
};
let defaultSynth: Synth | undefined;

const synthesise = (props: EvcsStackProps, context: Record<string, unknown>): Synth => {
  const { stack } = buildApp({
    app: { context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false },
    stack: props,
  });
  const template = Template.fromJSON(flatten(stack));
  const resources = (template.toJSON() as { Resources: Record<string, CfnRes> }).Resources;
  const lid = (construct: IConstruct): string => {
    const cfn = (construct.node.defaultChild ?? construct) as CfnResource;
    return Stack.of(construct).getLogicalId(cfn);
  };
  const res = (construct: IConstruct): CfnRes => {
    const r = resources[lid(construct)];
    if (!r) throw new Error(`no resource for ${construct.node.path}`);
    return r;
  };
  const ofType = (type: string): [string, CfnRes][] => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { stack, template, resources, lid, res, ofType };
};

interface Json {
  Resources: Record<string, CfnRes>;
  Parameters?: Record<string, unknown>;
  [section: string]: unknown;
}

/** `{ Ref: p }` → what the parent passes as parameter `p`; `{ Fn::GetAtt: [nested, 'Outputs.X'] }` → that output's value */
const substitute = (
  value: unknown,
  params: Readonly<Record<string, unknown>>,
  outputs: ReadonlyMap<string, Record<string, unknown>>,
): unknown => {
  if (Array.isArray(value)) return value.map((v) => substitute(v, params, outputs));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof o.Ref === 'string' && o.Ref in params) return params[o.Ref];
  const att = keys.length === 1 && keys[0] === 'Fn::GetAtt' ? (o['Fn::GetAtt'] as [string, string]) : undefined;
  if (att?.[1]?.startsWith('Outputs.')) {
    const out = outputs.get(att[0])?.[att[1].slice('Outputs.'.length)];
    if (out !== undefined) return out;
  }
  return Object.fromEntries(keys.map((k) => [k, substitute(o[k], params, outputs)]));
};

/**
 * The stack's template with its nested stacks' resources merged in (the monitoring stack holds the
 * alarms, topics and dashboards; a service stack its functions), their parameters and outputs
 * replaced by what they stand for: assertions read one template, wherever CloudFormation's
 * 500-resource limit made a resource live.
 */
const flatten = (stack: Stack): Json => {
  const root = Template.fromStack(stack).toJSON() as Json;
  const nested = stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c) && c.nestedStackParent === stack);
  const children = nested.flatMap((child) =>
    child.nestedStackResource ? [{ child, lid: stack.getLogicalId(child.nestedStackResource) }] : [],
  );
  const own = new Map(children.map(({ child, lid }) => [lid, flatten(child)]));
  // every nested stack's outputs (their values in the nested stack's own terms), by the nested stack's logical id
  const outputs = new Map(
    [...own].map(([lid, t]) => [
      lid,
      Object.fromEntries(Object.entries((t.Outputs ?? {}) as Record<string, { Value: unknown }>).map(([k, v]) => [k, v.Value])),
    ]),
  );
  for (const { child, lid } of children) {
    const params = substitute(root.Resources[lid]?.Properties.Parameters ?? {}, {}, outputs) as Record<string, unknown>;
    for (const [id, r] of Object.entries(own.get(lid)?.Resources ?? {})) {
      if (id in root.Resources) throw new Error(`flatten: logical id ${id} in both ${stack.node.path} and ${child.node.path}`);
      root.Resources[id] = substitute(r, params, new Map()) as CfnRes;
    }
    for (const [k, v] of Object.entries(outputs.get(lid) ?? {}))
      (outputs.get(lid) as Record<string, unknown>)[k] = substitute(v, params, new Map());
  }
  for (const [id, r] of Object.entries(root.Resources)) root.Resources[id] = substitute(r, {}, outputs) as CfnRes;
  return root;
};

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

export interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

export const actions = (s: Statement): readonly string[] => (typeof s.Action === 'string' ? [s.Action] : s.Action);
export const resourcesOf = (s: Statement): readonly unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** Every statement of the IAM policies attached to a role (by the role's logical id). */
export const roleStatements = (resources: Readonly<Record<string, CfnRes>>, roleLogicalId: string): Statement[] =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([ref(roleLogicalId)]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
