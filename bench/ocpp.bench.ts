/**
 * The OCPP 1.6J gateway on the local runtime, with real OCPP clients (ocpp-rpc RPCClient) over
 * real WebSockets — the demo dataset doubled (2 × 1,187 charge points, 3,930 connectors), no
 * simulator:
 *   - startup: startPlatform on that seed (stations import + charge point registry);
 *   - connect + BootNotification of every charge point (50 at a time): connects/s, p50/p99;
 *     then all of them connected at once and heartbeating (one Heartbeat each, 100 at a time);
 *   - StatusNotification ingest: every connector reports Available (50 at a time) until every
 *     connector's status is stored: StatusNotifications/s;
 *   - command round trip: partner query_start_charge → RemoteStartTransaction received by the
 *     charger (it answers Rejected), p50/p99 over 40 connectors;
 *   - what one OCPP session costs on AWS: boot, statuses, RemoteStart, StartTransaction, 12 meter
 *     values, RemoteStop, StopTransaction — counted by the cost bench's meters (bench/cost/) and
 *     priced with bench/prices.ts, plus the WebSocket API's messages and connection minutes.
 * Prints figures; asserts nothing. Bounded: every phase has a deadline.
 *
 *   npx tsx bench/ocpp.bench.ts      (or: npm run bench -- ocpp)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as meter from './cost/instrument.ts';
import { priceTally } from './cost/meter.ts';
import { PRICES } from './prices.ts';
import { load, pct } from './support.ts';

const DEMO_SEED = fileURLToPath(new URL('../infra/local/seed/demo-seed.json', import.meta.url));

/** API Gateway WebSocket: $ per message (32 KB increments) and per connection-minute (us-east-1) */
const WS_MESSAGE = 1.0 / 1e6;
const WS_CONNECTION_MINUTE = 0.25 / 1e6;

type Station = { StationID: string; EquipmentInfos: { EquipmentID: string; ConnectorInfos: { ConnectorID: string }[] }[] };

