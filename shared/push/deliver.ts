/**
 * One attempt of one push (one partner, one interface): the circuit breaker, the partner's turn,
 * the ordering gate, the T/CEC call (partner's dialect, partner-issued outbound set, our
 * OperatorID, shared token), the meaning of the answer, and what becomes of the message. Never
 * throws for a partner's failure — only for our own infrastructure (DynamoDB, SQS), so SQS
 * redelivers the message.
 *
 * What a push costs in DynamoDB (issue 9 §3; before: 2 strongly consistent reads + 4 writes, and a
 * startup burst walked every slot item):
 *   breaker      a per-process cache of PUSH_BREAKER_CACHE_SECONDS (store/push-breaker.ts): no read per push
 *   isolation    an in-process turn per partner (push/partner-limit.ts) under the event source
 *                mapping's maximum concurrency: no slot item, no write
 *   exclusion    the FIFO message group (partner, connector / order): one push of a key in flight,
 *                in send order, by SQS itself (push/queue.ts): no lease, no release
 *   supersession one conditional write that records the version attempted (store/push-gate.ts):
 *                no pre-read
 *   steady state and burst: 1 write per gated push (status, start result, charge status,
 *   settlement); a superseded push: 1 failed write; pushes without a gate (stop results, orders): 0
 */
import { createHash } from 'node:crypto';
import { logger, MetricUnit, metrics } from '#powertools';
import { OrderDisputed } from '../../events/disputes.ts';
import { publish } from '../bus/publish.ts';
import { config } from '../config.ts';
import { profileOf } from '../domain/partner-profile.ts';
import { slaOutcome } from '../domain/sla.ts';
import { countForPartner, shareForPartner } from '../observability/partner-metric.ts';
import { recordConfirmResult } from '../store/orders.ts';
import { getPartner, type Partner } from '../store/partners.ts';
import { countFailedAttempt } from '../store/push-attempts.ts';
import { acquireProbe, type BreakerView, readBreaker, recordFailure, recordSuccess } from '../store/push-breaker.ts';
import { claimVersion, releaseCopy } from '../store/push-gate.ts';
import { recordSlaPush } from '../store/push-sla.ts';
import { DynamoTokenCache } from '../store/push-token-cache.ts';
import { getPartnerSecrets } from '../store/secrets.ts';
import { TcecClient, TcecTokenError, TcecTransportError } from '../tcec/client.ts';
import type { SecretSet } from '../tcec/crypto.ts';
import { ContractError } from '../tcec/dialect.ts';
import { profileFromWire, profileToWire, pushPaths } from '../tcec/profiles.ts';
import { formatDate } from '../tcec/time.ts';
import { type PushConfig, pushConfig } from './config.ts';
import { deliveryLogKeys } from './log-keys.ts';
import type { Delivery, FailureClass } from './messages.ts';
import { takeTurn } from './partner-limit.ts';
import { afterFailure, classifyReply, holdSeconds, hopSeconds, notDeliverable, type Outcome, park } from './policy.ts';
import { finalRetOf } from './supervision.ts';

type WaitNote = 'due' | 'hold' | 'retry' | 'throttled';

export type DeliverResult =
  | { action: 'done'; note: 'delivered' | 'ignored' | 'stale' | 'dropped' | 'final' }
  /** a connector status (latest wins): a copy to the back of its group, due in `delaySeconds` */
  | { action: 'resend'; message: Delivery; delaySeconds: number; note: Exclude<WaitNote, 'due'> }
  /** keep this very message in flight for `seconds`: its group waits behind it, and it is received again at its head */
  | { action: 'wait'; seconds: number; note: WaitNote }
  /** given up on: to the lane's DLQ now, with the partner's last Msg */
  | { action: 'park'; message: Delivery };

