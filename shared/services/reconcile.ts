/**
 * Reconciliation with partners (check_charge_orders, reference §3.13, §5.3) and the order catch-up.
 *
 *   Scheduler (every 5 min, 00:00–02:55 China time) ─▶ reconcile-dispatch ─claim (partner, day)─▶
 *     reconcile-runs (+DLQ) ─▶ reconcile-run ─▶ partner: check_charge_orders ─▶ runs + disputes
 *         └─ disputes: OrderDisputed events, metrics per partner and reason; reason 1 ─▶ push-deliveries
 *   Scheduler (every 15 min) ─▶ order-catchup ─▶ unconfirmed orders ─▶ push-deliveries
 *
 * ONE schedule fans out to the partners (not one schedule per partner): partners are data, added
 * and suspended at run time by the CLI, and a per-partner Scheduler schedule would be a second copy
 * of the registry to keep in step (IAM to create schedules from the CLI, drift when one is missed).
 * The dispatcher claims each due (partner, day) once (a conditional write) and sends one message
 * per partner: isolation (one partner's failure never skips the rest), retries with backoff
 * through the night, and the DLQ + alarm of the queue when a partner stays unreachable.
 *
 * The call goes through the same TcecClient as the pushes (partner-issued outbound set, our
 * OperatorID, the shared DynamoDB token cache, one retry after Ret 4002) in the partner's profile:
 * its URLs (the profile's push layout) and its dialect and field changes, both ways.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { logger, MetricUnit, metrics } from '#powertools';
import { OrderDisputed } from '../../events/disputes.ts';
import { type ReconcileRunMessage, ReconcileRunsQueue } from '../../events/queues.ts';
import { publish } from '../bus/publish.ts';
import { sendBatch } from '../bus/send.ts';
import { config, perEnvironment } from '../config.ts';
import { OrderStatus } from '../domain/charging.ts';
import { inRegion } from '../domain/grants.ts';
import { chargeOrderOf } from '../domain/order-views.ts';
import { profileOf, supervisionRegion } from '../domain/partner-profile.ts';
import {
  assessAnswer,
  buildRequests,
  type CheckRequest,
  type Dispute,
  DisputeReason,
  dayWindow,
  isDue,
  parseRunAt,
  previousDay,
  type ReconOrder,
  runStatusOf,
} from '../domain/reconcile.ts';
import { checkDue } from '../domain/sla.ts';
import { newDelivery } from '../push/messages.ts';
import { enqueueDeliveries } from '../push/queue.ts';
import { finishedOrdersOfPartner, getOrder } from '../store/orders.ts';
import { getPartner, listPartners, type Partner } from '../store/partners.ts';
import { DynamoTokenCache } from '../store/push-token-cache.ts';
import {
  claimRun,
  putDispute,
  type RequestRecord,
  type RunRecord,
  recordRepush,
  releaseClaim,
  removeDisputesExcept,
  saveRun,
} from '../store/reconcile.ts';
import { getPartnerSecrets } from '../store/secrets.ts';
import { getConnectorRefs, getStationInfos } from '../store/stations.ts';
import { TcecClient, TcecTokenError, TcecTransportError } from '../tcec/client.ts';
import { profileFromWire, profileToWire, pushPaths } from '../tcec/profiles.ts';
import { Ret } from '../tcec/ret.ts';
import { newBusinessSeq } from '../tcec/seq.ts';

const int = (def: number) => z._default(z.coerce.number().check(z.int(), z.gt(0)), def);

const ReconcileEnvSchema = z.object({
  /** China-time minute of the nightly run, HH:mm within 00:00–03:00 (municipal platforms require the night) */
  RECONCILE_AT: z.pipe(
    z._default(z.string(), '01:00'),
    z.transform((s: string, ctx) => {
      try {
        return parseRunAt(s);
      } catch (err) {
        ctx.issues.push({ code: 'custom', message: (err as Error).message, input: s });
        return z.NEVER;
      }
    }),
  ),
  /** orders per check_charge_orders request at most (a larger day is split) */
  RECONCILE_MAX_ORDERS_PER_REQUEST: int(500),
  /** seconds before attempt n+1 of an unreachable partner (the last repeats; ≤ 900 each, SQS DelaySeconds) */
  RECONCILE_BACKOFF_SECONDS: z.pipe(
    z.pipe(
      z._default(z.string(), '60,300,900'),
      z.transform((s: string) => s.split(',').map((x) => Number(x.trim()))),
    ),
    z.array(z.int().check(z.gte(0), z.lte(900))).check(z.minLength(1)),
  ),
  /** failed attempts before a run is parked for the DLQ (default: about two and a half hours of the night) */
  RECONCILE_MAX_ATTEMPTS: int(12),
  /** HTTP timeout of one check_charge_orders call (a large request takes the partner a while) */
  RECONCILE_TIMEOUT_MS: int(30_000),
  /** an order whose notification_charge_order_info is not confirmed this long after its end is re-pushed */
  CATCHUP_AFTER_SECONDS: int(3600),
  /** how far back the catch-up looks (orders older than this are reconciliation's business) */
  CATCHUP_LOOKBACK_HOURS: int(72),
  /** re-pushes of one order by the catch-up at most */
  CATCHUP_MAX_ATTEMPTS: int(5),
});
const configs = /* @__PURE__ */ perEnvironment((env) => ReconcileEnvSchema.parse(env));
const reconcileConfig = () => configs.get();

