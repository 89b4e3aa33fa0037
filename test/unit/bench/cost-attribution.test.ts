/**
 * The cost bench's per-function attribution (bench/cost/instrument.ts, bench/cost/meter.ts): every
 * SDK call, capacity unit, failed conditional write, event, SQS request and invocation is counted in
 * the tally of the function whose invocation made it — through the real local invoker
 * (infra/local/invoke.ts `currentFunction`) — and calls outside any invocation go to the pile
 * ingress (emitPileEvents' calls, priced) or OUTSIDE (never priced). The SDK's send is replaced by a
 * fake answering at once (no network, no global patch: `meteredSend` wraps the fake).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { invocationMeter, meteredSend, type Send, takeLedger, takeTally } from '../../../bench/cost/instrument.ts';
import {
  bucketFigures,
  emptyTally,
  OUTSIDE,
  outsideBucket,
  PILE_INGRESS,
  platformTally,
  priceTally,
  recordCall,
  scaleLedger,
} from '../../../bench/cost/meter.ts';
import { PRICES } from '../../../bench/prices.ts';
import { PileMeterValues, PileStatusChanged } from '../../../events/piles.ts';
import { createInvoker } from '../../../infra/local/invoke.ts';
import type { FunctionDecl } from '../../../infra/topology/types.ts';
import { closureFunction } from './fixtures/closure-function.ts';

const fn = closureFunction;

const invoker = createInvoker({
  rootDir: new URL('../../..', import.meta.url).pathname,
  region: 'ap-northeast-1',
  account: '000000000000',
  onInvoke: invocationMeter,
});
const invoke = (f: FunctionDecl, run: () => Promise<unknown>, extra: Record<string, unknown> = {}) => invoker.invoke(f, { run, ...extra });

/** a hand-released gate: the test decides when a call answers (interleaving without timers) */
const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
};

class ConditionalCheckFailed extends Error {
  override name = 'ConditionalCheckFailedException';
  constructor(readonly Item: Record<string, unknown>) {
    super('The conditional request failed');
  }
}

/** a fake SDK send: every DynamoDB call reports 2 units (1 of them a GSI's), a write conditioned on `fail` fails on a 1.5 KB item */
const fakeSend: Send = async (command) => {
  const input = command.input;
  if (input.ConditionExpression === 'fail') throw new ConditionalCheckFailed({ pk: 'x'.repeat(1500) });
  if (input.ReturnConsumedCapacity === 'INDEXES')
    return {
      ConsumedCapacity: { TableName: input.TableName, CapacityUnits: 2, GlobalSecondaryIndexes: { byPartner: { CapacityUnits: 1 } } },
    };
  return {};
};
const metered = meteredSend(fakeSend);
const send = { call: (c: unknown, cmd: unknown) => metered.call(c as never, cmd as never) as Promise<unknown> };

const client = (serviceId: string) => ({ config: { serviceId }, constructor: { name: `${serviceId}Client` } });
const dynamo = client('DynamoDB');
const command = (name: string, input: Record<string, unknown>) => ({ input, constructor: { name: `${name}Command` } });
const put = (input: Record<string, unknown> = {}) =>
  send.call(dynamo, command('PutItem', { TableName: 'evcs-test-orders', Item: {}, ...input }));

