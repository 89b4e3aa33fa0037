/** The pure delivery rules (shared/push/policy.ts): what an answer means, and what follows a failed attempt. */
import { describe, expect, it } from 'vitest';
import { type Delivery, newDelivery } from '../../../shared/push/messages.ts';
import {
  afterFailure,
  backoffSeconds,
  classifyReply,
  hopSeconds,
  MAX_HOP_SECONDS,
  notDeliverable,
  park,
} from '../../../shared/push/policy.ts';

const SEQ = 'MA01H3BQ2202611231200000001';
const ok = (data: unknown) => ({ ret: 0, msg: '', sigVerified: true, data });

describe('classifyReply', () => {
  it('a response whose Sig does not verify is a failed attempt, whatever it says', () => {
    expect(classifyReply('notification_stationStatus', { ...ok({ Status: 0 }), sigVerified: false })).toMatchObject({
      ok: false,
      class: 'sig',
    });
  });

  it.each([
    [4001, 'permanent'],
    [4003, 'permanent'],
    [4004, 'permanent'],
    [500, 'ret'],
    [-1, 'ret'],
    [4002, 'ret'],
  ])('Ret %i → %s', (ret, cls) => {
    expect(classifyReply('notification_stationStatus', { ret, msg: 'partner says no', sigVerified: true, data: {} })).toEqual({
      ok: false,
      class: cls,
      ret,
      msg: 'partner says no',
    });
  });

  it('notification_stationStatus: Status 0 delivered, Status 1 accepted-and-ignored (not retried)', () => {
    expect(classifyReply('notification_stationStatus', ok({ Status: 0 }))).toEqual({ ok: true });
    expect(classifyReply('notification_stationStatus', ok({ Status: 1 }))).toEqual({ ok: true, ignored: true });
  });

  it('notification_charge_order_info: delivered with the partner ConfirmResult', () => {
    expect(classifyReply('notification_charge_order_info', ok({ StartChargeSeq: SEQ, ConnectorID: 'C1', ConfirmResult: 1 }))).toEqual({
      ok: true,
      confirmResult: 1,
    });
  });

  it('result notifications: SuccStat 0 delivered; SuccStat 1 (receive failed) is a failed attempt', () => {
    expect(classifyReply('notification_start_charge_result', ok({ StartChargeSeq: SEQ, SuccStat: 0 }))).toEqual({ ok: true });
    expect(classifyReply('notification_stop_charge_result', ok({ StartChargeSeq: SEQ, SuccStat: 1, FailReason: 1 }))).toMatchObject({
      ok: false,
      class: 'reply',
      msg: 'SuccStat 1 FailReason 1',
    });
  });

  it('an unparseable reply Data is a failed attempt', () => {
    expect(classifyReply('notification_stationStatus', ok({ Status: 7 }))).toMatchObject({ ok: false, class: 'reply' });
  });
});

describe('backoff and hops', () => {
  const schedule = [10, 30, 60];
  it('the n-th failure waits the n-th value; the last repeats', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffSeconds(n, schedule))).toEqual([10, 30, 60, 60, 60]);
    expect(backoffSeconds(0, schedule)).toBe(10);
  });
  it('one hop is at most MAX_HOP_SECONDS (the SQS DelaySeconds limit) and never negative', () => {
    expect(hopSeconds(5_000, 0)).toBe(5);
    expect(hopSeconds(4_001, 0)).toBe(5);
    expect(hopSeconds(3_600_000, 0)).toBe(MAX_HOP_SECONDS);
    expect(hopSeconds(0, 1_000)).toBe(0);
  });
});

describe('afterFailure', () => {
  const cfg = { PUSH_BACKOFF_SECONDS: [10, 30, 60], PUSH_MAX_ATTEMPTS: 5, PUSH_PERMANENT_ATTEMPTS: 2, PUSH_MAX_AGE_SECONDS: 3600 };
  const now = 1_000_000;
  const m = (over: Partial<Delivery> = {}): Delivery => ({
    ...newDelivery({ id: 'x', partner: 'MA01H3BQ2', iface: 'notification_stationStatus', data: {}, createdAt: now }),
    ...over,
  });

  it('a transient failure is retried after the backoff, with the attempt counted and the error kept', () => {
    const next = afterFailure(m(), { class: 'timeout', msg: 'no response within 5000 ms' }, now, cfg);
    expect(next).toEqual({
      action: 'retry',
      delaySeconds: 10,
      message: expect.objectContaining({
        attempt: 1,
        permanent: 0,
        notBefore: now + 10_000,
        lastError: { class: 'timeout', msg: 'no response within 5000 ms' },
      }),
    });
  });

  it('the budget spent: parked', () => {
    const next = afterFailure(m({ attempt: 4 }), { class: 'transport', msg: 'ECONNREFUSED' }, now, cfg);
    expect(next.action).toBe('park');
    expect(next.message.parked?.reason).toMatch(/^5 failed attempts, last: transport ECONNREFUSED/);
  });

  it('a permanent refusal is parked after PUSH_PERMANENT_ATTEMPTS, sooner than other failures', () => {
    const first = afterFailure(m(), { class: 'permanent', ret: 4004, msg: 'bad' }, now, cfg);
    expect(first.action).toBe('retry');
    const second = afterFailure(first.message, { class: 'permanent', ret: 4004, msg: 'bad' }, now, cfg);
    expect(second.action).toBe('park');
    expect(second.message.parked?.reason).toBe('partner refused 2× with Ret 4004: bad');
  });

  it('a retry that would land past PUSH_MAX_AGE_SECONDS is parked now', () => {
    const old = m({ createdAt: now - 3_595_000 });
    expect(afterFailure(old, { class: 'ret', ret: 500, msg: 'x' }, now, cfg).action).toBe('park');
  });

  it('config failures (no endpoint, no secret) are parked at once, like notDeliverable', () => {
    const next = afterFailure(m(), { class: 'config', msg: 'no outbound secret set' }, now, cfg);
    expect(next).toEqual({ action: 'park', message: notDeliverable(m(), 'no outbound secret set', now) });
    expect(next.message).toMatchObject({
      attempt: 1,
      lastError: { class: 'config', msg: 'no outbound secret set' },
      parked: { reason: 'not deliverable: no outbound secret set', at: new Date(now).toISOString() },
    });
  });

  it('park clears notBefore and truncates the reason', () => {
    const p = park(m({ notBefore: now + 1 }), 'r'.repeat(600), now);
    expect(p.notBefore).toBeUndefined();
    expect(p.parked?.reason).toHaveLength(500);
  });
});