/** Partners reconciled nightly: active, with an outbound endpoint, not opted out. */
const reconciles = (p: Partner): boolean => p.status === 'active' && p.outbound !== undefined && p.features.reconcile !== false;

/** The nightly fan-out: every due partner's previous day, claimed once and sent to reconcile-runs. */
export const dispatchNightly = async (now: Date): Promise<{ day: string; enqueued: string[] }> => {
  const cfg = reconcileConfig();
  const day = previousDay(now);
  // nothing is due before the earliest possible minute: most ticks of the day end here, without a read
  if (!isDue(0, now)) return { day, enqueued: [] };
  const enqueued: string[] = [];
  for (const p of (await listPartners()).filter(reconciles)) {
    // a supervision platform: its profile's window (Beijing 00:00–03:00), check_charge_orders only if its profile lists it
    const window = p.kind === 'supervision' ? supervisionWindow(p) : undefined;
    if (p.kind === 'supervision' && !window) continue;
    const at = p.features.reconcileAt ? parseRunAt(p.features.reconcileAt) : window ? parseRunAt(window.from) : cfg.RECONCILE_AT;
    const due = window ? checkDue(at, parseRunAt(window.to), now) : isDue(at, now);
    if (due && (await claimRun(p.operatorId, day, now))) enqueued.push(p.operatorId);
  }
  try {
    await sendBatch(
      ReconcileRunsQueue,
      enqueued.map((OperatorID) => ({ OperatorID, day, trigger: 'schedule' as const, attempt: 0 })),
    );
  } catch (err) {
    // claimed but not sent: release, so the next tick (or the Scheduler's retry) claims the day again
    for (const p of enqueued) await releaseClaim(p, day);
    throw err;
  }
  if (enqueued.length) logger.info('reconciliation runs enqueued', { day, partners: enqueued.length });
  return { day, enqueued };
};

const clients = new Map<string, TcecClient>();
const tokenCache = new DynamoTokenCache();

/**
 * One client per partner endpoint and profile, sharing the pushes' DynamoDB token cache. The URLs
 * are the partner's profile's layout (DiDi: the token at `evcs/sdk/query_token`, check_charge_orders
 * at the root of the base URL; Chengdu: …/evcs/20160701/check_charge_order); explicit paths win.
 */