/**
 * A connector status is "latest wins": a retried one may go behind the newer statuses of its
 * connector (the gate then skips it as stale). Every other push keeps its place: an order's pushes
 * (start result, charge statuses, stop result, order, settlement) reach the partner strictly in
 * sequence, and a supervision push's resends keep their profile's schedule to the second.
 */
const latestWins = (m: Pick<Delivery, 'iface' | 'supervision' | 'gate'>): boolean =>
  !m.supervision && m.iface === 'notification_stationStatus' && m.gate !== undefined;

/**
 * A held push's wait: at least `seconds`, and for one held long (a dead partner's breaker) a
 * tenth of its age, up to 15 min, so the receives of a push held for days stay in the hundreds
 * (the pushes behind it are received with it: SQS's maxReceiveCount must stay out of reach).
 */
const heldFor = (m: Delivery, seconds: number, now: number): number =>
  Math.max(1, Math.ceil(seconds), Math.min(900, Math.ceil((now - m.createdAt) / 10_000)));

/**
 * A start result is pushed once per order: the copy its gate names is the message's first enqueue
 * time, the same through its own retries (the very message, held) and parking, different for a copy
 * planned later (shared/store/push-gate.ts): the planner's after the charging consumer's or the
 * order's end's (shared/push/plan.ts finishPushes) beyond SQS's 5-minute deduplication, a
 * redelivered start confirmation's or reading's. A DLQ replay has no gate.
 */
const gateCopyOf = (m: Pick<Delivery, 'iface' | 'createdAt'>): string | undefined =>
  m.iface === 'notification_start_charge_result' ? String(m.createdAt) : undefined;

/** Wait `seconds` before the next try: hold the group, or (a connector status) re-send behind newer ones. */
const later = (m: Delivery, seconds: number, note: Exclude<WaitNote, 'due'>, now: number): DeliverResult =>
  latestWins(m)
    ? { action: 'resend', message: m, delaySeconds: seconds, note }
    : { action: 'wait', seconds: heldFor(m, seconds, now), note };

type Outbound = NonNullable<Partner['outbound']>;

const tokenCache = new DynamoTokenCache();
const clients = new Map<string, TcecClient>();

const fingerprint = (s: SecretSet): string =>
  createHash('sha256').update(`${s.operatorSecret}\n${s.dataSecret}\n${s.dataSecretIV}\n${s.sigSecret}`).digest('hex').slice(0, 16);

/** One client per partner endpoint and secret set, sharing the DynamoDB token cache. */
const clientFor = (partner: Partner, outbound: Outbound, secrets: SecretSet, cfg: PushConfig): TcecClient => {
  const key = `${partner.operatorId}|${partner.profile ?? partner.dialect}|${outbound.baseUrl}|${JSON.stringify(outbound.paths ?? {})}|${fingerprint(secrets)}|${cfg.PUSH_TIMEOUT_MS}`;
  let c = clients.get(key);
  if (!c) {
    // the profile's push layout (DiDi: token under evcs/sdk/, notifications at the root); explicit paths win
    const paths = { ...pushPaths(profileOf(partner), outbound.baseUrl), ...outbound.paths };
    c = new TcecClient(
      {
        baseUrl: outbound.baseUrl,
        ourOperatorId: config().OPERATOR_ID,
        secrets,
        timeoutMs: cfg.PUSH_TIMEOUT_MS,
        partnerId: partner.operatorId,
        ...(Object.keys(paths).length ? { paths } : {}),
      },
      { tokenCache, refreshSkewSeconds: cfg.PUSH_TOKEN_REFRESH_SKEW_SECONDS },
    );
    clients.set(key, c);
  }
  return c;
};

/** Forget cached clients (tests that change partners at run time). */
export const resetPushClients = (): void => clients.clear();

