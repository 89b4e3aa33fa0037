/**
 * Issue 9 §5: one write per new status. A change's mark names the delivery that stored it; that
 * delivery leaves one receipt once it has published, instead of clearing every mark. These are the
 * pure rules: which receipts a batch must read (none in the common case), and what a receipt does
 * to the stored marks before the reports are planned.
 */
import { describe, expect, it } from 'vitest';
import {
  PENDING_GRACE_MS,
  planStatusReports,
  receiptsToCheck,
  type StoredStatus,
  withoutPublishedMarks,
} from '../../../shared/domain/connector-status.ts';

const now = 1_000_000_000;
const aged = now - PENDING_GRACE_MS - 1;
const stored: StoredStatus = {
  status: 1,
  parkStatus: 10,
  lockStatus: 10,
  version: 42,
  pendingAnnounce: 42,
  announcePrevious: 0,
  pendingSince: aged,
  pendingBy: 'D1',
};
const pile = (version: number) => ({ status: 1 as const, parkStatus: 10 as const, lockStatus: 10 as const, version });

describe('receiptsToCheck: only a stale report of a pending change past its grace asks', () => {
  it.each([
    ['a redelivery of the marked version, grace over', stored, [pile(42)], ['D1']],
    ['within the grace (the marking delivery may still publish)', { ...stored, pendingSince: now - 1 }, [pile(42)], []],
    ['a newer report (it is written, not re-announced)', stored, [pile(43)], []],
    ['an older report than the marked one', stored, [pile(41)], []],
    ['a mark without a delivery (written before receipts): no receipt to ask for', { ...stored, pendingBy: undefined }, [pile(42)], []],
    ['nothing pending', { ...stored, pendingAnnounce: undefined, pendingBy: undefined }, [pile(42)], []],
    ['nothing stored', undefined, [pile(42)], []],
  ] as const)('%s', (_what, s, reports, expected) => {
    expect(receiptsToCheck(s, reports, now)).toEqual(expected);
  });

  it("a lock's pending change asks for its own delivery's receipt", () => {
    const s: StoredStatus = { ...stored, lockVersion: 7, lockEvent: 43, lockPending: 7, lockPendingSince: aged, lockPendingBy: 'D2' };
    expect(receiptsToCheck(s, [{ lockStatus: 10, lockVersion: 7 }], now)).toEqual(['D2']);
    expect(receiptsToCheck(s, [pile(42), { lockStatus: 10, lockVersion: 7 }], now)).toEqual(['D1', 'D2']);
    expect(receiptsToCheck(s, [{ lockStatus: 10, lockVersion: 8 }], now)).toEqual([]);
  });
});

describe('withoutPublishedMarks: a receipt clears the marks of its delivery, and only those', () => {
  it('published: the redelivery is stale and announces nothing', () => {
    const s = withoutPublishedMarks(stored, new Set(['D1']));
    expect(s).toEqual({ status: 1, parkStatus: 10, lockStatus: 10, version: 42 });
    const plan = planStatusReports(s, [pile(42)], now);
    expect(plan.reannounce).toBeUndefined();
    expect(plan.outcomes).toEqual(['stale']);
  });

  it('never published (no receipt): the redelivery re-announces the change, once', () => {
    const s = withoutPublishedMarks(stored, new Set(['D9']));
    expect(s).toBe(stored);
    const plan = planStatusReports(s, [pile(42), pile(42)], now);
    expect(plan.reannounce).toMatchObject({ version: 42, status: 1, previousStatus: 0 });
    expect(plan.outcomes).toEqual(['re-announced', 'stale']);
  });

  it('the pile mark and the lock mark are judged by their own deliveries', () => {
    const s: StoredStatus = { ...stored, lockVersion: 7, lockEvent: 43, lockPending: 7, lockPendingSince: aged, lockPendingBy: 'D2' };
    expect(withoutPublishedMarks(s, new Set(['D2']))).toEqual({ ...stored, lockVersion: 7, lockEvent: 43 });
    expect(withoutPublishedMarks(s, new Set(['D1']))).toEqual({
      status: 1,
      parkStatus: 10,
      lockStatus: 10,
      version: 42,
      lockVersion: 7,
      lockEvent: 43,
      lockPending: 7,
      lockPendingSince: aged,
      lockPendingBy: 'D2',
    });
  });
});
