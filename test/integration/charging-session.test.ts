/**
 * Charging sessions end to end over HTTP through the local runtime, with the pile simulator on a
 * MANUAL clock the test drives (`pumped`: each poll moves simulated time 1 s forward), so pile
 * answers, meter samples and a full battery happen in simulated time, never racing the wall clock:
 * auth → start → status until charging → stop → status until finished → order totals; plus the
 * failure paths (offline, busy connector, duplicates, isolation). The start/stop timeouts of a
 * silent pile are in charging-timeouts.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

let platform: Platform;
let p1: Caller;
let p2: Caller;
let n = 0;
/** a fresh 27-character StartChargeSeq of the partner */
const seqOf = (c: Caller) => `${c.partner.operatorId}${Date.now().toString().slice(-13)}${String(++n).padStart(5, '0')}`;

const admin = async (connectorId: string, state: string) => {
  const res = await fetch(`${platform.apiUrl}/local/sim/connectors/${connectorId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state }),
  });
  expect(res.status).toBe(200);
};
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
  p2 = await loggedIn(platform, 1);
  // every connector announced itself as idle through the status pipeline
  await waitStatus('FX0001E01C1', 1);
}, 120_000);
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

describe('query_start_charge — §3.7 rules and failure paths', () => {
  it('StartChargeSeq of the wrong length or with a foreign prefix → Ret 4004 naming StartChargeSeq', async () => {
    const short = await p1.call('query_start_charge', { StartChargeSeq: `${p1.partner.operatorId}123`, ConnectorID: 'FX0002E01C1' });
    expect(short.ret).toBe(4004);
    expect(short.msg).toContain('StartChargeSeq');
    const foreign = await p1.call('query_start_charge', { StartChargeSeq: seqOf(p2), ConnectorID: 'FX0002E01C1' });
    expect(foreign.ret).toBe(4004);
    expect(foreign.msg).toContain('StartChargeSeq');
  });

  it('an unknown connector → FailReason 1; a connector the partner is not granted → the same answer', async () => {
    const unknown = await p1.call('query_start_charge', { StartChargeSeq: seqOf(p1), ConnectorID: 'NOPE0001' });
    expect(unknown.data).toMatchObject({ SuccStat: 1, FailReason: 1 });
    const notGranted = await p2.call('query_start_charge', { StartChargeSeq: seqOf(p2), ConnectorID: 'FX0002E01C2' });
    expect(notGranted.data).toMatchObject({ SuccStat: 1, FailReason: 1 });
    // FX0004 has no time-of-use prices: a session could not be billed → custom FailReason 6
    const unpriced = await p1.call('query_start_charge', { StartChargeSeq: seqOf(p1), ConnectorID: 'FX0004E01C1' });
    expect(unpriced.data).toMatchObject({ SuccStat: 1, FailReason: 6 });
  });

  it('a pile that is offline → FailReason 2, no order', async () => {
    const connector = 'FX0002E02C1';
    await admin(connector, 'offline');
    await waitStatus(connector, 0);
    const seq = seqOf(p1);
    const r = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(r.data).toMatchObject({ SuccStat: 1, FailReason: 2 });
    expect(await getOrder(seq)).toBeUndefined();
    await admin(connector, 'idle');
    await waitStatus(connector, 1);
    // the same StartChargeSeq again, now that the pile is back: the same answer, still no order
    const again = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(again.data).toEqual(r.data);
    expect(await getOrder(seq)).toBeUndefined();
  });

  it('the same StartChargeSeq twice → the same answer and one order; with another ConnectorID → 4004', async () => {
    const seq = seqOf(p1);
    const commands: string[] = [];
    const untap = platform.cloud.bus.tap((e) => {
      if (e['detail-type'] === 'PileCommandRequested' && e.detail.StartChargeSeq === seq) commands.push(String(e.detail.command));
    });
    const a = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0003E01C1' });
    const b = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0003E01C1' });
    expect(a.data).toMatchObject({ SuccStat: 0, FailReason: 0 });
    expect(b.data).toMatchObject({ StartChargeSeq: seq, SuccStat: 0, FailReason: 0, ConnectorID: 'FX0003E01C1' });
    const other = await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0003E01C2' });
    expect(other.ret).toBe(4004);
    // exactly one start command left for the pile
    untap();
    expect(commands).toEqual(['start']);
  });
});

describe('query_stop_charge — §3.10, partner isolation: a partner sees and stops only its own orders', () => {
  it("another partner's order looks exactly like one that does not exist", async () => {
    const connector = 'FX0001E01C2';
    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });

    const statusOther = await p2.call('query_equip_charge_status', { StartChargeSeq: seq });
    const statusNone = await p2.call('query_equip_charge_status', { StartChargeSeq: `${p2.partner.operatorId}000000000000000000` });
    expect(statusOther.ret).toBe(4004);
    expect(statusOther.msg).toBe(statusNone.msg);

    const stopOther = await p2.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
    expect(stopOther.data).toMatchObject({ SuccStat: 1, FailReason: 1 });
    expect((await getOrder(seq))?.stoppedByPartner).toBeFalsy();
  });
});

describe('query_equip_auth — §3.5 FailReason', () => {
  it('idle (not plugged) → 1; unknown → 2; faulted → 2', async () => {
    expect((await p1.call('query_equip_auth', { EquipAuthSeq: seqOf(p1), ConnectorID: 'FX0004E01C1' })).data).toMatchObject({
      SuccStat: 1,
      FailReason: 1,
    });
    expect((await p1.call('query_equip_auth', { EquipAuthSeq: seqOf(p1), ConnectorID: 'NOPE' })).data).toMatchObject({
      SuccStat: 1,
      FailReason: 2,
    });
    await admin('FX0004E02C1', 'fault');
    await waitStatus('FX0004E02C1', 255);
    expect((await p1.call('query_equip_auth', { EquipAuthSeq: seqOf(p1), ConnectorID: 'FX0004E02C1' })).data).toMatchObject({
      SuccStat: 1,
      FailReason: 2,
    });
  });
});

describe('query_equip_charge_status — §3.9', () => {
  it('an unknown StartChargeSeq → Ret 4004', async () => {
    const r = await p1.call('query_equip_charge_status', { StartChargeSeq: `${p1.partner.operatorId}000000000000000001` });
    expect(r.ret).toBe(4004);
    expect(r.msg).toContain('StartChargeSeq');
  });

  it('speaks the partner dialect: xiaoju gets ElectMoney/ServiceMoney, cec2016 ElecMoney/SeviceMoney', async () => {
    const connector = 'FX0003E01C2';
    const seq = seqOf(p2);
    expect((await p2.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connector })).data).toMatchObject({ SuccStat: 0 });
    platform.simulator!.setVehicle(connector, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    const wire = await eventually(
      pumped(async () => (await p2.call('query_equip_charge_status', { StartChargeSeq: seq })).data as Record<string, unknown>),
      {
        until: (d) => d.StartChargeSeqStat === 2,
        what: 'charging',
      },
    );
    expect(Object.keys(wire)).toEqual(expect.arrayContaining(['ElectMoney', 'ServiceMoney', 'TotalMoney']));
    expect(wire).not.toHaveProperty('ElecMoney');
    expect(wire).not.toHaveProperty('SeviceMoney');
    await p2.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: connector });
  });
});

describe('query_charge_info — extension §3.14', () => {
  it('is refused with Ret 4004 for a partner without the feature', async () => {
    const r = await p2.call('query_charge_info', { StartChargeSeq: seqOf(p2) });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/not enabled/);
  });
});
