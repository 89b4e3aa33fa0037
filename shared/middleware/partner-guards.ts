/**
 * Two guards of the T/CEC gateway that protect the platform from one partner's bug or attack,
 * kept apart from the pipeline (shared/middleware/tcec-gateway.ts calls them at two points) so the
 * pipeline's edges can change independently:
 *
 * 1. **Per-partner rate limit** (after the Sig verified, so nobody can spend another partner's
 *    budget with unsigned requests): a token bucket per OperatorID held in this process. Over
 *    budget → Ret -1 (系统繁忙) signed, and nothing else happens (no token lookup, no decryption, no
 *    business call). Cost per request: zero AWS calls (no DynamoDB write, no read); one EMF metric
 *    line when refused, and one warning per partner per minute (bench/partner-limits.bench.ts). In AWS each Lambda instance holds its own buckets, so a partner's effective
 *    ceiling is `rps × concurrent instances of that function`; the function's reserved concurrency
 *    and the HTTP API stage throttle (infra/stack.ts) bound that product. A distributed counter
 *    (a DynamoDB UpdateItem per request) would make the limit exact at the price of one write per
 *    request — the thing this limiter exists to avoid for a flooding partner.
 *
 * 2. **Replay protection** (after the TimeStamp window check): an envelope already accepted — same
 *    OperatorID, TimeStamp, Seq and Sig — is refused with Ret 4003 while its TimeStamp is inside
 *    the window (outside it, the window check refuses it anyway). Two filters:
 *    - an in-memory cache per process (zero AWS calls, bounded size), first: it refuses a replay
 *      landing on the same instance without any I/O;
 *    - for the interfaces that change state (start/stop, prepay/coupon starts, pay, reservations,
 *      invoices, query_token…: the topology derives them from their grants and gives their functions
 *      REPLAY_TABLE, infra/topology/helpers.ts), then a conditional PutItem with TTL
 *      (shared/store/replay.ts): a replay on another Lambda instance, after a cold start or after a
 *      local restart is refused too. One write (1 WCU, $0.625 per million) per accepted call of
 *      those interfaces, which already write an order or a record; the read-only interfaces — the
 *      bulk of the traffic (status, policy, station pages) — pay nothing, and a replay of one gains
 *      the replayer nothing (the response Data is encrypted with the partner's DataSecret) but a read
 *      inside the partner's own rate budget.
 *    The key is not scoped by interface: the same envelope posted to a second interface is a replay too.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { config } from '../config.ts';
import { type Bucket, type RateLimit, retryAfterSeconds, takeToken } from '../domain/rate-limit.ts';
import { envelopeKey } from '../domain/replay.ts';
import type { Partner } from '../store/partners.ts';
import { markEnvelopeAccepted } from '../store/replay.ts';
import type { RequestEnvelope } from '../tcec/envelope.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

/** The default budget of a partner whose record names none. */
const DEFAULT_RATE_LIMIT: RateLimit = { rps: 20, burst: 40 };

const buckets = new Map<string, Bucket>();
/** per partner: when its last over-budget warning was logged, refusals since */
const warned = new Map<string, { at: number; refused: number }>();
const WARN_EVERY_MS = 60_000;

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
  // one warning per partner per minute with the count (each refusal is already the gateway's
  // `tcec response` line with Ret -1, and the metric): a flood does not double its log bill
  const w = warned.get(partner.operatorId);
  if (!w || now.getTime() - w.at >= WARN_EVERY_MS) {
    logger.warn('partner over its rate limit', { rps: limit.rps, burst: limit.burst, refusedSinceLastWarning: (w?.refused ?? 0) + 1 });
    warned.set(partner.operatorId, { at: now.getTime(), refused: 0 });
  } else w.refused++;
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

const replayRefused = (env: Pick<RequestEnvelope, 'Seq' | 'TimeStamp'>, where: 'memory' | 'table'): TcecError => {
  logger.warn('replayed envelope refused', { Seq: String(env.Seq), TimeStamp: String(env.TimeStamp), seenIn: where });
  return new TcecError(Ret.ParamError, 'envelope already accepted (same OperatorID, TimeStamp, Seq and Sig): replay refused');
};

/**
 * Refuse an envelope already accepted (Ret 4003): first by this process's cache, then — for a
 * function with REPLAY_TABLE (a state-changing interface) — by a conditional put of its durable mark;
 * else remember it until its TimeStamp (`sentAt`) leaves the ±`windowSeconds` window.
 */
export const refuseReplay = async (
  env: Pick<RequestEnvelope, 'OperatorID' | 'TimeStamp' | 'Seq' | 'Sig'>,
  sentAt: Date,
  now: Date,
  windowSeconds: number,
): Promise<void> => {
  const nowMs = now.getTime();
  const key = envelopeKey(env);
  const until = accepted.get(key);
  if (until !== undefined && until > nowMs) throw replayRefused(env, 'memory');
  if (nowMs >= nextSweep || accepted.size >= MAX_REMEMBERED) {
    forgetExpired(nowMs);
    nextSweep = nowMs + 60_000;
    // still full of live entries (a flood within the window): drop the oldest accepted
    for (const k of accepted.keys()) {
      if (accepted.size < MAX_REMEMBERED) break;
      accepted.delete(k);
    }
  }
  const untilMs = sentAt.getTime() + windowSeconds * 1000;
  accepted.set(key, untilMs);
  const table = config().REPLAY_TABLE;
  if (table && !(await markEnvelopeAccepted(table, env, untilMs, nowMs))) throw replayRefused(env, 'table');
};

/** Tests: every test starts with empty buckets and an empty replay cache. */
export const resetPartnerGuards = (): void => {
  buckets.clear();
  warned.clear();
  accepted.clear();
  nextSweep = 0;
};
