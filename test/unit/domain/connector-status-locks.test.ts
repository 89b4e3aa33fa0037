/**
 * Ground locks in the connector status (issue 15): lock reports (the lock's revision) and pile
 * reports (the pile's version) are two sources of one connector's live status; each is versioned on
 * its own, the lock owns LockStatus once it reported, and every change gets an event version above
 * the connector's last one (the pushes' per-connector ordering).
 */
import { describe, expect, it } from 'vitest';
import { planStatusReports, type StoredStatus } from '../../../shared/domain/connector-status.ts';

const now = 1_800_000_000_000;
const pile = (version: number, status: 0 | 1 | 2 | 3 | 4 | 255, lockStatus: 0 | 10 | 50 = 0) => ({
  status,
  parkStatus: 0 as const,
  lockStatus,
  version,
});
const lock = (lockVersion: number, lockStatus: 0 | 10 | 50) => ({ lockStatus, lockVersion });
const stored = (s: Partial<StoredStatus>): StoredStatus => ({ status: 1, parkStatus: 0, lockStatus: 0, version: 5000, ...s });

describe('connector status with a ground lock', () => {
  it('a lock drop is a change of LockStatus only, announced one above the last version; the status stays', () => {
    const plan = planStatusReports(stored({}), [lock(1, 10)], now);
    expect(plan.outcomes).toEqual(['changed']);
    expect(plan.changes).toEqual([{ status: 1, parkStatus: 0, lockStatus: 10, version: 5001, lockVersion: 1, previousStatus: 1 }]);
    expect(plan.write).toMatchObject({ status: 1, version: 5000, lockStatus: 10, pile: false, lock: { lockVersion: 1, lockEvent: 5001 } });
  });

  it('raise after drop, then a fault: 10 → 50 → 0, event versions strictly increasing', () => {
    const plan = planStatusReports(stored({ lockVersion: 1, lockStatus: 10, lockEvent: 5001 }), [lock(3, 0), lock(2, 50)], now);
    expect(plan.outcomes).toEqual(['changed', 'changed']);
    expect(plan.changes.map((c) => [c.lockStatus, c.version])).toEqual([
      [50, 5002],
      [0, 5003],
    ]);
    expect(plan.write?.lock).toEqual({ lockVersion: 3, lockEvent: 5003 });
  });

  it('a stale or duplicate lock report changes nothing; the same state again is unchanged', () => {
    const s = stored({ lockVersion: 4, lockStatus: 50, lockEvent: 5009 });
    const stale = planStatusReports(s, [lock(4, 50), lock(3, 10)], now);
    expect(stale).toMatchObject({ changes: [], outcomes: ['stale', 'stale'] });
    expect(stale.write).toBeUndefined();
    const same = planStatusReports(s, [lock(5, 50)], now);
    expect(same.outcomes).toEqual(['unchanged']);
    expect(same.write?.lock).toEqual({ lockVersion: 5, lockEvent: 5009 });
  });

  it("once the lock reported, a pile report keeps the lock's LockStatus; before, the pile's is taken", () => {
    const owned = planStatusReports(stored({ lockVersion: 1, lockStatus: 10, lockEvent: 5001 }), [pile(6000, 3, 50)], now);
    expect(owned.changes).toEqual([{ status: 3, parkStatus: 0, lockStatus: 10, version: 6000, previousStatus: 1 }]);
    const free = planStatusReports(stored({}), [pile(6000, 3, 50)], now);
    expect(free.changes[0]?.lockStatus).toBe(50);
  });

  it('a pile report observed before a lock change but delivered after it still applies (its own clock)', () => {
    // the lock's revision is no pile version: the older pile observation is newer than the stored pile status
    const s = stored({ version: 5000, lockVersion: 1, lockStatus: 10, lockEvent: 5001 });
    const plan = planStatusReports(s, [pile(5000 + 1000, 2)], now);
    expect(plan.outcomes).toEqual(['changed']);
    expect(plan.write).toMatchObject({ status: 2, lockStatus: 10, version: 6000, pile: true });
  });

  it('pile and lock reports in one batch: both applied, one write, lock event above the new pile version', () => {
    const plan = planStatusReports(stored({}), [lock(1, 10), pile(7000, 2)], now);
    expect(plan.outcomes).toEqual(['changed', 'changed']);
    expect(plan.changes.map((c) => [c.status, c.lockStatus, c.version])).toEqual([
      [2, 0, 7000],
      [2, 10, 7001],
    ]);
    expect(plan.write).toMatchObject({ status: 2, lockStatus: 10, version: 7000, pile: true, lock: { lockVersion: 1, lockEvent: 7001 } });
  });

  it('a lock report for a connector no pile has reported: status 0, no previousStatus; the first pile report is a change without one', () => {
    const plan = planStatusReports(undefined, [lock(1, 50)], now);
    expect(plan.changes).toEqual([{ status: 0, parkStatus: 0, lockStatus: 50, version: 1, lockVersion: 1 }]);
    expect(plan.write).toMatchObject({ version: 0, pile: false });
    const next = planStatusReports(stored({ status: 0, version: 0, lockVersion: 1, lockStatus: 50, lockEvent: 1 }), [pile(9000, 1)], now);
    expect(next.changes).toEqual([{ status: 1, parkStatus: 0, lockStatus: 50, version: 9000 }]);
  });

  it('a stale retry of a lock change still pending after the grace period re-announces it, once', () => {
    const s = stored({ lockVersion: 2, lockStatus: 10, lockEvent: 5001, lockPending: 2, lockPendingSince: now - 60_000 });
    const plan = planStatusReports(s, [lock(2, 10), lock(2, 10)], now);
    expect(plan.outcomes).toEqual(['re-announced', 'stale']);
    expect(plan.reannounceLock).toEqual({ status: 1, parkStatus: 0, lockStatus: 10, version: 5001, lockVersion: 2, previousStatus: 1 });
    // within the grace period it belongs to the delivery that stored it
    const young = planStatusReports({ ...s, lockPendingSince: now }, [lock(2, 10)], now);
    expect(young.reannounceLock).toBeUndefined();
  });

  it("a lock's initial state (revision 0) takes LockStatus over once; repeated, it is stale", () => {
    const first = planStatusReports(stored({ lockStatus: 10 }), [lock(0, 50)], now);
    expect(first.outcomes).toEqual(['changed']);
    expect(first.write?.lock).toEqual({ lockVersion: 0, lockEvent: 5001 });
    const again = planStatusReports(stored({ lockStatus: 50, lockVersion: 0, lockEvent: 5001 }), [lock(0, 50)], now);
    expect(again.outcomes).toEqual(['stale']);
  });
});
