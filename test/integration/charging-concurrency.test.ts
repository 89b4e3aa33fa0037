/**
 * One session per connector under concurrency, and an exact bill across two price periods
 * (T/CEC 102 §3.7, §3.12), against the local runtime. The pile is kept silent so that the test,
 * not the simulator, decides what the pile says.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetailOf } from '../../events/define.ts';
import { PileMeterValues, PileSessionStarted, PileSessionStopped } from '../../events/piles.ts';
import { handler as pileSessionEvents } from '../../functions/charging/pile-session-events.ts';
import type { InvokeObserver } from '../../infra/local/invoke.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { runWithEnv } from '../../shared/config.ts';
import { emitPileEvents, type PILE_EVENTS, type PileEvent } from '../../shared/piles/emit.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { TcecTransportError } from '../../shared/tcec/envelope.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

/** the pile speaks the way every pile gateway hands its events over: through emitPileEvents */
const pileSays = <C extends (typeof PILE_EVENTS)[keyof typeof PILE_EVENTS]>(contract: C, detail: DetailOf<C>): Promise<void> =>
  emitPileEvents([{ type: contract.detailType, detail } as PileEvent]);

let platform: Platform;
let p1: Caller;

/**
 * The charge-status pushes the push lane received (the charging consumer plans a due OrderProgress
 * itself and sends its delivery straight to `push-deliveries`, issue 9 §2), by message id: a message
 * the deliverer is handed twice (held, received again) is one send; only first sends (attempt 0).
 */
const progressSent = new Map<string, { seq: string; EndTime: string }>();
const watchProgress: InvokeObserver = ({ fn, event }) => {
  if (fn.id !== 'push-deliver') return;
  for (const r of (event as SQSEvent).Records) {
    const b = JSON.parse(r.body) as { iface?: string; attempt?: number; data?: { StartChargeSeq?: string; EndTime?: string } };
    if (b.iface !== 'notification_equip_charge_status' || (b.attempt ?? 0) > 0 || !b.data?.StartChargeSeq || !b.data.EndTime) continue;
    progressSent.set(r.messageId, { seq: b.data.StartChargeSeq, EndTime: b.data.EndTime });
  }
};
const progressOf = (seq: string): string[] =>
  [...progressSent.values()]
    .filter((p) => p.seq === seq)
    .map((p) => p.EndTime)
    .sort();

let p2: Caller;

beforeAll(async () => {
  platform = await startTestPlatform({
    seedFile: STATIONS_SEED,
    simSpeed: 1,
    simulator: { offlineRatePerHour: 0, faultRatePerHour: 0, seed: 3, autoUnplug: false },
    env: { START_TIMEOUT_SECONDS: '300', STOP_TIMEOUT_SECONDS: '300' },
    onInvoke: watchProgress,
  });
  p1 = await loggedIn(platform, 0);
  p2 = await loggedIn(platform, 1);
  for (const c of ['FX0001E02C1', 'FX0002E01C1', 'FX0002E01C2', 'FX0003E01C1', 'FX0003E01C2']) platform.simulator!.admin(c, 'silent');
  await eventually(async () => (await getConnectorView('FX0001E02C1'))?.status, { until: (s) => s === 1, what: 'idle connector' });
});
afterAll(async () => platform?.stop());

describe('query_start_charge — one session per connector (§3.7)', () => {
  it('50 concurrent starts on one connector from two partners → exactly one succeeds, 49 answer busy (FailReason 3)', async () => {
    const connector = 'FX0001E02C1';
    const calls = Array.from({ length: 50 }, (_, i) => {
      const c = i % 2 ? p2 : p1;
      const seq = seqOf(c);
      // a call that got no answer (Ret 500 or no envelope: the handler or the gateway timed out on a
      // loaded machine) is retried with the same StartChargeSeq, as a partner does (§1.8)
      const ask = async (): Promise<{ seq: string; SuccStat: number; FailReason: number }> => {
        for (let attempt = 1; ; attempt++) {
          const r = await c.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector }).catch((e: unknown) => {
            if (e instanceof TcecTransportError && attempt < 5) return undefined;
            throw e;
          });
          if (r?.ret === 0) return { seq, ...(r.data as { SuccStat: number; FailReason: number }) };
          if (r && (r.ret !== 500 || attempt === 5)) throw new Error(`query_start_charge ${seq}: Ret ${r.ret} ${r.msg}`);
        }
      };
      return ask();
    });
    const answers = await Promise.all(calls);
    const winners = answers.filter((a) => a.SuccStat === 0);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.SuccStat === 1 && a.FailReason === 3)).toHaveLength(49);
    // only the winner has an order
    const orders = await Promise.all(answers.map((a) => getOrder(a.seq)));
    expect(orders.filter(Boolean).map((o) => o!.StartChargeSeq)).toEqual([winners[0]!.seq]);
  });
});

