/**
 * The cost bench's pure parts: DynamoDB's size and capacity rules, the counters of one scenario,
 * and the arithmetic that turns counts into dollars. No I/O here (unit-tested in
 * test/unit/bench/cost-meter.test.ts); bench/cost/instrument.ts feeds the counters.
 */

import { TIER_DEFAULTS } from '../../infra/topology/types.ts';
import { AWS_LATENCY_MS, LAMBDA_FULL_VCPU_MB, type Prices } from '../prices.ts';

// ─────────────────────────────── DynamoDB size and capacity rules ───────────────────────────────

const KB = 1024;
/** EventBridge events and SQS requests are billed per 64 KB chunk */
const CHUNK_BYTES = 64 * KB;

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** billed 64 KB chunks of a payload (at least one) */
export const chunks = (bytes: number): number => Math.max(1, Math.ceil(bytes / CHUNK_BYTES));

/** DynamoDB's number size: about one byte per two significant digits, plus one */
const numberBytes = (n: number | string | bigint): number => {
  const digits = String(n).replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
};

const AV_KEYS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
/** a marshalled AttributeValue ({ S: 'x' }, { N: '1' }, { M: {...} } …) */
const isAttributeValue = (v: unknown): v is Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && AV_KEYS.has(keys[0] as string);
};

/** size of one marshalled AttributeValue (DynamoDB's rules: lists and maps 3 bytes + 1 per element) */
const avBytes = (av: Record<string, unknown>): number => {
  const [type, v] = Object.entries(av)[0] as [string, unknown];
  switch (type) {
    case 'S':
      return utf8Bytes(v as string);
    case 'N':
      return numberBytes(v as string);
    case 'B':
      return (v as Uint8Array).length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((n, s) => n + utf8Bytes(s), 0);
    case 'NS':
      return (v as string[]).reduce((n, s) => n + numberBytes(s), 0);
    case 'BS':
      return (v as Uint8Array[]).reduce((n, b) => n + b.length, 0);
    case 'L':
      return 3 + (v as Record<string, unknown>[]).reduce((n, e) => n + 1 + avBytes(e), 0);
    default: // M
      return 3 + Object.entries(v as Record<string, Record<string, unknown>>).reduce((n, [k, e]) => n + 1 + utf8Bytes(k) + avBytes(e), 0);
  }
};

/** size of one native (document client) value */
const nativeBytes = (v: unknown): number => {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return utf8Bytes(v);
  if (typeof v === 'number' || typeof v === 'bigint') return numberBytes(v);
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Set) return [...v].reduce((n: number, e) => n + nativeBytes(e), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, e) => n + 1 + nativeBytes(e), 0);
  if (typeof v === 'object' && 'value' in v && Object.keys(v).length === 1) return numberBytes(String(v.value)); // NumberValue
  return 3 + Object.entries(v as Record<string, unknown>).reduce((n, [k, e]) => n + 1 + utf8Bytes(k) + nativeBytes(e), 0);
};

/**
 * An item's size by DynamoDB's rules: the sum of its attribute names (UTF-8) and values. Accepts
 * both the marshalled form (client) and the native form (document client).
 */
export const itemBytes = (item: Record<string, unknown>): number => {
  const entries = Object.entries(item);
  const marshalled = entries.length > 0 && entries.every(([, v]) => isAttributeValue(v));
  return entries.reduce((n, [k, v]) => n + utf8Bytes(k) + (marshalled ? avBytes(v as Record<string, unknown>) : nativeBytes(v)), 0);
};

/** write request units of one item write: 1 per KB (rounded up, at least 1); ×2 in a transaction */
export const writeUnits = (bytes: number, transactional = false): number => Math.max(1, Math.ceil(bytes / KB)) * (transactional ? 2 : 1);

/** read request units of one item read: 1 per 4 KB strongly consistent, half that eventually; ×2 in a transaction */
export const readUnits = (bytes: number, consistent: boolean, transactional = false): number => {
  const units = Math.max(1, Math.ceil(bytes / (4 * KB)));
  if (transactional) return units * 2;
  return consistent ? units : units / 2;
};

// ─────────────────────────────── the counters of one scenario ───────────────────────────────

interface CallCount {
  count: number;
  /** the call threw */
  failed: number;
  /** DynamoDB: a failed conditional write (ConditionalCheckFailed, or a transaction cancelled by one) */
  conditionalFailed: number;
}

