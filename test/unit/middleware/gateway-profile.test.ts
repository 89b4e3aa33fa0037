/**
 * The gateway's msp step (shared/middleware/tcec-gateway.ts `profileStep`): every log line of a
 * call carries the partner's profile, and a call under a prefix that is not the profile's gets
 * HTTP 404 with a signed Ret 4003 — the business function never runs.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#powertools';
import { tcecHandler } from '../../../shared/middleware/tcec-gateway.ts';
import { decodeResponse } from '../../../shared/tcec/envelope.ts';
import {
  clock,
  configureEnv,
  type GatewayHandler,
  httpEvent,
  installMocks,
  lambdaContext,
  PARTNERS,
  requestBody,
} from './gateway-harness.ts';

beforeAll(configureEnv);
beforeEach(installMocks);
afterEach(() => vi.restoreAllMocks());

const SEQ = 'MA6DP5Q10202611230930450001';
let ran = 0;
const handler = tcecHandler(
  'query_start_charge',
  async ({ data }) => {
    ran++;
    return { StartChargeSeq: data.StartChargeSeq, StartChargeSeqStat: 1, ConnectorID: data.ConnectorID, SuccStat: 0, FailReason: 0 };
  },
  { clock },
) as unknown as GatewayHandler;

const at = (prefix: string) => {
  const p = PARTNERS.xiaoju;
  const event = httpEvent(requestBody(p, { StartChargeSeq: SEQ, ConnectorID: 'C1' }), p.token);
  return { ...event, rawPath: `${prefix}query_start_charge` };
};

describe('gateway: the partner profile at the edge', () => {
  it('log lines of a profile-served call carry the profile name', async () => {
    const keys = vi.spyOn(logger, 'appendKeys');
    const res = await handler(at('/evcs/v1/'), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(decodeResponse(String(res.body), PARTNERS.xiaoju.secrets.inbound).ret).toBe(0);
    expect(keys).toHaveBeenCalledWith({ profile: 'xiaoju' });
  });

  it("a call under another prefix → HTTP 404, Ret 4003 signed with the partner's key, the core never runs", async () => {
    const before = ran;
    const res = await handler(at('/msp/oem-example/v1/'), lambdaContext);
    expect(res.statusCode).toBe(404);
    const d = decodeResponse(String(res.body), PARTNERS.xiaoju.secrets.inbound);
    expect(d.ret).toBe(4003);
    expect(d.sigVerified).toBe(true);
    expect(d.msg).toMatch(/its profile xiaoju is served at \/evcs\/v1\//);
    expect(ran).toBe(before);
  });
});
