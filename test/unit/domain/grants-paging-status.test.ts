/** Pure baseinfo rules: partner grants, paging (§3.1), connector status versioning (§3.2/§3.3), stats units (§3.4). */
import { describe, expect, it } from 'vitest';
import {
  CONNECTOR_STATUSES,
  PARK_LOCK_STATUSES,
  PENDING_GRACE_MS,
  shouldReannounce,
  statusDiffers,
  statusVersion,
  toLiveStatus,
} from '../../../shared/domain/connector-status.ts';
import { isStationGranted, pushable } from '../../../shared/domain/grants.ts';
import { paginate } from '../../../shared/domain/paging.ts';
import { whToStatsKwh } from '../../../shared/domain/station-stats.ts';

describe('grants', () => {
  it("'*' grants every station; a list grants exactly its stations", () => {
    expect(isStationGranted({ stations: '*' }, 'ANY')).toBe(true);
    expect(isStationGranted({ stations: ['S1', 'S2'] }, 'S2')).toBe(true);
    expect(isStationGranted({ stations: ['S1', 'S2'] }, 'S3')).toBe(false);
    expect(isStationGranted({ stations: [] }, 'S1')).toBe(false);
    // no prefix or case matching: IDs are exact
    expect(isStationGranted({ stations: ['S1'] }, 'S10')).toBe(false);
    expect(isStationGranted({ stations: ['s1'] }, 'S1')).toBe(false);
  });

  it('pushable: active and with an outbound endpoint', () => {
    const outbound = { baseUrl: 'https://p.example/evcs/v1/' };
    expect(pushable({ status: 'active', outbound })).toBe(true);
    expect(pushable({ status: 'suspended', outbound })).toBe(false);
    expect(pushable({ status: 'active' })).toBe(false);
  });
});

describe('paginate (§3.1 PageNo/PageCount/ItemSize)', () => {
  const all = Array.from({ length: 23 }, (_, i) => i);
  it('pages of PageSize, the last one partial', () => {
    expect(paginate(all, 1, 10)).toEqual({ PageNo: 1, PageCount: 3, ItemSize: 23, items: all.slice(0, 10) });
    expect(paginate(all, 3, 10).items).toEqual([20, 21, 22]);
  });
  it('a page past the end is empty but still says how many pages there are', () => {
    expect(paginate(all, 4, 10)).toEqual({ PageNo: 4, PageCount: 3, ItemSize: 23, items: [] });
  });
  it('nothing to list: zero pages, zero items', () => {
    expect(paginate([], 1, 10)).toEqual({ PageNo: 1, PageCount: 0, ItemSize: 0, items: [] });
  });
  it('an exact multiple has no empty trailing page', () => {
    expect(paginate(all.slice(0, 20), 2, 10).PageCount).toBe(2);
  });
});

describe('connector status versioning', () => {
  const t = '2026-11-24T07:00:00.000Z';
  it('a later observation has a higher version; the pile seq orders reports within one millisecond', () => {
    expect(statusVersion('2026-11-24T07:00:00.001Z', 0)).toBeGreaterThan(statusVersion(t, 999));
    expect(statusVersion(t, 2)).toBeGreaterThan(statusVersion(t, 1));
    expect(statusVersion(t, 1001)).toBe(statusVersion(t, 1)); // seq mod 1000
    expect(statusVersion(new Date(t), 5)).toBe(statusVersion(t, 5));
  });

  it('stays an exact integer (below 2^53) for present-day times', () => {
    const v = statusVersion('2200-01-01T00:00:00.000Z', 999);
    expect(Number.isSafeInteger(v)).toBe(true);
  });

  it('a change is what a partner would see: status, park or lock status', () => {
    const a = { status: 1, parkStatus: 10, lockStatus: 10 } as const;
    expect(statusDiffers(undefined, a)).toBe(true);
    expect(statusDiffers(a, { ...a })).toBe(false);
    expect(statusDiffers(a, { ...a, status: 2 })).toBe(true);
    expect(statusDiffers(a, { ...a, parkStatus: 50 })).toBe(true);
    expect(statusDiffers(a, { ...a, lockStatus: 50 })).toBe(true);
  });

  it('a stored value that is not a protocol code reads as 0 (offline / unknown)', () => {
    expect(toLiveStatus({ status: 3, parkStatus: 50, lockStatus: 10 })).toEqual({ status: 3, parkStatus: 50, lockStatus: 10 });
    expect(toLiveStatus({})).toEqual({ status: 0, parkStatus: 0, lockStatus: 0 });
    expect(toLiveStatus({ status: 7, parkStatus: '50', lockStatus: null })).toEqual({ status: 0, parkStatus: 0, lockStatus: 0 });
    for (const s of CONNECTOR_STATUSES) expect(toLiveStatus({ status: s }).status).toBe(s);
    for (const p of PARK_LOCK_STATUSES) expect(toLiveStatus({ parkStatus: p }).parkStatus).toBe(p);
  });

  describe('shouldReannounce: a retry announces a pending change only after the grace period', () => {
    const now = 1_000_000_000;
    const stored = {
      status: 1,
      parkStatus: 0,
      lockStatus: 0,
      version: 42,
      pendingAnnounce: 42,
      pendingSince: now - PENDING_GRACE_MS - 1,
    } as const;
    it.each([
      ['the same version, pending, grace over', stored, 42, true],
      [
        'within the grace period (the first delivery may still publish)',
        { ...stored, pendingSince: now - PENDING_GRACE_MS + 1 },
        42,
        false,
      ],
      ['exactly at the grace boundary', { ...stored, pendingSince: now - PENDING_GRACE_MS }, 42, false],
      ['nothing pending', { ...stored, pendingAnnounce: undefined }, 42, false],
      ['another version pending', { ...stored, pendingAnnounce: 43, version: 43 }, 42, false],
      ['an older report than the stored one', stored, 41, false],
      ['nothing stored', undefined, 42, false],
    ] as const)('%s → %s', (_what, s, version, expected) => {
      expect(shouldReannounce(s, version, now)).toBe(expected);
    });
  });
});

describe('stats units (§3.4)', () => {
  it('Wh → kWh with one decimal, rounded', () => {
    expect(whToStatsKwh(0)).toBe(0);
    expect(whToStatsKwh(41_480)).toBe(41.5);
    expect(whToStatsKwh(41_449)).toBe(41.4);
    expect(whToStatsKwh(50)).toBe(0.1);
  });
});