interface WriteCount {
  count: number;
  /** table and index units together */
  wcu: number;
  /** of which index units */
  gsi: number;
}

interface FunctionCount {
  invocations: number;
  failed: number;
  ms: number;
  memoryMb: number;
  /** GB-seconds: each invocation's duration rounded up to 1 ms × memory */
  gbSeconds: number;
  /** in its own sandbox (bench/cost/sandbox.ts; absent where it was not measured): own CPU ms, waits ms (measured union; modelled at AWS latencies), billed ms, GB-s */
  cpuMs?: number;
  waitMs?: number;
  modelWaitMs?: number;
  billedMs?: number;
  sandboxGbSeconds?: number;
}

export interface Tally {
  /** by `Service:Command` (e.g. `DynamoDB:UpdateItem`, `SQS:SendMessageBatch`) */
  calls: Record<string, CallCount>;
  dynamo: {
    /** write / read request units DynamoDB reported (table + indexes) */
    reportedWrite: number;
    reportedRead: number;
    /** of which index writes (the whole item projected into a GSI) */
    indexWrite: number;
    /** units computed by the size rules where DynamoDB reports none (failed conditional writes) */
    computedWrite: number;
    computedRead: number;
    /**
     * the writes by `Command table` (e.g. `UpdateItem orders`; a transaction once per table it
     * writes): calls and the units they cost, reported or computed (a failed conditional write) —
     * the WCU of each hot write, so an item grown past 1 KB shows as ≥ 2 WCU a call
     */
    writes?: Record<string, WriteCount>;
  };
  lambda: Record<string, FunctionCount>;
  /** billed EventBridge events (entries × 64 KB chunks), by detail-type */
  events: Record<string, number>;
  /** bytes put on the bus (archive) */
  eventBytes: number;
  /** billed SQS requests (× 64 KB chunks), by kind */
  sqs: { sdk: number; eventBridgeTarget: number; receive: number; delete: number /** of them, on FIFO queues */; fifo: number };
  apiRequests: number;
  secretsCalls: number;
  /** log lines and bytes the handlers wrote (JSON logs and EMF metrics) */
  logLines: number;
  logBytes: number;
}

export const emptyTally = (): Tally => ({
  calls: {},
  dynamo: { reportedWrite: 0, reportedRead: 0, indexWrite: 0, computedWrite: 0, computedRead: 0 },
  lambda: {},
  events: {},
  eventBytes: 0,
  sqs: { sdk: 0, eventBridgeTarget: 0, receive: 0, delete: 0, fifo: 0 },
  apiRequests: 0,
  secretsCalls: 0,
  logLines: 0,
  logBytes: 0,
});

/** the entry of `key`, created by `make` on first use */
const slot = <T>(map: Record<string, T>, key: string, make: () => T): T => {
  map[key] ??= make();
  return map[key];
};

export const recordCall = (t: Tally, service: string, command: string, outcome: { ok: boolean; conditionalFailed?: boolean }): void => {
  const key = `${service}:${command}`;
  const c = slot(t.calls, key, () => ({ count: 0, failed: 0, conditionalFailed: 0 }));
  c.count++;
  if (!outcome.ok) c.failed++;
  if (outcome.conditionalFailed) c.conditionalFailed++;
  if (service === 'Secrets Manager') t.secretsCalls++;
};

/** one DynamoDB write call on one table and what it cost (table + index units; a failed conditional write: computed) */
export const recordWrite = (t: Tally, command: string, table: string, units: { wcu: number; gsi?: number }): void => {
  t.dynamo.writes ??= {};
  const w = slot(t.dynamo.writes, `${command} ${table}`, () => ({ count: 0, wcu: 0, gsi: 0 }));
  w.count++;
  w.wcu += units.wcu;
  w.gsi += units.gsi ?? 0;
};

export const recordInvocation = (
  t: Tally,
  fnId: string,
  ms: number,
  memoryMb: number,
  ok: boolean,
  own?: { cpuMs: number; waits: readonly Wait[] },
): void => {
  const f = slot<FunctionCount>(t.lambda, fnId, () => ({ invocations: 0, failed: 0, ms: 0, memoryMb, gbSeconds: 0 }));
  f.invocations++;
  if (!ok) f.failed++;
  f.ms += ms;
  f.gbSeconds += (Math.max(1, Math.ceil(ms)) / 1000) * (memoryMb / 1024);
  if (!own) return;
  const s = sandboxFigures(own.cpuMs, own.waits, memoryMb);
  f.cpuMs = (f.cpuMs ?? 0) + own.cpuMs;
  f.waitMs = (f.waitMs ?? 0) + s.waitMs;
  f.modelWaitMs = (f.modelWaitMs ?? 0) + s.modelWaitMs;
  f.billedMs = (f.billedMs ?? 0) + s.billedMs;
  f.sandboxGbSeconds = (f.sandboxGbSeconds ?? 0) + (s.billedMs / 1000) * (memoryMb / 1024);
};

