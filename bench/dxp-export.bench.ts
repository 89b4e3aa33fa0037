/**
 * Supervision exports (issue 13): one day of BENCH_DXP_ORDERS orders (default 200,000) and
 * BENCH_DXP_SAMPLES charging-process samples (default 20,000,000) of one supervision partner,
 * exported hour by hour into the local S3-compatible server (s3rver on loopback, the same
 * @aws-sdk/client-s3 calls as in AWS) through shared/services/dxp-export.ts. The data comes from an
 * in-memory source shaped like the DynamoDB one (its reads are priced from their sizes below), so
 * the figure is the export itself: sort, JSON Lines, SHA-256, S3 puts, manifest.
 *
 * A day's 20 M samples do not fit one process as one object (≈3 GB of JSON Lines > V8's string
 * limit): BENCH_DXP_HOURS hours (default 3) are exported with 1/24 of the day each and the day is
 * extrapolated ×24 — the hourly schedule's real shape. Prints wall time, peak RSS, bytes, and the AWS
 * cost per export (bench/prices.ts + S3 prices here), plus the sample write cost per session
 * (shared/domain/process-samples.ts selectSamples over a 1-hour session's meter stream).
 * Measures; never asserts.
 *
 *   npm run bench -- dxp-export          (BENCH_DXP_HOURS=1 BENCH_DXP_SAMPLES=2000000 for a quick run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRICES, PRICES_DATE } from './prices.ts';
import { fmt } from './support.ts';

const ORDERS = Number(process.env.BENCH_DXP_ORDERS ?? 200_000);
const SAMPLES = Number(process.env.BENCH_DXP_SAMPLES ?? 20_000_000);
const HOURS = Number(process.env.BENCH_DXP_HOURS ?? 3);
const STATIONS = 400;
const DAY = '2026-10-05';

/** S3 Standard, us-east-1 (https://aws.amazon.com/s3/pricing/), as known for 2025–2026 */
const S3 = { putRequest: 0.005 / 1000, getRequest: 0.0004 / 1000, standardGbMonth: 0.023, glacierGbMonth: 0.0036 };

