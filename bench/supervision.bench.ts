/**
 * A supervision platform's region queries (issue 13) with thousands of stations stored: its
 * query_stations_info (pages of 50, a full pull of its region) and query_station_status (50 of its
 * stations), over HTTP exactly as the platform calls (envelope, AES, Sig, token). The region's
 * stations come from the stations table's byArea index (one Query per AreaCode prefix), so a
 * region's answer does not grow with the stations outside it. The Beijing profile requires query
 * answers ≤ 1 s (profile `queryAnswerMs`). Prints figures and the load average; asserts nothing.
 *
 *   npx tsx bench/supervision.bench.ts [--stations 4000]      (or: npm run bench -- supervision)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PRICES } from './prices.ts';
import { fmt, load, pct } from './support.ts';

const FIXTURE_SEED = fileURLToPath(new URL('../test/fixtures/seed-stations.json', import.meta.url));
/** the provinces the generated stations are spread over (equal shares), '11' Beijing first */
const PROVINCES = ['11', '31', '44', '51', '32', '33', '37', '42', '43', '61'];
/** bytes one byArea entry reads (keys + stationId + effChangedAt) */
const ENTRY_BYTES = 70;

type Obj = Record<string, unknown>;

const argOf = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

const supervisor = (operatorId: string, areaCodes: string[], n: number) => ({
  operatorId,
  name: `Supervision bench ${areaCodes.join('+')}`,
  kind: 'supervision',
  profile: 'beijing',
  areaCodes,
  inbound: {
    operatorSecret: `benchOpSecret${n}00`.slice(0, 16),
    dataSecret: `benchDataKey${n}000`.slice(0, 16),
    dataSecretIV: `benchDataIV${n}0000`.slice(0, 16),
    sigSecret: `benchSigKey${n}0000`.slice(0, 16),
  },
});

export const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const total = argOf('stations', 4000);
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { importStationObjects } = await import('../shared/services/station-import.ts');

  const seed = JSON.parse(readFileSync(FIXTURE_SEED, 'utf8')) as { operatorId: string; partners: Obj[]; stations: Obj[] };
  const template = JSON.stringify(seed.stations[0]);
  const templateId = String(seed.stations[0]?.StationID);
  // station n: the fixture's first station renamed SB<nnnnn>, in province n mod 10, city 01–05, district 01–09
  const stations = Array.from({ length: total }, (_, n): Obj => {
    const id = `SB${String(n).padStart(5, '0')}`;
    const s = JSON.parse(template.replaceAll(templateId, id)) as Obj;
    const province = PROVINCES[n % PROVINCES.length] as string;
    const city = (Math.floor(n / PROVINCES.length) % 5) + 1;
    const district = (Math.floor(n / (5 * PROVINCES.length)) % 9) + 1;
    return { ...s, AreaCode: `${province}0${city}0${district}` };
  });
  const regions = [
    { areaCodes: ['11'], what: 'a province (11)' },
    { areaCodes: ['1101'], what: 'a city (1101)' },
    { areaCodes: ['110101'], what: 'a district (110101)' },
    { areaCodes: ['11', '31', '44'], what: 'three provinces' },
  ];
  const sups = regions.map((r, i) => supervisor(`SBJG0000${i}`, r.areaCodes, i));
  const dir = mkdtempSync(join(tmpdir(), 'evcs-supervision-bench-'));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify({ ...seed, partners: [...seed.partners, ...sups] }));

  const platform = await startPlatform({ port: 0, seedFile, logLevel: 'ERROR', simulator: false });
  const lines: string[] = [];
  try {
    const tImport = performance.now();
    for (let i = 0; i < stations.length; i += 500)
      await importStationObjects('bench', stations.slice(i, i + 500), { operatorId: seed.operatorId });
    lines.push(`imported ${total} stations (+4 fixture) in ${fmt((performance.now() - tImport) / 1000)} s`);

    const w = 62;
    lines.push(`${'what'.padEnd(w)}  ${'n'.padStart(4)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'max ms'.padStart(8)}`);
    const row = (what: string, lat: number[]) =>
      lines.push(
        `${what.padEnd(w)}  ${String(lat.length).padStart(4)}  ${fmt(pct(lat, 50)).padStart(8)}  ${fmt(pct(lat, 99)).padStart(8)}  ${fmt(Math.max(...lat)).padStart(8)}`,
      );
    for (const [i, r] of regions.entries()) {
      const p = sups[i] as ReturnType<typeof supervisor>;
      const token = await tokenFor(platform.apiUrl, p);
      const call = async (iface: string, data: unknown) => {
        const res = await callAs(platform.apiUrl, p, iface, data, token);
        if (res.ret !== 0) throw new Error(`${iface}: Ret ${res.ret} ${res.msg}`);
        return res.data;
      };
      const first = (await call('query_stations_info', { PageNo: 1, PageSize: 50 })) as { PageCount: number; ItemSize: number };
      const ids = stations.filter((s) => r.areaCodes.some((a) => String(s.AreaCode).startsWith(a))).map((s) => String(s.StationID));
      const pages = first.PageCount;
      const n = Math.max(20, pages);
      const info = await load(n, 1, async (k) => {
        await call('query_stations_info', { PageNo: (k % pages) + 1, PageSize: 50 });
      });
      row(`${r.what}: ${first.ItemSize} stations — query_stations_info, page of 50`, info.lat);
      const t = performance.now();
      for (let k = 1; k <= pages; k++) await call('query_stations_info', { PageNo: k, PageSize: 50 });
      lines.push(`  full pull of the region: ${pages} pages in ${fmt((performance.now() - t) / 1000, 2)} s`);
      const status = await load(20, 1, async (k) => {
        const start = (k * 50) % Math.max(1, ids.length - 50);
        await call('query_station_status', { StationIDs: ids.slice(start, start + 50) });
      });
      row(`${r.what}: query_station_status, 50 stations`, status.lat);
      // AWS: the region's index entries (eventually consistent: 0.5 RCU per 4 KB) + BatchGet of the page's 50 documents
      const rcu = Math.ceil((first.ItemSize * ENTRY_BYTES) / 4096) * 0.5;
      lines.push(
        `  AWS read per page: ~${rcu} RCU of index (${first.ItemSize} × ${ENTRY_BYTES} B) + 50 documents; index $${fmt(rcu * PRICES.dynamoReadUnit * 1e6, 2)} per million pages`,
      );
    }
  } finally {
    await platform.stop();
  }
  const [l1, l5] = loadavg();
  console.log(`${total} stations over ${PROVINCES.length} provinces; load average ${fmt(l1 ?? 0, 2)} / ${fmt(l5 ?? 0, 2)} (1 / 5 min)`);
  for (const l of lines) console.log(l);
  console.log('beijing profile: query answers ≤ 1000 ms (queryAnswerMs)');
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
