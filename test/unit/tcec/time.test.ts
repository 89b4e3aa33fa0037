import { describe, expect, it } from 'vitest';
import {
  chinaTimeStamp,
  formatDate,
  formatDateTime,
  formatHHmmss,
  parseDate,
  parseDateTime,
  parseTimeStamp,
} from '../../../shared/tcec/time.ts';

describe('China local time (UTC+8) across midnight UTC', () => {
  // 2024-03-15 16:30:05 UTC = 2024-03-16 00:30:05 in China (next calendar day).
  const afterChinaMidnight = new Date(Date.UTC(2024, 2, 15, 16, 30, 5));
  // 2024-03-15 23:59:59 UTC = 2024-03-16 07:59:59 in China.
  const beforeUtcMidnight = new Date(Date.UTC(2024, 2, 15, 23, 59, 59));
  // 2024-12-31 16:00:00 UTC = 2025-01-01 00:00:00 in China (year rolls over).
  const newYear = new Date(Date.UTC(2024, 11, 31, 16, 0, 0));

  it('chinaTimeStamp is yyyyMMddHHmmss in UTC+8', () => {
    expect(chinaTimeStamp(afterChinaMidnight)).toBe('20240316003005');
    expect(chinaTimeStamp(beforeUtcMidnight)).toBe('20240316075959');
    expect(chinaTimeStamp(newYear)).toBe('20250101000000');
  });

  it('formatDateTime / formatDate / formatHHmmss use China time, never the UTC date', () => {
    expect(formatDateTime(afterChinaMidnight)).toBe('2024-03-16 00:30:05');
    expect(formatDate(afterChinaMidnight)).toBe('2024-03-16');
    expect(formatHHmmss(afterChinaMidnight)).toBe('003005');
    expect(formatDateTime(newYear)).toBe('2025-01-01 00:00:00');
    expect(formatDate(newYear)).toBe('2025-01-01');
  });

  it('does not depend on the process time zone (no toISOString / local getters)', () => {
    expect(chinaTimeStamp(new Date(0))).toBe('19700101080000');
  });

  it('parse functions give back the same instant', () => {
    expect(parseTimeStamp('20240316003005')?.getTime()).toBe(afterChinaMidnight.getTime());
    expect(parseDateTime('2024-03-16 00:30:05')?.getTime()).toBe(afterChinaMidnight.getTime());
    expect(parseDate('2024-03-16')?.getTime()).toBe(Date.UTC(2024, 2, 15, 16, 0, 0));
    expect(parseTimeStamp('20250101000000')?.getTime()).toBe(newYear.getTime());
  });

  it('round-trips many instants', () => {
    for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2025, 0, 1); t += 7_777_777_000) {
      const d = new Date(Math.floor(t / 1000) * 1000);
      expect(parseTimeStamp(chinaTimeStamp(d))?.getTime()).toBe(d.getTime());
      expect(parseDateTime(formatDateTime(d))?.getTime()).toBe(d.getTime());
    }
  });
});

describe('strict parsing', () => {
  it.each([
    '2024031609304', // 13 digits
    '202403160930450', // 15 digits
    '202403150930', // 12-digit yyyyMMddHHmm seen in the wild
    '1710466245000', // epoch ms
    '2024031509304a',
    ' 20240315093045',
    '20240230093045', // Feb 30
    '20230229093045', // not a leap year
    '20241301093045', // month 13
    '20240015093045', // month 0
    '20240315243045', // hour 24
    '20240315096045', // minute 60
    '20240315093060', // second 60
  ])('parseTimeStamp rejects %j', (s) => {
    expect(parseTimeStamp(s)).toBeUndefined();
  });

  it('parseTimeStamp accepts a leap day', () => {
    expect(parseTimeStamp('20240229120000')).toBeInstanceOf(Date);
  });

  it.each([
    '2024-03-15T09:30:45',
    '2024-03-15 09:30:45Z',
    '2024-03-15 9:30:45',
    '2024-03-15  09:30:45',
    '2024-02-30 00:00:00',
    '2024-03-15',
  ])('parseDateTime rejects %j', (s) => {
    expect(parseDateTime(s)).toBeUndefined();
  });

  it.each(['2024-3-15', '2024-03-15 00:00:00', '20240315', '2023-02-29'])('parseDate rejects %j', (s) => {
    expect(parseDate(s)).toBeUndefined();
  });
});