const main = async (): Promise<void> => {
  const { startS3 } = await import('../infra/local/s3.ts');
  const { topology } = await import('../infra/topology/index.ts');
  const { resetConfig } = await import('../shared/config.ts');
  const { parsePeriod } = await import('../shared/domain/dxp-export.ts');
  const { inRegion } = await import('../shared/domain/grants.ts');
  const { selectSamples } = await import('../shared/domain/process-samples.ts');
  const { exportPeriod } = await import('../shared/services/dxp-export.ts');
  const { getObject, putObject, resetObjectsClient } = await import('../shared/store/objects.ts');
  type OrderLine = import('../shared/domain/dxp-export.ts').OrderLine;
  type SampleLine = import('../shared/domain/dxp-export.ts').SampleLine;

  const dir = mkdtempSync(join(tmpdir(), 'evcs-bench-dxp-'));
  const s3 = await startS3({
    buckets: topology.buckets ?? [],
    dataDir: dir,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  Object.assign(process.env, {
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    BUCKET_EXPORTS: s3.buckets.exports,
    CODE_VERSION: 'bench',
  });
  resetConfig();
  resetObjectsClient();

  const stationIds = Array.from({ length: STATIONS }, (_, i) => `ST${String(i).padStart(6, '0')}`);
  const ordersPerHour = Math.round(ORDERS / 24);
  const samplesPerOrder = Math.max(1, Math.round(SAMPLES / ORDERS));
  let peakRss = 0;
  const sampleMem = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const timer = setInterval(sampleMem, 50);

  let bytes = 0;
  let puts = 0;
  let wall = 0;
  let lines = 0;
  for (let h = 0; h < HOURS; h++) {
    const period = parsePeriod(`${DAY}T${String(h + 10).padStart(2, '0')}`)!;
    const from = period.from.getTime();
    // the hour's data, generated before the clock starts (the source's reads are priced separately)
    const orders: OrderLine[] = [];
    const samples: SampleLine[] = [];
    for (let i = 0; i < ordersPerHour; i++) {
      const st = stationIds[i % STATIONS]!;
      const seq = `MA01H3BQ2${String(h).padStart(2, '0')}${String(i).padStart(16, '0')}`;
      orders.push({
        StartChargeSeq: seq,
        OperatorID: 'MA01H3BQ2',
        StationID: st,
        EquipmentID: `${st}E1`,
        ConnectorID: `${st}E1C1`,
        StartTime: `${DAY} 09:00:00`,
        EndTime: `${DAY} ${String(h + 10).padStart(2, '0')}:30:00`,
        TotalPower: 31.25,
        TotalElecMoney: 25.1,
        TotalSeviceMoney: 12.5,
        TotalMoney: 37.6,
        SumPeriod: 1,
        ChargeDetails: [{ DetailStartTime: `${DAY} 09:00:00`, DetailEndTime: `${DAY} 10:30:00`, DetailPower: 31.25 }],
        EnergyWh: 31250,
      });
      for (let k = 0; k < samplesPerOrder; k++) {
        samples.push({
          StartChargeSeq: seq,
          ConnectorID: `${st}E1C1`,
          StationID: st,
          Time: from + (((k * 3_600_000) / samplesPerOrder + i) % 3_600_000),
          Voltage: 395.2,
          Current: 125.5,
          Power: 49.6,
          Soc: 56.3,
          MeterWh: k * 300,
        });
      }
    }
    lines += orders.length + samples.length;
    const stations = new Set(stationIds);
    const source = {
      stationsInArea: async (codes: readonly string[]) => (inRegion(codes, '310115') ? stations : new Set<string>()),
      orders: async (_s: ReadonlySet<string>, p: typeof period) => (p.id === period.id ? orders : []),
      samples: async (_s: ReadonlySet<string>, p: typeof period) => (p.id === period.id ? samples : []),
    };
    const target = {
      put: async (key: string, body: string, contentType: string) => {
        puts++;
        bytes += Buffer.byteLength(body);
        return putObject('exports', key, body, { contentType });
      },
      get: (key: string) => getObject('exports', key),
    };
    const t0 = performance.now();
    const r = await exportPeriod({
      partner: { operatorId: 'SHJG00001', areaCodes: ['31'] },
      period,
      now: new Date(),
      codeVersion: 'bench',
      source,
      target,
    });
    const ms = performance.now() - t0;
    wall += ms;
    sampleMem();
    process.stderr.write(
      `  … ${period.id}: ${r.outcome}, ${r.manifest.objects.map((o) => `${o.kind} ${o.count} (${fmt(o.bytes / 1e6)} MB)`).join(', ')} in ${fmt(ms / 1000, 2)} s\n`,
    );
  }
  clearInterval(timer);
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });

  const perHour = { wall: wall / HOURS, bytes: bytes / HOURS, puts: puts / HOURS };
  const dayBytes = perHour.bytes * 24;
  const dayWallS = (perHour.wall * 24) / 1000;
  // reads of the DynamoDB source per day, from the items' sizes: samples are packed one item per
  // order per pile batch (≈ 60 B per sample + 120 B of keys), queried eventually consistent (0.5 RRU per 4 KB);
  // orders: one BatchGetItem key per order (≈ 2 KB, 0.5 RRU eventually consistent) and byStation keys
  const sampleItemBytes = SAMPLES * 60 + SAMPLES * 120;
  const readUnits = (sampleItemBytes / 4096) * 0.5 + ORDERS * 0.5 + ((ORDERS * 100) / 4096) * 0.5;
  const lambdaGbS = dayWallS * 2.0; // the hourly function has 2048 MB (infra/topology/dxp.ts)
  const cost = {
    dynamoReads: readUnits * PRICES.dynamoReadUnit,
    s3Puts: perHour.puts * 24 * S3.putRequest,
    s3Gets: 24 * 3 * S3.getRequest,
    lambda: lambdaGbS * PRICES.lambdaGbSecond + 24 * PRICES.lambdaRequest,
  };
  const perDay = Object.values(cost).reduce((a, b) => a + b, 0);
  const storagePerMonth = (dayBytes / 1e9) * 30 * S3.standardGbMonth;

  // the sample writes (item 2): a 1-hour session, meter every 15 s, batches of one reading (the worst case)
  const t0 = Date.parse(`${DAY}T02:00:00Z`);
  let kept = 0;
  let writes = 0;
  let last = t0;
  for (let t = t0 + 15_000; t <= t0 + 3_600_000; t += 15_000) {
    const s = selectSamples([[t, 395, 125, 49.6, 50, 0]], last, Number(process.env.PROCESS_SAMPLE_SECONDS ?? 30));
    if (s.length) {
      kept += s.length;
      writes++;
    }
    last = t;
  }

  console.log(`exports of one supervision partner, ${HOURS} hour(s) measured, ×24 for the day (${PRICES_DATE})`);
  console.log(
    `  day: ${ORDERS.toLocaleString()} orders, ${SAMPLES.toLocaleString()} samples (${samplesPerOrder}/order) over ${STATIONS} stations`,
  );
  console.log(
    `  per hour: ${fmt(perHour.wall / 1000, 2)} s wall, ${fmt(perHour.bytes / 1e6)} MB in ${fmt(perHour.puts, 0)} puts (${(lines / HOURS).toLocaleString()} lines)`,
  );
  console.log(`  per day (×24): ${fmt(dayWallS)} s wall, ${fmt(dayBytes / 1e9, 2)} GB of JSON Lines`);
  console.log(`  peak RSS ${fmt(peakRss / 1e6, 0)} MB (the hour's data in memory, its JSON Lines and the SDK's buffers)`);
  console.log(
    `  AWS per day: DynamoDB reads $${fmt(cost.dynamoReads, 4)}, S3 puts $${fmt(cost.s3Puts, 5)}, Lambda $${fmt(cost.lambda, 4)} → $${fmt(perDay, 4)}/day, $${fmt(perDay * 30, 2)}/month; storage +$${fmt(storagePerMonth, 2)}/month per month kept in Standard (Glacier after 90 d: $${fmt((dayBytes / 1e9) * 30 * S3.glacierGbMonth, 3)})`,
  );
  console.log(
    `  sample writes: a 1-hour session keeps ${kept} samples in ${writes} PutItem (1 WRU each) = $${fmt(writes * PRICES.dynamoWriteUnit * 1e6, 1)} per million sessions… i.e. $${(writes * PRICES.dynamoWriteUnit).toExponential(2)} per session`,
  );
};

await main();