const clientFor = (p: Partner, secrets: NonNullable<Awaited<ReturnType<typeof getPartnerSecrets>>>['outbound'] & object) => {
  const out = p.outbound as NonNullable<Partner['outbound']>;
  const timeoutMs = reconcileConfig().RECONCILE_TIMEOUT_MS;
  const fingerprint = createHash('sha256')
    .update(`${secrets.operatorSecret}\n${secrets.dataSecret}\n${secrets.dataSecretIV}\n${secrets.sigSecret}`)
    .digest('hex')
    .slice(0, 16);
  const profile = profileOf(p);
  const paths = { ...pushPaths(profile, out.baseUrl), ...out.paths };
  const key = `${p.operatorId}|${profile.name}|${out.baseUrl}|${JSON.stringify(paths)}|${fingerprint}|${timeoutMs}`;
  let c = clients.get(key);
  if (!c) {
    c = new TcecClient(
      {
        baseUrl: out.baseUrl,
        ourOperatorId: config().OPERATOR_ID,
        secrets,
        timeoutMs,
        partnerId: p.operatorId,
        ...(Object.keys(paths).length ? { paths } : {}),
      },
      { tokenCache },
    );
    clients.set(key, c);
  }
  return c;
};

/** The outcome of one run: the stored record, and when the partner could not be reached, why. */
export interface RunOutcome {
  run: RunRecord;
  /** transport failure, timeout or token refusal: the run should be tried again */
  unreachable?: string;
  /** what the partner was sent and answered, per request (CLI) */
  disputes: Dispute[];
}

/** A supervision platform's nightly check window, if its profile has check_charge_orders. */
const supervisionWindow = (p: Partner): { from: string; to: string } | undefined => {
  const rules = profileOf(p).supervision;
  return rules?.interfaces.has('check_charge_orders') ? (rules.check ?? { from: '00:00', to: '03:00' }) : undefined;
};

/**
 * A supervision platform's day (issue 13): every charged order of its region, whoever's partner
 * started it — each partner's day (the byPartner index, as for a partner's own check), the
 * connectors' stations and the stations' AreaCodes. Nightly, once per platform.
 */
const supervisedOrdersOfDay = async (region: readonly string[], day: string): Promise<ReconOrder[]> => {
  const { from, to } = dayWindow(day);
  const all: Array<ReconOrder & { ConnectorID: string }> = [];
  for (const p of await listPartners())
    for await (const page of finishedOrdersOfPartner(p.operatorId, from, to))
      for (const o of page)
        if (o.charged && o.bill)
          all.push({
            StartChargeSeq: o.StartChargeSeq,
            ConnectorID: o.ConnectorID,
            TotalPower: o.bill.TotalPower,
            TotalMoney: o.bill.TotalMoney,
          });
  const refs = await getConnectorRefs([...new Set(all.map((o) => o.ConnectorID))]);
  const stationIds = [...new Set([...refs.values()].map((r) => r.stationId))];
  const area = new Map((await getStationInfos(stationIds)).map((s) => [s.StationID, s.AreaCode]));
  return all.filter((o) => inRegion(region, area.get(refs.get(o.ConnectorID)?.stationId ?? ''))).map(({ ConnectorID: _c, ...o }) => o);
};

/** A day's charged, finished orders of a partner, from the byPartner index (the day of an order is the day of its EndTime). */
const ordersOfDay = async (partner: string, day: string): Promise<ReconOrder[]> => {
  const { from, to } = dayWindow(day);
  const out: ReconOrder[] = [];
  for await (const page of finishedOrdersOfPartner(partner, from, to))
    for (const o of page)
      if (o.charged && o.bill) out.push({ StartChargeSeq: o.StartChargeSeq, TotalPower: o.bill.TotalPower, TotalMoney: o.bill.TotalMoney });
  return out;
};

type CallResult = { kind: 'answered'; record: RequestRecord; disputes: Dispute[] } | { kind: 'unreachable'; reason: string };

/**
 * One check_charge_orders request and its answer, both through the partner's profile: its dialect
 * and field changes out (exact), its spelling or the canonical one back (lenient).
 */
