import { describe, expect, it } from 'vitest';
import { scheduledTime } from '../../../shared/domain/scheduled-time.ts';

describe('scheduledTime: the clock of a scheduled run', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  it('is the schedule’s own time when the event carries one', () => {
    expect(scheduledTime({ time: '2026-11-29T16:05:00Z' }, () => now).toISOString()).toBe('2026-11-29T16:05:00.000Z');
  });
  it.each([
    ['no event', undefined],
    ['an empty event (Scheduler without an input)', {}],
    ['an unparsable time', { time: 'not a time' }],
    ['a time that is not a string', { time: 1_700_000_000 }],
  ])('is now for %s', (_what, event) => {
    expect(scheduledTime(event, () => now)).toEqual(now);
  });
});
