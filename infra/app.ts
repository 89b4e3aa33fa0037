/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). `buildApp` is what tests call; run directly,
 * it synthesises the production stack. Environment-agnostic unless CDK_DEFAULT_* are set, so
 * `cdk synth` needs no AWS account.
 */

import { fileURLToPath } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EvcsConsoleStack } from './console-stack.ts';
import { EvcsOemStack } from './oem-stack.ts';
import { EvcsStack, type EvcsStackProps } from './stack.ts';
import { oemStackName, readProfileSpecs } from './topology/oem.ts';

export const STACK_NAME = 'EvcsInterconnect';

export interface BuildAppOptions {
  /** App props (tests pass `context`, e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling) */
  readonly app?: AppProps;
  /** overrides of the stack props (topology, operatorId, secretsPrefix, env) */
  readonly stack?: EvcsStackProps;
  /** run cdk-nag's AwsSolutions pack at synth (synth fails on an unacknowledged finding) */
  readonly nag?: boolean;
}

/** The OEMs to deploy: context `oem` (`-c oem=bmw` or `-c oem=bmw,vw`), else cdk.json's `oems` list. */
const oemsOf = (app: App): string[] => {
  const one: unknown = app.node.tryGetContext('oem');
  const list: unknown = one ?? app.node.tryGetContext('oems');
  const names = typeof list === 'string' ? list.split(',') : Array.isArray(list) ? list : [];
  return names.map((n) => String(n).trim()).filter(Boolean);
};

/** OEM profile specs given as data: context `oemProfiles` (`-c oemProfiles=oems.json`), a file of specs or a seed. */
const oemProfilesOf = (app: App): Record<string, unknown> | undefined => {
  const file: unknown = app.node.tryGetContext('oemProfiles');
  return typeof file === 'string' && file ? readProfileSpecs(file) : undefined;
};

export const buildApp = (
  opts: BuildAppOptions = {},
): { app: App; stack: EvcsStack; oems: EvcsOemStack[]; consoleStack: EvcsConsoleStack | undefined } => {
  const app = new App(opts.app);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new EvcsStack(app, STACK_NAME, {
    ...(account || region ? { env: { account, region } } : {}),
    ...opts.stack,
  });
  // one independent stack per OEM, over the core's data by import (infra/oem-stack.ts)
  const profiles = oemProfilesOf(app);
  const oems = oemsOf(app).map(
    (oem) =>
      new EvcsOemStack(app, oemStackName(oem), {
        ...(account || region ? { env: { account, region } } : {}),
        oem,
        ...(profiles ? { profiles } : {}),
        coreStackName: stack.stackName,
        operatorId: stack.operatorId,
        secretsPrefix: stack.secretsPrefix,
        repoRoot: stack.repoRoot,
        ...(opts.stack?.topology ? { topology: opts.stack.topology } : {}),
      }),
  );
  // the operator console: a nested stack of the core, made with the admin API's authorizer (infra/constructs/operator-auth.ts)
  const consoleStack = stack.node.findAll().find((c): c is EvcsConsoleStack => c instanceof EvcsConsoleStack);
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, oems, consoleStack };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildApp({ nag: true }).app.synth();
}
