/**
 * Who may call the admin API (routes declared `auth: 'operator'`): the operator's staff, signed in
 * to a Cognito user pool of their own. API Gateway's JWT authorizer checks the ID/access token of
 * every request before the function runs; the console sends it as `Authorization: Bearer <token>`,
 * exactly as it sends the local admin key. No self sign-up: the operator adds staff
 * (`aws cognito-idp admin-create-user`); MFA (TOTP) is required.
 */
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledgeOperatorPool } from './nag.ts';

export class OperatorAuth extends Construct {
  readonly authorizer: HttpUserPoolAuthorizer;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const pool = new cognito.UserPool(this, 'Staff', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const client = pool.addClient('Console', {
      authFlows: { userSrp: true },
      generateSecret: false,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
    });
    this.authorizer = new HttpUserPoolAuthorizer('OperatorAuthorizer', pool, { userPoolClients: [client] });
    acknowledgeOperatorPool(pool);
    new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId, description: 'the operator staff pool (admin API, console)' });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId, description: 'the console app client (SRP sign-in)' });
  }
}
