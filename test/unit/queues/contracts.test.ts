/**
 * Queue contracts (events/queues.ts): a body the contract refuses never leaves (send) and never
 * reaches a service (parse); the topology's queue entries are the contracts' own; the types of
 * `send`'s parameter and `parse`'s result come from the contract.
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { QueueMessageError } from '../../../events/define.ts';
import { OrderProgress, OrderStarted } from '../../../events/orders.ts';
import { type PileMeterValues, PileSessionStarted, PileStatusChanged } from '../../../events/piles.ts';
import * as catalog from '../../../events/queues.ts';
import {
  ChargingPileEventsQueue,
  ChargingTimeoutsQueue,
  ConnectorStatusQueue,
  PushDeliveriesQueue,
  PushEventsQueue,
} from '../../../events/queues.ts';
import { QueueStore } from '../../../infra/local/queue-store.ts';
import { topology } from '../../../infra/topology/index.ts';
import { send, sendBatch } from '../../../shared/bus/send.ts';
import { runWithEnv } from '../../../shared/config.ts';
import { type Delivery, newDelivery } from '../../../shared/push/messages.ts';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'http://127.0.0.1:1/queue/evcs-charging-timeouts';
const DELIVERIES_URL = 'http://127.0.0.1:1/queue/evcs-push-deliveries.fifo';
/** push-deliveries is FIFO: every message names its group and deduplication id */
const fifo = (d: { id: string }) => ({ group: 'MA01H3BQ2|CONNECTOR#C1', dedup: d.id.replace(/:/g, '-') });
const env = { QUEUE_URL_CHARGING_TIMEOUTS: QUEUE_URL, QUEUE_URL_PUSH_DELIVERIES: DELIVERIES_URL };

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});
afterEach(() => sqs.reset());
// the unit lane shares one module graph per worker: the next file gets the real SQSClient back
afterAll(() => sqs.restore());

const envelope = <D>(source: string, detailType: string, detail: D) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-11-23T01:30:47Z',
  region: 'ap-northeast-1',
  resources: [],
  detail,
});

const delivery = (n: number): Delivery =>
  newDelivery({
    id: `notification_stationStatus:MA01H3BQ2:${n}`,
    partner: 'MA01H3BQ2',
    iface: 'notification_stationStatus',
    data: { ConnectorStatusInfo: { ConnectorID: 'C1', Status: 2 } },
    createdAt: 1_763_861_447_000,
  });

