/**
 * Readiness of the local platform on the demo dataset (200 stations, 1,965 simulated connectors):
 *   - time from start to `GET /health` 200, and to every connector's status being stored (the two
 *     should be the same moment: /health is 200 only when the platform can serve a session);
 *   - status ingest: one PileStatusChanged per connector, each a real change, published in
 *     PutEvents batches of 10 by 8 producers; events/s until the last ConnectorStatusChanged left
 *     the ingest (bus → queue → connector-status-ingest → DynamoDB → bus). Pushes to the demo
 *     partners run meanwhile, as they would;
 *   - DynamoDB Local's own cap: a raw SDK loop of conditional UpdateItem (1 and 20 in flight) and of
 *     TransactWriteItems of 100 conditional updates, on a table of its own;
 *   - plug-to-auth: a connector set `plugged` in the simulator until `query_equip_auth` over HTTP
 *     answers SuccStat 0 (polled every 5 ms), p50 / p99.
 * The simulated piles speak OCPP 1.6J to the local gateway, as under `npm start` (`--sim-protocol
 * direct`: the simulator's events enter through emitPileEvents). Prints figures; asserts nothing.
 *
 *   npx tsx bench/readiness.bench.ts [--sim-protocol ocpp|direct]     (or: npm run bench -- readiness)
 */
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pct } from './support.ts';

const DEMO_SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));

const get = async (url: string): Promise<number> => {
  try {
    const r = await fetch(url);
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0; // not listening yet
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** DynamoDB Local's own write rate, without the platform: conditional writes one by one vs. in transactions */
const dynamoLocalCap = async (): Promise<void> => {
  const { CreateTableCommand, DeleteTableCommand, DynamoDBClient, TransactWriteItemsCommand, UpdateItemCommand } = await import(
    '@aws-sdk/client-dynamodb'
  );
  const c = new DynamoDBClient({});
  const TableName = `cap-${process.pid}`;
  await c.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  const N = 2000;
  let round = 0;
  const update = (i: number) => ({
    TableName,
    Key: { pk: { S: `S#${i % 200}` }, sk: { S: `C#${i}` } },
    UpdateExpression: 'SET v = :v',
    ConditionExpression: 'attribute_not_exists(v) OR v < :v',
    ExpressionAttributeValues: { ':v': { N: String(round) } },
  });
  const rate = async (inFlight: number, perCall: number, send: (first: number) => Promise<unknown>) => {
    round++;
    const t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let b = next++; b * perCall < N; b = next++) await send(b * perCall);
      }),
    );
    return N / ((performance.now() - t) / 1000);
  };
  try {
    const one = await rate(1, 1, (i) => c.send(new UpdateItemCommand(update(i))));
    const twenty = await rate(20, 1, (i) => c.send(new UpdateItemCommand(update(i))));
    const tx = await rate(4, 100, (i) =>
      c.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 100 }, (_, k) => ({ Update: update(i + k) })) })),
    );
    console.log(
      `DynamoDB Local alone, conditional writes/s: UpdateItem 1 / 20 in flight ${one.toFixed(0)} / ${twenty.toFixed(0)}; TransactWriteItems ×100, 4 in flight ${tx.toFixed(0)}`,
    );
  } finally {
    await c.send(new DeleteTableCommand({ TableName }));
  }
};

