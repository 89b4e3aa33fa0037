/**
 * Who may call the admin API (routes declared `auth: 'operator'`): the operator's staff, signed in
 * to a Cognito user pool of their own. API Gateway's JWT authorizer checks the access/ID token of
 * every request before the function runs; the console sends it as `Authorization: Bearer <token>`,
 * exactly as it sends the local admin key. No self sign-up: the operator adds staff
 * (`aws cognito-idp admin-create-user`); MFA (TOTP) is required.
 *
 * The console (its site, the managed login's domain and its app client: authorization code + PKCE)
 * is a nested stack made here (infra/console-stack.ts): the authorizer accepts that client's
 * tokens, and the client's callback URL is the console's distribution, which routes `/admin/*`
 * to this API.
 */
import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { EvcsConsoleStack } from '../console-stack.ts';
import { acknowledgeOperatorPool } from './nag.ts';

export interface OperatorAuthProps {
  /** the core HTTP API's endpoint: the console's `/admin/*` origin */
  readonly apiEndpoint: string;
  readonly repoRoot: string;
}

export class OperatorAuth extends Construct {
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly console: EvcsConsoleStack;

  constructor(scope: Construct, id: string, props: OperatorAuthProps) {
    super(scope, id);
    const pool = new cognito.UserPool(this, 'Staff', {
      selfSignUpEnabled: false,
      // the managed login (the console's sign-in) needs Essentials; Lite has only the classic hosted UI
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.console = new EvcsConsoleStack(this, 'Console', { apiEndpoint: props.apiEndpoint, repoRoot: props.repoRoot, userPool: pool });
    this.authorizer = new HttpUserPoolAuthorizer('OperatorAuthorizer', pool, { userPoolClients: [this.console.client] });
    acknowledgeOperatorPool(pool);
    new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId, description: 'the operator staff pool (admin API, console)' });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.console.client.userPoolClientId,
      description: 'the console app client (managed login: code + PKCE; SRP for scripts)',
    });
  }
}