const doubledSeed = (): string => {
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { stations: Station[] } & Record<string, unknown>;
  const copies = seed.stations.map((st) => JSON.parse(JSON.stringify(st).replaceAll(`"${st.StationID}`, `"X${st.StationID}`)) as Station);
  seed.stations = [...seed.stations, ...copies];
  const file = join(mkdtempSync(join(tmpdir(), 'evcs-ocpp-bench-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
};

const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  meter.installSdkMeter();
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { ocppClient } = await import('../test/support/ocpp.ts');
  const { chargePointPassword } = await import('../shared/services/ocpp-registry.ts');
  const { passwordKey } = await import('../shared/store/ocpp-secrets.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { countConnectorsWithoutStatus } = await import('../shared/store/stations.ts');

  const seedFile = doubledSeed();
  const t0 = performance.now();
  const platform = await startPlatform({ port: 0, seedFile, logLevel: 'ERROR', simulator: false, onInvoke: meter.invocationMeter });
  const startS = (performance.now() - t0) / 1000;
  const stations = platform.seed.stations as unknown as Station[];
  const cps = stations.flatMap((s) =>
    s.EquipmentInfos.map((e) => ({ id: e.EquipmentID, connectors: e.ConnectorInfos.map((c) => c.ConnectorID) })),
  );
  const nConnectors = cps.reduce((n, c) => n + c.connectors.length, 0);
  console.log(`dataset: ${stations.length} stations, ${cps.length} charge points, ${nConnectors} connectors`);
  console.log(`startPlatform (import + charge point registry)      ${startS.toFixed(2)} s`);

  const endpoint = `${platform.apiUrl.replace(/^http/, 'ws')}/ocpp`;
  const remoteStarts = new Map<string, number>();
  const clients = new Map<string, ReturnType<typeof ocppClient>>();
  try {
    // connect + boot
    const key = await passwordKey();
    const passwords = await Promise.all(cps.map((c) => chargePointPassword(c.id, key)));
    const boot = await load(cps.length, 50, async (i) => {
      const cp = cps[i]!;
      const c = ocppClient({ endpoint, identity: cp.id, password: passwords[i]!, callTimeoutMs: 120_000 });
      c.handle('RemoteStartTransaction', ({ params }) => {
        remoteStarts.set(`${cp.id}:${String(params.connectorId)}`, performance.now());
        return { status: 'Rejected' };
      });
      await c.connect();
      await c.call('BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Bench' });
      clients.set(cp.id, c);
    });
    console.log(
      `connect + BootNotification, ${cps.length} charge points   ${(cps.length / boot.seconds).toFixed(0)}/s, p50 ${pct(boot.lat, 50).toFixed(0)} ms, p99 ${pct(boot.lat, 99).toFixed(0)} ms`,
    );
    const hb = await load(cps.length, 100, async (i) => {
      await clients.get(cps[i]!.id)!.call('Heartbeat', {});
    });
    console.log(
      `connected at once: ${platform.cloud.webSocket.size()}; one Heartbeat each   ${(cps.length / hb.seconds).toFixed(0)}/s, p50 ${pct(hb.lat, 50).toFixed(0)} ms, p99 ${pct(hb.lat, 99).toFixed(0)} ms`,
    );

    // status ingest
    const statuses = cps.flatMap((cp) => cp.connectors.map((_, j) => ({ cp: cp.id, connectorId: j + 1 })));
    const ts = performance.now();
    let snFailed = 0;
    const sn = await load(statuses.length, 50, async (i) => {
      const s = statuses[i]!;
      await clients
        .get(s.cp)!
        .call('StatusNotification', { connectorId: s.connectorId, errorCode: 'NoError', status: 'Available' })
        .catch(() => snFailed++); // a call timeout under load: counted, not fatal
    });
    if (snFailed) console.log(`StatusNotification: ${snFailed} call(s) timed out (${(120).toFixed(0)} s)`);
    const deadline = Date.now() + 180_000;
    while ((await countConnectorsWithoutStatus()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const stored = (performance.now() - ts) / 1000;
    console.log(
      `StatusNotification ×${statuses.length}: answered ${(statuses.length / sn.seconds).toFixed(0)}/s (p50 ${pct(sn.lat, 50).toFixed(0)} ms, p99 ${pct(sn.lat, 99).toFixed(0)} ms); every status stored after ${stored.toFixed(1)} s = ${(statuses.length / stored).toFixed(0)}/s`,
    );

    // command round trip: partner start → RemoteStartTransaction at the charger
    const p = platform.seed.partners[0]!;
    const token = await tokenFor(platform.apiUrl, p);
    const rt: number[] = [];
    for (const [k, cp] of cps.slice(0, 40).entries()) {
      const c = clients.get(cp.id)!;
      await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
      await new Promise((r) => setTimeout(r, 300)); // let the status reach the store (the start is decided on it)
      const seq = `${p.operatorId}${String(Date.now()).slice(-13)}${String(k).padStart(5, '0')}`;
      const s = performance.now();
      const r = await callAs(platform.apiUrl, p, 'query_start_charge', { StartChargeSeq: seq, ConnectorID: cp.connectors[0]! }, token);
      if ((r.data as { SuccStat?: number }).SuccStat !== 0) continue;
      const key = `${cp.id}:1`;
      const until = Date.now() + 30_000;
      while (!remoteStarts.has(key) && Date.now() < until) await new Promise((res) => setTimeout(res, 2));
      if (remoteStarts.has(key)) rt.push(remoteStarts.get(key)! - s);
    }
    console.log(
      `partner query_start_charge → RemoteStartTransaction at the charger, n=${rt.length}   p50 ${pct(rt, 50).toFixed(0)} ms, p99 ${pct(rt, 99).toFixed(0)} ms`,
    );

    // one session's cost (a fresh charge point of the set: boot, statuses, the whole transaction)
    const cp = cps[cps.length - 1]!;
    await clients.get(cp.id)!.close({ force: true });
    await platform.cloud.drain({ timeoutMs: 60_000 });
    meter.takeTally();
    let frames = 0;
    const c = ocppClient({ endpoint, identity: cp.id, password: passwords[cps.length - 1]!, callTimeoutMs: 30_000 });
    const call = async (action: string, params: object) => {
      frames += 2;
      return c.call(action, params);
    };
    const started = new Promise<string>((resolve) =>
      c.handle('RemoteStartTransaction', ({ params }) => {
        frames += 2;
        resolve(String(params.idTag));
        return { status: 'Accepted' };
      }),
    );
    const stopped = new Promise<void>((resolve) =>
      c.handle('RemoteStopTransaction', () => {
        frames += 2;
        resolve();
        return { status: 'Accepted' };
      }),
    );
    await c.connect();
    await call('BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Bench' });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    await new Promise((r) => setTimeout(r, 300));
    const seq = `${p.operatorId}${String(Date.now()).slice(-13)}99999`;
    await callAs(platform.apiUrl, p, 'query_start_charge', { StartChargeSeq: seq, ConnectorID: cp.connectors[0]! }, token);
    const idTag = await started;
    const tx = await call('StartTransaction', { connectorId: 1, idTag, meterStart: 1_000_000, timestamp: new Date().toISOString() });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    for (let i = 1; i <= 12; i++)
      await call('MeterValues', {
        connectorId: 1,
        transactionId: tx.transactionId,
        meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(1_000_000 + i * 2_500) }] }],
      });
    await callAs(platform.apiUrl, p, 'query_stop_charge', { StartChargeSeq: seq, ConnectorID: cp.connectors[0]! }, token);
    await stopped;
    await call('StopTransaction', {
      transactionId: tx.transactionId,
      meterStop: 1_030_000,
      timestamp: new Date().toISOString(),
      reason: 'Remote',
    });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await platform.cloud.drain({ timeoutMs: 60_000 });
    const tally = meter.takeTally();
    await c.close({ force: true });
    const priced = priceTally(tally, PRICES);
    const ocppFns = Object.entries(tally.lambda).filter(([id]) => id.startsWith('ocpp-') || id === 'pile-gateway');
    console.log(`one OCPP session (${frames} WebSocket frames; the T/CEC calls, charging and pushes it drives included):`);
    for (const l of priced.lines)
      if (l.usd > 0) console.log(`  ${l.item.padEnd(32)} ${String(+l.quantity.toFixed(4)).padStart(10)}  $${l.usd.toFixed(8)}`);
    const wsUsd = frames * WS_MESSAGE + 60 * WS_CONNECTION_MINUTE; // an hour-long session holds its connection for 60 minutes
    console.log(`  ${'WebSocket messages + 60 conn-min'.padEnd(32)} ${String(frames).padStart(10)}  $${wsUsd.toFixed(8)}`);
    console.log(`  total per session                                   $${(priced.total + wsUsd).toFixed(8)}`);
    console.log(
      `  OCPP gateway invocations: ${ocppFns.map(([id, f]) => `${id} ×${f.invocations}`).join(', ')}; a connected charge point idling costs ${(
        (60 * 24 * 30 * WS_CONNECTION_MINUTE + 30 * 24 * 12 * (2 * WS_MESSAGE + PRICES.lambdaRequest)) * 1
      ).toFixed(4)} $/month (connection minutes + a Heartbeat every 5 min, Lambda requests only)`,
    );
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close({ force: true }).catch(() => undefined)));
    await platform.stop();
  }
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
