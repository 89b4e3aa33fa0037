/**
 * The cost bench's pure arithmetic (bench/cost/meter.ts): DynamoDB's size and capacity rules,
 * counter aggregation, pricing and the operator's monthly bill. No DynamoDB, no platform.
 */
import { describe, expect, it } from 'vitest';
import {
  addTally,
  chunks,
  emptyTally,
  itemBytes,
  monthlyBill,
  OPERATOR,
  ownLogLine,
  PLATFORM_LOG_BYTES_PER_INVOCATION,
  priceTally,
  readUnits,
  recordCall,
  recordEvent,
  recordInvocation,
  recordLog,
  recordWrite,
  statusChangeCost,
  totals,
  type UnitCosts,
  writeUnits,
  XRAY_SAMPLING,
} from '../../../bench/cost/meter.ts';
import { PRICES, type Prices } from '../../../bench/prices.ts';

/** every price 0 but the named ones */
const only = (p: Partial<Prices>): Prices => ({ ...(Object.fromEntries(Object.keys(PRICES).map((k) => [k, 0])) as Prices), ...p });

describe('DynamoDB item size', () => {
  it('sums attribute names and values (strings UTF-8, numbers by digits, bools 1)', () => {
    // pk(2) + 'ORDER#1'(7) = 9; n(1) + 12345 → 5 digits → 3+1 = 4 → 5; ok(2) + 1 = 3; 名(3 bytes) + 'é'(2) = 5
    expect(itemBytes({ pk: 'ORDER#1', n: 12345, ok: true, 名: 'é' })).toBe(9 + 5 + 3 + 5);
  });

  it('gives the same size for the marshalled and the native form', () => {
    const native = { pk: 'A', samples: [{ t: 1, wh: 250 }], tags: { a: 'x' }, nothing: null };
    const marshalled = {
      pk: { S: 'A' },
      samples: { L: [{ M: { t: { N: '1' }, wh: { N: '250' } } }] },
      tags: { M: { a: { S: 'x' } } },
      nothing: { NULL: true },
    };
    expect(itemBytes(marshalled)).toBe(itemBytes(native));
    // lists and maps: 3 bytes + 1 per element; samples = 7 + 3 + (1 + [3 + (1+1+2) + (1+2+2)]) = 7 + 3 + 13
    expect(itemBytes(native)).toBe(2 + 1 + (7 + 3 + 13) + (4 + 3 + (1 + 1 + 1)) + (7 + 1));
  });

  it('grows with every meter sample kept in the item', () => {
    const order = (n: number) => ({
      pk: 'ORDER#x',
      samples: Array.from({ length: n }, (_, i) => ({ t: 1_700_000_000 + i * 15, wh: i * 100 })),
    });
    expect(itemBytes(order(100))).toBeGreaterThan(itemBytes(order(10)) * 5);
  });
});

describe('capacity units', () => {
  it('writes: 1 per KB rounded up, at least 1, ×2 in a transaction', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(writeUnits(3000, true)).toBe(6);
  });

  it('reads: 1 per 4 KB strongly consistent, half eventually, ×2 in a transaction', () => {
    expect(readUnits(100, true)).toBe(1);
    expect(readUnits(100, false)).toBe(0.5);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false, true)).toBe(4);
  });

  it('EventBridge and SQS bill 64 KB chunks, at least one', () => {
    expect(chunks(0)).toBe(1);
    expect(chunks(65_536)).toBe(1);
    expect(chunks(65_537)).toBe(2);
  });
});

