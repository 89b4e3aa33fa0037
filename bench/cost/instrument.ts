/**
 * The cost bench's meters, installed into its own process before any handler loads:
 *
 *  - every AWS SDK v3 call: `Client.prototype.send` of `@smithy/core/client` — the class every v3
 *    client (DynamoDB, EventBridge, SQS, Secrets Manager, Powertools' providers) extends — is
 *    wrapped, so clients created anywhere, at import or inside a handler, are counted. The document
 *    layer (shared/store/doc.ts) sends one low-level command per call through it (GetItem, Query…,
 *    the input already marshalled);
 *    DynamoDB data-plane calls are asked for `ReturnConsumedCapacity: 'INDEXES'` (DynamoDB Local
 *    answers it like DynamoDB: table + each GSI) and, for conditional writes,
 *    `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, so a failed conditional write (which DynamoDB
 *    reports no capacity for but bills: the existing item's size, at least 1 WCU) is computed from the
 *    size of the item it failed on;
 *  - EventBridge → SQS targets: each PutEvents entry is matched against the topology's queue rules
 *    (the same rules and matcher as the local bus) — one SendMessage per matching queue;
 *  - every Lambda invocation: the local invoker's `onInvoke` observer (duration, memory of the
 *    topology or the tier default); HTTP-triggered ones are API Gateway requests; SQS-triggered ones
 *    are the event source mapping's ReceiveMessage + DeleteMessageBatch (one each per 10 records of
 *    a batch, SQS's most per call: the ESM's idle long polls are a fixed monthly cost, priced in the
 *    operator profile);
 *  - log bytes: the handlers' JSON log lines and EMF metrics written to stdout;
 *  - each invocation's own CPU and waits (bench/cost/sandbox.ts, when installed): its GB-s in its own sandbox.
 *
 * Every count goes to the tally of the function whose invocation made it (the local invoker's
 * `currentFunction`: an AsyncLocalStorage, so what a handler awaits or leaves running is its own);
 * a call outside any invocation goes to PILE_INGRESS (emitPileEvents' calls: the OCPP gateway's in
 * AWS) or OUTSIDE (simulator, bench driver, local runtime: not priced). bench/cost/meter.ts
 * `outsideBucket`.
 */
import { createRequire } from 'node:module';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged, PileVinReported } from '../../events/piles.ts';
import { rulesOf } from '../../infra/local/bus.ts';
import { currentFunction, type InvokeObserver, localFunctionName } from '../../infra/local/invoke.ts';
import { matchPattern } from '../../infra/local/pattern.ts';
import { topology } from '../../infra/topology/index.ts';
import { TIER_DEFAULTS } from '../../infra/topology/types.ts';
import {
  addTally,
  bucket,
  chunks,
  emptyTally,
  itemBytes,
  type Ledger,
  OUTSIDE,
  outsideBucket,
  ownLogLine,
  recordCall,
  recordEvent,
  recordInvocation,
  recordLog,
  recordWrite,
  type Tally,
  utf8Bytes,
  writeUnits,
} from './meter.ts';
import { startWait, takeOwn } from './sandbox.ts';

type Input = Record<string, unknown>;
interface SdkCommand {
  input: Input;
  clientCommand?: { constructor: { name: string } };
  constructor: { name: string };
}
interface SdkClient {
  config?: { serviceId?: string };
  constructor: { name: string };
}
export type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => Promise<unknown> | undefined;

const DDB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems', 'ExecuteStatement', 'BatchExecuteStatement']);
const DDB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems', 'ExecuteTransaction']);
/** ReceiveMessage's MaxNumberOfMessages and DeleteMessageBatch's entries: at most 10 a call */
const SQS_MAX_PER_CALL = 10;
const CONDITIONAL = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

let ledger: Ledger = {};
let recording = true;
let startWhen: ((detailType: string) => boolean) | undefined;
let installed = false;

/** the counts so far, by function; a new, empty ledger starts */
export const takeLedger = (): Ledger => {
  const l = ledger;
  ledger = {};
  return l;
};

/** every count so far, whoever made it, as one tally (the other benches: they measure a call made outside any invocation too); a new ledger starts */
export const takeTally = (): Tally => Object.values(takeLedger()).reduce((acc, t) => addTally(acc, t), emptyTally());

const PILE_DETAIL_TYPES: ReadonlySet<string> = new Set(
  [PileStatusChanged, PileSessionStarted, PileSessionStopped, PileMeterValues, PileVinReported].map((e) => e.detailType),
);

/** the bucket a call made now is attributed to */
const bucketNow = (service: string, command: string, input: Input): string =>
  currentFunction()?.id ?? outsideBucket(service, command, input, PILE_DETAIL_TYPES);

