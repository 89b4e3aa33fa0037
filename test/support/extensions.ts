/**
 * Test support for the extension services (issue 15): the station fixture seed with partner 1
 * (MA01H3BQ2) under a profile `ext-all` that enables the given extension interfaces through the
 * profile's `extensions` list — the switch a real msp partner gets. Partner 2 keeps its dialect's
 * profile: it has none of them (unless an `edit` gives it another).
 *
 * The parking and ground-lock tests (and the cost bench's `parking` job) also need the simulated
 * car park (infra/local/simulator/car-park.ts) named by their stations: `carParkSeed`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CarPark, startCarPark } from '../../infra/local/simulator/car-park.ts';
import { STATIONS_SEED } from '../fixtures/stations.ts';

interface Seed {
  partners: Record<string, unknown>[];
  stations: Record<string, unknown>[];
}

/** A seed file: the station fixture, partner 1 on profile `ext-all` (cec2016 plus `extensions`); `file`: where (default: a fresh temp dir). */
export const extensionSeed = (extensions: readonly string[], edit: (seed: Seed) => void = () => {}, file?: string): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as Seed;
  seed.partners[0] = { ...seed.partners[0], profile: 'ext-all' };
  edit(seed);
  const out = file ?? join(mkdtempSync(join(tmpdir(), 'ext-')), 'seed.json');
  writeFileSync(out, JSON.stringify({ ...seed, profiles: { 'ext-all': { extends: 'cec2016', extensions } } }));
  return out;
};

/** What a station of the car park seed gets besides its CarParkGatewayUrl. */
interface CarParkSite {
  ParkingSpaces?: { LockNum: string; WorkplaceName: string; ConnectorID: string }[];
  ParkingPolicy?: Record<string, number>;
}

/**
 * The car park and the seed that names it: `start()` starts the simulated car park (a free port)
 * and writes `seedFile` — extensionSeed's, with each station of `sites` pointing its
 * CarParkGatewayUrl at the car park, with its ParkingSpaces / ParkingPolicy — and partner 2 on the
 * built-in `didi` profile (xiaoju dialect, DiDi's extensions on), or left out (`partner2: false`).
 * `seedFile` is known at once (a test hands it to its platform before the hooks run); call
 * `start()` in a hook that runs first, `stop()` after.
 */
export const carParkSeed = (extensions: readonly string[], sites: Record<string, CarParkSite>, opts: { partner2?: boolean } = {}) => {
  const seedFile = join(mkdtempSync(join(tmpdir(), 'car-park-')), 'seed.json');
  const site = {
    seedFile,
    park: undefined as CarPark | undefined,
    start: async (): Promise<CarPark> => {
      const park = await startCarPark(0);
      site.park = park;
      extensionSeed(
        extensions,
        (seed) => {
          if (opts.partner2 === false) seed.partners.splice(1);
          else seed.partners[1] = { ...seed.partners[1], profile: 'didi' };
          for (const [id, s] of Object.entries(sites)) {
            const station = seed.stations.find((x) => x.StationID === id);
            if (!station) throw new Error(`carParkSeed: no station ${id} in the fixture`);
            Object.assign(station, { CarParkGatewayUrl: park.siteUrl(id) }, s);
          }
        },
        seedFile,
      );
      return park;
    },
    stop: async (): Promise<void> => {
      await site.park?.stop();
      rmSync(dirname(seedFile), { recursive: true, force: true });
    },
  };
  return site;
};
