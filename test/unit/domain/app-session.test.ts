/** The app API's pure rules: a roaming session's state from what the partner said, and the search distance. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abandonDue,
  cellsAround,
  distanceKm,
  gridCell,
  lastSignOfLife,
  needsSweep,
  ownSessionState,
  roamingSessionState,
  statusPollDue,
} from '../../../shared/domain/app-session.ts';

describe('roamingSessionState', () => {
  it('follows the partner’s StartChargeSeqStat once the start is accepted', () => {
    expect(roamingSessionState({ stat: 1, start: { outcome: 'accepted' } })).toBe('starting');
    expect(roamingSessionState({ stat: 2, start: { outcome: 'accepted' } })).toBe('charging');
    expect(roamingSessionState({ stat: 3 })).toBe('stopping');
  });
  it('a refused or never-received start is failed; a lost answer is unknown until something moves it', () => {
    expect(roamingSessionState({ stat: 4, start: { outcome: 'refused', FailReason: 3 } })).toBe('failed');
    expect(roamingSessionState({ stat: 4, start: { outcome: 'not-received' } })).toBe('failed');
    expect(roamingSessionState({ stat: 1, start: { outcome: 'unresolved', reason: 'timeout' } })).toBe('unknown');
    // a push moved it meanwhile: the push wins over the unresolved answer
    expect(roamingSessionState({ stat: 2, start: { outcome: 'unresolved', reason: 'timeout' } })).toBe('charging');
  });
  it('the final order ends it, whatever was heard before', () => {
    const final = {
      theirs: {},
      digest: 'd',
      theirFigures: { powerCentiKwh: 0, elecFen: 0, serviceFen: 0, totalFen: 0 },
      confirmResult: 0 as const,
      receivedAt: '',
    };
    expect(roamingSessionState({ stat: 1, start: { outcome: 'unresolved', reason: 'x' }, final })).toBe('finished');
  });
});

describe('ownSessionState', () => {
  it('an order that finished without charging is failed', () => {
    expect(ownSessionState(4, false)).toBe('failed');
    expect(ownSessionState(4, true)).toBe('finished');
    expect(ownSessionState(2, undefined)).toBe('charging');
  });
});

describe('distanceKm', () => {
  it('0 at the same point; Shanghai → Beijing ≈ 1067 km', () => {
    const sh = { lat: 31.2304, lng: 121.4737 };
    expect(distanceKm(sh, sh)).toBe(0);
    expect(distanceKm(sh, { lat: 39.9042, lng: 116.4074 })).toBeGreaterThan(1060);
    expect(distanceKm(sh, { lat: 39.9042, lng: 116.4074 })).toBeLessThan(1075);
  });
});

describe('needsSweep (the sparse OPEN index of the session sweep)', () => {
  const final = (disputePublished?: boolean) => ({
    theirs: {},
    digest: 'd',
    theirFigures: { powerCentiKwh: 0, totalFen: 0, elecFen: 0, serviceFen: 0 },
    confirmResult: 1 as const,
    receivedAt: '2026-11-23T00:00:00Z',
    ...(disputePublished === undefined ? {} : { disputePublished }),
  });
  it('open or unresolved sessions and sessions awaiting their final order are swept; failed ones are not', () => {
    expect(needsSweep({ stat: 1, start: { outcome: 'unresolved', reason: 'timeout' } })).toBe(true);
    expect(needsSweep({ stat: 2, start: { outcome: 'accepted' } })).toBe(true);
    expect(needsSweep({ stat: 4, start: { outcome: 'accepted' } })).toBe(true); // finished, no bill yet
    expect(needsSweep({ stat: 4, start: { outcome: 'refused', FailReason: 3 } })).toBe(false);
    expect(needsSweep({ stat: 4, start: { outcome: 'not-received' } })).toBe(false);
  });
  it('a final order leaves the sweep unless its dispute is still to be published', () => {
    expect(needsSweep({ stat: 4, final: final() as never })).toBe(false);
    expect(needsSweep({ stat: 4, final: final(true) as never })).toBe(false);
    expect(needsSweep({ stat: 4, final: final(false) as never })).toBe(true);
  });
});

describe('abandonDue (no final order ever: the sweep gives up)', () => {
  const H = 3_600_000;
  const createdAt = '2026-11-23T00:00:00.000Z';
  const live = (endTime: string) => ({
    ConnectorStatus: 3,
    StartTime: '2026-11-23 08:00:00',
    EndTime: endTime,
    TotalPower: 12,
    ElecMoney: 10,
    SeviceMoney: 5,
    TotalMoney: 15,
    Soc: 60,
  });
  const at = (ms: number) => new Date(Date.parse(createdAt) + ms);

  it('measures from the start, or from the partner’s newest figures (China time) when later', () => {
    expect(lastSignOfLife({ stat: 2, createdAt })).toBe(Date.parse(createdAt));
    // 2026-11-23 12:30:00 +08:00 = 04:30 UTC, 4.5 h after the start
    expect(lastSignOfLife({ stat: 3, createdAt, live: live('2026-11-23 12:30:00') })).toBe(Date.parse(createdAt) + 4.5 * H);
    // figures older than the order (a partner clock behind) never move it back
    expect(lastSignOfLife({ stat: 3, createdAt, live: live('2026-11-22 12:30:00') })).toBe(Date.parse(createdAt));
  });

  it('due exactly `hours` after the last sign of life, not a moment before', () => {
    const o = { stat: 4 as const, createdAt, start: { outcome: 'accepted' as const }, live: live('2026-11-23 12:30:00') };
    expect(abandonDue(o, at(4.5 * H + 48 * H - 1), 48)).toBe(false);
    expect(abandonDue(o, at(4.5 * H + 48 * H), 48)).toBe(true);
    expect(abandonDue(o, at(4.5 * H + 24 * H), 24)).toBe(true);
  });

  it('never for a session with its final order, a failed one, or one already abandoned', () => {
    const late = at(1000 * H);
    const final = {
      theirs: {},
      digest: 'd',
      theirFigures: { powerCentiKwh: 0, totalFen: 0, elecFen: 0, serviceFen: 0 },
      confirmResult: 0 as const,
      receivedAt: createdAt,
    };
    expect(abandonDue({ stat: 4, createdAt, final }, late, 48)).toBe(false);
    expect(abandonDue({ stat: 4, createdAt, start: { outcome: 'refused', FailReason: 3 } }, late, 48)).toBe(false);
    const abandoned = { at: createdAt, lastSignOfLife: createdAt, published: false };
    expect(abandonDue({ stat: 2, createdAt, abandoned }, late, 48)).toBe(false);
    expect(abandonDue({ stat: 1, createdAt, start: { outcome: 'unresolved', reason: 'timeout' } }, late, 48)).toBe(true);
  });

  it('an abandoned session stays in the sweep only until its OrderDisputed is published', () => {
    const mark = (published: boolean) => ({ at: createdAt, lastSignOfLife: createdAt, published });
    expect(needsSweep({ stat: 2, start: { outcome: 'accepted' }, abandoned: mark(false) })).toBe(true);
    expect(needsSweep({ stat: 2, start: { outcome: 'accepted' }, abandoned: mark(true) })).toBe(false);
  });
});

describe('the station search grid', () => {
  it('every point within the radius lies in one of the cells around the centre (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: -179.9, max: 179.9, noNaN: true }),
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (lat, lng, radiusKm, f, bearing) => {
          // a point f·radius away in direction `bearing` (small-distance approximation, kept inside the radius)
          const d = f * radiusKm * 0.99;
          const pLat = lat + (d * Math.cos(bearing)) / 111.2;
          const pLng = lng + (d * Math.sin(bearing)) / (111.2 * Math.cos((lat * Math.PI) / 180));
          if (Math.abs(pLng) >= 180 || distanceKm({ lat, lng }, { lat: pLat, lng: pLng }) > radiusKm) return;
          expect(cellsAround({ lat, lng, radiusKm })).toContain(gridCell(pLat, pLng));
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('a 5 km search reads at most 4 cells; the 100 km maximum stays around a hundred', () => {
    expect(cellsAround({ lat: 31.194125, lng: 121.320345, radiusKm: 5 }).length).toBeLessThanOrEqual(4);
    expect(cellsAround({ lat: 31.194125, lng: 121.320345, radiusKm: 100 }).length).toBeLessThanOrEqual(110);
    expect(gridCell(31.194125, 121.320345)).toBe('124:485');
  });
});

describe('statusPollDue', () => {
  it('one sweep in three (every 15 minutes by the clock) also polls the partners’ connector status', () => {
    const runs = Array.from({ length: 12 }, (_, i) => statusPollDue(new Date(Date.UTC(2026, 10, 23, 0, i * 5))));
    expect(runs.filter(Boolean)).toHaveLength(4);
    for (let i = 0; i < 12; i += 3) expect(runs.slice(i, i + 3).filter(Boolean)).toHaveLength(1);
  });
});