describe('send', () => {
  it('validates, serialises and delays a message on the queue the grant names', async () => {
    await runWithEnv(env, () =>
      send(ChargingTimeoutsQueue, { kind: 'start', StartChargeSeq: 'MA01H3BQ2202611230930450001' }, { delaySeconds: 60 }),
    );
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify({ kind: 'start', StartChargeSeq: 'MA01H3BQ2202611230930450001' }),
      DelaySeconds: 60,
    });
  });

  it('refuses a malformed body before anything is sent', async () => {
    const bad = { kind: 'pause', StartChargeSeq: '' } as unknown as Parameters<typeof ChargingTimeoutsQueue.serialize>[0];
    const sending = runWithEnv(env, () => send(ChargingTimeoutsQueue, bad));
    await expect(sending).rejects.toBeInstanceOf(QueueMessageError);
    await expect(runWithEnv(env, () => send(ChargingTimeoutsQueue, bad))).rejects.toThrow(
      /queue charging-timeouts: refused by send: kind: .*StartChargeSeq: /,
    );
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('names the missing grant when the function may not send to the queue', async () => {
    await expect(runWithEnv({}, () => send(ChargingTimeoutsQueue, { kind: 'stop', StartChargeSeq: 'S1' }))).rejects.toThrow(
      /QUEUE_URL_CHARGING_TIMEOUTS is not set \(no grant on queue 'charging-timeouts'\?\)/,
    );
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('sends a batch in tens, and nothing at all when one body is malformed', async () => {
    const ds = Array.from({ length: 23 }, (_, i) => delivery(i));
    await runWithEnv(env, () => sendBatch(PushDeliveriesQueue, ds, { fifo }));
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0]?.args[0].input.QueueUrl).toBe(DELIVERIES_URL);
    expect(JSON.parse(calls[2]?.args[0].input.Entries?.[2]?.MessageBody ?? '')).toEqual(ds[22]);
    expect(calls[2]?.args[0].input.Entries?.[2]).toMatchObject({
      MessageGroupId: 'MA01H3BQ2|CONNECTOR#C1',
      MessageDeduplicationId: 'notification_stationStatus-MA01H3BQ2-22',
    });
    expect(calls[2]?.args[0].input.Entries?.[2]).not.toHaveProperty('DelaySeconds');

    sqs.resetHistory();
    const broken = [...ds.slice(0, 5), { ...delivery(5), partner: 'not an OperatorID' }];
    await expect(runWithEnv(env, () => sendBatch(PushDeliveriesQueue, broken, { fifo }))).rejects.toThrow(/refused by send: partner: /);
    // a FIFO queue without group and deduplication ids, or with a delay: refused before anything is sent
    await expect(runWithEnv(env, () => sendBatch(PushDeliveriesQueue, ds))).rejects.toThrow(/FIFO queue needs/);
    await expect(runWithEnv(env, () => send(PushDeliveriesQueue, ds[0]!, { fifo, delaySeconds: 5 }))).rejects.toThrow(
      /no per-message delay/,
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('fails when SQS refuses part of a batch', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(runWithEnv(env, () => sendBatch(PushDeliveriesQueue, [delivery(1)], { fifo }))).rejects.toThrow(
      /1 message\(s\) not accepted: InternalError/,
    );
  });
});

describe('parse', () => {
  it('returns the typed body of a well-formed message (defaults applied)', () => {
    const { attempt: _a, permanent: _p, ...withoutDefaults } = delivery(1);
    expect(PushDeliveriesQueue.parse(JSON.stringify(withoutDefaults))).toEqual(delivery(1));
    expect(ChargingTimeoutsQueue.parse('{"kind":"stop","StartChargeSeq":"S1"}')).toEqual({ kind: 'stop', StartChargeSeq: 'S1' });
  });

  it.each([
    ['not JSON', '{kind:', /queue charging-timeouts: message body is not JSON/],
    ['a wrong kind', '{"kind":"pause","StartChargeSeq":"S1"}', /malformed message: kind: /],
    ['a missing field', '{"kind":"stop"}', /malformed message: StartChargeSeq: /],
    ['a JSON array', '[]', /malformed message: \(body\): /],
  ])('refuses %s with a QueueMessageError that says what is wrong', (_what, raw, message) => {
    expect(() => ChargingTimeoutsQueue.parse(raw)).toThrow(QueueMessageError);
    expect(() => ChargingTimeoutsQueue.parse(raw)).toThrow(message);
  });

  it('parses a subscribed event into its envelope, narrowed by detail-type', () => {
    const raw = JSON.stringify(envelope(OrderStarted.source, OrderStarted.detailType, OrderStarted.sample));
    const e = PushEventsQueue.parse(raw);
    expect(e['detail-type']).toBe('OrderStarted');
    if (e['detail-type'] !== 'OrderStarted') throw new Error('narrowing');
    expect(e.detail).toEqual(OrderStarted.sample);
  });

  it('refuses an event the queue does not subscribe to, and a subscribed event with a bad detail', () => {
    const other = envelope(PileStatusChanged.source, PileStatusChanged.detailType, PileStatusChanged.sample);
    expect(() => PushEventsQueue.parse(JSON.stringify(other))).toThrow(
      /queue push-events: unexpected detail-type "PileStatusChanged" \(subscribed: ConnectorStatusChanged, OrderStarted, OrderFinished, OrderPaid, OrderProgress\)/,
    );
    const bad = envelope(OrderStarted.source, OrderStarted.detailType, { ...OrderStarted.sample, StartChargeSeq: '' });
    expect(() => PushEventsQueue.parse(JSON.stringify(bad))).toThrow(/malformed event: detail\.StartChargeSeq: /);
    const wrongSource = envelope('someone.else', OrderStarted.detailType, OrderStarted.sample);
    expect(() => PushEventsQueue.parse(JSON.stringify(wrongSource))).toThrow(/malformed event: source: /);
    expect(() => ConnectorStatusQueue.parse('null')).toThrow(/unexpected detail-type undefined/);
  });

  it('writes a direct event as the envelope a rule would have delivered, and refuses one it does not take straight', () => {
    const meta = { id: 'e1', time: '2026-11-23T01:45:47.000Z', region: 'ap-east-1', account: '' };
    const raw = PushEventsQueue.serializeEvent(OrderProgress, OrderProgress.sample, meta);
    const e = PushEventsQueue.parse(raw);
    expect(e).toMatchObject({ 'detail-type': 'OrderProgress', source: OrderProgress.source, id: 'e1', detail: OrderProgress.sample });
    expect(() => PushEventsQueue.serializeEvent(OrderProgress, { ...OrderProgress.sample, StartChargeSeq: '' }, meta)).toThrow(
      /queue push-events: refused by send: detail\.StartChargeSeq: /,
    );
    // a subscribed event comes through its rule, never straight from a producer
    expect(() =>
      PushEventsQueue.serializeEvent(OrderStarted as unknown as typeof OrderProgress, OrderStarted.sample as never, meta),
    ).toThrow(/OrderStarted is not sent straight to this queue/);
  });

  it('parses a pile session event sent straight to the charging queue, narrowed by type; refuses any other pile event', () => {
    const e = ChargingPileEventsQueue.parse(JSON.stringify({ type: 'PileSessionStarted', detail: PileSessionStarted.sample }));
    expect(e.type).toBe('PileSessionStarted');
    if (e.type !== 'PileSessionStarted') throw new Error('narrowing');
    expect(e.detail).toEqual(PileSessionStarted.sample);
    expect(() => ChargingPileEventsQueue.parse(JSON.stringify({ type: 'PileStatusChanged', detail: PileStatusChanged.sample }))).toThrow(
      /queue charging-pile-events: malformed message: type: /,
    );
    const bad = { type: 'PileSessionStarted', detail: { ...PileSessionStarted.sample, ConnectorID: '' } };
    expect(() => ChargingPileEventsQueue.parse(JSON.stringify(bad))).toThrow(/malformed message: detail\.ConnectorID: /);
  });
});

describe('the topology entry', () => {
  const contracts = Object.values(catalog).filter((v): v is typeof ChargingTimeoutsQueue => typeof v === 'object' && 'decl' in v);

  it('is the contract: every queue of the topology is one contract, and every contract is in the topology', () => {
    expect(contracts.length).toBeGreaterThanOrEqual(6);
    expect(new Set(topology.queues)).toEqual(new Set(contracts.map((c) => c.decl)));
    for (const c of contracts) expect(c.decl.name).toBe(c.name);
  });

  it('subscribes exactly the events of the body', () => {
    expect(PushEventsQueue.decl.subscribe).toEqual(PushEventsQueue.events.map((e) => e.pattern()));
    expect(PushEventsQueue.events.map((e) => e.detailType)).toEqual([
      'ConnectorStatusChanged',
      'OrderStarted',
      'OrderFinished',
      'OrderPaid',
    ]);
    // sent straight to the queue by the charging service (issue 9 §2): no rule
    expect(PushEventsQueue.direct.map((e) => e.detailType)).toEqual(['OrderProgress']);
    expect(ChargingTimeoutsQueue.decl.subscribe).toBeUndefined();
  });

  it('is what the local runtime builds: visibility timeout and redrive from the declaration', () => {
    const store = new QueueStore(topology.queues, 'http://127.0.0.1:1', 'ap-northeast-1', '000000000000');
    for (const c of contracts) {
      const attrs = store.attributes(c.name);
      expect(attrs.VisibilityTimeout).toBe(String(c.decl.visibilityTimeoutSeconds));
      expect(JSON.parse(attrs.RedrivePolicy ?? '{}').maxReceiveCount).toBe(c.decl.maxReceiveCount);
    }
    store.close();
  });

  it('is what every consumer and sender of the topology names', () => {
    const names = new Set(contracts.map((c) => c.name));
    for (const f of topology.functions) {
      for (const t of f.triggers) if (t.type === 'queue') expect(names).toContain(t.queue);
      for (const g of f.grants) if ('queue' in g) expect(names).toContain(g.queue);
    }
  });
});

describe('types', () => {
  it('pin send’s parameter and parse’s result', () => {
    expectTypeOf(ChargingTimeoutsQueue.serialize).parameter(0).toEqualTypeOf<{ kind: 'start' | 'stop'; StartChargeSeq: string }>();
    expectTypeOf(ChargingTimeoutsQueue.parse).returns.toEqualTypeOf<{ kind: 'start' | 'stop'; StartChargeSeq: string }>();
    expectTypeOf(PushDeliveriesQueue.parse).returns.toEqualTypeOf<Delivery>();
    // the input side accepts a delivery without its defaulted counters
    expectTypeOf<Omit<Delivery, 'attempt' | 'permanent'>>().toExtend<Parameters<typeof PushDeliveriesQueue.serialize>[0]>();
    expectTypeOf(PushEventsQueue.parse)
      .returns.toHaveProperty('detail-type')
      .toEqualTypeOf<'ConnectorStatusChanged' | 'OrderStarted' | 'OrderProgress' | 'OrderFinished' | 'OrderPaid'>();
    type Started = Extract<ReturnType<typeof PushEventsQueue.parse>, { 'detail-type': 'OrderStarted' }>;
    expectTypeOf<Started['detail']>().toEqualTypeOf<typeof OrderStarted.sample>();
    expectTypeOf(ChargingPileEventsQueue.parse)
      .returns.toHaveProperty('type')
      .toEqualTypeOf<'PileSessionStarted' | 'PileSessionStopped' | 'PileMeterValues'>();
    type Meter = Extract<ReturnType<typeof ChargingPileEventsQueue.parse>, { type: 'PileMeterValues' }>;
    expectTypeOf<Meter['detail']>().toEqualTypeOf<typeof PileMeterValues.sample>();
    // a queue fed by EventBridge has no send
    expectTypeOf(PushEventsQueue).not.toHaveProperty('serialize');
  });
});