const attempt = async (client: TcecClient, m: Delivery, partner: Partner): Promise<Outcome> => {
  try {
    // the partner's profile at the edge: its dialect, then its field changes; its reply read back through it
    const profile = profileOf(partner);
    const wire = profileToWire(profile, m.iface, 'request', m.data, {
      ourOperatorId: config().OPERATOR_ID,
      partnerOperatorId: partner.operatorId,
      facts: m.facts || m.supervision?.facts ? { ...m.facts, ...m.supervision?.facts } : undefined,
    });
    const r = await client.call(m.iface, wire);
    const reply = r.ret === 0 && r.data !== undefined ? profileFromWire(profile, m.iface, 'response', r.data) : undefined;
    return classifyReply(m.iface, reply?.ok ? { ...r, data: reply.value } : r);
  } catch (err) {
    if (err instanceof TcecTransportError)
      return { ok: false, class: /no response within/.test(err.message) ? 'timeout' : 'transport', msg: err.message };
    if (err instanceof TcecTokenError) return { ok: false, class: 'token', ret: err.ret, msg: err.message };
    // our Data does not match the catalog: a bug no retry fixes — parked at once for a human (field named, no values)
    if (err instanceof ContractError) return { ok: false, class: 'config', msg: err.message };
    throw err;
  }
};

/**
 * The SLA timer of a supervision push (issue 13): event → delivered (Ret 0), a metric per platform
 * and interface, a breach counted for the per-platform alarm, and the day's counters the console's
 * SLAs page reads (shared/store/push-sla.ts: one UpdateItem per timed push).
 */
const recordSla = async (m: Delivery, now: number): Promise<void> => {
  const sla = m.supervision?.sla;
  if (!sla) return;
  const o = slaOutcome(sla, now);
  // a single metric is flushed, dimensions and all, by its addMetric: one per metric, each with both dimensions
  const perPlatform = () => {
    const metric = metrics.singleMetric();
    metric.addDimensions({ OperatorID: m.partner, interface: m.iface });
    return metric;
  };
  perPlatform().addMetric('SupervisionPushLatency', MetricUnit.Milliseconds, o.latencyMs);
  perPlatform().addMetric('SupervisionSlaBreach', MetricUnit.Count, o.breached ? 1 : 0);
  if (o.breached) {
    countForPartner('SupervisionSlaBreached', m.partner);
    logger.warn('supervision push later than its deadline', {
      ...deliveryLogKeys(m),
      deadlineSeconds: sla.deadlineSeconds,
      latencyMs: o.latencyMs,
      lateByMs: o.lateByMs,
    });
  }
  // the push is delivered whatever happens here: a failed count is logged, never a resend
  await recordSlaPush({
    operatorId: m.partner,
    iface: m.iface,
    day: formatDate(new Date(now)),
    deadlineSeconds: sla.deadlineSeconds,
    latencyMs: o.latencyMs,
    breached: o.breached,
    lateByMs: o.lateByMs,
    at: now,
  }).catch((err: unknown) =>
    logger.warn('supervision SLA counters not recorded', {
      ...deliveryLogKeys(m),
      error: err instanceof Error ? err.message : String(err),
    }),
  );
};

const onDelivered = async (m: Delivery, o: Extract<Outcome, { ok: true }>, now: number): Promise<void> => {
  await recordSla(m, now);
  // a supervision platform's ConfirmResult is its own record of our report, not the order partner's confirmation
  if (m.supervision) return;
  if (m.iface !== 'notification_charge_order_info' || o.confirmResult === undefined) return;
  const seq = String(m.data.StartChargeSeq);
  await recordConfirmResult(seq, o.confirmResult, new Date(now));
  if (o.confirmResult !== 0) {
    metrics.addMetric('OrderDisputed', MetricUnit.Count, 1);
    logger.warn('order disputed by partner', { StartChargeSeq: seq, OperatorID: m.partner, ConfirmResult: o.confirmResult });
    await publish(OrderDisputed, {
      direction: 'out',
      OperatorID: m.partner,
      StartChargeSeq: seq,
      via: 'notification_charge_order_info',
      reason: Math.min(99, Math.max(1, o.confirmResult)),
      ConnectorID: String(m.data.ConnectorID),
      detail: `ConfirmResult ${o.confirmResult}`,
      at: new Date(now).toISOString(),
    });
  }
};

