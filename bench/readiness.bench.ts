/**
 * Readiness of the local platform on the demo dataset (200 stations, 1,965 simulated connectors):
 *   - time from start to `GET /health` 200 (polled every 20 ms; /health reads only the connectors
 *     still unknown), then once: is every connector's status stored (must be: /health is 200 only
 *     when the platform can serve a session);
 *   - where the boot's time goes, from "platform up" to /health 200: the simulator's publishing, the
 *     ingest's progress, invocations per function (count, mean duration, records per batch), AWS SDK
 *     calls per command (count, mean latency), CPU of this process and of DynamoDB Local (Java);
 *   - status ingest: one PileStatusChanged per connector, each a real change, published in
 *     PutEvents batches of 10 by 8 producers; events/s until the last ConnectorStatusChanged left
 *     the ingest (bus → queue → connector-status-ingest → DynamoDB → bus). Pushes to the demo
 *     partners run meanwhile, as they would;
 *   - DynamoDB Local's own cap: a raw SDK loop of conditional UpdateItem (1 and 20 in flight) and of
 *     TransactWriteItems of 100 (4 in flight) and of 10 (10 in flight: the ingest's shape, a batch of
 *     the `connector-status` queue) conditional updates, on a table of its own;
 *   - plug-to-auth: a connector set `plugged` in the simulator until `query_equip_auth` over HTTP
 *     answers SuccStat 0 (polled every 5 ms), p50 / p99.
 * The simulated piles speak OCPP 1.6J to the local gateway, as under `npm start` (`--sim-protocol
 * direct`: the simulator's events enter through emitPileEvents). Prints figures; asserts nothing.
 *
 * `--restart`: the measured start runs on the data dir of a first run (every status stored, unchanged:
 * nothing may be announced again; the bench prints the ConnectorStatusChanged count of the boot).
 *
 *   npx tsx bench/readiness.bench.ts [--sim-protocol ocpp|direct] [--ingest-first] [--restart]     (or: npm run bench -- readiness)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** CPU seconds of this process's Java children (DynamoDB Local), from /proc (Linux; NaN elsewhere) */
const javaCpuSeconds = (): number => {
  try {
    const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='])
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    const kids = (pid: string): string[] => ps.filter((r) => r[1] === pid).flatMap((r) => [r[0] ?? '', ...kids(r[0] ?? '')]);
    let t = 0;
    for (const pid of kids(String(process.pid)).filter((k) => ps.find((r) => r[0] === k)?.[2] === 'java')) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      t += (Number(f[11]) + Number(f[12])) / 100;
    }
    return t;
  } catch {
    return Number.NaN;
  }
};