// ─────────────────────────────── an invocation in its own sandbox ───────────────────────────────

/** an AWS or HTTP call an invocation made: its kind (`DynamoDB:GetItem`, `HTTP partner`) and when it ran (ms) */
export interface Wait {
  kind: string;
  start: number;
  end: number;
}

/** the time covered by at least one of the calls (calls in parallel overlap: their union, not their sum) */
export const unionMs = (waits: readonly Wait[]): number => {
  let total = 0;
  let to = Number.NEGATIVE_INFINITY;
  for (const w of [...waits].sort((a, b) => a.start - b.start)) {
    const from = Math.max(w.start, to);
    if (w.end > from) total += w.end - from;
    to = Math.max(to, w.end);
  }
  return total;
};

/** a call's typical latency in AWS (bench/prices.ts AWS_LATENCY_MS: by `Service:Command`, else by service) */
export const awsLatencyMs = (kind: string): number =>
  AWS_LATENCY_MS[kind] ?? AWS_LATENCY_MS[kind.split(':')[0] as string] ?? AWS_LATENCY_MS.default ?? 0;

/**
 * The waits at AWS's latencies: the calls grouped as they overlapped locally (a group: calls made in
 * parallel), each group costing its slowest member's AWS latency, the groups one after the other.
 */
export const modelledWaitMs = (waits: readonly Wait[], latency: (kind: string) => number = awsLatencyMs): number => {
  let total = 0;
  let groupEnd = Number.NEGATIVE_INFINITY;
  let groupMax = 0;
  for (const w of [...waits].sort((a, b) => a.start - b.start)) {
    if (w.start >= groupEnd) {
      total += groupMax;
      groupMax = 0;
    }
    groupEnd = Math.max(groupEnd, w.end);
    groupMax = Math.max(groupMax, latency(w.kind));
  }
  return total + groupMax;
};

/** the share of a vCPU Lambda gives a function of this memory (1,769 MB = one full vCPU; more buys cores a single thread cannot use) */
export const vcpuShare = (memoryMb: number): number => Math.min(1, memoryMb / LAMBDA_FULL_VCPU_MB);

/**
 * One invocation as Lambda would bill it in its own sandbox: its own CPU stretched to its share of a
 * vCPU, plus its waits at AWS latencies, rounded up to the ms (at least 1 ms).
 */
export const sandboxFigures = (cpuMs: number, waits: readonly Wait[], memoryMb: number) => {
  const modelWaitMs = modelledWaitMs(waits);
  return {
    waitMs: unionMs(waits),
    modelWaitMs,
    billedMs: Math.max(1, Math.ceil(cpuMs / vcpuShare(memoryMb) + modelWaitMs)),
  };
};

export const recordEvent = (t: Tally, detailType: string, bytes: number): void => {
  t.events[detailType] = (t.events[detailType] ?? 0) + chunks(bytes);
  t.eventBytes += bytes;
};

/** the Lambda context keys Powertools' logger writes on every line once a handler gave it its context */
const CONTEXT_KEYS = ['cold_start', 'function_arn', 'function_memory_size', 'function_name', 'function_request_id', 'tenant_id'];

/**
 * A JSON log line as function `functionName` writes it in AWS. The local runtime runs every function
 * in one process with one Powertools logger, so a line of a function that never injects its context
 * (push-deliver, the queue consumers) carries the Lambda context of the last HTTP handler that did
 * (~280 B); in AWS each function has its own logger and such a line has none. A line whose
 * `function_name` is another function's is counted without those keys; any other line as it is.
 */