/** the push lane has taken every charge-status push sent to it so far (nothing in it, nothing in flight) */
const pushesPlanned = () => eventually(async () => platform.cloud.queues.idle(['push-deliveries']), { what: 'push lane drained' });
/** the pile-events and readings queues are empty and nothing of them is in flight (the delayed timeout checks may wait) */
const settled = () =>
  eventually(async () => platform.cloud.queues.idle(['charging-pile-events', 'charging-pile-meters']), { what: 'pile events processed' });

describe('billing — a session crossing two price periods has an exact bill (§3.12)', () => {
  it('11:30→12:30 China time across the 12:00 boundary: 10 kWh at 1.05/0.80 and 10 kWh at 0.68/0.60', async () => {
    const connector = 'FX0002E01C1';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });

    // the pile speaks (times in UTC: 03:30Z = 11:30 China time)
    const day = '2026-11-20';
    await pileSays(PileSessionStarted, {
      StartChargeSeq: seq,
      ConnectorID: connector,
      accepted: true,
      at: `${day}T03:30:00.000Z`,
      meterStartWh: 1_000_000,
    });
    await eventually(() => getOrder(seq), { until: (o) => o?.status === 2, what: 'charging' });
    // readings come 15 min apart, so each is processed before the next is sent: the queue does not
    // keep order, and a reading older than the last one is dropped by design
    for (const [i, [t, wh]] of (
      [
        ['03:45', 5000],
        ['04:00', 10000],
        ['04:15', 15000],
      ] as const
    ).entries()) {
      await pileSays(PileMeterValues, {
        StartChargeSeq: seq,
        ConnectorID: connector,
        at: `${day}T${t}:00.000Z`,
        energyWh: wh,
        powerKw: 20,
        currentA: 50,
        voltageA: 400,
        soc: 50,
      });
      await eventually(() => getOrder(seq), { until: (o) => (o?.meter?.n ?? 0) === i + 2, what: `sample ${t}` });
    }
    await pileSays(PileSessionStopped, {
      StartChargeSeq: seq,
      ConnectorID: connector,
      cause: 'local',
      at: `${day}T04:30:00.000Z`,
      energyWh: 20000,
    });
    await eventually(() => getOrder(seq), { until: (o) => o?.status === 4, what: 'finished' });

    const info = await p1.call('query_charge_info', { StartChargeSeq: seq });
    expect(info.ret).toBe(0);
    expect(info.data).toEqual({
      StartChargeSeq: seq,
      ConnectorID: connector,
      StartTime: '2026-11-20 11:30:00',
      EndTime: '2026-11-20 12:30:00',
      TotalPower: 20,
      TotalElecMoney: 17.3,
      TotalSeviceMoney: 14,
      TotalMoney: 31.3,
      StopReason: 0,
      SumPeriod: 2,
      ChargeDetails: [
        {
          DetailStartTime: '2026-11-20 11:30:00',
          DetailEndTime: '2026-11-20 12:00:00',
          ElecPrice: 1.05,
          SevicePrice: 0.8,
          DetailPower: 10,
          DetailElecMoney: 10.5,
          DetailSeviceMoney: 8,
        },
        {
          DetailStartTime: '2026-11-20 12:00:00',
          DetailEndTime: '2026-11-20 12:30:00',
          ElecPrice: 0.68,
          SevicePrice: 0.6,
          DetailPower: 10,
          DetailElecMoney: 6.8,
          DetailSeviceMoney: 6,
        },
      ],
      StartChargeSeqStat: 4,
    });

    // duplicate and late pile events change nothing
    await pileSays(PileSessionStopped, {
      StartChargeSeq: seq,
      ConnectorID: connector,
      cause: 'remote',
      at: `${day}T04:31:00.000Z`,
      energyWh: 25000,
    });
    await pileSays(PileMeterValues, {
      StartChargeSeq: seq,
      ConnectorID: connector,
      at: `${day}T04:40:00.000Z`,
      energyWh: 30000,
      powerKw: 20,
      currentA: 50,
      voltageA: 400,
      soc: 60,
    });
    await settled();
    const after = await getOrder(seq);
    expect(after?.bill?.TotalMoney).toBe(31.3);
    expect(after?.stopReason).toBe(0);

    // a stop for an order that never existed is logged and ignored
    await pileSays(PileSessionStopped, {
      StartChargeSeq: `${p1.partner.operatorId}999999999999999999`,
      ConnectorID: connector,
      cause: 'remote',
      at: `${day}T04:31:00.000Z`,
      energyWh: 1,
    });
    await settled();
    expect(platform.cloud.queues.peek(platform.cloud.queues.dlqOf('charging-pile-events'))).toHaveLength(0);
    expect(platform.cloud.queues.peek(platform.cloud.queues.dlqOf('charging-pile-meters'))).toHaveLength(0);
  });
});

