/**
 * emitPileEvents (shared/piles/emit.ts) is the one door pile events enter by: statuses go to
 * EventBridge, session events straight to the charging queue, in the caller's order, each run of one
 * route in one call, every event validated before anything leaves. Mocks only to see which AWS
 * calls the cloud path makes.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged } from '../../../events/piles.ts';
import { runWithEnv } from '../../../shared/config.ts';
import { emitPileEvents, type PileEvent } from '../../../shared/piles/emit.ts';

const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
const QUEUE_URL = 'http://127.0.0.1:1/queue/evcs-charging-pile-events';
const METERS_URL = 'http://127.0.0.1:1/queue/evcs-charging-pile-meters';
const env = { QUEUE_URL_CHARGING_PILE_EVENTS: QUEUE_URL, QUEUE_URL_CHARGING_PILE_METERS: METERS_URL, EVENT_BUS_NAME: 'evcs' };
const order: string[] = [];

beforeEach(() => {
  order.length = 0;
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: unknown[] }) => {
    order.push(`sqs×${input.Entries.length}`);
    return { Successful: [], Failed: [] };
  });
  eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
    order.push(`bus×${input.Entries.length}`);
    return { FailedEntryCount: 0, Entries: [] };
  });
});
afterEach(() => {
  sqs.reset();
  eb.reset();
});
// the unit lane shares one module graph per worker: the next file gets the real clients back
afterAll(() => {
  sqs.restore();
  eb.restore();
});

const meter = (s: number): PileEvent => ({
  type: 'PileMeterValues',
  detail: { ...PileMeterValues.sample, at: new Date(Date.parse(PileMeterValues.sample.at) + s * 1000).toISOString() },
});

describe('emitPileEvents', () => {
  it('sends starts and stops to the charging queue, readings to their own queue, statuses to the bus, in order, one call per run', async () => {
    await runWithEnv(env, () =>
      emitPileEvents([
        { type: 'PileStatusChanged', detail: PileStatusChanged.sample },
        { type: 'PileSessionStarted', detail: PileSessionStarted.sample },
        meter(15),
        meter(30),
        { type: 'PileStatusChanged', detail: { ...PileStatusChanged.sample, status: 3 } },
        { type: 'PileSessionStopped', detail: PileSessionStopped.sample },
      ]),
    );
    expect(order).toEqual(['bus×1', 'sqs×1', 'sqs×2', 'bus×1', 'sqs×1']);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    // a backlog of readings never holds a start or a stop back: they travel apart
    expect(calls.map((c) => [c.QueueUrl, c.Entries?.map((e) => JSON.parse(e.MessageBody ?? '').type)])).toEqual([
      [QUEUE_URL, ['PileSessionStarted']],
      [METERS_URL, ['PileMeterValues', 'PileMeterValues']],
      [QUEUE_URL, ['PileSessionStopped']],
    ]);
    expect(JSON.parse(calls[0]?.Entries?.[0]?.MessageBody ?? '')).toEqual({
      type: 'PileSessionStarted',
      detail: PileSessionStarted.sample,
    });
    expect(eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.DetailType).toBe('PileStatusChanged');
  });

  it('sends a long run of meter values in tens', async () => {
    await runWithEnv(env, () => emitPileEvents(Array.from({ length: 23 }, (_, i) => meter(15 * i))));
    expect(order).toEqual(['sqs×10', 'sqs×10', 'sqs×3']);
  });

  it('refuses a malformed session event before anything of its run leaves', async () => {
    const bad = { type: 'PileMeterValues', detail: { ...PileMeterValues.sample, soc: 140 } } as PileEvent;
    await expect(runWithEnv(env, () => emitPileEvents([meter(15), bad]))).rejects.toThrow(
      /charging-pile-meters: refused by send: detail\.soc/,
    );
    expect(order).toEqual([]);
  });

  it('group commit: statuses of concurrent callers (a boot of many piles) leave together, ten per PutEvents', async () => {
    const status = (i: number) => ({ ...PileStatusChanged.sample, ConnectorID: `C${String(i).padStart(4, '0')}`, seq: i });
    await runWithEnv(env, () =>
      Promise.all(Array.from({ length: 25 }, (_, i) => emitPileEvents([{ type: 'PileStatusChanged', detail: status(i) }]))),
    );
    // the first leaves at once (no timer); the 24 that arrived meanwhile leave together (their three calls at once: any order)
    expect(order[0]).toBe('bus×1');
    expect(order.slice(1).sort()).toEqual(['bus×10', 'bus×10', 'bus×4']);
    const sent = eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sent.map((e) => JSON.parse(e.Detail ?? '').ConnectorID).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => status(i).ConnectorID),
    );
  });

  it("group commit: a group's PutEvents are in flight together (none waits for another's round trip); one refused fails the group", async () => {
    const status = (i: number) => ({ ...PileStatusChanged.sample, ConnectorID: `C${String(i).padStart(4, '0')}`, seq: i });
    const held: (() => void)[] = [];
    let calls = 0;
    eb.on(PutEventsCommand).callsFake(async (input: { Entries: unknown[] }) => {
      order.push(`bus×${input.Entries.length}`);
      const refuse = ++calls === 3;
      await new Promise<void>((r) => held.push(r));
      return refuse ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] } : { FailedEntryCount: 0, Entries: [] };
    });
    // one caller with 50 statuses (the simulator's outbox hands over 50 at a time): 5 PutEvents
    const one = runWithEnv(env, () =>
      emitPileEvents(Array.from({ length: 50 }, (_, i) => ({ type: 'PileStatusChanged', detail: status(i) }))),
    );
    const settled = one.then(
      () => 'ok',
      (err: Error) => err.message,
    );
    while (held.length < 5) await new Promise((r) => setImmediate(r));
    // all five are in flight before any has answered
    expect(order).toEqual(['bus×10', 'bus×10', 'bus×10', 'bus×10', 'bus×10']);
    for (const release of held) release();
    expect(await settled).toMatch(/PileStatusChanged: 1 event\(s\) not accepted/);
  });

  it('group commit: a malformed status fails its own caller only; a refused PutEvents fails the callers of that group only', async () => {
    const good = (i: number) => emitPileEvents([{ type: 'PileStatusChanged', detail: { ...PileStatusChanged.sample, seq: i } }]);
    const bad = emitPileEvents([{ type: 'PileStatusChanged', detail: { ...PileStatusChanged.sample, status: 7 } } as unknown as PileEvent]);
    const results = await runWithEnv(env, () => Promise.allSettled([good(1), bad, good(2), good(3)]));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(order).toEqual(['bus×1', 'bus×2']);

    order.length = 0;
    let calls = 0;
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
      order.push(`bus×${input.Entries.length}`);
      // the second call (the group that waited) is refused
      return ++calls === 2 ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] } : { FailedEntryCount: 0, Entries: [] };
    });
    const again = await runWithEnv(env, () => Promise.allSettled([good(4), good(5), good(6)]));
    expect(again.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(await runWithEnv(env, () => good(7))).toBeUndefined();
    expect(order).toEqual(['bus×1', 'bus×2', 'bus×1']);
  });
});
