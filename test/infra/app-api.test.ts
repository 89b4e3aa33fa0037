/** The app API in the template (issue 12 §4): every `/app/v1` route behind the IAM authorizer, no other route changed. */
import { describe, expect, it } from 'vitest';
import { synth } from './template.ts';

describe('app API routes', () => {
  const s = synth();
  const routes = Object.values(s.template.findResources('AWS::ApiGatewayV2::Route')).map(
    (r) => r.Properties as { RouteKey: string; AuthorizationType?: string },
  );

  it('GET/POST/GET/DELETE /app/v1/… exist and require SigV4 (AWS_IAM): no anonymous caller', () => {
    const app = routes.filter((r) => r.RouteKey.includes(' /app/v1/'));
    expect(app.map((r) => r.RouteKey).sort()).toEqual([
      'DELETE /app/v1/sessions/{id}',
      'GET /app/v1/sessions/{id}',
      'GET /app/v1/stations',
      'POST /app/v1/sessions',
    ]);
    for (const r of app) expect(r.AuthorizationType, r.RouteKey).toBe('AWS_IAM');
  });

  it('the T/CEC routes keep authenticating in the protocol (no API Gateway authorizer)', () => {
    const tcec = routes.filter((r) => r.RouteKey.includes(' /evcs/v1/'));
    expect(tcec.length).toBeGreaterThan(10);
    for (const r of tcec) expect(r.AuthorizationType ?? 'NONE', r.RouteKey).toBe('NONE');
  });
});
