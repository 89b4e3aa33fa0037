/** Partner roles (issue 12 §1): which way a partner roams, validated in the seed and the registry record. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartnerSchema, roamingOf } from '../../../shared/domain/partners.ts';
import { readSeed, type SeedError } from '../../../shared/seed.ts';

const set = { operatorSecret: 'op', dataSecret: 'dddddddddddddddd', dataSecretIV: 'iiiiiiiiiiiiiiii', sigSecret: 'sig' };
const outbound = { ...set, baseUrl: 'http://127.0.0.1:9/evcs/v1/' };
const seedWith = (partner: Record<string, unknown>): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'seed-roaming-')), 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({ operatorId: 'MA5GS8X01', partners: [{ operatorId: 'MA01H3BQ2', name: 'p', inbound: set, ...partner }] }),
  );
  return file;
};
const problems = (file: string): string[] => {
  try {
    readSeed(file);
    return [];
  } catch (e) {
    return (e as SeedError).problems;
  }
};

describe('partner roaming roles', () => {
  it('default is in only (a record without `roaming` behaves as before)', () => {
    const p = readSeed(seedWith({})).partners[0]!;
    expect(roamingOf(p)).toEqual({ in: true, out: false });
    expect(roamingOf(PartnerSchema.parse({ operatorId: 'MA01H3BQ2', name: 'p' }))).toEqual({ in: true, out: false });
  });

  it('both ways with the outbound set', () => {
    const p = readSeed(seedWith({ roaming: { in: true, out: true }, outbound })).partners[0]!;
    expect(roamingOf(p)).toEqual({ in: true, out: true });
  });

  it('out without an outbound set is refused with its path, in the seed and in the registry', () => {
    expect(problems(seedWith({ roaming: { out: true } }))).toEqual([
      'partners[0].roaming.out: roaming.out needs the outbound set (baseUrl and secrets) we call the partner with',
    ]);
    expect(() => PartnerSchema.parse({ operatorId: 'MA01H3BQ2', name: 'p', roaming: { in: true, out: true } })).toThrow(/roaming\.out/);
  });

  it('neither way, or a non-boolean, is refused', () => {
    expect(problems(seedWith({ roaming: { in: false, out: false } }))[0]).toMatch(/^partners\[0\]\.roaming: .*at least one/);
    expect(problems(seedWith({ roaming: { in: 'yes' } }))[0]).toMatch(/^partners\[0\]\.roaming\.in:/);
  });
});
