import { PRICES, PRICES_DATE } from './prices.ts';
import { fmt } from './support.ts';

const ORDERS = Number(process.env.BENCH_DXP_ORDERS ?? 200_000);
const SAMPLES = Number(process.env.BENCH_DXP_SAMPLES ?? 20_000_000);
/**
 * how many of the day's 24 parts (hours) to run: all (the default) ends with the day's manifest;
 * fewer measures full-size parts in a fraction of the time and extrapolates the day (no manifest)
 */
const PARTS = Math.min(24, Math.max(1, Number(process.env.BENCH_DXP_PARTS ?? 24)));
/** dxp-export-part's memory (infra/topology/dxp.ts) and Lambda's limit */
const PART_MEMORY_GB = 1.769;
const LAMBDA_LIMIT_S = 900;
const STATIONS = 400;
const DAY = '2026-10-05';
const NEXT_DAY = '2026-10-06';

/** S3 Standard, us-east-1 (https://aws.amazon.com/s3/pricing/), as known for 2025–2026 */
const S3 = { putRequest: 0.005 / 1000, getRequest: 0.0004 / 1000, standardGbMonth: 0.023, glacierGbMonth: 0.0036 };
/** multipart part size of putObjectStream (each part is one PUT-class request) */
const PART_BYTES = 8 * 1024 * 1024;