describe('meter samples → the running bill and progress at most once per 50 s (§3.9)', () => {
  it("one progress per 50 s of sample time (less the due rule's tolerance); a late or duplicate sample changes neither the bill nor the progress", async () => {
    const connector = 'FX0003E01C1';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    const t0 = Date.parse('2026-11-20T03:30:00.000Z');
    await pileSays(PileSessionStarted, { StartChargeSeq: seq, ConnectorID: connector, accepted: true, at: new Date(t0).toISOString() });
    await eventually(() => getOrder(seq), { until: (o) => o?.status === 2, what: 'charging' });
    const meter = (sec: number, wh: number) =>
      pileSays(PileMeterValues, {
        StartChargeSeq: seq,
        ConnectorID: connector,
        at: new Date(t0 + sec * 1000).toISOString(),
        energyWh: wh,
        powerKw: 20,
        currentA: 50,
        voltageA: 400,
        soc: 50,
      });
    // every 15 s for 2 minutes: due at 15 s (the first), 60 s (45 s later: ≥ 50 s less a fifth), 105 s (shared/domain/metering.ts)
    for (let i = 1; i <= 8; i++) {
      await meter(15 * i, 100 * i);
      await eventually(() => getOrder(seq), { until: (o) => o?.meter?.n === i + 1, what: `sample ${i}` });
    }
    await meter(100, 1000); // late (the bill is at 120 s): dropped
    await meter(120, 800); // a duplicate of the newest
    await settled();
    await pushesPlanned();
    expect(progressOf(seq)).toEqual(['2026-11-20 11:30:15', '2026-11-20 11:31:00', '2026-11-20 11:31:45']);
    const o = await getOrder(seq);
    expect(o?.meter).toMatchObject({ n: 9, t: t0 + 120_000, wh: 800 });
    expect(o?.lastProgressAt).toBe(t0 + 105_000);
    const status = await p1.call('query_equip_charge_status', { StartChargeSeq: seq });
    expect(status.data).toMatchObject({ StartChargeSeqStat: 2, EndTime: '2026-11-20 11:32:00', TotalPower: 0.8 });

    // the pile stops: the final bill folds the stop's reading in; the connector is free again
    await pileSays(PileSessionStopped, {
      StartChargeSeq: seq,
      ConnectorID: connector,
      cause: 'local',
      at: new Date(t0 + 130_000).toISOString(),
      energyWh: 900,
    });
    await eventually(() => getOrder(seq), { until: (o) => o?.status === 4, what: 'finished' });
    expect((await getOrder(seq))?.bill).toMatchObject({ EndTime: '2026-11-20 11:32:10', TotalPower: 0.9 });
    expect((await getOrder(seq))?.energyWh).toBe(900);
  });
});