export const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { freePort } = await import('../infra/local/ports.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { publish } = await import('../shared/bus/publish.ts');
  const { PileStatusChanged } = await import('../events/piles.ts');
  const { ConnectorStatusChanged } = await import('../events/baseinfo.ts');
  const { countConnectorsWithoutStatus } = await import('../shared/store/stations.ts');

  const { values } = parseArgs({ options: { 'sim-protocol': { type: 'string', default: 'ocpp' } }, strict: false });
  const simProtocol = values['sim-protocol'] === 'direct' ? 'direct' : 'ocpp';
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  let health200: number | undefined;
  let allKnown: number | undefined;
  let started = false;
  // pollers from t0: /health every 20 ms; the store (every connector has a status) every 100 ms once the API is up
  const healthPoll = (async () => {
    while (health200 === undefined) {
      if ((await get(`${api}/health`)) === 200) health200 = performance.now() - t0;
      else await sleep(20);
    }
  })();
  const storePoll = (async () => {
    while (allKnown === undefined) {
      if (started && (await countConnectorsWithoutStatus()) === 0) allKnown = performance.now() - t0;
      else await sleep(250);
    }
  })();
  const platform = await startPlatform({
    port,
    seedFile: DEMO_SEED,
    logLevel: 'ERROR',
    simulator: { offlineRatePerHour: 0, faultRatePerHour: 0 },
    simProtocol,
  });
  const startReturned = performance.now() - t0;
  started = true;
  const waitMs = (x: () => number | undefined, limit: number) =>
    Promise.race([
      (async () => {
        while (x() === undefined) await sleep(20);
      })(),
      sleep(limit),
    ]);
  await waitMs(() => health200, 600_000);
  await waitMs(() => allKnown, 600_000);
  health200 ??= NaN;
  allKnown ??= NaN;
  void healthPoll;
  void storePoll;
  console.log(
    `demo dataset: ${platform.seed.stations.length} stations, ${platform.simulator?.size()} connectors (simulated, ${simProtocol === 'ocpp' ? 'OCPP 1.6J' : 'direct'}), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
  );
  console.log(`start → startPlatform resolved          ${(startReturned / 1000).toFixed(2)} s`);
  console.log(`start → GET /health 200                 ${(health200 / 1000).toFixed(2)} s`);
  console.log(`start → every connector's status stored ${(allKnown / 1000).toFixed(2)} s`);

  try {
    const sim = platform.simulator!;
    const p = platform.seed.partners[0]!;
    const token = await tokenFor(platform.apiUrl, p);
    const connectorIds = platform.seed.stations.flatMap((s) =>
      (s.EquipmentInfos as Array<{ ConnectorInfos: Array<{ ConnectorID: string }> }>).flatMap((e) =>
        e.ConnectorInfos.map((c) => c.ConnectorID),
      ),
    );

    // plug-to-auth latency, one connector at a time
    const lat: number[] = [];
    let seq = 0;
    for (const c of connectorIds.slice(0, 40)) {
      const view = (await (await fetch(`${platform.apiUrl}/local/sim/connectors/${c}`)).json()) as { state: string };
      if (view.state !== 'idle') continue;
      const s = performance.now();
      const r = await fetch(`${platform.apiUrl}/local/sim/connectors/${c}`, { method: 'POST', body: JSON.stringify({ state: 'plugged' }) });
      await r.arrayBuffer();
      for (;;) {
        const a = await callAs(
          platform.apiUrl,
          p,
          'query_equip_auth',
          { EquipAuthSeq: `${p.operatorId}${String(++seq).padStart(18, '0')}`, ConnectorID: c },
          token,
        );
        if ((a.data as { SuccStat?: number } | undefined)?.SuccStat === 0) break;
        if (performance.now() - s > 30_000) throw new Error(`${c}: not authorisable 30 s after plug-in`);
        await sleep(5);
      }
      lat.push(performance.now() - s);
    }
    console.log(
      `plug-in → query_equip_auth SuccStat 0, n=${lat.length}   p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms`,
    );

    // ingest: every connector changes once (status 4 reserved: no simulated connector is in it)
    const base = Date.now() + 86_400_000; // newer than anything the simulator reported
    const events = connectorIds.map((c, i) => ({
      ConnectorID: c,
      status: 4 as const,
      parkStatus: 10 as const,
      lockStatus: 10 as const,
      observedAt: new Date(base + i).toISOString(),
      seq: i,
    }));
    await sim.stop();
    let seen = 0;
    let done: () => void = () => {};
    const all = new Promise<void>((r) => (done = r));
    const untap = platform.cloud.bus.tap((e) => {
      if (
        e['detail-type'] === ConnectorStatusChanged.detailType &&
        (e.detail as { status?: number }).status === 4 &&
        ++seen === events.length
      )
        done();
    });
    const tIngest = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i * 10 < events.length; i = next++) await publish(PileStatusChanged, events.slice(i * 10, i * 10 + 10));
      }),
    );
    const published = (performance.now() - tIngest) / 1000;
    await Promise.race([all, sleep(300_000)]);
    const ingested = (performance.now() - tIngest) / 1000;
    untap();

    console.log(
      `status ingest, ${events.length} changes (published ${(events.length / published).toFixed(0)}/s)  ${(seen / ingested).toFixed(0)} events/s${seen < events.length ? ` (only ${seen} ingested in 300 s)` : ''}`,
    );
    await dynamoLocalCap();
    console.log(
      `plug-in → query_equip_auth SuccStat 0, n=${lat.length}   p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms`,
    );
  } finally {
    await platform.stop();
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