export const ownLogLine = (line: string, functionName: string): string => {
  if (!line.includes('"function_name"')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (entry.function_name === undefined || entry.function_name === functionName) return line;
  for (const k of CONTEXT_KEYS) delete entry[k];
  return JSON.stringify(entry);
};

/** one written log line (a JSON log entry or an EMF blob) */
export const recordLog = (t: Tally, line: string): void => {
  t.logLines++;
  t.logBytes += utf8Bytes(line);
};

const sum = (xs: Iterable<number>): number => {
  let n = 0;
  for (const x of xs) n += x;
  return n;
};

export const totals = (t: Tally) => ({
  awsCalls: sum(Object.values(t.calls).map((c) => c.count)),
  dynamoCalls: sum(
    Object.entries(t.calls)
      .filter(([k]) => k.startsWith('DynamoDB:'))
      .map(([, c]) => c.count),
  ),
  conditionalFailed: sum(Object.values(t.calls).map((c) => c.conditionalFailed)),
  wcu: t.dynamo.reportedWrite + t.dynamo.computedWrite,
  rcu: t.dynamo.reportedRead + t.dynamo.computedRead,
  invocations: sum(Object.values(t.lambda).map((f) => f.invocations)),
  gbSeconds: sum(Object.values(t.lambda).map((f) => f.gbSeconds)),
  /** GB-s in each function's own sandbox (0 where not measured) */
  sandboxGbSeconds: sum(Object.values(t.lambda).map((f) => f.sandboxGbSeconds ?? 0)),
  events: sum(Object.values(t.events)),
  sqsRequests: t.sqs.sdk + t.sqs.eventBridgeTarget + t.sqs.receive + t.sqs.delete,
});

/** a + b (for the operator profile: per-unit tallies combined) */
export const addTally = (a: Tally, b: Tally, times = 1): Tally => {
  const out: Tally = structuredClone(a);
  for (const [k, c] of Object.entries(b.calls)) {
    const o = slot(out.calls, k, () => ({ count: 0, failed: 0, conditionalFailed: 0 }));
    o.count += c.count * times;
    o.failed += c.failed * times;
    o.conditionalFailed += c.conditionalFailed * times;
  }
  for (const k of ['reportedWrite', 'reportedRead', 'indexWrite', 'computedWrite', 'computedRead'] as const)
    out.dynamo[k] += b.dynamo[k] * times;
  for (const [k, w] of Object.entries(b.dynamo.writes ?? {})) {
    out.dynamo.writes ??= {};
    const o = slot(out.dynamo.writes, k, () => ({ count: 0, wcu: 0, gsi: 0 }));
    o.count += w.count * times;
    o.wcu += w.wcu * times;
    o.gsi += w.gsi * times;
  }
  for (const [k, f] of Object.entries(b.lambda)) {
    const o = slot<FunctionCount>(out.lambda, k, () => ({ invocations: 0, failed: 0, ms: 0, memoryMb: f.memoryMb, gbSeconds: 0 }));
    o.invocations += f.invocations * times;
    o.failed += f.failed * times;
    o.ms += f.ms * times;
    o.gbSeconds += f.gbSeconds * times;
    for (const k of ['cpuMs', 'waitMs', 'modelWaitMs', 'billedMs', 'sandboxGbSeconds'] as const)
      if (f[k] !== undefined) o[k] = (o[k] ?? 0) + f[k] * times;
  }
  for (const [k, n] of Object.entries(b.events)) out.events[k] = (out.events[k] ?? 0) + n * times;
  out.eventBytes += b.eventBytes * times;
  for (const k of Object.keys(out.sqs) as (keyof Tally['sqs'])[]) out.sqs[k] = (out.sqs[k] ?? 0) + (b.sqs[k] ?? 0) * times;
  out.apiRequests += b.apiRequests * times;
  out.secretsCalls += b.secretsCalls * times;
  out.logLines += b.logLines * times;
  out.logBytes += b.logBytes * times;
  return out;
};

// ─────────────────────────────── attribution: one tally per function ───────────────────────────────

/**
 * Every count is attributed to a bucket: the topology function whose invocation made it (the local
 * invoker's `currentFunction`, an AsyncLocalStorage: what an invocation awaits or starts stays its
 * own), or one of two named buckets for calls made outside any invocation.
 */
export type Ledger = Record<string, Tally>;

/** the pile events the simulator hands to emitPileEvents: in AWS the OCPP gateway makes these calls, so they are priced as the platform's */
export const PILE_INGRESS = '(pile events → emitPileEvents)';
/** the simulator's other calls, the bench driver's own reads, the local runtime itself: counted, never priced as the platform's */
export const OUTSIDE = '(outside: simulator, bench driver, local runtime)';

/** the pile session events' queues (shared/piles/emit.ts sends session events and meter values there) */
const PILE_QUEUE = /[/:]([\w.-]*-)?charging-pile-(events|meters)$/;

/**
 * The bucket of a call made outside any invocation: emitPileEvents' own calls (PutEvents of pile
 * events only; SendMessage(Batch) on the pile session queue) are the pile ingress, anything else is
 * outside.
 */
export const outsideBucket = (
  service: string,
  command: string,
  input: Record<string, unknown>,
  pileDetailTypes: ReadonlySet<string>,
): string => {
  if (service === 'EventBridge' && command === 'PutEvents') {
    const entries = (input.Entries as { DetailType?: string }[] | undefined) ?? [];
    return entries.length > 0 && entries.every((e) => pileDetailTypes.has(String(e.DetailType))) ? PILE_INGRESS : OUTSIDE;
  }
  if (service === 'SQS' && (command === 'SendMessage' || command === 'SendMessageBatch'))
    return PILE_QUEUE.test(String(input.QueueUrl ?? '')) ? PILE_INGRESS : OUTSIDE;
  return OUTSIDE;
};

/** the bucket's tally, created on first use */
export const bucket = (l: Ledger, name: string): Tally => slot(l, name, emptyTally);

/** what the platform pays for: every bucket but OUTSIDE, added up */
export const platformTally = (l: Ledger): Tally =>
  Object.entries(l)
    .filter(([name]) => name !== OUTSIDE)
    .reduce((acc, [, t]) => addTally(acc, t), emptyTally());

/** each bucket × factor (per unit: 1 / units) */
export const scaleLedger = (l: Ledger, times: number): Ledger =>
  Object.fromEntries(Object.entries(l).map(([name, t]) => [name, addTally(emptyTally(), t, times)]));

const WRITE_COMMAND = /^DynamoDB:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;

/** one bucket's figures for the per-function table (and the writes-per-push lines) */
export const bucketFigures = (t: Tally) => {
  const x = totals(t);
  const writeCalls = sum(
    Object.entries(t.calls)
      .filter(([k]) => WRITE_COMMAND.test(k))
      .map(([, c]) => c.count),
  );
  return { ...x, writeCalls };
};

// ─────────────────────────────── dollars ───────────────────────────────

/** Lambda's platform lines of one invocation (START, END, REPORT: INFO) and their usual size */
const PLATFORM_LINES_BYTES = 330;
/**
 * What the stack lets through of them: none where a tier's systemLogLevel is WARN (advanced
 * logging controls, infra/topology/types.ts TIER_DEFAULTS); the most any tier writes.
 */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = Math.max(
  ...Object.values(TIER_DEFAULTS).map((t) => (t.systemLogLevel === 'WARN' ? 0 : PLATFORM_LINES_BYTES)),
);
/** share of invocations X-Ray records with the default sampling rule (1/s reservoir + 5 %): 5 % at scale */
export const XRAY_SAMPLING = 0.05;

export interface CostLine {
  item: string;
  quantity: number;
  usd: number;
}

/**
 * every billed line of a tally at the given prices, and the total; Lambda GB-s as measured on the
 * local runtime (`wall`: each invocation's handler time, neighbours included) or in each function's
 * own sandbox (`sandbox`: own CPU at its vCPU share + waits at AWS latencies)
 */
export const priceTally = (t: Tally, p: Prices, gbs: 'wall' | 'sandbox' = 'wall'): { lines: CostLine[]; total: number } => {
  const s = totals(t);
  const logBytes = t.logBytes + s.invocations * PLATFORM_LOG_BYTES_PER_INVOCATION;
  const GB = 1024 ** 3;
  const fifo = t.sqs.fifo ?? 0;
  const lines: CostLine[] = [
    { item: 'Lambda requests', quantity: s.invocations, usd: s.invocations * p.lambdaRequest },
    gbs === 'wall'
      ? { item: 'Lambda GB-s (arm64)', quantity: s.gbSeconds, usd: s.gbSeconds * p.lambdaGbSecond }
      : { item: 'Lambda GB-s (arm64, own sandbox)', quantity: s.sandboxGbSeconds, usd: s.sandboxGbSeconds * p.lambdaGbSecond },
    { item: 'DynamoDB write units', quantity: s.wcu, usd: s.wcu * p.dynamoWriteUnit },
    { item: 'DynamoDB read units', quantity: s.rcu, usd: s.rcu * p.dynamoReadUnit },
    { item: 'EventBridge events', quantity: s.events, usd: s.events * p.eventBridgeEvent },
    { item: 'EventBridge archive (GB)', quantity: t.eventBytes / GB, usd: (t.eventBytes / GB) * p.eventBridgeArchiveGb },
    { item: 'SQS requests (standard)', quantity: s.sqsRequests - fifo, usd: (s.sqsRequests - fifo) * p.sqsRequest },
    { item: 'SQS requests (FIFO)', quantity: fifo, usd: fifo * p.sqsFifoRequest },
    { item: 'API Gateway HTTP requests', quantity: t.apiRequests, usd: t.apiRequests * p.apiHttpRequest },
    { item: 'Secrets Manager API calls', quantity: t.secretsCalls, usd: t.secretsCalls * p.secretsApiCall },
    { item: 'CloudWatch Logs ingested (GB)', quantity: logBytes / GB, usd: (logBytes / GB) * p.logsIngestGb },
    { item: 'X-Ray traces (est.)', quantity: s.invocations * XRAY_SAMPLING, usd: s.invocations * XRAY_SAMPLING * p.xrayTrace },
  ];
  return { lines, total: sum(lines.map((l) => l.usd)) };
};

// ─────────────────────────────── the operator profile ───────────────────────────────

export interface OperatorProfile {
  connectors: number;
  partners: number;
  sessionsPerDay: number;
  /** share of the partners granted a given station */
  grantShare: number;
  /** connector status changes per day not caused by a session (faults, outages, recoveries), per connector */
  otherStatusChangesPerConnectorDay: number;
  /** status changes a session causes that the session scenario does not contain (the driver unplugging: idle) */
  extraStatusChangesPerSession: number;
  /** secrets stored: the platform's + two per partner */
  secrets: number;
  /** queues an SQS event source mapping polls, and its idle long polls per queue per month (5 pollers × 20 s) */
  polledQueues: number;
  idlePollsPerQueueMonth: number;
  daysPerMonth: number;
}

export const OPERATOR: OperatorProfile = {
  connectors: 50_000,
  partners: 10,
  sessionsPerDay: 200_000,
  grantShare: 0.5,
  otherStatusChangesPerConnectorDay: 0.5,
  extraStatusChangesPerSession: 1,
  secrets: 1 + 2 * 10,
  polledQueues: 7,
  idlePollsPerQueueMonth: 5 * 3 * 60 * 24 * 30,
  daysPerMonth: 30,
};

export interface UnitCosts {
  /** $ of one session, its own status changes pushed to the partners the bench seed grants (sessionPartners) */
  session: number;
  /** status changes inside the session scenario, and how many partners received each */
  sessionStatusChanges: number;
  sessionPartners: number;
  /** $ of one status change fanned out to 1 and to 10 partners */
  statusChange1: number;
  statusChange10: number;
}

/** cost of one status change pushed to n partners, linear between the measured 1 and 10 */
export const statusChangeCost = (u: UnitCosts, n: number): number => {
  const perPartner = (u.statusChange10 - u.statusChange1) / 9;
  return u.statusChange1 + (n - 1) * perPartner;
};

/** the operator's monthly bill, line by line */
export const monthlyBill = (u: UnitCosts, o: OperatorProfile, p: Prices): { lines: CostLine[]; total: number } => {
  const d = o.daysPerMonth;
  const granted = o.partners * o.grantShare;
  const perPartner = (u.statusChange10 - u.statusChange1) / 9;
  const sessions = o.sessionsPerDay * d;
  const otherChanges = (o.connectors * o.otherStatusChangesPerConnectorDay + o.sessionsPerDay * o.extraStatusChangesPerSession) * d;
  const lines: CostLine[] = [
    { item: 'sessions (as measured)', quantity: sessions, usd: sessions * u.session },
    {
      item: `their status changes to ${granted} granted partners, not ${u.sessionPartners}`,
      quantity: sessions * u.sessionStatusChanges,
      usd: sessions * u.sessionStatusChanges * (granted - u.sessionPartners) * perPartner,
    },
    { item: 'other status changes (unplug, faults)', quantity: otherChanges, usd: otherChanges * statusChangeCost(u, granted) },
    {
      item: 'SQS idle long polls (event source mappings)',
      quantity: o.polledQueues * o.idlePollsPerQueueMonth,
      usd: o.polledQueues * o.idlePollsPerQueueMonth * p.sqsRequest,
    },
    { item: 'secrets stored', quantity: o.secrets, usd: o.secrets * p.secretMonth },
  ];
  return { lines, total: sum(lines.map((l) => l.usd)) };
};
