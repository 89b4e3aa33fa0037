/**
 * query_parking_station / query_parking_free_info / modify_parking_fee_wave_car_number /
 * query_parking_free_wave — extension (DiDi 1.4.0 parking 停车费减免, reference §5.1, §5.5), and the
 * parking service (L1) behind them: a finished order's waiver is computed from the station's
 * ParkingPolicy and applied at the car park's gate (the simulated barrier gateway,
 * infra/local/simulator/car-park.ts). A gate that fails or times out never touches the order: the
 * waiver is retried with backoff, parked in the DLQ, and applied after a replay. Partner 1 calls
 * through a cec2016 profile listing the parking interfaces, partner 2 through the built-in `didi`.
 * Retries are shortened for the test (PARKING_RETRY_SECONDS 1, CAR_PARK_TIMEOUT_MS 500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarPark } from '../../infra/local/simulator/car-park.ts';
import { envName } from '../../infra/topology/types.ts';
import { runWithEnv } from '../../shared/config.ts';
import { replayDlq } from '../../shared/push/dlq.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { getWaiver } from '../../shared/store/parking.ts';
import { seqOf, useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { carParkSeed } from '../support/extensions.ts';

const PARKING_INTERFACES = [
  'query_parking_free_info',
  'query_parking_station',
  'query_parking_free_wave',
  'modify_parking_fee_wave_car_number',
];
const site = carParkSeed(PARKING_INTERFACES, {
  FX0001: { ParkingPolicy: { FreeMinutes: 60, PerKwhMinutes: 2, CapMinutes: 90 } },
  FX0003: { ParkingPolicy: { FreeMinutes: 120, CapMinutes: 240 } },
});
let park: CarPark;

// before the platform starts (hooks run in order): the car park, then the seed that names it
beforeAll(async () => {
  park = await site.start();
});
afterAll(site.stop);

const ctx = useChargingPlatform({ seedFile: site.seedFile, env: { PARKING_RETRY_SECONDS: '1', CAR_PARK_TIMEOUT_MS: '500' } });

type FreeInfo = { StartChargeSeq: string; Duration: number; CarNumber?: string; WaiverStatus: number };
const freeInfo = async (c: typeof ctx.p1, seq: string) => {
  const r = await c.call('query_parking_free_info', { StartChargeSeq: seq });
  expect(r.ret).toBe(0);
  return r.data as FreeInfo;
};
const waitWaiver = (c: typeof ctx.p1, seq: string, status: number) =>
  eventually(() => freeInfo(c, seq), { until: (d) => d.WaiverStatus === status, what: `${seq} WaiverStatus ${status}` });
const kwhOf = async (seq: string) => (await getOrder(seq))?.bill?.TotalPower ?? Number.NaN;

describe('query_parking_station — extension (DiDi 1.4.0, §5.1 parking)', () => {
  it("answers the station's waiver policy; a station without one (or not granted) waives nothing", async () => {
    const r = await ctx.p2.call('query_parking_station', { StationID: 'FX0001' });
    expect(r.ret).toBe(0);
    expect(r.data).toEqual({ WaiverType: 2, Duration: 90, Note: '60 min free per charging session plus 2 min per kWh, at most 90 min' });
    expect((await ctx.p1.call('query_parking_station', { StationID: 'FX0003' })).data).toMatchObject({ WaiverType: 1, Duration: 240 });
    expect((await ctx.p1.call('query_parking_station', { StationID: 'FX0002' })).data).toMatchObject({ WaiverType: 0, Duration: 0 });
    expect((await ctx.p2.call('query_parking_station', { StationID: 'FX0002' })).data).toMatchObject({ WaiverType: 0 });
  });

  it('a partner whose profile does not enable the ground-lock interfaces gets Ret 4004 "not enabled"', async () => {
    const r = await ctx.p1.call('query_drop_lock', { StationID: 'FX0001', LockNum: 'L01' });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/query_drop_lock is not enabled for OperatorID MA01H3BQ2/);
  });
});

describe('modify_parking_fee_wave_car_number — extension (DiDi 1.4.0, §5.1 parking)', () => {
  it('a plate given while charging: the finished order earns its minutes and the gate applies them for that plate', async () => {
    const seq = await ctx.charging(ctx.p2, 'FX0001E01C1');
    const m = await ctx.p2.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: '沪a·12345' });
    expect(m.ret).toBe(0);
    expect(m.data).toMatchObject({ SuccStat: 0 });
    // before the order finishes there is no waiver yet
    expect(await freeInfo(ctx.p2, seq)).toMatchObject({ Duration: 0, WaiverStatus: 0, CarNumber: '沪A12345' });
    await ctx.stopped(ctx.p2, seq, 'FX0001E01C1');
    const info = await waitWaiver(ctx.p2, seq, 3);
    const expected = Math.min(90, 60 + 2 * Math.floor(await kwhOf(seq)));
    expect(info).toMatchObject({ StartChargeSeq: seq, Duration: expected, CarNumber: '沪A12345', WaiverStatus: 3 });
    expect(park.waivers('FX0001').filter((w) => w.StartChargeSeq === seq)).toEqual([
      expect.objectContaining({ CarNumber: '沪A12345', FreeMinutes: expected, StationID: 'FX0001' }),
    ]);
    // applied: a different plate is refused, the same one is fine
    expect((await ctx.p2.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: '沪B54321' })).data).toMatchObject({
      SuccStat: 1,
    });
    expect((await ctx.p2.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: '沪A12345' })).data).toMatchObject({
      SuccStat: 0,
    });
  });

  it("refuses a malformed plate, another partner's order and an unknown one (Ret 4004); nothing is written", async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0003E01C1');
    const bad = await ctx.p1.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: 'ABC123' });
    expect(bad.ret).toBe(4004);
    expect(bad.msg).toMatch(/CarNumber: not a vehicle plate/);
    const other = await ctx.p2.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: '沪A12345' });
    expect(other.ret).toBe(4004);
    expect(other.msg).toMatch(/StartChargeSeq: no such order/);
    expect((await ctx.p1.call('query_parking_free_info', { StartChargeSeq: seqOf(ctx.p1) })).ret).toBe(4004);
    expect(await getWaiver(seq)).toBeUndefined();
    await ctx.stopped(ctx.p1, seq, 'FX0003E01C1');
    // no plate yet: the waiver waits for it (per session: 120 minutes)
    expect(await waitWaiver(ctx.p1, seq, 1)).toMatchObject({ Duration: 120, WaiverStatus: 1 });
  });
});

describe('query_parking_free_wave — extension (DiDi 1.4.0, §5.1 parking)', () => {
  it('applies a finished waiver that waited for its plate, once', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0003E01C2');
    await ctx.stopped(ctx.p1, seq, 'FX0003E01C2');
    await waitWaiver(ctx.p1, seq, 1);
    const noPlate = await ctx.p1.call('query_parking_free_wave', { StartChargeSeq: seq });
    expect(noPlate.data).toMatchObject({ SuccStat: 1, FailReasonMsg: 'no CarNumber for this order' });
    const r = await ctx.p1.call('query_parking_free_wave', { StartChargeSeq: seq, CarNumber: '粤B D12345' });
    expect(r.ret).toBe(0);
    expect(r.data).toMatchObject({ SuccStat: 0 });
    expect(await freeInfo(ctx.p1, seq)).toMatchObject({ Duration: 120, CarNumber: '粤BD12345', WaiverStatus: 3 });
    expect((await ctx.p1.call('query_parking_free_wave', { StartChargeSeq: seq })).data).toMatchObject({ SuccStat: 0 });
    expect(park.waivers('FX0003').filter((w) => w.StartChargeSeq === seq)).toHaveLength(1);
  });
});

describe('query_parking_free_info — extension (DiDi 1.4.0, §5.1 parking): the parking service is isolated', () => {
  it('gate times out → the order is intact, the waiver is retried, parked in the DLQ, and applied after a replay', async () => {
    const seq = await ctx.charging(ctx.p1, 'FX0001E02C1');
    expect((await ctx.p1.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: '京A88888' })).data).toMatchObject({
      SuccStat: 0,
    });
    park.setGate('timeout');
    const callsBefore = park.gateCalls;
    await ctx.stopped(ctx.p1, seq, 'FX0001E02C1');
    const finished = await getOrder(seq);
    expect(finished?.bill).toBeDefined();
    /** what the parking service could have touched: the order's state and bill */
    const orderFacts = async () => {
      const o = await getOrder(seq);
      return { status: o?.status, bill: o?.bill, endedAt: o?.endedAt };
    };
    const factsBefore = await orderFacts();

    // the order answers at once, finished, whatever the gate does
    const order = await ctx.p1.call('query_charge_info', { StartChargeSeq: seq });
    expect(order.ret).toBe(0);
    expect(order.data).toMatchObject({ StartChargeSeq: seq, StartChargeSeqStat: 4 });

    // retried with backoff until maxReceiveCount, then in the DLQ
    const queues = ctx.platform.cloud.queues;
    await eventually(async () => queues.peek(queues.dlqOf('parking-waivers')).some((m) => m.body.includes(seq)), {
      what: 'the waiver in the DLQ',
    });
    expect(park.gateCalls - callsBefore).toBeGreaterThanOrEqual(5);
    expect(await getWaiver(seq)).toMatchObject({
      status: 2,
      plate: '京A88888',
      lastError: expect.stringMatching(/timed out after 500 ms/),
    });
    expect((await freeInfo(ctx.p1, seq)).WaiverStatus).toBe(2);
    // the order was never touched by the parking service
    expect(await orderFacts()).toEqual(factsBefore);

    // the gate recovers; the operator replays the DLQ (what `evcs dlq replay --queue parking-waivers` runs)
    park.setGate('up');
    const env = ctx.platform.cloud.env;
    const moved = await runWithEnv(env, () => replayDlq(env[envName('QUEUE_URL', 'parking-waivers')] as string));
    expect(moved).toBeGreaterThanOrEqual(1);
    const info = await waitWaiver(ctx.p1, seq, 3);
    expect(info.CarNumber).toBe('京A88888');
    expect(park.waivers('FX0001').filter((w) => w.StartChargeSeq === seq)).toHaveLength(1);
    expect(await orderFacts()).toEqual(factsBefore);
  });

  it('gate down for a while → applied on a retry, without a replay', async () => {
    const seq = await ctx.charging(ctx.p2, 'FX0001E01C2');
    await ctx.p2.call('modify_parking_fee_wave_car_number', { StartChargeSeq: seq, CarNumber: '沪C11111' });
    park.setGate('down');
    await ctx.stopped(ctx.p2, seq, 'FX0001E01C2');
    await eventually(() => getWaiver(seq), { until: (w) => /HTTP 503/.test(w?.lastError ?? ''), what: 'a failed gate attempt' });
    park.setGate('up');
    await waitWaiver(ctx.p2, seq, 3);
    expect((await getWaiver(seq))?.lastError).toBeUndefined();
  });
});