/** failures that say the partner is down or unusable (transport, timeout, Ret -1/500, token, a Sig that never verifies) */
const BREAKER_CLASSES: ReadonlySet<FailureClass> = new Set<FailureClass>(['transport', 'timeout', 'ret', 'token', 'sig']);

export const deliver = async (m: Delivery, now = Date.now()): Promise<DeliverResult> => {
  // the clock of this delivery: `now` (injectable) at its start, plus the time it has taken since
  const t0 = performance.now();
  const clock = () => now + Math.round(performance.now() - t0);
  const cfg = pushConfig();
  // parked by an older deliverer (it left parked copies for maxReceiveCount): to the DLQ now
  if (m.parked) return { action: 'park', message: m };
  if (m.notBefore !== undefined && m.notBefore > now) return { action: 'wait', seconds: holdSeconds(m.notBefore, now), note: 'due' };

  const partner = await getPartner(m.partner);
  if (partner?.status !== 'active' || !partner.outbound) {
    // a status or progress push is moot for such a partner; an order (and a start/stop result) is
    // owed: park it in the DLQ, to be replayed once the partner is reachable again
    if (m.iface === 'notification_stationStatus' || m.iface === 'notification_equip_charge_status') {
      logger.warn('push dropped: partner unknown, suspended or without an outbound endpoint', { id: m.id, OperatorID: m.partner });
      return { action: 'done', note: 'dropped' };
    }
    return { action: 'park', message: notDeliverable(m, 'partner unknown, suspended or without an outbound endpoint', now) };
  }
  const secrets = (await getPartnerSecrets(m.partner))?.outbound;
  if (!secrets) return { action: 'park', message: notDeliverable(m, 'no outbound secret set (the set the partner issued us)', now) };

  // the circuit breaker: a dead partner's pushes wait without being attempted
  const breaker: BreakerView = await readBreaker(m.partner, now, cfg.PUSH_BREAKER_CACHE_SECONDS * 1000);
  if (breaker.state !== 'closed') {
    if (now - m.createdAt > cfg.PUSH_MAX_AGE_SECONDS * 1000)
      return { action: 'park', message: park(m, `held by the open circuit breaker for longer than ${cfg.PUSH_MAX_AGE_SECONDS}s`, now) };
    // held pushes wake spread over half a cooldown, so a dead partner's backlog does not hammer the queue
    const spread = () => Math.floor(Math.random() * Math.max(1, Math.ceil(cfg.PUSH_BREAKER_COOLDOWN_SECONDS / 2)));
    if (breaker.state === 'open') return later(m, Math.max(1, hopSeconds(breaker.until, now) + spread()), 'hold', now);
    const probe = await acquireProbe(m.partner, breaker.openUntil, now, cfg.PUSH_TIMEOUT_MS * 4 + 5000);
    if (!probe) return later(m, Math.max(1, Math.ceil(cfg.PUSH_BREAKER_COOLDOWN_SECONDS / 2) + spread()), 'hold', now);
  }

  // isolation: at most PUSH_PARTNER_CONCURRENCY pushes in flight to one partner per process; the
  // rest wait about one push time, then are re-sent (no attempt used)
  const turn = await takeTurn(m.partner, cfg.PUSH_PARTNER_CONCURRENCY, cfg.PUSH_TIMEOUT_MS);
  if (!turn) return later(m, 1 + Math.floor(Math.random() * 3), 'throttled', now);
  try {
    return await attemptWithGate(m, partner, partner.outbound, secrets, breaker, cfg, now, clock);
  } finally {
    turn();
  }
};

