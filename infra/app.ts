/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). `buildApp` is what tests call; run directly,
 * it synthesises the production stack. Environment-agnostic unless CDK_DEFAULT_* are set, so
 * `cdk synth` needs no AWS account.
 */

import { fileURLToPath } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EvcsStack, type EvcsStackProps } from './stack.ts';

export const STACK_NAME = 'EvcsInterconnect';

export interface BuildAppOptions {
  /** App props (tests pass `context`, e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling) */
  readonly app?: AppProps;
  /** overrides of the stack props (topology, operatorId, secretsPrefix, env) */
  readonly stack?: EvcsStackProps;
  /** run cdk-nag's AwsSolutions pack at synth (synth fails on an unacknowledged finding) */
  readonly nag?: boolean;
}

export const buildApp = (opts: BuildAppOptions = {}): { app: App; stack: EvcsStack } => {
  const app = new App(opts.app);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new EvcsStack(app, STACK_NAME, {
    ...(account || region ? { env: { account, region } } : {}),
    ...opts.stack,
  });
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildApp({ nag: true }).app.synth();
}