describe('pile events that arrive late, twice or for the wrong connector (§3.7–3.12, at-least-once delivery)', () => {
  it('a duplicate start answered "busy" does not close the charging session; another connector\'s stop report is ignored', async () => {
    const connector = 'FX0003E01C1';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    const at = new Date().toISOString();
    await pileSays(PileSessionStarted, { StartChargeSeq: seq, ConnectorID: connector, accepted: true, at });
    await eventually(() => getOrder(seq), { until: (o) => o?.status === 2, what: 'charging' });
    // the start command delivered a second time: the pile refuses it as busy
    await pileSays(PileSessionStarted, { StartChargeSeq: seq, ConnectorID: connector, accepted: false, reason: 'busy', at });
    // a stop report naming this order but another connector
    await pileSays(PileSessionStopped, { StartChargeSeq: seq, ConnectorID: 'FX0001E01C1', cause: 'remote', at, energyWh: 999 });
    await settled();
    const o = await getOrder(seq);
    expect(o?.status).toBe(2);
    expect(o?.stopReason).toBeUndefined();
    // the real stop ends it
    await pileSays(PileSessionStopped, {
      StartChargeSeq: seq,
      ConnectorID: connector,
      cause: 'local',
      at: new Date(Date.parse(at) + 60_000).toISOString(),
      energyWh: 1000,
    });
    const done = await eventually(() => getOrder(seq), { until: (x) => x?.status === 4, what: 'finished' });
    expect(done!.bill?.TotalPower).toBe(1);
  });

  it('a pile that starts after the order was given up is told to stop', async () => {
    const connector = 'FX0002E01C1';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    // the start timeout fires (simulated: the delayed check is due now)
    const { onTimeout } = await import('../../shared/services/charging.ts');
    await onTimeout({ kind: 'start', StartChargeSeq: seq }, new Date());
    expect((await getOrder(seq))?.status).toBe(4);
    const stops: string[] = [];
    const untap = platform.cloud.bus.tap((e) => {
      if (e['detail-type'] === 'PileCommandRequested' && e.detail.StartChargeSeq === seq && e.detail.command === 'stop') stops.push(e.id);
    });
    await pileSays(PileSessionStarted, { StartChargeSeq: seq, ConnectorID: connector, accepted: true, at: new Date().toISOString() });
    await eventually(async () => stops.length, { until: (x) => x >= 1, what: 'a stop command' });
    untap();
    expect((await getOrder(seq))?.status).toBe(4);
  });
});

describe('a batch holding many events of one order (the consumer groups by StartChargeSeq)', () => {
  it('started, readings shuffled with a duplicate, stopped — in ONE batch: the exact bill of the one billing function, one progress', async () => {
    const connector = 'FX0002E01C2';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    const day = '2026-11-20';
    const reading = (t: string, wh: number): PileEvent => ({
      type: 'PileMeterValues',
      detail: {
        StartChargeSeq: seq,
        ConnectorID: connector,
        at: `${day}T${t}:00.000Z`,
        energyWh: wh,
        powerKw: 20,
        currentA: 50,
        voltageA: 400,
        soc: 50,
      },
    });
    // the order the queue happened to deliver them in: stop first, readings shuffled, one twice
    const events: PileEvent[] = [
      {
        type: 'PileSessionStopped',
        detail: { StartChargeSeq: seq, ConnectorID: connector, cause: 'local', at: `${day}T04:30:00.000Z`, energyWh: 20000 },
      },
      reading('04:15', 15000),
      reading('03:45', 5000),
      { type: 'PileSessionStarted', detail: { StartChargeSeq: seq, ConnectorID: connector, accepted: true, at: `${day}T03:30:00.000Z` } },
      reading('04:00', 10000),
      reading('03:45', 5000),
    ];
    const result = await pileSessionEvents(
      {
        Records: [
          ...events.map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })),
          { messageId: 'junk', body: '{"type":"PileStatusChanged"}' },
        ] as SQSEvent['Records'],
      },
      {} as Context,
    );
    // only the unreadable record is handed back (for the DLQ); the order's records are done
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'junk' }]);
    const o = await getOrder(seq);
    expect(o?.status).toBe(4);
    // the start and three distinct readings folded (the duplicate changed nothing), then the stop's
    expect(o?.meter).toMatchObject({ n: 5, wh: 20000 });
    // the bill of the first billing test (the same readings, one by one): exact
    const info = await p1.call('query_charge_info', { StartChargeSeq: seq });
    expect(info.data).toMatchObject({
      TotalPower: 20,
      TotalElecMoney: 17.3,
      TotalSeviceMoney: 14,
      TotalMoney: 31.3,
      SumPeriod: 2,
      ChargeDetails: [
        { DetailEndTime: '2026-11-20 12:00:00', DetailPower: 10, DetailElecMoney: 10.5, DetailSeviceMoney: 8 },
        { DetailStartTime: '2026-11-20 12:00:00', DetailPower: 10, DetailElecMoney: 6.8, DetailSeviceMoney: 6 },
      ],
    });
    // the three readings were one write: one progress, with the newest reading
    await pushesPlanned();
    expect(progressOf(seq)).toEqual(['2026-11-20 12:15:00']);
  });
});

