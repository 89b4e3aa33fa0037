/** The charging rules (shared/domain/charging.ts), without AWS. */
import { describe, expect, it } from 'vitest';
import {
  AuthFail,
  authDecision,
  checkStartChargeSeq,
  isFailedStart,
  OrderStatus,
  repeatedStartConfirmation,
  StartFail,
  startDecision,
  stopReasonOf,
} from '../../../shared/domain/charging.ts';

describe('StartChargeSeq (reference §3 conventions)', () => {
  it('accepts 27 characters starting with the caller OperatorID', () => {
    expect(checkStartChargeSeq('MA01H3BQ2202611230930450001', 'MA01H3BQ2')).toBeUndefined();
  });
  it.each([
    ['MA01H3BQ22026112309304500', 'must be 27'],
    ['MA01H3BQ220261123093045000123', 'must be 27'],
    ['MA02XJ7K3202611230930450001', "caller's OperatorID"],
    ['MA01H3BQ2202611230930-50001', 'letters and digits'],
  ])('%s → %s', (seq, msg) => {
    expect(checkStartChargeSeq(seq, 'MA01H3BQ2')).toContain(msg);
  });
});

describe('query_equip_auth decision (§3.5)', () => {
  it.each([
    [{ known: false }, AuthFail.DeviceCheckFailed],
    [{ known: true, status: 2 }, AuthFail.None],
    [{ known: true, status: 1 }, AuthFail.NotPlugged],
    [{ known: true, status: 0 }, AuthFail.DeviceCheckFailed],
    [{ known: true, status: 255 }, AuthFail.DeviceCheckFailed],
    [{ known: true, status: 3 }, AuthFail.InUse],
    [{ known: true, status: 4 }, AuthFail.InUse],
  ])('%o → %i', (facts, expected) => expect(authDecision(facts)).toBe(expected));
});

describe('query_start_charge decision (§3.7)', () => {
  it.each([
    [{ known: false }, StartFail.NoDevice],
    [{ known: true, status: 1, priced: true }, StartFail.None],
    [{ known: true, status: 2, priced: true }, StartFail.None],
    [{ known: true, status: 0, priced: true }, StartFail.Offline],
    [{ known: true, priced: true }, StartFail.Offline],
    [{ known: true, status: 255, priced: true }, StartFail.Fault],
    [{ known: true, status: 3, priced: true }, StartFail.Busy],
    [{ known: true, status: 4, priced: true }, StartFail.Busy],
    [{ known: true, status: 1, priced: false }, StartFail.NoPolicy],
  ])('%o → %i', (facts, expected) => expect(startDecision(facts)).toBe(expected));
});

describe('StopReason (§3.12) from the pile stop cause', () => {
  it('maps local 0, remote 1, bms-full 2, fault 3, unplugged 4', () => {
    expect(['local', 'remote', 'bms-full', 'fault', 'unplugged'].map((c) => stopReasonOf(c as Parameters<typeof stopReasonOf>[0]))).toEqual(
      [0, 1, 2, 3, 4],
    );
  });
});

describe('a start confirmation for an order no longer starting (issue 17: OrderStarted must not be lost)', () => {
  const at = new Date('2026-11-30T08:00:05.000Z');
  const startedAt = at.toISOString();
  it.each([
    ['charging, started by this very confirmation: told again', { status: OrderStatus.Charging, startedAt }, 'again'],
    ['stopping (a stop asked while starting), started by it: told again', { status: OrderStatus.Stopping, startedAt }, 'again'],
    [
      'charging since another start time: a stray start, ignored',
      { status: OrderStatus.Charging, startedAt: '2026-11-30T08:00:04.000Z' },
      'ignore',
    ],
    ['finished after charging, same start time: ignored (as before)', { status: OrderStatus.Finished, charged: true, startedAt }, 'ignore'],
    ['finished uncharged (start timed out): the pile is stopped', { status: OrderStatus.Finished, charged: false }, 'stop-pile'],
    ['finished, charged unknown (an old order): the pile is stopped, as before', { status: OrderStatus.Finished }, 'stop-pile'],
    ['still starting (never the case after a failed transition): ignored', { status: OrderStatus.Starting }, 'ignore'],
  ] as const)('%s', (_what, order, expected) => {
    expect(repeatedStartConfirmation(order, at)).toBe(expected);
  });

  it('the same start is the same instant, however the pile spelled it', () => {
    expect(repeatedStartConfirmation({ status: OrderStatus.Charging, startedAt }, new Date('2026-11-30T16:00:05+08:00'))).toBe('again');
  });
});

describe('a start that never began: its failed start result is owed (told again on a redelivery)', () => {
  it.each([
    ['refused or timed out: finished unbilled with StopReason 5', { status: OrderStatus.Finished, charged: false, stopReason: 5 }, true],
    [
      'finished after charging',
      { status: OrderStatus.Finished, charged: true, stopReason: 5, startedAt: '2026-11-30T08:00:05.000Z' },
      false,
    ],
    [
      'finished uncharged for another reason (the pile stopped it before its start)',
      { status: OrderStatus.Finished, charged: false, stopReason: 0 },
      false,
    ],
    [
      'started once (a start time), whatever came after',
      { status: OrderStatus.Finished, charged: false, stopReason: 5, startedAt: '2026-11-30T08:00:05.000Z' },
      false,
    ],
    ['still starting', { status: OrderStatus.Starting }, false],
    ['charging', { status: OrderStatus.Charging, startedAt: '2026-11-30T08:00:05.000Z' }, false],
  ] as const)('%s', (_what, order, expected) => {
    expect(isFailedStart(order)).toBe(expected);
  });
});
