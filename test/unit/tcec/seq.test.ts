import { describe, expect, it } from 'vitest';
import { createSeqGenerator, newBusinessSeq } from '../../../shared/tcec/seq.ts';

describe('createSeqGenerator (reference §1.4 Seq)', () => {
  it('increments within the same second and restarts at 0001 in the next', () => {
    let t = Date.UTC(2024, 2, 15, 1, 30, 45, 100);
    const gen = createSeqGenerator(() => new Date(t));
    expect(gen()).toEqual({ timeStamp: '20240315093045', seq: '0001' });
    t += 500;
    expect(gen()).toEqual({ timeStamp: '20240315093045', seq: '0002' });
    expect(gen()).toEqual({ timeStamp: '20240315093045', seq: '0003' });
    t += 500; // 09:30:46.100
    expect(gen()).toEqual({ timeStamp: '20240315093046', seq: '0001' });
    expect(gen()).toEqual({ timeStamp: '20240315093046', seq: '0002' });
  });

  it('wraps from 9999 back to 0001 and never emits 0000', () => {
    const gen = createSeqGenerator(() => new Date(Date.UTC(2024, 2, 15, 1, 30, 45)));
    const seen: string[] = [];
    for (let i = 0; i < 10_001; i++) seen.push(gen().seq);
    expect(seen[0]).toBe('0001');
    expect(seen[9998]).toBe('9999');
    expect(seen[9999]).toBe('0001');
    expect(seen[10_000]).toBe('0002');
    expect(seen).not.toContain('0000');
    expect(seen.every((s) => /^\d{4}$/.test(s))).toBe(true);
  });

  it('independent generators keep independent counters', () => {
    const now = () => new Date(Date.UTC(2024, 2, 15, 1, 30, 45));
    const a = createSeqGenerator(now);
    const b = createSeqGenerator(now);
    a();
    a();
    expect(b().seq).toBe('0001');
  });
});

describe('newBusinessSeq (27 chars = OperatorID + 18)', () => {
  const at = new Date(Date.UTC(2024, 2, 15, 1, 30, 45));

  it('is the 9-char OperatorID followed by 18 digits starting with the China time', () => {
    const s = newBusinessSeq('MA59J8YL8', at);
    expect(s).toHaveLength(27);
    expect(s.startsWith('MA59J8YL8')).toBe(true);
    expect(s.slice(9)).toMatch(/^\d{18}$/);
    expect(s.slice(9, 21)).toBe('240315093045');
  });

  it('does not repeat within one process, even in the same second', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newBusinessSeq('MA59J8YL8', at));
    expect(seen.size).toBe(20_000);
  });

  it.each(['MA59J8YL', 'MA59J8YL80', 'MA59J8Y-8', ''])('rejects OperatorID %j', (id) => {
    expect(() => newBusinessSeq(id, at)).toThrow(/OperatorID/);
  });
});