const main = async (): Promise<void> => {
  const { parsePeriod } = await import('../shared/domain/dxp-export.ts');
  const { inRegion } = await import('../shared/domain/grants.ts');
  const { selectSamples } = await import('../shared/domain/process-samples.ts');
  const { exportPart, finishDayParts, startDayInParts } = await import('../shared/services/dxp-export.ts');
  const { getObject, putObject, putObjectStream } = await import('../shared/store/objects.ts');
  type OrderLine = import('../shared/domain/dxp-export.ts').OrderLine;
  type SampleLine = import('../shared/domain/dxp-export.ts').SampleLine;

  const { startLocalS3 } = await import('../test/support/s3.ts');
  const local = await startLocalS3('bench-dxp', { CODE_VERSION: 'bench' });

  const period = parsePeriod(DAY)!;
  const stationIds = Array.from({ length: STATIONS }, (_, i) => `ST${String(i).padStart(6, '0')}`);
  const ordersPerHour = Math.round(ORDERS / 24);
  const samplesPerOrder = Math.max(1, Math.round(SAMPLES / ORDERS));
  const hh = (h: number) => String(h).padStart(2, '0');
  const seqOf = (h: number, i: number) => `MA01H3BQ2${hh(h)}${String(i).padStart(16, '0')}`;
  const ordersByHour = new Map<string, OrderLine[]>();
  for (let h = 0; h < 24; h++) {
    const orders: OrderLine[] = [];
    ordersByHour.set(`${DAY}T${hh(h)}`, orders);
    for (let i = 0; i < ordersPerHour; i++) {
      const st = stationIds[i % STATIONS]!;
      orders.push({
        StartChargeSeq: seqOf(h, i),
        OperatorID: 'MA01H3BQ2',
        StationID: st,
        EquipmentID: `${st}E1`,
        ConnectorID: `${st}E1C1`,
        StartTime: `${DAY} ${hh(h)}:00:00`,
        EndTime: `${DAY} ${hh(h)}:30:00`,
        TotalPower: 31.25,
        TotalElecMoney: 25.1,
        TotalSeviceMoney: 12.5,
        TotalMoney: 37.6,
        SumPeriod: 1,
        ChargeDetails: [{ DetailStartTime: `${DAY} ${hh(h)}:00:00`, DetailEndTime: `${DAY} ${hh(h)}:30:00`, DetailPower: 31.25 }],
        EnergyWh: 31250,
      });
    }
  }
  /** one hour's samples, made when the part asks for them (as the DynamoDB source reads one hour at a time) */
  async function* samples(h: number): AsyncIterable<SampleLine[]> {
    {
      const from = period.from.getTime() + h * 3_600_000;
      const out: SampleLine[] = [];
      for (let i = 0; i < ordersPerHour; i++) {
        const st = stationIds[i % STATIONS]!;
        for (let k = 0; k < samplesPerOrder; k++)
          out.push({
            StartChargeSeq: seqOf(h, i),
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
      yield out;
    }
  }
  const stations = new Set(stationIds);
  const source = {
    stationsInArea: async (codes: readonly string[]) => (inRegion(codes, '310115') ? stations : new Set<string>()),
    orders: async (_s: ReadonlySet<string>, p: typeof period) => ordersByHour.get(p.id) ?? [],
    samples: (_s: ReadonlySet<string>, p: typeof period) =>
      p.granularity === 'hour' && p.day === DAY ? samples(Number(p.id.slice(11, 13))) : Promise.resolve([]),
  };
  let bytes = 0;
  let requests = 0;
  let gets = 0;
  const target = {
    put: async (key: string, body: string, contentType: string) => {
      requests++;
      bytes += Buffer.byteLength(body);
      return putObject('exports', key, body, { contentType });
    },
    putStream: async (staging: string, chunks: AsyncIterable<string>, keyOf: (sha: string) => string, contentType: string) => {
      const r = await putObjectStream('exports', staging, chunks, keyOf, { contentType });
      bytes += r.bytes;
      // one PutObject, or create + parts + complete + head + copy + delete
      requests += r.bytes <= PART_BYTES ? 1 : Math.ceil(r.bytes / PART_BYTES) + 5;
      return r;
    },
    get: (key: string) => {
      gets++;
      return getObject('exports', key);
    },
  };

  let peakRss = 0;
  const sampleMem = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const timer = setInterval(sampleMem, 50);
  const rssBefore = process.memoryUsage().rss;
  const partner = { operatorId: 'SHJG00001', areaCodes: ['31'] };
  const run = await startDayInParts({ partner, day: period, now: new Date(), target });
  const parts: { id: string; wallMs: number; peakRss: number; bytes: number }[] = [];
  let finishMs = 0;
  let outcome = '';
  let manifest: Awaited<ReturnType<typeof finishDayParts>> | undefined;
  for (const id of run.parts.slice(0, PARTS)) {
    peakRss = process.memoryUsage().rss;
    const bytesBefore = bytes;
    const t0 = performance.now();
    await exportPart({ partner, day: period, part: parsePeriod(id)!, runId: run.runId, source, target });
    const wallMs = performance.now() - t0;
    sampleMem();
    const t1 = performance.now();
    manifest = await finishDayParts({ partner, period, runId: run.runId, now: new Date(), codeVersion: 'bench', source, target });
    finishMs = performance.now() - t1;
    outcome = manifest.outcome;
    parts.push({ id, wallMs, peakRss, bytes: bytes - bytesBefore });
    console.log(
      `  part ${id}: ${fmt(wallMs / 1000, 1)} s, ${fmt((bytes - bytesBefore) / 1e6, 0)} MB, peak RSS ${fmt(peakRss / 1e6, 0)} MB`,
    );
  }
  // the late-data check (shared/services/dxp-export.ts lateSamples): the next day's first part reads the same
  // hour of this day again — its samples from the source and its part object from S3 — nothing late here
  let lateCheck: { wallMs: number; peakRss: number; gets: number; corrections: number } | undefined;
  if (manifest && 'manifest' in manifest) {
    const next = parsePeriod(NEXT_DAY)!;
    const nextRun = await startDayInParts({ partner, day: next, now: new Date(), target });
    peakRss = process.memoryUsage().rss;
    const getsBefore = gets;
    const t0 = performance.now();
    const rec = await exportPart({ partner, day: next, part: parsePeriod(`${NEXT_DAY}T00`)!, runId: nextRun.runId, source, target });
    const wallMs = performance.now() - t0;
    sampleMem();
    lateCheck = { wallMs, peakRss, gets: gets - getsBefore, corrections: rec.corrections?.length ?? 0 };
  }
  clearInterval(timer);
  await local.stop();
  const scale = 24 / PARTS;
  const partWallMs = parts.reduce((a, x) => a + x.wallMs, 0);
  const wallMs = partWallMs * scale;
  const longest = parts.reduce((a, x) => (x.wallMs > a.wallMs ? x : a));
  const dayBytes = bytes * scale;
  const dayRequests = requests * scale;
  const dayGets = gets * scale;
  const peakPartRss = Math.max(...parts.map((x) => x.peakRss));

  // reads of the DynamoDB source per day, from the items' sizes: samples are packed one item per
  // order per pile batch (≈ 60 B per sample + 120 B of keys), queried eventually consistent (0.5 RRU per 4 KB);
  // orders: one BatchGetItem key per order (≈ 2 KB, 0.5 RRU eventually consistent) and byStation keys
  const sampleItemBytes = SAMPLES * 60 + SAMPLES * 120;
  const readUnits = (sampleItemBytes / 4096) * 0.5 + ORDERS * 0.5 + ((ORDERS * 100) / 4096) * 0.5;
  const lambdaGbS = (wallMs / 1000) * PART_MEMORY_GB; // every part at dxp-export-part's memory
  const cost = {
    dynamoReads: readUnits * PRICES.dynamoReadUnit,
    s3Requests: dayRequests * S3.putRequest + dayGets * S3.getRequest,
    // 24 part invocations + the daily starter; a part message is sent, received and deleted
    lambda: lambdaGbS * PRICES.lambdaGbSecond + 25 * PRICES.lambdaRequest,
    sqs: 24 * 3 * PRICES.sqsRequest,
  };
  const perDay = Object.values(cost).reduce((a, b) => a + b, 0);
  const storagePerMonth = (dayBytes / 1e9) * 30 * S3.standardGbMonth;

  // the sample writes: a 1-hour session, meter every 15 s, batches of one reading (the worst case)
  const s0 = Date.parse(`${DAY}T02:00:00Z`);
  let kept = 0;
  let writes = 0;
  let last = s0;
  for (let t = s0 + 15_000; t <= s0 + 3_600_000; t += 15_000) {
    const s = selectSamples([[t, 395, 125, 49.6, 50, 0]], last, Number(process.env.PROCESS_SAMPLE_SECONDS ?? 30));
    if (s.length) {
      kept += s.length;
      writes++;
    }
    last = t;
  }

  console.log(`the daily export of one supervision partner in parts (one per China-time hour), streamed (${PRICES_DATE})`);
  console.log(
    `  day: ${ORDERS.toLocaleString()} orders, ${SAMPLES.toLocaleString()} samples (${samplesPerOrder}/order) over ${STATIONS} stations; ${PARTS} of 24 parts run${PARTS < 24 ? ` (the day extrapolated ×${fmt(scale, 1)})` : ''}`,
  );
  if (manifest && 'manifest' in manifest)
    console.log(
      `  manifest ${outcome}: ${manifest.manifest.objects.length} objects (${['orders', 'samples']
        .map(
          (k) =>
            `${k} ${manifest.manifest.objects
              .filter((o) => o.kind === k)
              .reduce((a, o) => a + o.count, 0)
              .toLocaleString()}`,
        )
        .join(', ')}), the last part's finish step ${fmt(finishMs, 0)} ms`,
    );
  else console.log(`  manifest: ${outcome} (not every part was run)`);
  console.log(
    `  per part: longest ${longest.id} ${fmt(longest.wallMs / 1000, 1)} s of Lambda's ${LAMBDA_LIMIT_S} s (${fmt((longest.wallMs / 1000 / LAMBDA_LIMIT_S) * 100, 0)} %), mean ${fmt(partWallMs / parts.length / 1000, 1)} s; ${fmt(longest.bytes / 1e6, 0)} MB`,
  );
  console.log(
    `  day: Σ parts ${fmt(wallMs / 1000, 0)} s of Lambda time (at 4 parts at once ≈ ${fmt(wallMs / 4 / 60_000, 1)} min), ${fmt(dayBytes / 1e9, 2)} GB of JSON Lines, ≈ ${Math.round(dayRequests)} S3 PUT-class + ${Math.round(dayGets)} GET requests`,
  );
  console.log(
    `  peak RSS during a part ${fmt(peakPartRss / 1e6, 0)} MB (${fmt(rssBefore / 1e6, 0)} MB before: the bench's generated orders of the day, which a part's Lambda does not hold)`,
  );
  console.log(
    `  AWS per day: DynamoDB reads $${fmt(cost.dynamoReads, 4)}, S3 requests $${fmt(cost.s3Requests, 5)}, Lambda $${fmt(cost.lambda, 4)}, SQS $${fmt(cost.sqs, 6)} → $${fmt(perDay, 4)}/day, $${fmt(perDay * 30, 2)}/month; storage +$${fmt(storagePerMonth, 2)}/month per month kept in Standard (Glacier after 90 d: $${fmt((dayBytes / 1e9) * 30 * S3.glacierGbMonth, 3)})`,
  );
  console.log(
    lateCheck
      ? `  late-data check of a part (the next day's 00:00 part re-reads this day's 00:00 hour: source + part object): ${fmt(lateCheck.wallMs / 1000, 1)} s, peak RSS ${fmt(lateCheck.peakRss / 1e6, 0)} MB, ${lateCheck.gets} S3 GET, ${lateCheck.corrections} correction(s); per day ≈ the parts' sample reads again ($${fmt((sampleItemBytes / 4096) * 0.5 * PRICES.dynamoReadUnit, 4)} DynamoDB)`
      : '  late-data check: not measured (needs the day’s manifest: run all 24 parts)',
  );
  // the realtime power schedule (every 5 min): before, every run read the current hour so far (on average
  // half an hour of sample items); now only the batches since 2 × the freshness window (shared/services/dxp-triggers.ts)
  const freshS = Math.max(120, 4 * Number(process.env.PROCESS_SAMPLE_SECONDS ?? 30));
  const rruPerSecondOfSamples = (sampleItemBytes / 86_400 / 4096) * 0.5;
  const before = 1800 * rruPerSecondOfSamples * PRICES.dynamoReadUnit;
  const after = 2 * freshS * rruPerSecondOfSamples * PRICES.dynamoReadUnit;
  console.log(
    `  realtime power read per 5-min run: the hour so far (avg 1800 s of samples) $${fmt(before, 5)} → the window since ${2 * freshS} s $${fmt(after, 5)} (${fmt(before * 288, 2)} → ${fmt(after * 288, 2)} $/day)`,
  );
  console.log(
    `  sample writes: a 1-hour session keeps ${kept} samples in ${writes} PutItem (1 WRU each) = $${(writes * PRICES.dynamoWriteUnit).toExponential(2)} per session`,
  );
};

await main();