describe('counters', () => {
  it('aggregate calls by service and command, failures and failed conditional writes', () => {
    const t = emptyTally();
    recordCall(t, 'DynamoDB', 'UpdateItem', { ok: true });
    recordCall(t, 'DynamoDB', 'UpdateItem', { ok: false, conditionalFailed: true });
    recordCall(t, 'Secrets Manager', 'GetSecretValue', { ok: true });
    expect(t.calls['DynamoDB:UpdateItem']).toEqual({ count: 2, failed: 1, conditionalFailed: 1 });
    expect(t.secretsCalls).toBe(1);
    expect(totals(t)).toMatchObject({ awsCalls: 3, dynamoCalls: 2, conditionalFailed: 1 });
  });

  it('count each write by command and table with its units, and carry them through addTally', () => {
    const t = emptyTally();
    recordWrite(t, 'UpdateItem', 'orders', { wcu: 1 });
    recordWrite(t, 'UpdateItem', 'orders', { wcu: 2, gsi: 1 });
    recordWrite(t, 'PutItem', 'process-samples', { wcu: 1 });
    expect(t.dynamo.writes?.['UpdateItem orders']).toEqual({ count: 2, wcu: 3, gsi: 1 });
    const half = addTally(emptyTally(), t, 0.5);
    expect(half.dynamo.writes?.['UpdateItem orders']).toEqual({ count: 1, wcu: 1.5, gsi: 0.5 });
    expect(half.dynamo.writes?.['PutItem process-samples']).toEqual({ count: 0.5, wcu: 0.5, gsi: 0 });
    expect(t.dynamo.writes?.['UpdateItem orders']?.count).toBe(2); // input untouched
  });

  it("count a log line without another function's Lambda context (one shared logger locally, one per function in AWS)", () => {
    const ctx = {
      cold_start: false,
      function_arn: 'arn:aws:lambda:ap-northeast-1:000000000000:function:evcs-query-start-charge',
      function_memory_size: '1024',
      function_name: 'evcs-query-start-charge',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    };
    const line = JSON.stringify({ level: 'INFO', message: 'push attempt', ...ctx, OperatorID: 'MA01H3BQ2', attempt: 1 });
    // the gateway's own line keeps its context
    expect(ownLogLine(line, 'evcs-query-start-charge')).toBe(line);
    // push-deliver's line loses the gateway's, and nothing else
    const own = ownLogLine(line, 'evcs-push-deliver');
    expect(JSON.parse(own)).toEqual({ level: 'INFO', message: 'push attempt', OperatorID: 'MA01H3BQ2', attempt: 1 });
    expect(line.length - own.length).toBeGreaterThan(200);
    // a line without a context, or not JSON (EMF blobs are JSON without it), is counted as it is
    const plain = JSON.stringify({ level: 'INFO', message: 'x' });
    expect(ownLogLine(plain, 'evcs-push-deliver')).toBe(plain);
    expect(ownLogLine('{"function_name": broken', 'evcs-push-deliver')).toBe('{"function_name": broken');
  });

  it('price Lambda time as GB-seconds, each invocation rounded up to 1 ms', () => {
    const t = emptyTally();
    recordInvocation(t, 'push-plan', 0.2, 512, true);
    recordInvocation(t, 'push-plan', 1000, 512, false);
    expect(t.lambda['push-plan']).toMatchObject({ invocations: 2, failed: 1, memoryMb: 512 });
    expect(t.lambda['push-plan']?.gbSeconds).toBeCloseTo((0.001 + 1) * 0.5, 9);
  });

  it('add tallies with a factor (per unit = tally × 1/units)', () => {
    const a = emptyTally();
    recordCall(a, 'DynamoDB', 'GetItem', { ok: true });
    a.dynamo.reportedRead = 1;
    const b = emptyTally();
    for (let i = 0; i < 4; i++) recordCall(b, 'DynamoDB', 'GetItem', { ok: true });
    recordEvent(b, 'OrderProgress', 100_000);
    b.dynamo.reportedRead = 4;
    b.sqs.receive = 8;
    const sum = addTally(a, b, 0.5);
    expect(sum.calls['DynamoDB:GetItem']?.count).toBe(3);
    expect(sum.dynamo.reportedRead).toBe(3);
    expect(sum.events.OrderProgress).toBe(1); // 2 chunks × 0.5
    expect(sum.sqs.receive).toBe(4);
    expect(a.calls['DynamoDB:GetItem']?.count).toBe(1); // inputs untouched
  });
});

describe('pricing', () => {
  it('multiplies each count by its price', () => {
    const t = emptyTally();
    t.dynamo.reportedWrite = 3;
    t.dynamo.computedWrite = 1;
    t.dynamo.reportedRead = 8;
    expect(priceTally(t, only({ dynamoWriteUnit: 2, dynamoReadUnit: 0.5 })).total).toBe(4 * 2 + 8 * 0.5);
    t.sqs = { sdk: 1, eventBridgeTarget: 2, receive: 3, delete: 4, fifo: 0 };
    t.apiRequests = 5;
    recordEvent(t, 'X', 10);
    expect(priceTally(t, only({ sqsRequest: 1, apiHttpRequest: 10, eventBridgeEvent: 100 })).total).toBe(10 + 50 + 100);
    // 4 of the 10 SQS requests on a FIFO queue: those at the FIFO price
    t.sqs.fifo = 4;
    expect(priceTally(t, only({ sqsRequest: 1, sqsFifoRequest: 2, apiHttpRequest: 10, eventBridgeEvent: 100 })).total).toBe(
      6 + 8 + 50 + 100,
    );
  });

  it('prices Lambda requests, GB-s, platform log lines and X-Ray sampling per invocation', () => {
    const t = emptyTally();
    recordInvocation(t, 'f', 999.2, 1024, true); // 1 GB-s
    recordLog(t, 'x'.repeat(100));
    const GB = 1024 ** 3;
    const { lines, total } = priceTally(t, only({ lambdaRequest: 1, lambdaGbSecond: 10, logsIngestGb: GB, xrayTrace: 100 }));
    expect(lines.find((l) => l.item.startsWith('CloudWatch'))?.usd).toBeCloseTo(100 + PLATFORM_LOG_BYTES_PER_INVOCATION, 6);
    expect(total).toBeCloseTo(1 + 10 + 100 + PLATFORM_LOG_BYTES_PER_INVOCATION + 100 * XRAY_SAMPLING, 6);
  });
});

describe('operator profile', () => {
  const u: UnitCosts = { session: 0.001, sessionStatusChanges: 3, sessionPartners: 1, statusChange1: 0.00001, statusChange10: 0.00004 };

  it('interpolates a status change linearly in the partners it reaches', () => {
    expect(statusChangeCost(u, 1)).toBeCloseTo(0.00001, 12);
    expect(statusChangeCost(u, 10)).toBeCloseTo(0.00004, 12);
    expect(statusChangeCost(u, 4)).toBeCloseTo(0.00002, 12);
  });

  it('sums sessions, the extra fan-out of their status changes, other changes and fixed lines', () => {
    const o = { ...OPERATOR, connectors: 100, partners: 10, sessionsPerDay: 10, grantShare: 0.4, daysPerMonth: 1 };
    const p = only({ sqsRequest: 1e-6, secretMonth: 1 });
    const bill = monthlyBill(u, o, p);
    const perPartner = (0.00004 - 0.00001) / 9;
    const expected =
      10 * 0.001 + // sessions
      10 * 3 * (4 - 1) * perPartner + // their changes reach 4 partners, the session measured 1
      (100 * o.otherStatusChangesPerConnectorDay + 10 * o.extraStatusChangesPerSession) * statusChangeCost(u, 4) +
      o.polledQueues * o.idlePollsPerQueueMonth * 1e-6 +
      o.secrets;
    expect(bill.total).toBeCloseTo(expected, 9);
  });
});