export const callOnce = async (client: Pick<TcecClient, 'call'>, partner: Partner, req: CheckRequest): Promise<CallResult> => {
  const base: RequestRecord = {
    CheckOrderSeq: req.CheckOrderSeq,
    OrderCount: req.OrderCount,
    TotalOrderPower: req.TotalOrderPower,
    TotalOrderMoney: req.TotalOrderMoney,
    problems: [],
    disputes: 0,
  };
  const profile = profileOf(partner);
  const edge = { ourOperatorId: config().OPERATOR_ID, partnerOperatorId: partner.operatorId };
  let r: Awaited<ReturnType<TcecClient['call']>>;
  try {
    r = await client.call('check_charge_orders', profileToWire(profile, 'check_charge_orders', 'request', req, edge));
  } catch (err) {
    if (err instanceof TcecTransportError || err instanceof TcecTokenError) return { kind: 'unreachable', reason: err.message };
    throw err;
  }
  const record: RequestRecord = { ...base, ret: r.ret, msg: r.msg.slice(0, 200) };
  if (!r.sigVerified) return { kind: 'answered', record: { ...record, failed: 'answer Sig not verified' }, disputes: [] };
  if (r.ret !== Ret.Ok) return { kind: 'answered', record: { ...record, failed: `Ret ${r.ret}: ${r.msg.slice(0, 200)}` }, disputes: [] };
  const parsed = profileFromWire(profile, 'check_charge_orders', 'response', r.data);
  if (!parsed.ok) return { kind: 'answered', record: { ...record, failed: `malformed answer: ${parsed.msg}` }, disputes: [] };
  const { disputes, problems } = assessAnswer(req, parsed.value);
  return {
    kind: 'answered',
    record: { ...record, TotalDisputeOrder: parsed.value.TotalDisputeOrder, problems, disputes: disputes.length },
    disputes,
  };
};

/** Re-push notification_charge_order_info of an order (through the push service: retries, DLQ). */
const repushOrder = async (
  seq: string,
  partner: string,
  why: string,
  now: Date,
  minGapMs: number,
  maxAttempts?: number,
): Promise<boolean> => {
  const order = await getOrder(seq, false);
  if (order?.status !== OrderStatus.Finished || !order.bill || order.OperatorID !== partner) return false;
  if (!(await recordRepush(seq, partner, why, now, minGapMs, maxAttempts))) return false;
  await enqueueDeliveries([
    newDelivery({
      id: `notification_charge_order_info:${partner}:${seq}:repush:${now.getTime()}`,
      partner,
      iface: 'notification_charge_order_info',
      data: chargeOrderOf({
        StartChargeSeq: seq,
        ConnectorID: order.ConnectorID,
        status: OrderStatus.Finished,
        stopReason: order.stopReason ?? 0,
        bill: order.bill,
      }),
      createdAt: now.getTime(),
    }),
  ]);
  metrics.addMetric('OrderRepushed', MetricUnit.Count, 1);
  logger.info('order re-pushed', { StartChargeSeq: seq, OperatorID: partner, why });
  return true;
};

/** a dispute's reason in the trace's words */
const DISPUTE_VERDICT: Readonly<Record<number, string>> = {
  [DisputeReason.NotFound]: 'not found',
  [DisputeReason.Money]: 'amount',
  [DisputeReason.Energy]: 'energy',
};

/**
 * Reconcile one partner's China-time day: send its finished orders (split into requests), read the
 * answers, store the run and its disputes (overwriting an earlier run of the same day), event the
 * new disputes, re-push orders the partner never received. Never throws for the partner's faults.
 */