/** count nothing until a PutEvents entry with a matching detail-type (the startup burst starts at the first pile report) */
export const pauseUntilEvent = (predicate: (detailType: string) => boolean): void => {
  recording = false;
  startWhen = predicate;
};

const queueRules = rulesOf(topology).filter((r) => r.target.kind === 'queue');

const prepareDynamo = (command: string, input: Input): void => {
  if (!DDB_READS.has(command) && !DDB_WRITES.has(command)) return;
  input.ReturnConsumedCapacity = 'INDEXES';
  if (CONDITIONAL.has(command) && (input.ConditionExpression || input.Expected)) input.ReturnValuesOnConditionCheckFailure ??= 'ALL_OLD';
  if (command === 'TransactWriteItems')
    for (const item of (input.TransactItems as Record<string, Input>[] | undefined) ?? [])
      for (const op of Object.values(item)) if (op?.ConditionExpression) op.ReturnValuesOnConditionCheckFailure ??= 'ALL_OLD';
};

/** the topology's name of a table (the local runtime prefixes it): the longest declared name it ends with */
const tableNames = topology.tables.map((t) => t.name).sort((a, b) => b.length - a.length);
const logicalTable = (physical: unknown): string => {
  const name = String(physical ?? '?');
  return tableNames.find((n) => name.endsWith(n)) ?? name;
};

