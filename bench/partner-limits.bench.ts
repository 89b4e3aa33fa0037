/**
 * The per-partner rate limiter of the T/CEC gateway (shared/middleware/partner-guards.ts
 * `admitWithinRateLimit`, issue 17) in process: µs per admitted call (one partner; 10,000 partners,
 * so the bucket map is large), µs per refused call with what it writes (the PartnerThrottled EMF
 * line and the warning, as in Lambda: metrics on, log level INFO), and the $ a refused request costs
 * on AWS (bench/prices.ts) — a request refused with Ret -1 is still an API Gateway request and a
 * Lambda invocation, but no DynamoDB or Secrets Manager call once the instance is warm.
 *
 *   npx tsx bench/partner-limits.bench.ts      (or: npm run bench -- partner-limits)
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PRICES } from './prices.ts';
import { fmt } from './support.ts';

/** the L0 tier's memory (infra/topology/types.ts TIER_DEFAULTS): every partner-facing function's */
const L0_MEMORY_GB = 1024 / 1024;

export const main = async (): Promise<void> => {
  // as in Lambda: metrics and INFO logs on; written through the global console, which this bench counts
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'EVCS';
  process.env.POWERTOOLS_SERVICE_NAME = 'evcs';
  const { admitWithinRateLimit, resetPartnerGuards } = await import('../shared/middleware/partner-guards.ts');
  const { TcecError } = await import('../shared/tcec/ret.ts');

  const time = (n: number, f: (i: number) => void): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f(i);
    return ((performance.now() - t0) * 1000) / n; // µs per call
  };
  const t0 = Date.now();
  // a clock that moves 1 ms per call: buckets refill as in real traffic
  const at = (i: number) => new Date(t0 + i);

  console.log(`${'admitWithinRateLimit'.padEnd(46)} ${'calls'.padStart(9)} ${'µs/call'.padStart(9)} ${'bytes/call'.padStart(11)}`);
  const row = (what: string, n: number, us: number, bytes = 0) =>
    console.log(`${what.padEnd(46)} ${String(n).padStart(9)} ${fmt(us, 3).padStart(9)} ${String(Math.round(bytes)).padStart(11)}`);

  // admitted: a budget no call exhausts
  const big = { rps: 100_000, burst: 100_000 };
  const one = { operatorId: 'MA0BENCH1', rateLimit: big };
  time(200_000, (i) => admitWithinRateLimit(one, at(i))); // warm-up (JIT)
  resetPartnerGuards();
  const n1 = 1_000_000;
  row(
    'admitted, 1 partner',
    n1,
    time(n1, (i) => admitWithinRateLimit(one, at(i))),
  );
  const many = Array.from({ length: 10_000 }, (_, k) => ({ operatorId: `MA${String(k).padStart(7, '0')}`, rateLimit: big }));
  resetPartnerGuards();
  row(
    'admitted, 10,000 partners (round robin)',
    n1,
    time(n1, (i) => admitWithinRateLimit(many[i % many.length]!, at(i))),
  );

  // refused: burst 1, no refill (one fixed instant), every call after the first refused
  const flooder = { operatorId: 'MA0FLOOD1', rateLimit: { rps: 0.001, burst: 1 } };
  let bytes = 0;
  const sink = (...args: unknown[]) => {
    bytes += args.map(String).join(' ').length + 1;
  };
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const refusedAt = new Date(t0);
  const refuse = () => {
    try {
      admitWithinRateLimit(flooder, refusedAt);
    } catch (e) {
      if (!(e instanceof TcecError)) throw e;
    }
  };
  Object.assign(console, { log: sink, info: sink, warn: sink, error: sink });
  let usRefused: number;
  const n2 = 50_000;
  try {
    resetPartnerGuards();
    time(5_000, refuse); // warm-up
    bytes = 0;
    usRefused = time(n2, refuse);
  } finally {
    Object.assign(console, saved);
  }
  const bytesPerRefusal = bytes / n2;
  row('refused (Ret -1): EMF PartnerThrottled', n2, usRefused, bytesPerRefusal);

  // the whole refused invocation through the gateway (tcecHandler), warm: partner and secret cached
  // (the registry answered by the document client's stub, Secrets Manager by aws-sdk-client-mock), Sig verified, bucket empty
  const { mockClient } = await import('aws-sdk-client-mock');
  const { GetCommand } = await import('../shared/store/doc.ts');
  const { stubDocumentClient } = await import('../test/support/doc-stub.ts');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const { tcecHandler } = await import('../shared/middleware/tcec-gateway.ts');
  const { encodeRequest } = await import('../shared/tcec/envelope.ts');
  const { chinaTimeStamp } = await import('../shared/tcec/time.ts');
  Object.assign(process.env, { TABLE_PARTNERS: 'bench-partners', TABLE_TOKENS: 'bench-tokens', SECRETS_PREFIX: 'bench/' });
  process.env.AWS_REGION ??= 'us-east-1';
  const inbound = {
    operatorSecret: 'operator-secret-x',
    dataSecret: 'dxxxxxxxxxxxxxxx',
    dataSecretIV: 'iyyyyyyyyyyyyyyy',
    sigSecret: 'sig-secret-x',
  };
  const partner = {
    operatorId: flooder.operatorId,
    name: 'flooder',
    dialect: 'cec2016',
    stations: '*',
    status: 'active',
    features: { queryChargeInfo: false },
    rateLimit: flooder.rateLimit,
  };
  stubDocumentClient().on(GetCommand).resolves({ Item: partner });
  mockClient(SecretsManagerClient)
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ inbound }) });
  const handler = tcecHandler('query_station_status', async () => ({ Total: 0, StationStatusInfos: [] }), {
    clock: () => refusedAt,
  }) as unknown as (e: unknown, c: unknown) => Promise<{ body: string }>;
  const body = JSON.stringify(
    encodeRequest({
      operatorId: flooder.operatorId,
      data: { StationIDs: ['FX0001'] },
      secrets: inbound,
      timeStamp: chinaTimeStamp(refusedAt),
      seq: '0001',
    }),
  );
  const event = {
    version: '2.0',
    rawPath: '/evcs/v1/query_station_status',
    headers: { 'content-type': 'application/json' },
    requestContext: { requestId: 'bench', http: { method: 'POST', path: '/evcs/v1/query_station_status' } },
    body,
    isBase64Encoded: false,
  };
  const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
  const n3 = 5_000;
  let usInvocation: number;
  Object.assign(console, { log: sink, info: sink, warn: sink, error: sink });
  try {
    for (let i = 0; i < 500; i++) await handler(event, context); // warm-up; the bucket is empty from the second call
    const last = JSON.parse((await handler(event, context)).body) as { Ret: number };
    if (last.Ret !== -1) throw new Error(`expected Ret -1, got ${last.Ret}`);
    bytes = 0;
    const tStart = performance.now();
    for (let i = 0; i < n3; i++) await handler(event, context);
    usInvocation = ((performance.now() - tStart) * 1000) / n3;
  } finally {
    Object.assign(console, saved);
  }
  const logBytes = bytes / n3;
  row('a whole refused invocation (gateway, warm)', n3, usInvocation, logBytes);

  // $ per refused request on AWS: the API request, the invocation (Lambda bills whole ms: 1 ms while
  // the warm refusal stays under it), the log lines ingested; no DynamoDB, no Secrets Manager
  const billedMs = Math.max(1, Math.ceil(usInvocation / 1000));
  const parts = {
    'HTTP API request': PRICES.apiHttpRequest,
    'Lambda request': PRICES.lambdaRequest,
    [`Lambda duration (${billedMs} ms × 1 GB)`]: PRICES.lambdaGbSecond * L0_MEMORY_GB * (billedMs / 1000),
    [`CloudWatch Logs (${Math.round(logBytes)} B)`]: (logBytes / 1e9) * PRICES.logsIngestGb,
    'DynamoDB / Secrets Manager': 0,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  console.log('\n$ per refused request (us-east-1 on-demand, bench/prices.ts)');
  for (const [k, v] of Object.entries(parts)) console.log(`  ${k.padEnd(40)} $${(v * 1e6).toFixed(3)} per million`);
  console.log(`  ${'total'.padEnd(40)} $${(total * 1e6).toFixed(3)} per million  ($${total.toExponential(2)} each)`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