/** every AWS SDK v3 call of this process, by command: count and summed latency (the send of @smithy/core's Client, which every client extends) */
const sdkCalls = new Map<string, { n: number; ms: number }>();
/** the same calls by the function whose invocation made them ('-': outside any, e.g. the simulator's or the bench's own) */
const sdkCallsByFunction = new Map<string, Map<string, number>>();
let callerOf: () => string | undefined = () => undefined;
const meterSdkCalls = (): void => {
  const { Client } = createRequire(import.meta.url)('@smithy/core/client') as {
    Client: {
      prototype: {
        send: (
          this: unknown,
          cmd: { constructor: { name: string }; input: { Entries?: { DetailType?: string }[] } },
          ...rest: unknown[]
        ) => unknown;
      };
    };
  };
  const send = Client.prototype.send;
  Client.prototype.send = function (this: unknown, cmd, ...rest) {
    const name = cmd.constructor.name.replace(/Command$/, '');
    const key = name === 'PutEvents' ? `PutEvents ${cmd.input.Entries?.[0]?.DetailType ?? ''}` : name;
    const t = performance.now();
    const fn = callerOf() ?? '-';
    const byFn = sdkCallsByFunction.get(fn) ?? new Map<string, number>();
    byFn.set(name, (byFn.get(name) ?? 0) + 1);
    sdkCallsByFunction.set(fn, byFn);
    const out = send.call(this, cmd, ...rest) as Promise<unknown>;
    const done = () => {
      const c = sdkCalls.get(key) ?? { n: 0, ms: 0 };
      c.n++;
      c.ms += performance.now() - t;
      sdkCalls.set(key, c);
    };
    out.then(done, done);
    return out;
  };
};

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
    const txOf = (size: number) => (i: number) =>
      c.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: size }, (_, k) => ({ Update: update(i + k) })) }));
    const tx = await rate(4, 100, txOf(100));
    const tx10 = await rate(10, 10, txOf(10));
    console.log(
      `DynamoDB Local alone, conditional writes/s: UpdateItem 1 / 20 in flight ${one.toFixed(0)} / ${twenty.toFixed(0)}; TransactWriteItems ×100, 4 in flight ${tx.toFixed(0)}; ×10, 10 in flight ${tx10.toFixed(0)} (load ${load()})`,
    );
    console.log(
      `  → the ingest writes 1 transaction item per new status (the compare-and-set; one receipt PutItem per batch): at most ${tx10.toFixed(0)} statuses/s in batches of 10, ${tx.toFixed(0)} in batches of 100, before any read or publish`,
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
  const { currentFunction } = await import('../infra/local/invoke.ts');
  callerOf = () => currentFunction()?.id;

  const { values } = parseArgs({
    options: {
      'sim-protocol': { type: 'string', default: 'ocpp' },
      'ingest-first': { type: 'boolean', default: false },
      restart: { type: 'boolean', default: false },
    },
    strict: false,
  });
  const simProtocol = values['sim-protocol'] === 'direct' ? 'direct' : 'ocpp';
  const common = {
    seedFile: DEMO_SEED,
    logLevel: 'ERROR',
    simulator: { offlineRatePerHour: 0, faultRatePerHour: 0 },
    simProtocol,
    // as `npm start` does
    preloadHandlers: true,
    ...(values['ingest-first'] === true ? { ingestFirst: true } : {}),
  } as const;
  // --restart: measure `npm start` on the data dir of a run before it (every status already stored, unchanged);
  // the first run is in this process, so the second finds the handlers' modules loaded and DynamoDB Local running: its "up" is flattered, not its ingest
  const dataDir = values.restart === true ? mkdtempSync(join(tmpdir(), 'evcs-readiness-')) : undefined;
  // the two runs share one DynamoDB Local (this process's DynamoDB client keeps its endpoint), its tables under one prefix
  const restartDb = dataDir
    ? {
        db: await (await import('../infra/local/dynamodb.ts')).startDynamo({
          tables: (await import('../infra/topology/index.ts')).topology.tables,
          region: 'ap-northeast-1',
        }),
        tablePrefix: `ready${process.pid}-`,
      }
    : undefined;
  const shared = restartDb ? { dynamoEndpoint: restartDb.db.endpoint, tablePrefix: restartDb.tablePrefix } : {};
  if (dataDir) {
    const first = await startPlatform({ ...common, ...shared, port: await freePort(), dataDir, fresh: true });
    while ((await get(`${first.apiUrl}/health`)) !== 200) await sleep(100);
    await first.cloud.drain({ timeoutMs: 600_000 });
    await first.stop();
    console.log(`restart: the first run stored every status and drained (load ${load()}); starting again on its data dir`);
  }
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  meterSdkCalls();
  const invocations = new Map<string, { n: number; ms: number; records: number }>();
  let counting = false;
  const t0 = performance.now();
  let health200: number | undefined;
  // from t0: /health every 20 ms (it answers 503 until the API is up and every simulated connector has reported)
  const healthPoll = (async () => {
    while (health200 === undefined) {
      if ((await get(`${api}/health`)) === 200) health200 = performance.now() - t0;
      else await sleep(20);
    }
  })();
  const platform = await startPlatform({
    ...common,
    ...shared,
    port,
    ...(dataDir ? { dataDir } : {}),
    onInvoke: ({ fn, event, ms }) => {
      if (!counting) return;
      const c = invocations.get(fn.id) ?? { n: 0, ms: 0, records: 0 };
      c.n++;
      c.ms += ms;
      c.records += (event as { Records?: unknown[] } | undefined)?.Records?.length ?? 0;
      invocations.set(fn.id, c);
    },
  });
  const startReturned = performance.now() - t0;
  // the boot from "platform up" to /health 200, stage by stage
  const sinceUp = () => `+${((performance.now() - t0 - startReturned) / 1000).toFixed(2)} s`;
  const timeline: string[] = [];
  const events = new Map<string, number>();
  const untapBoot = platform.cloud.bus.tap((e) => {
    const k = e['detail-type'];
    const n = (events.get(k) ?? 0) + 1;
    events.set(k, n);
    if ((k === PileStatusChanged.detailType || k === ConnectorStatusChanged.detailType) && (n === 1 || n % 500 === 0))
      timeline.push(`${k} #${n} ${sinceUp()}`);
  });
  void platform.simulator?.flush().then(() => timeline.push(`simulator outbox empty ${sinceUp()}`));
  const callsAtUp = new Map([...sdkCalls].map(([k, v]) => [k, { ...v }]));
  sdkCallsByFunction.clear();
  const cpuAtUp = process.cpuUsage();
  const javaAtUp = javaCpuSeconds();
  counting = true;
  await Promise.race([healthPoll, sleep(600_000)]);
  counting = false;
  untapBoot();
  const cpu = process.cpuUsage(cpuAtUp);
  const java = javaCpuSeconds() - javaAtUp;
  health200 ??= Number.NaN;
  const missing = await countConnectorsWithoutStatus();
  console.log(
    `demo dataset: ${platform.seed.stations.length} stations, ${platform.simulator?.size()} connectors (simulated, ${simProtocol === 'ocpp' ? 'OCPP 1.6J' : 'direct'}${values['ingest-first'] === true ? ', ingest first' : ''}${dataDir ? ', restart on the same data' : ''}), load average ${load()}`,
  );
  console.log(`start → startPlatform resolved (up)     ${(startReturned / 1000).toFixed(2)} s`);
  for (const [name, ms] of platform.startSteps) console.log(`  ${(ms / 1000).toFixed(2)} s  ${name}`);
  console.log(
    `start → GET /health 200                 ${(health200 / 1000).toFixed(2)} s (${((health200 - startReturned) / 1000).toFixed(2)} s after up); connectors without a status then: ${missing}`,
  );
  const wall = (health200 - startReturned) / 1000;
  console.log(
    `up → /health 200: ${wall.toFixed(2)} s wall; CPU this process ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, DynamoDB Local (Java) ${java.toFixed(1)} s`,
  );
  for (const line of timeline) console.log(`  ${line}`);
  console.log(`  bus events: ${[...events].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  console.log('  invocations (function: count, mean ms, records per batch):');
  for (const [id, c] of [...invocations].sort((a, b) => b[1].n * b[1].ms - a[1].n * a[1].ms))
    console.log(`    ${id}: ${c.n}, ${(c.ms / c.n).toFixed(0)} ms${c.records ? `, ${(c.records / c.n).toFixed(1)}` : ''}`);
  console.log('  AWS SDK calls (command: count, mean latency):');
  for (const [k, v] of [...sdkCalls].sort((a, b) => b[1].n - a[1].n)) {
    const n = v.n - (callsAtUp.get(k)?.n ?? 0);
    if (n > 0) console.log(`    ${k}: ${n}, ${((v.ms - (callsAtUp.get(k)?.ms ?? 0)) / n).toFixed(0)} ms`);
  }
  console.log('  AWS SDK calls by the function making them (function: total; command count, …):');
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  for (const [fn, m] of [...sdkCallsByFunction].sort((a, b) => total(b[1]) - total(a[1])))
    console.log(
      `    ${fn}: ${total(m)}; ${[...m]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );

  try {
    const sim = platform.simulator!;
    const p = platform.seed.partners[0]!;
    const token = await tokenFor(platform.apiUrl, p);
    const stationOf = new Map(
      platform.seed.stations.flatMap((s) =>
        (s.EquipmentInfos as Array<{ ConnectorInfos: Array<{ ConnectorID: string }> }>).flatMap((e) =>
          e.ConnectorInfos.map((c) => [c.ConnectorID, String(s.StationID)] as const),
        ),
      ),
    );
    const connectorIds = [...stationOf.keys()];

    // plug-to-auth latency, one connector at a time
    let seq = 0;
    const plugToAuth = async (ids: readonly string[]): Promise<number[]> => {
      const lat: number[] = [];
      for (const c of ids) {
        const view = (await (await fetch(`${platform.apiUrl}/local/sim/connectors/${c}`)).json()) as { state: string };
        if (view.state !== 'idle') continue;
        const s = performance.now();
        const r = await fetch(`${platform.apiUrl}/local/sim/connectors/${c}`, {
          method: 'POST',
          body: JSON.stringify({ state: 'plugged' }),
        });
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
      return lat;
    };
    const plugLine = (what: string, lat: number[]) =>
      `plug-in → query_equip_auth SuccStat 0, ${what}, n=${lat.length}   p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms (load ${load()})`;
    // while the first statuses' pushes, supervision feed and ground-lock checks still run
    const during = await plugToAuth(connectorIds.slice(0, 20));
    const duringLine = plugLine('right after /health (first-status pushes still draining)', during);
    console.log(duringLine);
    const tDrain = performance.now();
    await platform.cloud.drain({ timeoutMs: 600_000 });
    console.log(
      `first-status work drained (pushes, supervision feed, ground locks) ${((performance.now() - t0 - health200) / 1000).toFixed(1)} s after /health (waited ${((performance.now() - tDrain) / 1000).toFixed(1)} s)`,
    );
    const settledLine = plugLine('settled', await plugToAuth(connectorIds.slice(20, 60)));
    console.log(settledLine);

    // ingest: every connector changes once (status 4 reserved: no simulated connector is in it)
    const base = Date.now() + 86_400_000; // newer than anything the simulator reported
    // as the simulator and the gateway report them: naming the station (PileStatusChanged v2)
    const changes = connectorIds.map((c, i) => ({
      ConnectorID: c,
      StationID: stationOf.get(c) ?? '',
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
        ++seen === changes.length
      )
        done();
    });
    const tIngest = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i * 10 < changes.length; i = next++) await publish(PileStatusChanged, changes.slice(i * 10, i * 10 + 10));
      }),
    );
    const published = (performance.now() - tIngest) / 1000;
    await Promise.race([all, sleep(300_000)]);
    const ingested = (performance.now() - tIngest) / 1000;
    untap();

    console.log(
      `status ingest, ${changes.length} changes (published ${(changes.length / published).toFixed(0)}/s)  ${(seen / ingested).toFixed(0)} events/s (load ${load()})${seen < changes.length ? ` (only ${seen} ingested in 300 s)` : ''}`,
    );
    await dynamoLocalCap();
    console.log(duringLine);
    console.log(settledLine);
  } finally {
    await platform.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await restartDb?.db.stop();
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
