/**
 * Reconciliation of one day of one partner (issue 11): BENCH_RECONCILE_ORDERS finished orders
 * (default 100,000) of one partner on one China-time day, reconciled through the local runtime as
 * the night does it (reconcile-dispatch → reconcile-runs → reconcile-run → the demo partner's
 * check_charge_orders), RECONCILE_MAX_ORDERS_PER_REQUEST orders per request (default 500).
 *
 * Prints: wall time (dispatch to drained), requests sent, orders per second, the process's peak RSS
 * and peak heap (the whole local platform process: runtime, handler, demo partner; DynamoDB Local
 * is a separate process and not counted), and the AWS cost of the run in the cost bench's terms
 * (bench/cost/instrument.ts meters every SDK call, invocation and log line; bench/prices.ts).
 * The orders are written with BatchWriteItem before the meter starts. Measures; never asserts.
 *
 *   npm run bench -- reconcile          (BENCH_RECONCILE_ORDERS=20000 for a quicker run)
 */
import { fileURLToPath } from 'node:url';
import { PRICES, PRICES_DATE } from './prices.ts';
import { fmt } from './support.ts';

const N = Number(process.env.BENCH_RECONCILE_ORDERS ?? 100_000);
const PER_REQUEST = process.env.RECONCILE_MAX_ORDERS_PER_REQUEST ?? '500';
const FIXTURE = fileURLToPath(new URL('../test/fixtures/seed-stations.json', import.meta.url));
const DAY = '2026-10-05';

const main = async (): Promise<void> => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const meter = await import('./cost/instrument.ts');
  const { priceTally, totals } = await import('./cost/meter.ts');
  meter.installSdkMeter();
  const { startPlatform } = await import('../infra/local/platform.ts');
  const { BatchWriteCommand } = await import('../shared/store/doc.ts');
  const { dynamo } = await import('../shared/store/dynamo.ts');
  const { config } = await import('../shared/config.ts');
  const { getRun } = await import('../shared/store/reconcile.ts');
  const { formatDateTime } = await import('../shared/tcec/time.ts');
  const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

  const platform = await startPlatform({
    port: 0,
    seedFile: FIXTURE,
    simulator: false,
    schedules: false,
    demoPartners: 'any-port',
    logLevel: 'INFO',
    onInvoke: meter.invocationMeter,
    env: { POWERTOOLS_METRICS_DISABLED: 'false', RECONCILE_MAX_ORDERS_PER_REQUEST: PER_REQUEST, RECONCILE_TIMEOUT_MS: '60000' },
  });
  const restoreStdout = meter.captureStdout();
  try {
    const partner = platform.seed.partners[0]!.operatorId;
    const table = config().tableName('orders');
    const dayStart = Date.parse('2026-10-04T16:00:00Z'); // 00:00 China time
    progress(`writing ${N.toLocaleString('en')} finished orders of ${partner} on ${DAY}`);
    const item = (i: number) => {
      const seq = `${partner}2610050000${String(i).padStart(8, '0')}`;
      const end = new Date(dayStart + Math.floor((i * 86_399_000) / N));
      const start = new Date(end.getTime() - 30 * 60_000);
      const kwh = 10 + (i % 500) / 100;
      const yuan = Math.round(kwh * 121) / 100;
      const endedAt = end.toISOString();
      return {
        pk: `ORDER#${seq}`,
        StartChargeSeq: seq,
        ConnectorID: `FX0001E01C${i % 8}`,
        StationID: 'FX0001',
        EquipmentID: 'FX0001E01',
        OperatorID: partner,
        status: 4,
        createdAt: start.toISOString(),
        startedAt: start.toISOString(),
        endedAt,
        charged: true,
        energyWh: Math.round(kwh * 1000),
        confirmResult: 0,
        bill: {
          StartTime: formatDateTime(start),
          EndTime: formatDateTime(end),
          TotalPower: kwh,
          TotalElecMoney: Math.round(kwh * 81) / 100,
          TotalSeviceMoney: Math.round(yuan * 100 - Math.round(kwh * 81)) / 100,
          TotalMoney: yuan,
          SumPeriod: 1,
          ChargeDetails: [],
        },
        gsi1pk: `PARTNER#${partner}`,
        gsi1sk: endedAt,
        gsi2pk: 'STATION#FX0001',
        gsi2sk: endedAt,
      };
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const from = next;
          next += 25;
          if (from >= N) return;
          let requests = Array.from({ length: Math.min(25, N - from) }, (_, k) => ({ PutRequest: { Item: item(from + k) } }));
          while (requests.length) {
            const r = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
            requests = (r.UnprocessedItems?.[table] ?? []) as typeof requests;
          }
          if (from % 10_000 === 0 && from) progress(`${from.toLocaleString('en')} written`);
        }
      }),
    );
    await platform.cloud.drain();
    meter.takeTally();

    progress('reconciling (dispatch → run → partner)');
    let peakRss = 0;
    let peakHeap = 0;
    const heap0 = process.memoryUsage().heapUsed;
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    const t0 = performance.now();
    await platform.cloud.invoke('reconcile-dispatch', { source: 'aws.scheduler', time: '2026-10-05T17:00:00Z', detail: {} });
    await platform.cloud.drain({ timeoutMs: 30 * 60_000, includeDelayed: true });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sample);
    const tally = meter.takeTally();
    restoreStdout();

    const run = await getRun(partner, DAY);
    const sent = platform.demoPartners.get(partner)?.received.filter((r) => r.iface === 'check_charge_orders') ?? [];
    const bytes = sent.reduce((a, r) => a + r.envelope.Data.length, 0);
    const s = totals(tally);
    const bill = priceTally(tally, PRICES);
    const MB = 1024 * 1024;
    console.log(`reconcile one partner's day: ${N.toLocaleString('en')} orders, ${PER_REQUEST} per request (node ${process.version})`);
    console.log(`  run                 ${run?.status} · ${run?.orderCount?.toLocaleString('en')} orders · ${run?.disputeCount} disputes`);
    console.log(`  wall time           ${fmt(seconds, 2)} s (dispatch → drained) · ${fmt(N / seconds, 0)} orders/s`);
    console.log(
      `  requests            ${sent.length} check_charge_orders (+ query_token when no token is cached) · ${fmt(bytes / sent.length / 1024, 1)} KiB Data each`,
    );
    console.log(
      `  peak memory         RSS ${fmt(peakRss / MB, 0)} MiB · heap ${fmt(peakHeap / MB, 0)} MiB (${fmt((peakHeap - heap0) / MB, 0)} MiB above the idle platform)`,
    );
    console.log(
      `  AWS cost per run    $${bill.total.toFixed(5)} (prices of ${PRICES_DATE}) · $${((bill.total / N) * 1000).toFixed(6)} per 1,000 orders`,
    );
    for (const l of bill.lines.filter((x) => x.usd > 0))
      console.log(`    ${l.item.padEnd(30)} ${fmt(l.quantity, l.quantity < 10 ? 3 : 0).padStart(12)}  $${l.usd.toFixed(6)}`);
    console.log(
      `  (${s.awsCalls} AWS calls, ${s.conditionalFailed} failed conditional writes, ${s.invocations} invocations, ${fmt(s.gbSeconds, 2)} GB-s, ${fmt(s.rcu, 1)} RCU, ${fmt(s.wcu, 0)} WCU)`,
    );
  } finally {
    restoreStdout();
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
