/** A supervision partner in the seed (issue 13): `kind`, `profile`, `areaCodes`, every problem with its path. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSeed, type SeedError } from '../../../shared/seed.ts';

const set = { operatorSecret: 'op', dataSecret: 'dddddddddddddddd', dataSecretIV: 'iiiiiiiiiiiiiiii', sigSecret: 'sig' };
const outbound = { ...set, baseUrl: 'http://127.0.0.1:9/' };
const seedWith = (partner: Record<string, unknown>, profiles: Record<string, unknown> = {}): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'seed-supervision-')), 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      operatorId: 'MA5GS8X01',
      profiles,
      partners: [{ operatorId: 'GOVBJ0001', name: 'gov', inbound: set, outbound, ...partner }],
    }),
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

describe('a supervision partner in the seed', () => {
  it('is read with its kind, profile and region', () => {
    const p = readSeed(seedWith({ kind: 'supervision', profile: 'beijing', areaCodes: ['11', '31'] })).partners[0];
    expect(p).toMatchObject({ kind: 'supervision', profile: 'beijing', areaCodes: ['11', '31'] });
  });

  it('every problem names its path', () => {
    expect(problems(seedWith({ kind: 'supervision' }))).toEqual([
      expect.stringMatching(/^partners\[0\]\.profile: a supervision partner names its profile/),
    ]);
    expect(problems(seedWith({ kind: 'supervision', profile: 'didi' }))).toEqual([
      expect.stringMatching(/^partners\[0\]\.profile: 'didi' is not a supervision profile/),
    ]);
    expect(problems(seedWith({ kind: 'supervision', profile: 'beijing', areaCodes: ['x'] }))[0]).toMatch(
      /^partners\[0\]\.areaCodes\[0\]: an AreaCode prefix/,
    );
    expect(problems(seedWith({ kind: 'supervision', profile: 'provincial' }))).toEqual([
      expect.stringMatching(/^partners\[0\]\.areaCodes: a supervision partner needs areaCodes/),
    ]);
    // a custom supervision profile naming an unknown interface: the profile's own path
    expect(
      problems(
        seedWith(
          { kind: 'supervision', profile: 'gov-x', areaCodes: ['44'] },
          { 'gov-x': { extends: 'beijing', supervision: { interfaces: ['notification_nope'], resendSeconds: [60] } } },
        ),
      ).join('\n'),
    ).toContain("profiles.gov-x.supervision.interfaces.0: unknown interface 'notification_nope'");
  });
});