/** The attempt itself, in the partner's turn: ordering gate, push, outcome. */
const attemptWithGate = async (
  m: Delivery,
  partner: Partner,
  outbound: Outbound,
  secrets: SecretSet,
  breaker: BreakerView,
  cfg: PushConfig,
  now: number,
  clock: () => number,
): Promise<DeliverResult> => {
  // ordering: the FIFO group already made this the only push of (partner, key) in flight; a newer
  // version attempted before (a shuffled event stream, a retry behind newer versions) makes it stale
  if (m.gate && !(await claimVersion(m.partner, m.gate.key, m.gate.version, now, gateCopyOf(m)))) return { action: 'done', note: 'stale' };

  const outcome = await attempt(clientFor(partner, outbound, secrets, cfg), m, partner);
  // delivered when the answer came back (the SLA timer's end), not when the attempt began
  const answeredAt = clock();

  if (outcome.ok) {
    await recordSuccess(m.partner, breaker);
    await onDelivered(m, outcome, answeredAt);
    countForPartner('PushDelivered', m.partner);
    shareForPartner('PushFailureShare', m.partner, false);
    if (outcome.ignored) logger.info('push accepted and ignored by the partner (Status 1): not retried', deliveryLogKeys(m));
    return { action: 'done', note: outcome.ignored ? 'ignored' : 'delivered' };
  }

  // a supervision platform's final Ret (provincial 4015: order already stored): delivered with that Ret, never resent
  const finalRet = finalRetOf(profileOf(partner).supervision, m.iface, outcome);
  if (finalRet !== undefined) {
    await recordSla(m, answeredAt);
    countForPartner('SupervisionPushFinal', m.partner);
    logger.info('supervision push answered with a final Ret: delivered, not resent', { ...deliveryLogKeys(m), ret: finalRet });
    return { action: 'done', note: 'final' };
  }

  // only signs that the PARTNER is down open its breaker; a message it refuses (4001/4003/4004, a
  // bad reply) is that message's problem and must not hold the partner's other pushes
  const partnerDown = BREAKER_CLASSES.has(outcome.class);
  const opened = partnerDown
    ? await recordFailure(m.partner, Date.now(), cfg.PUSH_BREAKER_THRESHOLD, cfg.PUSH_BREAKER_COOLDOWN_SECONDS * 1000)
    : false;
  countForPartner('PushFailedAttempt', m.partner);
  shareForPartner('PushFailureShare', m.partner, true);
  if (opened) countForPartner('PushBreakerOpened', m.partner);
  // a held push is the same message every time: its failed attempts are counted aside (1 write, on failure only)
  const held = !latestWins(m);
  const counted = held ? await countFailedAttempt(m, outcome.class === 'permanent', now) : undefined;
  const sofar = counted
    ? {
        ...m,
        attempt: m.attempt + counted.attempt - 1,
        permanent: m.permanent + counted.permanent - (outcome.class === 'permanent' ? 1 : 0),
      }
    : m;
  const next = afterFailure(sofar, outcome, now, cfg);
  logger.warn('push attempt failed', {
    ...deliveryLogKeys(m),
    profile: partner.profile ?? partner.dialect,
    attempt: next.message.attempt,
    failure: outcome.class,
    ret: outcome.ret,
    partnerMsg: outcome.msg,
    next: next.action,
    breakerOpened: opened,
  });
  if (next.action === 'park') {
    countForPartner('PushParked', m.partner);
    // a parked start result must not make its later copy stale (the DLQ replay is not ordered)
    const copy = gateCopyOf(m);
    if (m.gate && copy !== undefined) await releaseCopy(m.partner, m.gate.key, m.gate.version, copy);
    return { action: 'park', message: next.message };
  }
  // the backoff counts from this attempt's start: a supervision resend schedule (150 s, 300 s, …) to the second
  if (held) return { action: 'wait', seconds: holdSeconds(next.message.notBefore ?? now, clock()), note: 'retry' };
  return { action: 'resend', message: next.message, delaySeconds: next.delaySeconds, note: 'retry' };
};