export const reconcilePartnerDay = async (
  operatorId: string,
  day: string,
  trigger: RunRecord['trigger'],
  now: Date = new Date(),
): Promise<RunOutcome> => {
  const cfg = reconcileConfig();
  dayWindow(day); // a bad day throws before anything is written
  const save = (status: RunRecord['status'], requests: RequestRecord[], orderCount: number, disputeCount: number, reason?: string) =>
    saveRun({ OperatorID: operatorId, day, status, trigger, requests, orderCount, disputeCount, ...(reason ? { reason } : {}) }, now);

  const partner = await getPartner(operatorId, { fresh: true });
  const secrets = partner ? (await getPartnerSecrets(operatorId))?.outbound : undefined;
  if (partner?.status !== 'active' || !partner.outbound || !secrets) {
    const reason = !partner
      ? 'unknown partner'
      : partner.status !== 'active'
        ? 'partner suspended'
        : 'no outbound endpoint or secret set (the set the partner issued us)';
    return { run: await save('failed', [], 0, 0, reason), disputes: [] };
  }

  const region = supervisionRegion(partner);
  const orders = region ? await supervisedOrdersOfDay(region, day) : await ordersOfDay(operatorId, day);
  const requests = buildRequests(day, orders, cfg.RECONCILE_MAX_ORDERS_PER_REQUEST, () => newBusinessSeq(config().OPERATOR_ID, now));
  const client = clientFor(partner, secrets);
  const records: RequestRecord[] = [];
  const disputes: Array<Dispute & { CheckOrderSeq: string }> = [];
  for (const req of requests) {
    const r = await callOnce(client, partner, req);
    if (r.kind === 'unreachable') {
      metrics.addMetric('ReconcileUnreachable', MetricUnit.Count, 1);
      logger.warn('reconciliation: partner unreachable', {
        OperatorID: operatorId,
        day,
        interface: 'check_charge_orders',
        issue: r.reason,
      });
      return {
        run: await save('failed', records, orders.length, disputes.length, `unreachable: ${r.reason}`),
        unreachable: r.reason,
        disputes,
      };
    }
    records.push(r.record);
    for (const d of r.disputes) disputes.push({ ...d, CheckOrderSeq: req.CheckOrderSeq });
  }

  const status = runStatusOf(records);
  const firstFailure = records.find((r) => r.failed)?.failed;
  const firstProblem = records.flatMap((r) => r.problems)[0];
  const reason = firstFailure ?? firstProblem;
  for (const d of disputes) {
    const fresh = await putDispute({ ...d, OperatorID: operatorId, day }, now);
    metrics
      .singleMetric()
      .addDimensions({ OperatorID: operatorId, reason: String(d.reason) })
      .addMetric('ReconcileDisputes', MetricUnit.Count, 1);
    if (!fresh) continue;
    await publish(OrderDisputed, {
      direction: 'out',
      OperatorID: operatorId,
      StartChargeSeq: d.StartChargeSeq,
      via: 'check_charge_orders',
      reason: d.reason,
      ...(d.ours ? { ours: d.ours } : {}),
      ...(d.theirs ? { theirs: d.theirs } : {}),
      day,
      CheckOrderSeq: d.CheckOrderSeq,
      at: now.toISOString(),
    });
    // a supervision platform's missing order is in its own lane's DLQ or export, not a partner order push
    if (d.reason === DisputeReason.NotFound && !region)
      await repushOrder(d.StartChargeSeq, operatorId, `check_charge_orders ${day}: not found`, now, 0);
  }
  // an answer that was read in full replaces the day's disputes; a failed request leaves earlier ones standing
  if (!firstFailure) await removeDisputesExcept(operatorId, day, new Set(disputes.map((d) => d.StartChargeSeq)));
  // each order's verdict, for `evcs trace <StartChargeSeq>` (one line per order of the run)
  if (!firstFailure) {
    const disputed = new Map(disputes.map((d) => [d.StartChargeSeq, d]));
    for (const seq of new Set([...orders.map((o) => o.StartChargeSeq), ...disputed.keys()])) {
      const d = disputed.get(seq);
      logger.info('order reconciled', {
        StartChargeSeq: seq,
        OperatorID: operatorId,
        day,
        verdict: d ? `disputed: ${DISPUTE_VERDICT[d.reason] ?? d.reason}` : 'agreed',
        ...(d ? { CheckOrderSeq: d.CheckOrderSeq } : {}),
      });
    }
  }
  // one datapoint per run: the alarm watches the Maximum over partners (no per-partner alarm to keep in step)
  metrics.addMetric('ReconcileRunDisputes', MetricUnit.Count, disputes.length);
  if (status === 'failed' || status === 'suspicious') metrics.addMetric('ReconcileRunRejected', MetricUnit.Count, 1);
  const log = status === 'agreed' || status === 'disputed' ? logger.info.bind(logger) : logger.warn.bind(logger);
  log('reconciliation run', {
    OperatorID: operatorId,
    day,
    status,
    orders: orders.length,
    requests: records.length,
    disputes: disputes.length,
    reason,
  });
  return { run: await save(status, records, orders.length, disputes.length, reason), disputes };
};

