/**
 * The gateway's per-partner guards: the token bucket (pure, injected time), the rate limit that
 * answers Ret -1 without touching anything, and replay protection (Ret 4003, signed, the business
 * function not called again) — in process, with the harness's mocked registry and secrets.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetSingleMetric, logger } from '#powertools';
import { takeToken } from '../../../shared/domain/rate-limit.ts';
import { admitWithinRateLimit, refuseReplay } from '../../../shared/middleware/partner-guards.ts';
import { tcecHandler } from '../../../shared/middleware/tcec-gateway.ts';
import { decodeResponse } from '../../../shared/tcec/envelope.ts';
import { Ret, TcecError } from '../../../shared/tcec/ret.ts';
import {
  clock,
  configureEnv,
  type GatewayHandler,
  httpEvent,
  installMocks,
  lambdaContext,
  NOW,
  PARTNERS,
  requestBody,
  restoreMocks,
} from './gateway-harness.ts';

beforeAll(configureEnv);
beforeEach(() => {
  installMocks();
  for (const level of ['info', 'warn'] as const) vi.spyOn(logger, level).mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
afterAll(restoreMocks);

describe('token bucket', () => {
  const limit = { rps: 2, burst: 3 };

  it('accepts the burst at once, then refuses until time refills a token', () => {
    let b: ReturnType<typeof takeToken>['bucket'] | undefined;
    const at = (ms: number) => {
      const r = takeToken(b, limit, ms);
      b = r.bucket;
      return r.allowed;
    };
    expect([at(0), at(0), at(0), at(0)]).toEqual([true, true, true, false]);
    expect(at(499)).toBe(false); // 0.998 tokens
    expect(at(500)).toBe(true); // 1 token after 500 ms at 2/s
    expect(at(10_000)).toBe(true); // refill is capped at the burst …
    expect([at(10_000), at(10_000), at(10_000)]).toEqual([true, true, false]); // … 3 in all
  });

  it('a clock that goes backwards refills nothing', () => {
    let b = takeToken(undefined, { rps: 1, burst: 1 }, 10_000).bucket;
    const r = takeToken(b, { rps: 1, burst: 1 }, 0);
    b = r.bucket;
    expect(r.allowed).toBe(false);
    expect(takeToken(b, { rps: 1, burst: 1 }, 10_999).allowed).toBe(false);
    expect(takeToken(b, { rps: 1, burst: 1 }, 11_000).allowed).toBe(true);
  });
});

describe('per-partner rate limit', () => {
  const flooder = { operatorId: 'MA0FLOOD1', rateLimit: { rps: 1, burst: 2 } };
  const quiet = { operatorId: 'MA0QUIET1', rateLimit: { rps: 1, burst: 2 } };

  it('over budget: Ret -1 with a Msg that says why and when to retry; another partner is not affected', () => {
    admitWithinRateLimit(flooder, NOW);
    admitWithinRateLimit(flooder, NOW);
    let err: unknown;
    try {
      admitWithinRateLimit(flooder, NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TcecError);
    expect((err as TcecError).ret).toBe(Ret.Busy);
    expect((err as TcecError).msg).toMatch(/MA0FLOOD1 is over its rate limit of 1 requests\/s \(burst 2\); retry in 1 s/);
    expect(() => admitWithinRateLimit(quiet, NOW)).not.toThrow();
    expect(() => admitWithinRateLimit(flooder, new Date(NOW.getTime() + 1000))).not.toThrow();
  });

  it('a refused request emits one PartnerThrottled EMF line with the OperatorID dimension; an admitted one none', () => {
    // metrics are off in tests (vitest.config.ts); on for this test, written through the global console (POWERTOOLS_DEV)
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    // the single-metric instance read the environment when it was built: built again with this one
    forgetSingleMetric();
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const p = { operatorId: 'MA0EMF001', rateLimit: { rps: 1, burst: 1 } };
      admitWithinRateLimit(p, NOW);
      expect(lines).toEqual([]);
      expect(() => admitWithinRateLimit(p, NOW)).toThrow(TcecError);
    } finally {
      vi.unstubAllEnvs();
      forgetSingleMetric();
    }
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ OperatorID: 'MA0EMF001', PartnerThrottled: 1 });
    expect(emf[0]!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: expect.any(String),
        Dimensions: [expect.arrayContaining(['OperatorID'])],
        Metrics: [{ Name: 'PartnerThrottled', Unit: 'Count' }],
      },
    ]);
  });

  it('one over-budget warning per partner per minute, with the refusals since; every refusal still refused', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const p = { operatorId: 'MA0WARN01', rateLimit: { rps: 0.001, burst: 1 } };
    admitWithinRateLimit(p, NOW);
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    for (const ms of [0, 1_000, 59_999, 60_000, 60_001]) expect(() => admitWithinRateLimit(p, at(ms))).toThrow(TcecError);
    const lines = warn.mock.calls.filter(([msg]) => msg === 'partner over its rate limit').map(([, extra]) => extra);
    expect(lines).toEqual([
      { rps: 0.001, burst: 1, refusedSinceLastWarning: 1 },
      { rps: 0.001, burst: 1, refusedSinceLastWarning: 3 },
    ]);
  });

  it('a partner without a budget of its own gets the default (burst 40)', () => {
    const p = { operatorId: 'MA0DEFLT1' };
    for (let i = 0; i < 40; i++) admitWithinRateLimit(p, NOW);
    expect(() => admitWithinRateLimit(p, NOW)).toThrow(/rate limit of 20 requests\/s \(burst 40\)/);
  });
});

describe('replay protection', () => {
  let calls = 0;
  const handler = tcecHandler(
    'query_start_charge',
    async ({ data }) => {
      calls++;
      return { StartChargeSeq: data.StartChargeSeq, StartChargeSeqStat: 1, ConnectorID: data.ConnectorID, SuccStat: 0, FailReason: 0 };
    },
    { clock },
  ) as unknown as GatewayHandler;
  const data = { StartChargeSeq: 'MA01H3BQ2202611230930450001', ConnectorID: '1010000000000000000000001' };
  const call = async (body: string) => {
    const res = await handler(httpEvent(body, PARTNERS.cec.token), lambdaContext);
    return decodeResponse(String(res.body), PARTNERS.cec.secrets.inbound);
  };

  it('the same envelope twice: the second is refused with a signed 4003 and the business function runs once', async () => {
    calls = 0;
    const body = requestBody(PARTNERS.cec, data, { seq: '0042' });
    const first = await call(body);
    expect(first.ret).toBe(Ret.Ok);
    const second = await call(body);
    expect(second).toMatchObject({ ret: Ret.ParamError, sigVerified: true });
    expect(second.msg).toMatch(/replay refused/);
    // the Sig re-cased is the same envelope
    const recased = JSON.stringify({ ...JSON.parse(body), Sig: String(JSON.parse(body).Sig).toLowerCase() });
    expect((await call(recased)).ret).toBe(Ret.ParamError);
    expect(calls).toBe(1);
  });

  it('the same Data with another Seq is a new request', async () => {
    calls = 0;
    expect((await call(requestBody(PARTNERS.cec, data, { seq: '0100' }))).ret).toBe(Ret.Ok);
    expect((await call(requestBody(PARTNERS.cec, data, { seq: '0101' }))).ret).toBe(Ret.Ok);
    expect(calls).toBe(2);
  });

  it('an envelope is remembered while its TimeStamp is inside the window, not after', async () => {
    const env = { OperatorID: 'MA01H3BQ2', TimeStamp: '20261130120000', Seq: '0001', Sig: 'A'.repeat(32) };
    const sentAt = NOW;
    await refuseReplay(env, sentAt, NOW, 600);
    await expect(refuseReplay(env, sentAt, new Date(NOW.getTime() + 599_999), 600)).rejects.toThrow(TcecError);
    await expect(refuseReplay(env, sentAt, new Date(NOW.getTime() + 600_000), 600)).resolves.toBeUndefined();
  });
});
