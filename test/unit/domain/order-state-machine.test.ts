/**
 * The order state machine (shared/domain/charging.ts ORDER_TRANSITIONS) and the order store's
 * conditional writes derived from it (shared/store/orders.ts), checked on the commands the store
 * sends (aws-sdk-client-mock; no DynamoDB).
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetConfig } from '../../../shared/config.ts';
import type { RunningBill } from '../../../shared/domain/billing.ts';
import { allowedFrom, isOpen, nextStatus, ORDER_TRANSITIONS, type OrderEvent, OrderStatus } from '../../../shared/domain/charging.ts';
import { TransactWriteCommand, UpdateCommand } from '../../../shared/store/doc.ts';
import {
  finishOrder,
  markCharging,
  markStopping,
  type Order,
  recordSample,
  requestStopWhileStarting,
  statusCondition,
} from '../../../shared/store/orders.ts';
import { stubDocumentClient } from '../../support/doc-stub.ts';

const { Starting, Charging, Stopping, Finished } = OrderStatus;
const ALL = [Starting, Charging, Stopping, Finished] as const;
const EVENTS = Object.keys(ORDER_TRANSITIONS) as OrderEvent[];

describe('the transition table', () => {
  it('has exactly the four StartChargeSeqStat states 1–4 (no "unknown" order state)', () => {
    expect(Object.values(OrderStatus)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [Starting, 'pile-accepted', Charging],
    [Starting, 'pile-refused', Finished],
    [Starting, 'start-not-sent', Finished],
    [Starting, 'start-timeout', Finished],
    [Starting, 'stop-requested-while-starting', Starting],
    [Starting, 'pile-stopped', Finished],
    [Charging, 'stop-requested', Stopping],
    [Charging, 'pile-stopped', Finished],
    [Charging, 'meter-sample', Charging],
    [Stopping, 'pile-stopped', Finished],
    [Stopping, 'stop-timeout', Finished],
    [Charging, 'stranded', Finished],
  ] as const)('%i --%s--> %i', (from, event, to) => {
    expect(nextStatus(from, event)).toBe(to);
  });

  it.each([
    [Charging, 'pile-refused'],
    [Charging, 'start-timeout'],
    [Charging, 'pile-accepted'],
    [Stopping, 'stop-requested'],
    [Starting, 'stop-requested'],
    [Charging, 'stop-timeout'],
    [Stopping, 'stranded'],
    [Starting, 'stranded'],
  ] as const)('a late %i + %s changes nothing', (from, event) => {
    expect(nextStatus(from, event)).toBeUndefined();
  });

  it('finished is final: no event applies to a finished order', () => {
    for (const e of EVENTS) expect(nextStatus(Finished, e)).toBeUndefined();
    expect(isOpen(Finished)).toBe(false);
    expect(ALL.filter(isOpen)).toEqual([Starting, Charging, Stopping]);
  });

  it('no event moves an order backwards', () => {
    for (const e of EVENTS) for (const s of allowedFrom(e)) expect(nextStatus(s, e)).toBeGreaterThanOrEqual(s);
  });

  it('every open state can be finished by some event', () => {
    for (const s of ALL.filter(isOpen)) expect(EVENTS.some((e) => nextStatus(s, e) === Finished)).toBe(true);
  });
});

describe('statusCondition: the store condition derived from the table', () => {
  it('names each allowed status once', () => {
    expect(statusCondition('stop-requested')).toEqual({ expression: '#s IN (:s2)', values: { ':s2': 2 } });
    expect(statusCondition('pile-stopped')).toEqual({ expression: '#s IN (:s1, :s2, :s3)', values: { ':s1': 1, ':s2': 2, ':s3': 3 } });
  });
});

describe('the order store sends the table’s conditions', () => {
  const ddb = stubDocumentClient();
  beforeAll(() => {
    process.env.TABLE_ORDERS = 'orders-test';
    resetConfig();
  });
  afterAll(() => {
    ddb.restore();
    delete process.env.TABLE_ORDERS;
    resetConfig();
  });
  beforeEach(() => ddb.reset());

  /** the status values a command's condition allows */
  const allowed = (values: Record<string, unknown> | undefined, expr: string | undefined): number[] =>
    [...(expr ?? '').matchAll(/:s(\d)/g)].map((m) => Number(values?.[`:s${m[1]}`]));

  const meter: RunningBill = { start: 0, first: 0, t: 0, raw: 0, wh: 0, n: 1, d: [{ s: 0, e: 1, p: 0, wh: 0 }] };
  const live = { at: 'x', currentA: 0, voltageA: 0, soc: 0, powerKw: 0 };
  const cases: Array<[string, OrderEvent, () => Promise<unknown>]> = [
    ['markCharging', 'pile-accepted', () => markCharging('SEQ', new Date(0), meter)],
    ['markStopping', 'stop-requested', () => markStopping('SEQ', new Date(0))],
    ['requestStopWhileStarting', 'stop-requested-while-starting', () => requestStopWhileStarting('SEQ', new Date(0))],
    ['recordSample', 'meter-sample', () => recordSample('SEQ', meter, { ...meter, t: 1, n: 2 }, live)],
  ];
  it.each(cases)('%s applies only in the statuses of %s', async (_name, event, call) => {
    ddb.on(UpdateCommand).resolves({});
    await call();
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(allowed(input?.ExpressionAttributeValues, input?.ConditionExpression)).toEqual([...allowedFrom(event)]);
  });

  it('a condition that does not hold is an answer (false/undefined), not an error', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await markStopping('SEQ', new Date(0))).toBe(false);
    expect(await markCharging('SEQ', new Date(0), meter)).toBeUndefined();
    expect(await recordSample('SEQ', meter, { ...meter, t: 1, n: 2 }, live)).toEqual({ outcome: 'conflict' });
    ddb.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(markStopping('SEQ', new Date(0))).rejects.toThrow('throttled');
  });

  it.each(['pile-refused', 'start-timeout', 'pile-stopped', 'stop-timeout', 'stranded'] as const)(
    'finishOrder(%s) applies in its statuses only',
    async (event) => {
      ddb.on(TransactWriteCommand).resolves({});
      const order = { StartChargeSeq: 'SEQ', ConnectorID: 'C1', StationID: 'S1' } as Order;
      const bill = {} as never;
      expect(
        await finishOrder(order, { event, endedAt: new Date(0), stopReason: 0, finishReason: 'x', charged: false, bill, energyWh: 0 }),
      ).toBe(true);
      const update = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
      expect(allowed(update?.ExpressionAttributeValues, update?.ConditionExpression)).toEqual([...allowedFrom(event)]);
      // a finished order leaves the byCharging index (the stranded-session sweep's)
      expect(update?.UpdateExpression).toMatch(/ REMOVE gsi3pk, gsi3sk$/);
    },
  );

  it('the stranded finish holds only while the last reading is the one judged (a reading meanwhile keeps the order)', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const order = { StartChargeSeq: 'SEQ', ConnectorID: 'C1', StationID: 'S1' } as Order;
    const f = { event: 'stranded', endedAt: new Date(0), stopReason: 3, finishReason: 'x', charged: true, bill: {} as never, energyWh: 1 };
    await finishOrder(order, { ...f, event: 'stranded', stranded: 'connector-offline', ifLastReadingAt: 42 });
    const update = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(update?.ConditionExpression).toBe('#s IN (:s2) AND meter.t = :lastT');
    expect(update?.ExpressionAttributeValues).toMatchObject({ ':lastT': 42, ':stranded': 'connector-offline' });
  });
});
