/** The charging rules (shared/domain/charging.ts), without AWS. */
import { describe, expect, it } from 'vitest';
import { AuthFail, authDecision, checkStartChargeSeq, StartFail, startDecision, stopReasonOf } from '../../../shared/domain/charging.ts';

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
