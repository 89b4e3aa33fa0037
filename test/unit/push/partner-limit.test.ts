/** Per-partner turns in process (shared/push/partner-limit.ts): the isolation that replaced the SLOT items. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inFlightTo, takeTurn } from '../../../shared/push/partner-limit.ts';

afterEach(() => vi.useRealTimers());

describe('per-partner turns', () => {
  it('at most N pushes in flight to one partner; a released turn goes to the next waiter; partners do not share turns', async () => {
    const who = 'LIMITAAA1';
    const a = await takeTurn(who, 2, 10_000);
    const b = await takeTurn(who, 2, 10_000);
    expect(a && b).toBeTruthy();
    expect(inFlightTo(who)).toBe(2);
    let third: (() => void) | undefined;
    const waiting = takeTurn(who, 2, 10_000).then((t) => {
      third = t;
      return t;
    });
    await Promise.resolve();
    expect(third).toBeUndefined(); // still waiting: both turns are taken
    expect(await takeTurn('LIMITBBB2', 2, 10_000)).toBeDefined(); // another partner is not held
    a!();
    expect(await waiting).toBeDefined();
    expect(inFlightTo(who)).toBe(2); // handed over, not freed
    b!();
    third!();
    expect(inFlightTo(who)).toBe(0);
  });

  it('a wait longer than maxWaitMs gives the push back (to be re-sent), and leaves no one waiting', async () => {
    vi.useFakeTimers();
    const who = 'LIMITCCC3';
    const held = await takeTurn(who, 1, 500);
    const late = takeTurn(who, 1, 500);
    await vi.advanceTimersByTimeAsync(501);
    expect(await late).toBeUndefined();
    held!();
    expect(inFlightTo(who)).toBe(0); // the timed-out waiter was not handed the turn
    const again = await takeTurn(who, 1, 500);
    expect(again).toBeDefined();
    again!();
  });
});
