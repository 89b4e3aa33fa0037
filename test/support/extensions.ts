/**
 * Test support for the extension services (issue 15): the station fixture seed with partner 1
 * (MA01H3BQ2) under a profile `ext-all` that enables the given extension interfaces through the
 * profile's `extensions` list — the switch a real msp partner gets. Partner 2 keeps its dialect's
 * profile: it has none of them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATIONS_SEED } from '../fixtures/stations.ts';

/** A seed file: the station fixture, partner 1 on profile `ext-all` (cec2016 plus `extensions`). */
export const extensionSeed = (
  extensions: readonly string[],
  edit: (seed: { stations: Record<string, unknown>[] }) => void = () => {},
): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as {
    partners: Record<string, unknown>[];
    stations: Record<string, unknown>[];
  };
  seed.partners[0] = { ...seed.partners[0], profile: 'ext-all' };
  edit(seed);
  const file = join(mkdtempSync(join(tmpdir(), 'ext-')), 'seed.json');
  writeFileSync(file, JSON.stringify({ ...seed, profiles: { 'ext-all': { extends: 'cec2016', extensions } } }));
  return file;
};
