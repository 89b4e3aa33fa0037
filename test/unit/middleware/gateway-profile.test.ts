/**
 * The gateway's msp step (shared/middleware/tcec-gateway.ts `profileStep`): every log line of a
 * call carries the partner's profile, and a call under a prefix that is not the profile's gets
 * HTTP 404 with a signed Ret 4003 — the business function never runs.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#powertools';
import { resetConfig } from '../../../shared/config.ts';
import { tcecHandler } from '../../../shared/middleware/tcec-gateway.ts';
import { decodeResponse } from '../../../shared/tcec/envelope.ts';
import {
  clock,
  configureEnv,
  type GatewayHandler,
  httpEvent,
  installMocks,
  lambdaContext,
  OEM_PARTNERS,
  PARTNERS,
  requestBody,
  restoreMocks,
  type TestPartner,
} from './gateway-harness.ts';

beforeAll(configureEnv);
beforeEach(installMocks);
afterEach(() => vi.restoreAllMocks());
afterAll(restoreMocks);

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

const at = (prefix: string, p: TestPartner = PARTNERS.xiaoju) => {
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

describe('gateway: an OEM partner is served by its OEM stack only (issue 14)', () => {
  /** run `fn` as a function of OEM stack `oem` (infra/oem-stack.ts sets OEM_NAME on its functions only) */
  const inOemStack = async <T>(oem: string, fn: () => Promise<T>): Promise<T> => {
    process.env.OEM_NAME = oem;
    resetConfig();
    try {
      return await fn();
    } finally {
      delete process.env.OEM_NAME;
      resetConfig();
    }
  };
  const ret = (res: { body?: string }, p: TestPartner) => decodeResponse(String(res.body), p.secrets.inbound);

  it('the core refuses a partner on an OEM profile at its prefix: HTTP 404, signed Ret 4003, the core never runs', async () => {
    const p = OEM_PARTNERS.oem;
    const before = ran;
    const res = await handler(at('/msp/oem-example/v1/', p), lambdaContext);
    expect(res.statusCode).toBe(404);
    const d = ret(res, p);
    expect(d.ret).toBe(4003);
    expect(d.sigVerified).toBe(true);
    expect(d.msg).toMatch(/OperatorID MA0OEMEX1 \(profile oem-example\) is served by its OEM's own API/);
    expect(ran).toBe(before);
  });

  it("the OEM's stack serves it at the OEM's prefix", async () => {
    const p = OEM_PARTNERS.oem;
    const res = await inOemStack('oem-example', () => handler(at('/msp/oem-example/v1/', p), lambdaContext));
    expect(res.statusCode).toBe(200);
    expect(ret(res, p).ret).toBe(0);
  });

  it('an OEM stack refuses a core partner, even under the OEM prefix', async () => {
    const before = ran;
    const res = await inOemStack('oem-example', () => handler(at('/msp/oem-example/v1/'), lambdaContext));
    expect(res.statusCode).toBe(404);
    const d = ret(res, PARTNERS.xiaoju);
    expect(d.ret).toBe(4003);
    expect(d.sigVerified).toBe(true);
    expect(d.msg).toMatch(/not served by OEM oem-example/);
    expect(ran).toBe(before);
  });

  it('a core function an OEM stack leaves out (OEM_PARTNERS_SERVED) serves the OEM partner too', async () => {
    const p = OEM_PARTNERS.oem;
    process.env.OEM_PARTNERS_SERVED = 'true';
    resetConfig();
    try {
      const res = await handler(at('/msp/oem-example/v1/', p), lambdaContext);
      expect(res.statusCode).toBe(200);
      expect(ret(res, p).ret).toBe(0);
    } finally {
      delete process.env.OEM_PARTNERS_SERVED;
      resetConfig();
    }
  });

  it('servedBy "core" in the record keeps an OEM-profile partner on the core', async () => {
    const p = OEM_PARTNERS.keptOnCore;
    const res = await handler(at('/msp/oem-example/v1/', p), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(ret(res, p).ret).toBe(0);
  });
});
