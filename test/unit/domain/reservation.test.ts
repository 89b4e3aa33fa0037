/** Reservation (extension): the pure rules and the fee of the one billing module. */
import { describe, expect, it } from 'vitest';
import { reservationFeeFen } from '../../../shared/domain/billing.ts';
import {
  checkReserveSeq,
  ReserveFail,
  ReserveStat,
  reservationPolicySchema,
  reserveDecision,
  reserveStatAt,
  statusForStart,
} from '../../../shared/domain/reservation.ts';

const policy = { MaxMinutes: 30, Fee: 1, FeePerMinute: 0.05 };

describe('reserveDecision', () => {
  it.each([
    [{ known: false, minutes: 10 }, ReserveFail.NoConnector],
    [{ known: true, status: 1, minutes: 10 }, ReserveFail.NotReservable],
    [{ known: true, status: 1, policy, minutes: 31 }, ReserveFail.TooLong],
    [{ known: true, status: 1, policy, minutes: 30 }, ReserveFail.None],
    [{ known: true, status: 2, policy, minutes: 10 }, ReserveFail.Busy],
    [{ known: true, status: 3, policy, minutes: 10 }, ReserveFail.Busy],
    [{ known: true, status: 4, policy, minutes: 10 }, ReserveFail.AlreadyReserved],
    [{ known: true, status: 0, policy, minutes: 10 }, ReserveFail.Unavailable],
    [{ known: true, status: 255, policy, minutes: 10 }, ReserveFail.Unavailable],
  ])('%j → %i', (facts, expected) => {
    expect(reserveDecision(facts)).toBe(expected);
  });
});

describe('expiry and who may start', () => {
  const r = { stat: ReserveStat.Active, expiresAt: '2026-11-30T08:10:00.000Z' };
  it('an active reservation reads expired from its expiry instant on; other states stay as stored', () => {
    expect(reserveStatAt(r, new Date('2026-11-30T08:09:59.999Z'))).toBe(ReserveStat.Active);
    expect(reserveStatAt(r, new Date('2026-11-30T08:10:00.000Z'))).toBe(ReserveStat.Expired);
    expect(reserveStatAt({ ...r, stat: ReserveStat.Used }, new Date('2026-12-01T00:00:00Z'))).toBe(ReserveStat.Used);
  });
  it('a reserved connector is startable (as idle) only for its own reservation', () => {
    expect(statusForStart(4, true)).toBe(1);
    expect(statusForStart(4, false)).toBe(4);
    expect(statusForStart(3, true)).toBe(3);
  });
  it('ReserveSeq: 27 letters/digits starting with the caller', () => {
    expect(checkReserveSeq('MA01H3BQ2202611230930450001', 'MA01H3BQ2')).toBeUndefined();
    expect(checkReserveSeq('MA02XJ7K3202611230930450001', 'MA01H3BQ2')).toMatch(/must start with/);
    expect(checkReserveSeq('MA01H3BQ2', 'MA01H3BQ2')).toMatch(/27 characters/);
  });
});

describe('reservationFeeFen (billing)', () => {
  it('fixed fee plus per-minute fee, exact in price units, rounded once half-up to the fen', () => {
    expect(reservationFeeFen(policy, 20)).toBe(200);
    expect(reservationFeeFen({}, 20)).toBe(0);
    // 0.0125 yuan × 3 min = 3.75 fen → 4
    expect(reservationFeeFen({ FeePerMinute: 0.0125 }, 3)).toBe(4);
    // 0.0123 × 5 = 6.15 fen → 6
    expect(reservationFeeFen({ Fee: 0.1, FeePerMinute: 0.0123 }, 5)).toBe(16);
  });
});

describe('ReservationPolicySchema (seed / import)', () => {
  it('accepts a policy, refuses what is out of range or too precise, names the field', () => {
    expect(reservationPolicySchema().parse(policy)).toEqual(policy);
    const bad = reservationPolicySchema().safeParse({ MaxMinutes: 0, Fee: 1.234, FeePerMinute: 0.00001, Extra: 1 });
    expect(bad.success).toBe(false);
    const msgs = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(msgs).toEqual(
      expect.arrayContaining(['MaxMinutes: must be ≥ 1', 'Fee: at most 2 decimals', 'FeePerMinute: at most 4 decimals']),
    );
  });
});

describe('reservationPolicySchema NoShowFee', () => {
  it('is optional yuan with 2 decimals, 0–1000', () => {
    expect(reservationPolicySchema().parse({ MaxMinutes: 10, NoShowFee: 2.5 })).toEqual({ MaxMinutes: 10, NoShowFee: 2.5 });
    const bad = reservationPolicySchema().safeParse({ MaxMinutes: 10, NoShowFee: 1.234 });
    expect(bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['NoShowFee: at most 2 decimals']);
    expect(reservationPolicySchema().safeParse({ MaxMinutes: 10, NoShowFee: -1 }).success).toBe(false);
    expect(reservationPolicySchema().safeParse({ MaxMinutes: 10, NoShowFee: 1001 }).success).toBe(false);
  });
});
