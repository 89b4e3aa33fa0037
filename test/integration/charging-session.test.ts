/**
 * Charging sessions end to end over HTTP through the local runtime, with the pile simulator on a
 * MANUAL clock the test drives (`pumped`: each poll moves simulated time 1 s forward), so pile
 * answers, meter samples and a full battery happen in simulated time, never racing the wall clock:
 * auth → start → status until charging → stop → status until finished → order totals → the
 * connector free again. Each interface's rules and FailReasons are in test/conformance
 * (query-equip-auth, query-start-charge, query-equip-charge-status, query-stop-charge,
 * query-charge-info); the start/stop timeouts of a silent pile in charging-timeouts.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { config } from '../../shared/config.ts';
import { closeRunningBill, toOrderTotals } from '../../shared/domain/billing.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { GetCommand, UpdateCommand } from '../../shared/store/doc.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import { getOrder, storedTariff } from '../../shared/store/orders.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { simAdmin, startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

let platform: Platform;
let p1: Caller;

const admin = (connectorId: string, state: string) => simAdmin(platform.apiUrl, connectorId, state);
/** a poll that first moves the simulated clock 1 s forward (the pile's time passes only when the test says so) */
const pumped =
  <T>(fn: () => Promise<T>) =>
  () => {
    platform.simulator!.advance(1_000);
    return fn();
  };
const waitStatus = (id: string, status: number) =>
  eventually(async () => (await getConnectorView(id))?.status, { until: (s) => s === status, what: `connector ${id} status ${status}` });

beforeAll(async () => {
  platform = await startTestPlatform({
    seedFile: STATIONS_SEED,
    simulator: { manualClock: true, offlineRatePerHour: 0, faultRatePerHour: 0, seed: 7, autoUnplug: false },
  });
  p1 = await loggedIn(platform, 0);
  // every connector announced itself as idle through the status pipeline
  await waitStatus('FX0001E01C1', 1);
});
afterAll(async () => platform?.stop());

interface StatusData {
  StartChargeSeqStat: number;
  ConnectorStatus: number;
  TotalPower: number;
  ElecMoney: number;
  SeviceMoney: number;
  TotalMoney: number;
  SumPeriod: number;
  ChargeDetails: Array<{ DetailPower: number; DetailElecMoney: number; DetailSeviceMoney: number }>;
}
const cents = (x: number) => Math.round(x * 100);

