/**
 * Baseinfo on the local runtime with the demo dataset (200 stations, ~2,000 connectors):
 *   - a full query_stations_info pull in pages of 50 (LastQueryTime absent),
 *   - query_station_status for 50 stations,
 *   - PileStatusChanged events ingested per second through bus → queue → connector-status-ingest.
 * Over HTTP exactly as a partner calls (envelope, AES, Sig, token). Prints figures; asserts nothing.
 *
 *   npx tsx bench/stations.bench.ts      (or: npm run bench -- stations)
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { load, pct } from './support.ts';

const DEMO_SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));

interface Row {
  what: string;
  n: number;
  seconds: number;
  lat?: number[];
  unit: string;
}

export const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { publish } = await import('../shared/bus/publish.ts');
  const { PileStatusChanged } = await import('../events/piles.ts');

  const t0 = performance.now();
  const platform = await startPlatform({ port: 0, seedFile: DEMO_SEED, logLevel: 'ERROR', simulator: false });
  const startSeconds = (performance.now() - t0) / 1000;
  const rows: Row[] = [];
  try {
    const p = platform.seed.partners[0]!;
    const token = await tokenFor(platform.apiUrl, p);
    const call = async (iface: string, data: unknown) => {
      const r = await callAs(platform.apiUrl, p, iface, data, token);
      if (r.ret !== 0) throw new Error(`${iface}: Ret ${r.ret} ${r.msg}`);
      return r.data;
    };
    const stationIds = platform.seed.stations.map((s) => String(s.StationID));
    const connectorIds = platform.seed.stations.flatMap((s) =>
      (s.EquipmentInfos as Array<{ ConnectorInfos: Array<{ ConnectorID: string }> }>).flatMap((e) =>
        e.ConnectorInfos.map((c) => c.ConnectorID),
      ),
    );

    // warm every handler once
    const first = (await call('query_stations_info', { PageNo: 1, PageSize: 50 })) as { PageCount: number; ItemSize: number };
    await call('query_station_status', { StationIDs: stationIds.slice(0, 50) });

    // full pulls: PageCount pages of 50, sequential like a partner's sync job
    const pulls = 5;
    const pages = first.PageCount;
    const pull = await load(pulls * pages, 1, async (i) => {
      await call('query_stations_info', { PageNo: (i % pages) + 1, PageSize: 50 });
    });
    rows.push({
      what: `query_stations_info, page of 50 (${first.ItemSize} stations = ${pages} pages), 1 client`,
      n: pulls * pages,
      seconds: pull.seconds,
      lat: pull.lat,
      unit: 'req',
    });
    rows.push({ what: `  → full pull of the dataset`, n: pulls, seconds: pull.seconds, unit: 'pull' });
    const pull8 = await load(80, 8, async (i) => {
      await call('query_stations_info', { PageNo: (i % pages) + 1, PageSize: 50 });
    });
    rows.push({
      what: 'query_stations_info, page of 50, 8 concurrent clients',
      n: 80,
      seconds: pull8.seconds,
      lat: pull8.lat,
      unit: 'req',
    });

    const status1 = await load(100, 1, async (i) => {
      const start = (i * 50) % (stationIds.length - 50);
      await call('query_station_status', { StationIDs: stationIds.slice(start, start + 50) });
    });
    rows.push({
      what: 'query_station_status, 50 stations (~500 connectors), 1 client',
      n: 100,
      seconds: status1.seconds,
      lat: status1.lat,
      unit: 'req',
    });
    const status8 = await load(200, 8, async (i) => {
      const start = (i * 50) % (stationIds.length - 50);
      await call('query_station_status', { StationIDs: stationIds.slice(start, start + 50) });
    });
    rows.push({
      what: 'query_station_status, 50 stations, 8 concurrent clients',
      n: 200,
      seconds: status8.seconds,
      lat: status8.lat,
      unit: 'req',
    });

    // status ingestion: one report per connector, published in PutEvents batches of 10 by 8 producers
    const base = Date.now();
    const events = connectorIds.map((c, i) => ({
      ConnectorID: c,
      status: ([1, 2, 3] as const)[i % 3]!,
      parkStatus: 10 as const,
      lockStatus: 10 as const,
      observedAt: new Date(base + i).toISOString(),
      seq: i,
    }));
    const tIngest = performance.now();
    await load(Math.ceil(events.length / 10), 8, async (i) => {
      await publish(PileStatusChanged, events.slice(i * 10, i * 10 + 10));
    });
    const published = (performance.now() - tIngest) / 1000;
    await platform.cloud.drain({ timeoutMs: 300_000 });
    const ingested = (performance.now() - tIngest) / 1000;
    rows.push({ what: `PileStatusChanged published (PutEvents ×10, 8 producers)`, n: events.length, seconds: published, unit: 'event' });
    rows.push({
      what: `PileStatusChanged ingested end to end (bus → queue → ingest → DynamoDB → ConnectorStatusChanged)`,
      n: events.length,
      seconds: ingested,
      unit: 'event',
    });
  } finally {
    await platform.stop();
  }

  console.log(`local platform start with the demo seed (DynamoDB Local, import of 200 stations): ${startSeconds.toFixed(1)} s`);
  const w = Math.max(...rows.map((r) => r.what.length));
  console.log(`${'what'.padEnd(w)}  ${'n'.padStart(5)}  ${'per second'.padStart(12)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}`);
  for (const r of rows) {
    const rate = `${(r.n / r.seconds).toFixed(1)} ${r.unit}/s`;
    console.log(
      `${r.what.padEnd(w)}  ${String(r.n).padStart(5)}  ${rate.padStart(12)}  ${(r.lat ? pct(r.lat, 50).toFixed(1) : '-').padStart(8)}  ${(r.lat ? pct(r.lat, 99).toFixed(1) : '-').padStart(8)}`,
    );
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
