/**
 * Charging sessions on the local runtime with the pile simulator at full speed: complete sessions
 * per second (start → charging → stop → finished, over HTTP as a partner), start-to-charging
 * latency, and nothing asserted.
 *
 *   npx tsx bench/charging.bench.ts      (or: npm run bench -- charging)
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, pct } from './support.ts';

const SEED = fileURLToPath(new URL('../test/fixtures/seed-stations.json', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** simulated seconds per real second; meter samples every 15 simulated s, so ×60 ≈ 4 samples/s per connector */
const SPEED = Number(process.env.BENCH_SIM_SPEED ?? 60);

export const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { callAs, tokenFor } = await import('../test/support/platform.ts');
  const { getConnectorView } = await import('../shared/store/connector-view.ts');
  const platform = await startPlatform({
    port: 0,
    seedFile: SEED,
    logLevel: 'ERROR',
    simSpeed: SPEED,
    simulator: { offlineRatePerHour: 0, faultRatePerHour: 0, seed: 11, autoUnplug: false },
  });
  try {
    const p = platform.seed.partners[0]!;
    const token = await tokenFor(platform.apiUrl, p);
    const call = async (iface: string, data: unknown) => {
      const r = await callAs(platform.apiUrl, p, iface, data, token);
      if (r.ret !== 0) throw new Error(`${iface}: Ret ${r.ret} ${r.msg}`);
      return r.data as Record<string, number>;
    };
    const priced = platform
      .simulator!.list()
      .filter((c) => !c.StationID.startsWith('FX0004'))
      .map((c) => c.ConnectorID);
    for (const c of priced) platform.simulator!.setVehicle(c, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    for (;;) {
      const views = await Promise.all(priced.map((c) => getConnectorView(c)));
      if (views.every((v) => v?.status === 1)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const poll = async (seq: string, stat: number) => {
      for (;;) {
        const d = await call('query_equip_charge_status', { StartChargeSeq: seq });
        if (d.StartChargeSeqStat === stat) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const startToCharging: number[] = [];
    let n = 0;
    const session = async (connector: string) => {
      // the pile reports the end of the previous session a moment after the order closed
      while (![1, 2].includes((await getConnectorView(connector))?.status ?? -1)) await new Promise((r) => setTimeout(r, 20));
      const seq = `${p.operatorId}${Date.now().toString().slice(-13)}${String(++n).padStart(5, '0')}`;
      const t0 = performance.now();
      const s = await call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
      if (s.SuccStat !== 0) throw new Error(`start refused: ${JSON.stringify(s)}`);
      if (process.env.BENCH_DEBUG) console.error(`start ${seq} ${connector}`);
      await poll(seq, 2);
      if (process.env.BENCH_DEBUG) console.error(`charging ${seq}`);
      startToCharging.push(performance.now() - t0);
      await call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
      await poll(seq, 4);
      if (process.env.BENCH_DEBUG) console.error(`finished ${seq}`);
    };
    const total = priced.length * ROUNDS;
    // one closed loop per connector (a connector runs one session at a time)
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      priced.map(async (c) => {
        for (let k = 0; k < ROUNDS; k++) {
          const s = performance.now();
          await session(c);
          lat.push(performance.now() - s);
        }
      }),
    );
    const r = { seconds: (performance.now() - t0) / 1000, lat };
    console.log(
      `connectors ${priced.length}, sessions ${total}, simulator ×${SPEED} (the pile answers a start after 2–5 simulated s = ${fmt(2000 / SPEED, 0)}–${fmt(5000 / SPEED, 0)} ms; status polled every 100 ms)`,
    );
    console.log(`complete sessions/s        ${fmt(total / r.seconds, 2)}`);
    console.log(`session wall time          p50 ${fmt(pct(r.lat, 50))} ms   p99 ${fmt(pct(r.lat, 99))} ms`);
    console.log(`start → charging latency   p50 ${fmt(pct(startToCharging, 50))} ms   p99 ${fmt(pct(startToCharging, 99))} ms`);
  } finally {
    await platform.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