interface Capacity {
  TableName?: string;
  CapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

const recordCapacity = (tally: Tally, command: string, consumed: Capacity | Capacity[] | undefined): void => {
  for (const c of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    const units = c.CapacityUnits ?? 0;
    if (DDB_WRITES.has(command)) {
      tally.dynamo.reportedWrite += units;
      let gsi = 0;
      for (const g of Object.values(c.GlobalSecondaryIndexes ?? {})) gsi += g.CapacityUnits ?? 0;
      tally.dynamo.indexWrite += gsi;
      recordWrite(tally, command, logicalTable(c.TableName), { wcu: units, gsi });
    } else tally.dynamo.reportedRead += units;
  }
};

/** a failed conditional write: DynamoDB bills the existing item's size (at least 1 WCU), ×2 in a transaction */
const failedConditional = (tally: Tally, command: string, input: Input, err: Record<string, unknown>): boolean => {
  if (err.name === 'ConditionalCheckFailedException') {
    const item = err.Item as Record<string, unknown> | undefined;
    const units = writeUnits(item ? itemBytes(item) : 0);
    tally.dynamo.computedWrite += units;
    recordWrite(tally, `${command} (failed)`, logicalTable(input.TableName), { wcu: units });
    return true;
  }
  if (err.name === 'TransactionCanceledException') {
    const reasons = (err.CancellationReasons as { Code?: string; Item?: Record<string, unknown> }[] | undefined) ?? [];
    if (!reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    const ops = (input.TransactItems as Record<string, Input | undefined>[] | undefined) ?? [];
    for (let i = 0; i < (ops.length || reasons.length); i++) {
      const item = reasons[i]?.Item;
      const units = writeUnits(item ? itemBytes(item) : 0, command === 'TransactWriteItems');
      tally.dynamo.computedWrite += units;
      const table = Object.values(ops[i] ?? {}).find((op) => op?.TableName)?.TableName;
      recordWrite(tally, `${command} (cancelled)`, logicalTable(table), { wcu: units });
    }
    return true;
  }
  return false;
};

const recordPutEvents = (at: string, input: Input): void => {
  for (const e of (input.Entries as Record<string, unknown>[] | undefined) ?? []) {
    const detailType = String(e.DetailType ?? '');
    if (!recording && startWhen?.(detailType)) {
      recording = true;
      startWhen = undefined;
      ledger = {};
    }
    if (!recording) continue;
    const tally = bucket(ledger, at);
    const detail = String(e.Detail ?? '{}');
    const bytes =
      utf8Bytes(String(e.Source ?? '')) + utf8Bytes(detailType) + utf8Bytes(detail) + utf8Bytes(JSON.stringify(e.Resources ?? []));
    recordEvent(tally, detailType, bytes);
    const envelope = { version: '0', source: e.Source, 'detail-type': detailType, detail: JSON.parse(detail) as unknown };
    for (const r of queueRules)
      if (matchPattern(r.pattern as unknown as Record<string, unknown>, envelope)) tally.sqs.eventBridgeTarget += chunks(bytes + 250);
  }
};

const recordSqs = (tally: Tally, command: string, input: Input): void => {
  const attrs = (a: unknown) => utf8Bytes(JSON.stringify(a ?? {}));
  const before = tally.sqs.sdk;
  if (command === 'SendMessage') tally.sqs.sdk += chunks(utf8Bytes(String(input.MessageBody ?? '')) + attrs(input.MessageAttributes));
  else if (command === 'SendMessageBatch') {
    const entries = (input.Entries as Input[] | undefined) ?? [];
    tally.sqs.sdk += chunks(entries.reduce((n, m) => n + utf8Bytes(String(m.MessageBody ?? '')) + attrs(m.MessageAttributes), 0));
  } else tally.sqs.sdk += 1;
  // FIFO queues (the push lanes) bill at their own price
  if (String(input.QueueUrl ?? '').endsWith('.fifo')) tally.sqs.fifo += tally.sqs.sdk - before;
};

/** wrap every SDK v3 client's send (idempotent) */
export const installSdkMeter = (): void => {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const { Client } = require('@smithy/core/client') as { Client: { prototype: { send: Send } } };
  Client.prototype.send = meteredSend(Client.prototype.send);
};

/** `original` (an SDK client's send) counting every call into the ledger, attributed to the invocation that makes it */
export const meteredSend = (original: Send): Send =>
  function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
    const service = this.config?.serviceId ?? this.constructor.name.replace(/Client$/, '');
    const name = (command.clientCommand ?? command).constructor.name.replace(/Command$/, '');
    const input = command.input ?? {};
    const at = bucketNow(service, name, input);
    if (service === 'DynamoDB') prepareDynamo(name, input);
    if (service === 'EventBridge' && name === 'PutEvents') recordPutEvents(at, input);
    const on = recording;
    if (on && service === 'SQS') recordSqs(bucket(ledger, at), name, input);
    const waited = startWait(`${service}:${name}`);
    const p = original.call(this, command, ...rest);
    if (!p) return p;
    if (!on) {
      p.then(waited, waited);
      return p;
    }
    return p.then(
      (out) => {
        waited();
        if (recording) {
          const tally = bucket(ledger, at);
          recordCall(tally, service, name, { ok: true });
          if (service === 'DynamoDB') recordCapacity(tally, name, (out as { ConsumedCapacity?: Capacity | Capacity[] })?.ConsumedCapacity);
        }
        return out;
      },
      (err: unknown) => {
        waited();
        if (recording) {
          const tally = bucket(ledger, at);
          const e = (err ?? {}) as Record<string, unknown>;
          const conditionalFailed = service === 'DynamoDB' && failedConditional(tally, name, input, e);
          recordCall(tally, service, name, { ok: false, conditionalFailed });
        }
        throw err;
      },
    );
  };

/** the local invoker's observer: Lambda requests and GB-s, API Gateway requests, the SQS event source mapping's calls */
export const invocationMeter: InvokeObserver = ({ fn, event, ms, ok, invocation }) => {
  // its own CPU and waits (bench/cost/sandbox.ts, when the cost bench installed it)
  const own = takeOwn(invocation);
  if (!recording) return;
  const tally = bucket(ledger, fn.id);
  recordInvocation(tally, fn.id, ms, fn.memoryMb ?? TIER_DEFAULTS[fn.tier].memoryMb, ok, own);
  const e = event as {
    Records?: { eventSource?: string; eventSourceARN?: string; body?: string }[];
    requestContext?: { http?: unknown };
  };
  if (e?.requestContext?.http) tally.apiRequests++;
  const records = e?.Records?.filter((r) => r.eventSource === 'aws:sqs') ?? [];
  if (records.length) {
    // a ReceiveMessage returns at most 10 messages and a DeleteMessageBatch takes at most 10 entries:
    // a batch of 50 is at least 5 of each (and a receive is billed per 64 KB chunk of what it returns)
    const calls = Math.ceil(records.length / SQS_MAX_PER_CALL);
    const receive = Math.max(calls, chunks(records.reduce((n, r) => n + utf8Bytes(r.body ?? ''), 0)));
    const remove = ok ? calls : 0;
    tally.sqs.receive += receive;
    tally.sqs.delete += remove;
    if (records[0]?.eventSourceARN?.endsWith('.fifo')) tally.sqs.fifo += receive + remove;
  }
};

/**
 * Count the JSON lines (handler logs, EMF metrics) written to stdout and swallow all stdout while
 * `on` (the bench prints its tables to stdout only after a scenario). Returns a function that stops it.
 */
export const captureStdout = (): (() => void) => {
  const original = process.stdout.write.bind(process.stdout);
  let rest = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...args: unknown[]) => {
    const text = rest + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    if (recording)
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        const fn = currentFunction();
        // as the function writes it in AWS: without another function's Lambda context (meter.ts ownLogLine)
        recordLog(bucket(ledger, fn?.id ?? OUTSIDE), fn ? ownLogLine(l, localFunctionName(fn.id)) : l);
      }
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
  };
};
