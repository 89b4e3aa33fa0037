/**
 * Roaming sessions through the app API, two platforms on one machine (test/support/roaming.ts
 * startTwoWayPair): A (this process, metered like the cost bench) starts sessions for its users on
 * B's connectors (a child `npm start`, piles at 60× real time), rounds of up to 9 at once.
 * Prints the app-API start → charging latency (POST /app/v1/sessions — once B has seen the plug — until GET reports `charging`:
 * query_equip_auth + policy + query_start_charge at B, B's pile, B's push or A's poll) as p50/p99,
 * (polled every 100 ms), and what one roaming session costs A on AWS (app API calls, B's notifications A serves, the bill
 * check), priced like bench/cost.bench.ts. Measures; never asserts.
 *
 *   npx tsx bench/roaming-sessions.bench.ts      (or: npm run bench -- roaming-sessions)
 *   ROAMING_BENCH_ROUNDS=N (default 2)
 */
const ROUNDS = Number(process.env.ROAMING_BENCH_ROUNDS ?? 2);
// FX0004 has no prices: B refuses starts there (the fixture's unpriced station)
const CONNECTORS = ['FX0001', 'FX0002', 'FX0003'].flatMap((s) => [`${s}E01C1`, `${s}E01C2`, `${s}E02C1`]);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const meter = await import('./cost/instrument.ts');
  meter.installSdkMeter();
  const restoreStdout = meter.captureStdout();
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { startTwoWayPair } = await import('../test/support/roaming.ts');
  const { priceTally, totals } = await import('./cost/meter.ts');
  const { PRICES } = await import('./prices.ts');
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const pair = await startTwoWayPair((o) => startPlatform({ logLevel: 'INFO', onInvoke: meter.invocationMeter, ...o }));
  let gets = 0;
  const app = async (method: string, path: string, body?: unknown) => {
    if (method === 'GET') gets++;
    const res = await fetch(`${pair.a.apiUrl}/app/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${pair.a.appApiKey}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as { id: string; state: string; bill?: unknown } };
  };
  const until = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 120_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    const latencies: number[] = [];
    let sessions = 0;
    const { syncPartnerCatalog } = await import('../shared/services/roaming-catalog.ts');
    const { getPartner } = await import('../shared/store/partners.ts');
    await pair.asA(async () => syncPartnerCatalog((await getPartner('MA5GS8X01', { fresh: true }))!, new Date()));
    meter.takeTally();
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        CONNECTORS.map((c) =>
          fetch(`${pair.bUrl}/local/sim/connectors/${c}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ state: 'plugged', vehicle: { socStart: 10, batteryKwh: 200, targetSoc: 100, maxDcKw: 30 } }),
          }),
        ),
      );
      const ids = await Promise.all(
        CONNECTORS.map(async (c) => {
          let t0 = 0;
          // until B's status pipeline has seen the plug, query_equip_auth says not ready (409; no start was sent)
          const r = await until(
            () => {
              t0 = performance.now(); // the start that counts is the one B was ready for
              return app('POST', '/sessions', { connectorId: c, userId: `bench-${round}` });
            },
            (x) => x.status !== 409,
            `${c} ready`,
          );
          if (r.status !== 201) {
            log(`${c}: ${r.status} ${JSON.stringify(r.body)}`);
            return undefined;
          }
          await until(
            () => app('GET', `/sessions/${r.body.id}?userId=bench-${round}`),
            (g) => g.body.state === 'charging' || g.body.state === 'failed',
            `${r.body.id} charging`,
          ).then((g) => {
            if (g.body.state === 'failed') throw new Error(`${c}: start failed ${JSON.stringify(g.body)}`);
          });
          latencies.push(performance.now() - t0);
          return r.body.id;
        }),
      );
      const started = ids.filter((x): x is string => x !== undefined);
      sessions += started.length;
      await Promise.all(started.map((id) => app('DELETE', `/sessions/${id}?userId=bench-${round}`)));
      await Promise.all(
        started.map((id) =>
          until(
            () => app('GET', `/sessions/${id}?userId=bench-${round}`),
            (g) => g.body.state === 'finished' && g.body.bill !== undefined,
            `${id} billed`,
          ),
        ),
      );
      log(`round ${round + 1}: ${started.length}/${CONNECTORS.length} sessions started, charged, stopped, billed`);
    }
    const tally = meter.takeTally();
    restoreStdout();
    const t = totals(tally);
    const { total } = priceTally(tally, PRICES);
    console.log(`app-API start → charging across two local platforms, ${latencies.length} sessions:`);
    console.log(
      `  p50 ${pct(latencies, 50).toFixed(0)} ms   p99 ${pct(latencies, 99).toFixed(0)} ms   max ${Math.max(...latencies).toFixed(0)} ms`,
    );
    console.log(`AWS cost of one roaming session at A (the customer side), ${sessions} sessions metered:`);
    console.log(
      `  $${(total / sessions).toFixed(7)} per session  (${(t.invocations / sessions).toFixed(1)} Lambda invocations, ${(t.wcu / sessions).toFixed(1)} WCU, ${(t.rcu / sessions).toFixed(1)} RCU, ${(tally.apiRequests / sessions).toFixed(1)} API requests, of which ${(gets / sessions).toFixed(1)} app GETs: polled every 100 ms here — an app polls far less)`,
    );
  } finally {
    restoreStdout();
    await pair.stop();
  }
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
