/**
 * Two guards of the T/CEC gateway that protect the platform from one partner's bug or attack,
 * kept apart from the pipeline (shared/middleware/tcec-gateway.ts calls them at two points) so the
 * pipeline's edges can change independently:
 *
 * 1. **Per-partner rate limit** (after the Sig verified, so nobody can spend another partner's
 *    budget with unsigned requests): a token bucket per OperatorID held in this process. Over
 *    budget → Ret -1 (系统繁忙) signed, and nothing else happens (no token lookup, no decryption, no
 *    business call). Cost per request: zero AWS calls (no DynamoDB write, no read); one EMF metric
 *    line when refused. In AWS each Lambda instance holds its own buckets, so a partner's effective
 *    ceiling is `rps × concurrent instances of that function`; the function's reserved concurrency
 *    and the HTTP API stage throttle (infra/stack.ts) bound that product. A distributed counter
 *    (a DynamoDB UpdateItem per request) would make the limit exact at the price of one write per
 *    request — the thing this limiter exists to avoid for a flooding partner.
 *
 * 2. **Replay protection** (after the TimeStamp window check): an envelope already accepted — same
 *    OperatorID, TimeStamp, Seq and Sig — is refused with Ret 4003 while its TimeStamp is inside
 *    the window (outside it, the window check refuses it anyway). Decision: an in-memory cache per
 *    process, zero AWS calls per request, bounded size. Why not a conditional put with TTL per
 *    request: it costs one DynamoDB write per request (~$1.25 per million; as much as everything
 *    else a status query costs) and adds a round trip to every L0 call, to stop a replay that can
 *    gain the replayer nothing: the response Data is AES-encrypted with the partner's DataSecret,
 *    and the state-changing interfaces are already idempotent by their business keys (one
 *    StartChargeSeq is one order whatever duplicates arrive, conditional write in
 *    shared/store/orders.ts). What remains — a replay that lands on another concurrent Lambda
 *    instance — is a read repeated inside the partner's own rate budget. The cache key is not
 *    scoped by interface: the same envelope posted to a second interface is a replay too.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { type Bucket, type RateLimit, retryAfterSeconds, takeToken } from '../domain/rate-limit.ts';
import type { Partner } from '../store/partners.ts';
import type { RequestEnvelope } from '../tcec/envelope.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

/** The default budget of a partner whose record names none. */
const DEFAULT_RATE_LIMIT: RateLimit = { rps: 20, burst: 40 };

const buckets = new Map<string, Bucket>();

/**
 * Spend one request of the partner's budget at `now`; over it, a TcecError Ret -1 (busy) whose Msg
 * says when to retry. Emits `PartnerThrottled` (dimension OperatorID) for the per-partner alarm.
 */
export const admitWithinRateLimit = (partner: Pick<Partner, 'operatorId' | 'rateLimit'>, now: Date): void => {
  const limit = partner.rateLimit ?? DEFAULT_RATE_LIMIT;
  const { allowed, bucket } = takeToken(buckets.get(partner.operatorId), limit, now.getTime());
  buckets.set(partner.operatorId, bucket);
  if (allowed) return;
  const m = metrics.singleMetric();
  m.addDimensions({ OperatorID: partner.operatorId });
  m.addMetric('PartnerThrottled', MetricUnit.Count, 1);
  logger.warn('partner over its rate limit', { rps: limit.rps, burst: limit.burst });
  throw new TcecError(
    Ret.Busy,
    `system busy: OperatorID ${partner.operatorId} is over its rate limit of ${limit.rps} requests/s (burst ${limit.burst}); retry in ${retryAfterSeconds(bucket, limit)} s`,
  );
};

/** Upper bound of remembered envelopes per process (≈ 100 bytes each). */
const MAX_REMEMBERED = 100_000;
/** envelope key → when it may be forgotten (its TimeStamp + window), ms since the epoch */
const accepted = new Map<string, number>();
let nextSweep = 0;

const forgetExpired = (nowMs: number): void => {
  for (const [k, until] of accepted) if (until <= nowMs) accepted.delete(k);
};

/**
 * Refuse an envelope this process already accepted (Ret 4003); else remember it until its
 * TimeStamp (`sentAt`) leaves the ±`windowSeconds` window.
 */
export const refuseReplay = (
  env: Pick<RequestEnvelope, 'OperatorID' | 'TimeStamp' | 'Seq' | 'Sig'>,
  sentAt: Date,
  now: Date,
  windowSeconds: number,
): void => {
  const nowMs = now.getTime();
  // the Sig is compared case-insensitively: so is the key (a re-cased Sig is the same envelope)
  const key = `${env.OperatorID}|${env.TimeStamp}|${env.Seq}|${env.Sig.toUpperCase()}`;
  const until = accepted.get(key);
  if (until !== undefined && until > nowMs) {
    logger.warn('replayed envelope refused', { Seq: String(env.Seq), TimeStamp: String(env.TimeStamp) });
    throw new TcecError(Ret.ParamError, 'envelope already accepted (same OperatorID, TimeStamp, Seq and Sig): replay refused');
  }
  if (nowMs >= nextSweep || accepted.size >= MAX_REMEMBERED) {
    forgetExpired(nowMs);
    nextSweep = nowMs + 60_000;
    // still full of live entries (a flood within the window): drop the oldest accepted
    for (const k of accepted.keys()) {
      if (accepted.size < MAX_REMEMBERED) break;
      accepted.delete(k);
    }
  }
  accepted.set(key, sentAt.getTime() + windowSeconds * 1000);
};

/** Tests: every test starts with empty buckets and an empty replay cache. */
export const resetPartnerGuards = (): void => {
  buckets.clear();
  accepted.clear();
  nextSweep = 0;
};
