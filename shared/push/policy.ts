/**
 * Pure delivery rules: what a partner's answer means, and what to do after a failed attempt.
 *
 *   - a response whose Sig does not verify, a non-zero Ret, a timeout, a transport error, an
 *     unparseable reply or a "receive failed" reply are FAILED attempts;
 *   - -1, 500, 4002 (after the client's one re-token), transport, timeout, bad Sig: retried with a
 *     growing backoff until PUSH_MAX_ATTEMPTS, then parked in the DLQ;
 *   - 4001/4003/4004: retried PUSH_PERMANENT_ATTEMPTS times, then parked with the partner's Msg;
 *   - notification_stationStatus (and notification_stationInfo) Status 1 = accepted-and-ignored:
 *     delivered, never retried (§1.8);
 *   - notification_charge_order_info is delivered only once a ConfirmResult came back (§3.12).
 */
import { fromWire } from '../tcec/dialect.ts';
import { Ret } from '../tcec/ret.ts';
import type { PushConfig } from './config.ts';
import type { Delivery, FailureClass, PushInterface } from './messages.ts';

/** longest DelaySeconds SQS accepts: longer waits take several hops */
export const MAX_HOP_SECONDS = 900;

export type Outcome =
  | { ok: true; ignored?: boolean; confirmResult?: number }
  | { ok: false; class: FailureClass; ret?: number; msg: string };

const PERMANENT: ReadonlySet<number> = new Set([Ret.SigError, Ret.ParamError, Ret.BizError]);

/** The meaning of one answer (Ret, Sig, Data already decrypted by the client). */
export const classifyReply = (iface: PushInterface, r: { ret: number; msg: string; sigVerified: boolean; data: unknown }): Outcome => {
  if (!r.sigVerified) return { ok: false, class: 'sig', ret: r.ret, msg: `response Sig did not verify (Ret ${r.ret})` };
  if (r.ret !== Ret.Ok) return { ok: false, class: PERMANENT.has(r.ret) ? 'permanent' : 'ret', ret: r.ret, msg: r.msg.slice(0, 400) };
  const parsed = fromWire(iface, 'response', r.data);
  if (!parsed.ok) return { ok: false, class: 'reply', ret: r.ret, msg: `reply Data invalid: ${parsed.msg}`.slice(0, 400) };
  const v = parsed.value as Record<string, unknown>;
  switch (iface) {
    case 'notification_stationStatus':
    case 'notification_stationInfo':
      return v.Status === 1 ? { ok: true, ignored: true } : { ok: true };
    case 'notification_charge_order_info':
    case 'notification_charge_order_info_for_bonus':
      return { ok: true, confirmResult: Number(v.ConfirmResult) };
    default:
      return v.SuccStat === 0
        ? { ok: true }
        : { ok: false, class: 'reply', ret: 0, msg: `SuccStat ${String(v.SuccStat)} FailReason ${String(v.FailReason ?? '')}` };
  }
};

/** Seconds to wait after the n-th failed attempt (n ≥ 1); the list's last value repeats. */
export const backoffSeconds = (failedAttempts: number, schedule: readonly number[]): number => {
  const i = Math.max(0, Math.min(failedAttempts - 1, schedule.length - 1));
  return schedule[i] ?? 0;
};

/** DelaySeconds of the next hop towards `notBefore`. */
export const hopSeconds = (notBefore: number, now: number): number =>
  Math.max(0, Math.min(MAX_HOP_SECONDS, Math.ceil((notBefore - now) / 1000)));

/** longest VisibilityTimeout SQS accepts (12 h): a message held in flight longer is held again */
const MAX_HOLD_SECONDS = 43_200;

/** VisibilityTimeout that holds a received message until `notBefore` (at least 1 s: it is not due yet). */
export const holdSeconds = (notBefore: number, now: number): number =>
  Math.max(1, Math.min(MAX_HOLD_SECONDS, Math.ceil((notBefore - now) / 1000)));

export type Next = { action: 'retry'; message: Delivery; delaySeconds: number } | { action: 'park'; message: Delivery };

export const park = (m: Delivery, reason: string, now: number): Delivery => ({
  ...m,
  notBefore: undefined,
  parked: { reason: reason.slice(0, 500), at: new Date(now).toISOString() },
});

/** A push that cannot be delivered as things are (partner unknown, suspended, no endpoint or secret): parked at once. */
export const notDeliverable = (m: Delivery, msg: string, now: number): Delivery =>
  park({ ...m, attempt: m.attempt + 1, lastError: { class: 'config', msg: msg.slice(0, 500) } }, `not deliverable: ${msg}`, now);

/** After a failed attempt: the next message and where it goes. */
export const afterFailure = (
  m: Delivery,
  f: { class: FailureClass; ret?: number; msg: string },
  now: number,
  cfg: Pick<PushConfig, 'PUSH_BACKOFF_SECONDS' | 'PUSH_MAX_ATTEMPTS' | 'PUSH_PERMANENT_ATTEMPTS' | 'PUSH_MAX_AGE_SECONDS'>,
): Next => {
  const attempt = m.attempt + 1;
  const permanent = m.permanent + (f.class === 'permanent' ? 1 : 0);
  const lastError = { class: f.class, ...(f.ret !== undefined ? { ret: f.ret } : {}), msg: f.msg.slice(0, 500) };
  const next: Delivery = { ...m, attempt, permanent, lastError };
  if (f.class === 'config') return { action: 'park', message: notDeliverable(m, f.msg, now) };
  if (f.class === 'permanent' && permanent >= cfg.PUSH_PERMANENT_ATTEMPTS)
    return { action: 'park', message: park(next, `partner refused ${permanent}× with Ret ${f.ret ?? '?'}: ${f.msg}`, now) };
  // a supervision platform's push follows its profile's schedule: one resend per entry, then the DLQ
  const schedule = m.supervision?.resend ?? cfg.PUSH_BACKOFF_SECONDS;
  const maxAttempts = m.supervision ? m.supervision.resend.length + 1 : cfg.PUSH_MAX_ATTEMPTS;
  if (attempt >= maxAttempts) return { action: 'park', message: park(next, `${attempt} failed attempts, last: ${f.class} ${f.msg}`, now) };
  const wait = backoffSeconds(attempt, schedule);
  if (now + wait * 1000 - m.createdAt > cfg.PUSH_MAX_AGE_SECONDS * 1000)
    return {
      action: 'park',
      message: park(next, `older than ${cfg.PUSH_MAX_AGE_SECONDS}s after ${attempt} attempts, last: ${f.class} ${f.msg}`, now),
    };
  const notBefore = now + wait * 1000;
  return { action: 'retry', message: { ...next, notBefore }, delaySeconds: hopSeconds(notBefore, now) };
};