/** What becomes of a run message after an attempt: done, again after a delay, or parked for the DLQ. */
export type RunMessageNext =
  | { action: 'done'; outcome: RunOutcome }
  | { action: 'retry'; message: ReconcileRunMessage; delaySeconds: number }
  | { action: 'park'; message: ReconcileRunMessage };

export const runFromMessage = async (m: ReconcileRunMessage, now: Date = new Date()): Promise<RunMessageNext> => {
  const cfg = reconcileConfig();
  const outcome = await reconcilePartnerDay(m.OperatorID, m.day, m.trigger, now);
  if (outcome.unreachable === undefined) return { action: 'done', outcome };
  const attempt = m.attempt + 1;
  const lastError = outcome.unreachable.slice(0, 512);
  if (attempt >= cfg.RECONCILE_MAX_ATTEMPTS) {
    metrics.addMetric('ReconcileParked', MetricUnit.Count, 1);
    return {
      action: 'park',
      message: { ...m, attempt, lastError, parked: `unreachable after ${attempt} attempts: ${lastError}`.slice(0, 512) },
    };
  }
  const schedule = cfg.RECONCILE_BACKOFF_SECONDS;
  const delaySeconds = schedule[Math.min(attempt, schedule.length) - 1] ?? 900;
  return { action: 'retry', message: { ...m, attempt, lastError }, delaySeconds };
};

/**
 * The catch-up: every order that finished between CATCHUP_LOOKBACK_HOURS and CATCHUP_AFTER_SECONDS
 * ago whose notification_charge_order_info the partner never confirmed (no ConfirmResult 0) is
 * pushed again — at most once per CATCHUP_AFTER_SECONDS and CATCHUP_MAX_ATTEMPTS times per order,
 * each attempt recorded (the push's own retries may have been spent).
 */
export const catchUpOrders = async (now: Date = new Date()): Promise<{ examined: number; repushed: string[] }> => {
  const cfg = reconcileConfig();
  const afterMs = cfg.CATCHUP_AFTER_SECONDS * 1000;
  const from = new Date(now.getTime() - cfg.CATCHUP_LOOKBACK_HOURS * 3_600_000);
  const to = new Date(now.getTime() - afterMs);
  let examined = 0;
  const repushed: string[] = [];
  for (const p of await listPartners()) {
    if (p.status !== 'active' || !p.outbound) continue;
    for await (const page of finishedOrdersOfPartner(p.operatorId, from, to)) {
      for (const o of page) {
        if (!o.charged || o.confirmResult === 0) continue;
        examined++;
        const why = o.confirmResult === undefined ? 'never confirmed' : `ConfirmResult ${o.confirmResult}`;
        if (await repushOrder(o.StartChargeSeq, p.operatorId, `catch-up: ${why}`, now, afterMs, cfg.CATCHUP_MAX_ATTEMPTS))
          repushed.push(o.StartChargeSeq);
      }
    }
  }
  if (repushed.length) logger.info('order catch-up', { examined, repushed: repushed.length });
  return { examined, repushed };
};