describe('a full session — T/CEC 102 §3.5, §3.7, §3.9, §3.10, §3.12', () => {
  it('auth → start → charging → stop → finished, with a bill whose details sum to the totals', async () => {
    const connector = 'FX0001E01C1';
    // a big battery charging slowly: the session cannot end on its own before the partner stops it
    platform.simulator!.setVehicle(connector, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    await admin(connector, 'plugged');
    await waitStatus(connector, 2);

    const auth = await p1.call('query_equip_auth', { EquipAuthSeq: seqOf(p1), ConnectorID: connector });
    expect(auth.ret).toBe(0);
    expect(auth.data).toMatchObject({ SuccStat: 0, FailReason: 0 });

    const seq = seqOf(p1);
    const start = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector, QRCode: '' });
    expect(start.ret).toBe(0);
    expect(start.data).toMatchObject({ StartChargeSeq: seq, StartChargeSeqStat: 1, ConnectorID: connector, SuccStat: 0, FailReason: 0 });

    const charging = await eventually(
      pumped(async () => (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as StatusData),
      {
        until: (d) => d.StartChargeSeqStat === 2 && d.TotalPower > 0,
        what: 'charging with energy',
      },
    );
    expect(charging.ConnectorStatus).toBe(3);

    const stop = await p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(stop.ret).toBe(0);
    expect(stop.data).toMatchObject({ StartChargeSeq: seq, SuccStat: 0, FailReason: 0 });
    expect([3, 4]).toContain((stop.data as { StartChargeSeqStat: number }).StartChargeSeqStat);

    const done = await eventually(
      pumped(async () => (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as StatusData),
      {
        until: (d) => d.StartChargeSeqStat === 4,
        what: 'finished',
      },
    );
    expect(done.TotalPower).toBeGreaterThan(0);
    expect(cents(done.TotalMoney)).toBe(cents(done.ElecMoney) + cents(done.SeviceMoney));
    expect(done.SumPeriod).toBe(done.ChargeDetails.length);
    expect(done.ChargeDetails.reduce((a, d) => a + cents(d.DetailPower), 0)).toBe(cents(done.TotalPower));
    expect(done.ChargeDetails.reduce((a, d) => a + cents(d.DetailElecMoney), 0)).toBe(cents(done.ElecMoney));
    expect(done.ChargeDetails.reduce((a, d) => a + cents(d.DetailSeviceMoney), 0)).toBe(cents(done.SeviceMoney));

    const info = await p1.call('query_charge_info', { StartChargeSeq: seq });
    expect(info.ret).toBe(0);
    expect(info.data).toMatchObject({
      StartChargeSeq: seq,
      StartChargeSeqStat: 4,
      StopReason: 1,
      TotalPower: done.TotalPower,
      TotalMoney: done.TotalMoney,
    });

    // the connector was released: once the pile reports it no longer charging, a new session may start on it
    const order = await getOrder(seq);
    expect(order?.status).toBe(4);
    await waitStatus(connector, 2);
    const again = await p1.call('query_start_charge', { StartChargeSeq: seqOf(p1), ConnectorID: connector });
    expect(again.data).toMatchObject({ SuccStat: 0 });
    // a second stop of the finished order: FailReason 3 already stopped
    const stop2 = await p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(stop2.data).toMatchObject({ SuccStat: 1, FailReason: 3, StartChargeSeqStat: 4 });
  });
});

/** the order item as stored (no decoding): its tariff attribute */
const storedTariffOf = async (seq: string): Promise<unknown[]> => {
  const res = await dynamo().send(
    new GetCommand({ TableName: config().tableName('orders'), Key: { pk: `ORDER#${seq}` }, ConsistentRead: true }),
  );
  return res.Item?.tariff as unknown[];
};

describe('an order item whose tariff is stored as tuples (issue 9 §2, the next release writes them)', () => {
  it('charges, stops and bills exactly as one written now', async () => {
    const connector = 'FX0001E01C2';
    platform.simulator!.setVehicle(connector, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    await admin(connector, 'plugged');
    await waitStatus(connector, 2);
    const seq = seqOf(p1);
    const start = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector, QRCode: '' });
    expect(start.data).toMatchObject({ SuccStat: 0 });
    // written now: the periods as objects (a rollback, or the previous release's consumers, read them)
    const periods = (await getOrder(seq))!.tariff;
    expect(periods[1]).toEqual({ startTime: '080000', elecPrice: 1.05, servicePrice: 0.8 });
    expect((await storedTariffOf(seq))[1]).toEqual(periods[1]);
    await eventually(
      pumped(async () => (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as StatusData),
      { until: (d) => d.StartChargeSeqStat === 2 && d.TotalPower > 0, what: 'charging with energy' },
    );
    // the item as the next release writes it, mid-session: one [startTime, elecPrice, servicePrice] per period
    await dynamo().send(
      new UpdateCommand({
        TableName: config().tableName('orders'),
        Key: { pk: `ORDER#${seq}` },
        UpdateExpression: 'SET tariff = :t',
        ExpressionAttributeValues: { ':t': storedTariff(periods) },
      }),
    );
    expect((await storedTariffOf(seq))[1]).toEqual(['080000', 1.05, 0.8]);
    expect((await getOrder(seq))!.tariff).toEqual(periods);
    // more readings fold into it, then the stop bills it
    const before = (await getOrder(seq))!.meter!.n;
    await eventually(
      pumped(async () => (await getOrder(seq))!.meter!.n),
      { until: (n) => n > before + 1, what: 'more readings folded' },
    );
    expect((await p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    const done = await eventually(
      pumped(async () => (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as StatusData),
      { until: (d) => d.StartChargeSeqStat === 4, what: 'finished' },
    );
    const order = (await getOrder(seq))!;
    expect(order.tariff).toEqual(periods);
    // the one billing function over the order's running bill and the station's periods gives the final bill
    const billed = toOrderTotals(closeRunningBill(order.meter!, periods));
    expect(order.bill).toMatchObject({ TotalPower: billed.TotalPower, TotalMoney: billed.TotalMoney, ChargeDetails: billed.ChargeDetails });
    expect(done.TotalPower).toBe(billed.TotalPower);
    expect(cents(done.TotalMoney)).toBe(cents(billed.TotalMoney));
    expect(billed.TotalPower).toBeGreaterThan(0);
  });
});
