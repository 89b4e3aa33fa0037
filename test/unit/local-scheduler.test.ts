/** The local scheduler's expressions (infra/local/scheduler.ts) and the SQS attribute MD5 (infra/local/queue-store.ts). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5OfMessageAttributes } from '../../infra/local/queue-store.ts';
import { type CronSpec, nextCron, nextFire, parseSchedule, ScheduleError } from '../../infra/local/scheduler.ts';

const cron = (expr: string): CronSpec => {
  const s = parseSchedule(expr);
  if (s.kind !== 'cron') throw new Error('not cron');
  return s.spec;
};
const at = (iso: string) => new Date(iso);

describe('rate()', () => {
  it('parses units and fires every interval after the start', () => {
    expect(parseSchedule('rate(5 minutes)')).toEqual({ kind: 'rate', everyMs: 300_000 });
    expect(parseSchedule('rate(1 hour)')).toEqual({ kind: 'rate', everyMs: 3_600_000 });
    expect(parseSchedule('rate(2 days)')).toEqual({ kind: 'rate', everyMs: 172_800_000 });
    const start = at('2024-01-01T00:00:00Z');
    const s = parseSchedule('rate(5 minutes)');
    expect(nextFire(s, start, start)?.toISOString()).toBe('2024-01-01T00:05:00.000Z');
    expect(nextFire(s, at('2024-01-01T00:07:00Z'), start)?.toISOString()).toBe('2024-01-01T00:10:00.000Z');
  });
  it('rejects zero and unknown units', () => {
    expect(() => parseSchedule('rate(0 minutes)')).toThrow(ScheduleError);
    expect(() => parseSchedule('rate(5 weeks)')).toThrow(ScheduleError);
  });
});

describe('cron()', () => {
  it('daily at 01:00 UTC', () => {
    expect(nextCron(cron('cron(0 1 * * ? *)'), at('2024-03-10T00:59:30Z'))?.toISOString()).toBe('2024-03-10T01:00:00.000Z');
    expect(nextCron(cron('cron(0 1 * * ? *)'), at('2024-03-10T01:00:00Z'))?.toISOString()).toBe('2024-03-11T01:00:00.000Z');
  });
  it('steps and lists', () => {
    const s = cron('cron(*/15 8,20 * * ? *)');
    expect(nextCron(s, at('2024-03-10T08:14:00Z'))?.toISOString()).toBe('2024-03-10T08:15:00.000Z');
    expect(nextCron(s, at('2024-03-10T08:45:00Z'))?.toISOString()).toBe('2024-03-10T20:00:00.000Z');
  });
  it('day of week (1–7 = SUN–SAT, names) and month names', () => {
    // 2024-03-10 is a Sunday
    expect(nextCron(cron('cron(30 2 ? * MON-FRI *)'), at('2024-03-10T12:00:00Z'))?.toISOString()).toBe('2024-03-11T02:30:00.000Z');
    expect(nextCron(cron('cron(0 0 ? * 1 *)'), at('2024-03-10T00:00:00Z'))?.toISOString()).toBe('2024-03-17T00:00:00.000Z');
    expect(nextCron(cron('cron(0 0 1 JAN ? *)'), at('2024-03-10T00:00:00Z'))?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
  it('a year field that has passed never fires', () => {
    expect(nextCron(cron('cron(0 0 1 1 ? 2020)'), at('2024-03-10T00:00:00Z'))).toBeUndefined();
  });
  it('rejects what it does not support or AWS forbids', () => {
    expect(() => parseSchedule('cron(0 1 * * *)')).toThrow(/6 fields/);
    expect(() => parseSchedule('cron(0 1 * * * *)')).toThrow(/exactly one/);
    expect(() => parseSchedule('cron(0 1 L * ? *)')).toThrow(ScheduleError);
    expect(() => parseSchedule('cron(0 25 * * ? *)')).toThrow(/out of range/);
    expect(() => parseSchedule('every day')).toThrow(ScheduleError);
  });
});

describe('md5OfMessageAttributes', () => {
  it('is independent of attribute order and covers name, type and value', () => {
    const a = { B: { DataType: 'String', StringValue: 'x' }, A: { DataType: 'Number', StringValue: '1' } };
    const b = { A: { DataType: 'Number', StringValue: '1' }, B: { DataType: 'String', StringValue: 'x' } };
    expect(md5OfMessageAttributes(a)).toBe(md5OfMessageAttributes(b));
    expect(md5OfMessageAttributes(a)).not.toBe(md5OfMessageAttributes({ ...a, B: { DataType: 'String', StringValue: 'y' } }));
    expect(md5OfMessageAttributes(a)).not.toBe(md5OfMessageAttributes({ ...a, A: { DataType: 'String', StringValue: '1' } }));
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });
  it('follows the SQS encoding (length-prefixed name, type, transport byte, value)', () => {
    // computed by hand: 00000001 'a' 00000006 'String' 01 00000001 'b'
    const bytes = Buffer.concat([
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('a'),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from('String'),
      Buffer.from([1]),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('b'),
    ]);
    expect(md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'b' } })).toBe(createHash('md5').update(bytes).digest('hex'));
  });
});
