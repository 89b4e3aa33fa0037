/**
 * The supervision push lane on an injected clock (issue 13): take the push the lane holds after a
 * refusal out of the lane, then play its later receives with the push lane's own
 * `deliver(message, now)` — each attempt where the previous hold ends, a real call to the receiver —
 * so a resend schedule of minutes or hours is checked without waiting for it.
 */
import { expect } from 'vitest';
import { PushSupervisionQueue } from '../../events/queues.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { deliver } from '../../shared/push/deliver.ts';
import type { Delivery } from '../../shared/push/messages.ts';
import { eventually } from './eventually.ts';
import type { SupervisionReceiver } from './supervision-receiver.ts';

/**
 * The push the supervision lane holds after its refusals (kept in flight on purpose, its FIFO group
 * waiting behind it, received again at its next time), taken out of the lane at once so that only
 * the test's injected clock drives its later attempts.
 */
export const takeHeld = async (platform: Platform, id: string) => {
  const held = await eventually(
    async () => {
      const m = platform.cloud.queues.peek('push-supervision').find((x) => x.held === true && PushSupervisionQueue.parse(x.body).id === id);
      if (m?.receiptHandle) platform.cloud.queues.delete('push-supervision', m.receiptHandle);
      return m;
    },
    { what: `${id} held by the lane` },
  );
  if (!held) throw new Error(`${id} not held`);
  return held;
};

export interface DrivenAttempt {
  /** the hold the deliverer asked for, counted from the attempt's start */
  seconds: number;
  /** the attempt's own time, s */
  tookS: number;
}

/**
 * Play the lane's later receives on an injected clock, from `firstAt`: each attempt where the
 * previous hold ends, a real call to the receiver; `healAfter` held attempts later the receiver
 * answers Ret 0.
 */
export const driveResends = async (m: Delivery, receiver: SupervisionReceiver, healAfter: number, firstAt: number) => {
  let now = firstAt;
  const held: DrivenAttempt[] = [];
  for (let i = 0; i < 20; i++) {
    if (held.length === healAfter) receiver.script = () => 0;
    const t0 = performance.now();
    const r = await deliver(m, now);
    const tookMs = performance.now() - t0;
    if (r.action === 'done') return { result: r, startedAt: now, answeredBy: now + Math.ceil(tookMs), held };
    if (r.action !== 'wait' || r.note !== 'retry') throw new Error(`unexpected ${JSON.stringify(r)}`);
    held.push({ seconds: r.seconds, tookS: tookMs / 1000 });
    now += r.seconds * 1000 + Math.ceil(tookMs);
  }
  throw new Error('never delivered');
};

/** each hold is the schedule's wait less at most the attempt's own time (the wait counts from the attempt's start) */
export const expectSchedule = (held: DrivenAttempt[], schedule: number[]) => {
  expect(held).toHaveLength(schedule.length);
  held.forEach((h, i) => {
    expect(h.seconds).toBeLessThanOrEqual(schedule[i]!);
    expect(h.seconds).toBeGreaterThanOrEqual(schedule[i]! - Math.ceil(h.tookS));
  });
};

/** the lane's hold ends the profile's wait after its attempt began (the receiver saw the call inside that attempt) */
export const HOLD_SLACK_MS = 10_000;