describe('a due charge-status push whose send fails after the order write (issue 9 §2: never lost)', () => {
  it('the reading is handed back; its redelivery folds nothing new and sends the push it decided, once', async () => {
    const connector = 'FX0003E01C2';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    const t0 = Date.parse('2026-11-20T05:00:00.000Z');
    await pileSays(PileSessionStarted, { StartChargeSeq: seq, ConnectorID: connector, accepted: true, at: new Date(t0).toISOString() });
    await eventually(() => getOrder(seq), { until: (o) => o?.status === 2, what: 'charging' });
    const reading = {
      type: 'PileMeterValues',
      detail: {
        StartChargeSeq: seq,
        ConnectorID: connector,
        at: new Date(t0 + 50_000).toISOString(),
        energyWh: 500,
        powerKw: 36,
        currentA: 90,
        voltageA: 400,
        soc: 40,
      },
    } satisfies PileEvent;
    const batch = { Records: [{ messageId: 'r1', body: JSON.stringify(reading) }] as SQSEvent['Records'] };
    // the push lane cannot be reached (its URL names a queue that does not exist): the SQS send fails
    const broken = { ...process.env, QUEUE_URL_PUSH_DELIVERIES: `${process.env.QUEUE_URL_PUSH_DELIVERIES}-gone` };
    const failed = await runWithEnv(broken, () => pileSessionEvents(batch, {} as Context));
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: 'r1' }]);
    // the order write happened (the reading is folded, the push decided) but nothing reached the push lane
    expect(await getOrder(seq)).toMatchObject({ meter: { n: 2, wh: 500 }, lastProgressAt: t0 + 50_000 });
    await pushesPlanned();
    expect(progressOf(seq)).toEqual([]);
    // SQS redelivers the record
    const again = await pileSessionEvents(batch, {} as Context);
    expect(again.batchItemFailures).toEqual([]);
    await eventually(async () => progressOf(seq), { until: (p) => p.length === 1, what: 'the push sent again' });
    await pushesPlanned();
    expect(progressOf(seq)).toEqual(['2026-11-20 13:00:50']);
    // the bill did not move twice
    expect((await getOrder(seq))?.meter).toMatchObject({ n: 2, wh: 500 });
    // a later reading that is not due sends nothing; the next due one does
    const at = (sec: number, wh: number) => ({
      messageId: `r${sec}`,
      body: JSON.stringify({ ...reading, detail: { ...reading.detail, at: new Date(t0 + sec * 1000).toISOString(), energyWh: wh } }),
    });
    await pileSessionEvents({ Records: [at(70, 700)] as SQSEvent['Records'] }, {} as Context);
    await pileSessionEvents({ Records: [at(99, 1000)] as SQSEvent['Records'] }, {} as Context);
    await eventually(async () => progressOf(seq), { until: (p) => p.length === 2, what: 'the next push' });
    await pushesPlanned();
    expect(progressOf(seq)).toEqual(['2026-11-20 13:00:50', '2026-11-20 13:01:39']);
  });
});
