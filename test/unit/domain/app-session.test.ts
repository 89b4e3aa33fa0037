/** The app API's pure rules: a roaming session's state from what the partner said, and the search distance. */
import { describe, expect, it } from 'vitest';
import { distanceKm, ownSessionState, roamingSessionState } from '../../../shared/domain/app-session.ts';

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