describe('cost bench attribution', () => {
  beforeEach(() => {
    takeLedger(); // what earlier files in this worker counted
  });

  it('counts each call, its capacity and the invocation in the tally of the function that made it', async () => {
    await invoke(fn('order-write', 1024), () => put());
    const l = takeLedger();
    expect(Object.keys(l)).toEqual(['order-write']);
    const t = l['order-write']!;
    expect(t.calls['DynamoDB:PutItem']).toEqual({ count: 1, failed: 0, conditionalFailed: 0 });
    expect(t.dynamo).toMatchObject({ reportedWrite: 2, indexWrite: 1 });
    expect(t.lambda['order-write']).toMatchObject({ invocations: 1, failed: 0, memoryMb: 1024 });
  });

  it('keeps two interleaved invocations apart, and a call a handler leaves running stays its own', async () => {
    const a = gate();
    const b = gate();
    let leftRunning: Promise<unknown> | undefined;
    const first = invoke(fn('push-deliver'), async () => {
      await a.opened; // resumes after the other invocation made its calls
      await put();
      await put({ ConditionExpression: 'fail' }).catch(() => undefined);
    });
    const second = invoke(fn('push-plan'), async () => {
      await put();
      a.open();
      await b.opened;
      // not awaited by the handler: it finishes after the invocation returned
      leftRunning = (async () => {
        await Promise.resolve();
        await send.call(client('SQS'), command('SendMessage', { QueueUrl: 'http://q/evcs-push-deliveries.fifo', MessageBody: 'x' }));
      })();
    });
    await first;
    b.open();
    await second;
    await leftRunning;
    const l = takeLedger();
    const deliver = bucketFigures(l['push-deliver']!);
    const plan = bucketFigures(l['push-plan']!);
    expect(deliver).toMatchObject({ invocations: 1, writeCalls: 2, conditionalFailed: 1 });
    // 2 WCU reported for the successful write + 2 computed for the failed one on a 1.5 KB item
    expect(deliver.wcu).toBe(4);
    // by write and table (the local runtime's prefix dropped): the units of each call
    expect(l['push-deliver']!.dynamo.writes).toEqual({
      'PutItem orders': { count: 1, wcu: 2, gsi: 1 },
      'PutItem (failed) orders': { count: 1, wcu: 2, gsi: 0 },
    });
    expect(plan).toMatchObject({ invocations: 1, writeCalls: 1, conditionalFailed: 0, wcu: 2 });
    expect(l['push-plan']!.calls['SQS:SendMessage']?.count).toBe(1);
    expect(l['push-plan']!.sqs).toMatchObject({ sdk: 1, fifo: 1 });
    expect(l['push-deliver']!.calls['SQS:SendMessage']).toBeUndefined();
    expect(l[OUTSIDE]).toBeUndefined();
  });

  it('a queue-triggered invocation owns its batch receive and delete', async () => {
    const records = [1, 2, 3].map((i) => ({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:x:0:evcs-charging-pile-events',
      body: `m${i}`,
    }));
    await invoke(fn('charging-events'), async () => undefined, { Records: records });
    const t = takeLedger()['charging-events']!;
    expect(t.sqs).toMatchObject({ receive: 1, delete: 1, fifo: 0 });
    expect(t.lambda['charging-events']?.invocations).toBe(1);
  });

  it('a batch over 10 records is one receive and one delete per 10 (SQS caps a call at 10); a failed one deletes none', async () => {
    const records = Array.from({ length: 23 }, (_, i) => ({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:x:0:evcs-charging-pile-meters',
      body: `reading ${i}`,
    }));
    await invoke(fn('charging-events'), async () => undefined, { Records: records });
    expect(takeLedger()['charging-events']!.sqs).toMatchObject({ receive: 3, delete: 3, fifo: 0 });
    await invoke(
      fn('charging-events'),
      async () => {
        throw new Error('batch failed');
      },
      { Records: records },
    ).catch(() => undefined);
    expect(takeLedger()['charging-events']!.sqs).toMatchObject({ receive: 3, delete: 0 });
  });

  it('outside any invocation: pile events are the pile ingress (priced), anything else OUTSIDE (not priced)', async () => {
    const bus = client('EventBridge');
    const sqs = client('SQS');
    const status = { Source: 'evcs.piles', DetailType: PileStatusChanged.detailType, Detail: '{}' };
    await send.call(bus, command('PutEvents', { Entries: [status, status] }));
    await send.call(
      sqs,
      command('SendMessageBatch', {
        QueueUrl: 'http://127.0.0.1:1/000000000000/evcs-charging-pile-events',
        Entries: [{ MessageBody: 'r' }],
      }),
    );
    await put(); // the bench driver reading or writing a table
    await send.call(bus, command('PutEvents', { Entries: [status, { Source: 'evcs', DetailType: 'OrderFinished', Detail: '{}' }] }));
    const l = takeLedger();
    expect(l[PILE_INGRESS]?.events[PileStatusChanged.detailType]).toBe(2);
    expect(l[PILE_INGRESS]?.calls['SQS:SendMessageBatch']?.count).toBe(1);
    expect(l[OUTSIDE]?.calls['DynamoDB:PutItem']?.count).toBe(1);
    expect(l[OUTSIDE]?.calls['EventBridge:PutEvents']?.count).toBe(1);
    const priced = platformTally(l);
    expect(priced.calls['DynamoDB:PutItem']).toBeUndefined();
    expect(priced.calls['SQS:SendMessageBatch']?.count).toBe(1);
    expect(priced.events.OrderFinished).toBeUndefined();
    expect(priceTally(priced, PRICES).total).toBeLessThan(priceTally(platformTally({ ...l, x: l[OUTSIDE]! }), PRICES).total);
  });

  it('takeTally (the other benches) still sums every bucket, OUTSIDE included', async () => {
    await put();
    await invoke(fn('f'), () => put());
    expect(takeTally().calls['DynamoDB:PutItem']?.count).toBe(2);
    expect(takeLedger()).toEqual({});
  });
});

describe('cost bench buckets (pure)', () => {
  const types = new Set([PileStatusChanged.detailType, PileMeterValues.detailType]);

  it('classifies calls made outside any invocation', () => {
    const entry = (t: string) => ({ DetailType: t });
    expect(outsideBucket('EventBridge', 'PutEvents', { Entries: [entry(PileMeterValues.detailType)] }, types)).toBe(PILE_INGRESS);
    expect(outsideBucket('EventBridge', 'PutEvents', { Entries: [] }, types)).toBe(OUTSIDE);
    expect(outsideBucket('SQS', 'SendMessage', { QueueUrl: 'https://sqs.x.amazonaws.com/1/evcs-charging-pile-events' }, types)).toBe(
      PILE_INGRESS,
    );
    expect(
      outsideBucket('SQS', 'SendMessage', { QueueUrl: 'https://sqs.x.amazonaws.com/1/evcs-not-charging-pile-events-dlq' }, types),
    ).toBe(OUTSIDE);
    expect(outsideBucket('SQS', 'ReceiveMessage', { QueueUrl: 'https://sqs.x.amazonaws.com/1/evcs-charging-pile-events' }, types)).toBe(
      OUTSIDE,
    );
    expect(outsideBucket('DynamoDB', 'Query', {}, types)).toBe(OUTSIDE);
  });

  it('scales every bucket per unit and counts write calls by command', () => {
    const t = emptyTally();
    for (const c of ['PutItem', 'UpdateItem', 'GetItem', 'TransactWriteItems', 'BatchWriteItem'])
      recordCall(t, 'DynamoDB', c, { ok: true });
    recordCall(t, 'DynamoDB', 'UpdateItem', { ok: false, conditionalFailed: true });
    const per = scaleLedger({ a: t }, 0.5);
    expect(bucketFigures(t)).toMatchObject({ writeCalls: 5, dynamoCalls: 6, conditionalFailed: 1 });
    expect(bucketFigures(per.a!)).toMatchObject({ writeCalls: 2.5, conditionalFailed: 0.5 });
  });
});
