/**
 * query_reserve_connector / query_cancel_reservation — extension (ours, reference §5.5
 * reservation 预约充电), over HTTP through a profile that enables them, against the local platform
 * with the pile simulator on a manual clock. The pile reports the hold (Status 4) and its lapse
 * itself; the platform's own record decides who may start. Expiry on the platform side is a
 * comparison with `now`: those checks call the service with an injected clock.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config.ts';
import { cancelReservation, expireReservations, reserveConnector } from '../../shared/services/reservation.ts';
import { GetCommand } from '../../shared/store/doc.ts';
import { dynamo } from '../../shared/store/dynamo.ts';
import { getPartner } from '../../shared/store/partners.ts';
import { expireReservation, getReservation, getReservationHold } from '../../shared/store/reservations.ts';
import { STATIONS_SEED } from '../fixtures/stations.ts';
import { DATE_TIME, seqOf, useChargingPlatform } from '../support/charging.ts';

/** the fixture seed, with partner 1 under a profile that enables reservation and FX0001 taking reservations */
const seedFile = (() => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as {
    partners: Array<Record<string, unknown>>;
    stations: Array<Record<string, unknown>>;
    profiles?: Record<string, unknown>;
  };
  seed.profiles = { reserving: { extends: 'cec2016', extensions: ['query_reserve_connector', 'query_cancel_reservation'] } };
  (seed.partners[0] as Record<string, unknown>).profile = 'reserving';
  const fx1 = seed.stations.find((s) => s.StationID === 'FX0001') as Record<string, unknown>;
  fx1.ReservationPolicy = { MaxMinutes: 30, Fee: 1, FeePerMinute: 0.05, NoShowFee: 3 };
  const fx2 = seed.stations.find((s) => s.StationID === 'FX0002') as Record<string, unknown>;
  fx2.ReservationPolicy = { MaxMinutes: 10, NoShowFee: 2.5 };
  const file = join(tmpdir(), `evcs-reservation-seed-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(seed));
  return file;
})();

const ctx = useChargingPlatform({ seedFile });

const reserve = (connectorId: string, minutes: number, seq = seqOf(ctx.p1)) =>
  ctx.p1.call('query_reserve_connector', { ReserveSeq: seq, ConnectorID: connectorId, ReserveMinutes: minutes });

const statusSeenBy = async (stationId: string, connectorId: string): Promise<number | undefined> => {
  const r = await ctx.p2.call('query_station_status', { StationIDs: [stationId] });
  const infos = (r.data as { StationStatusInfos: Array<{ ConnectorStatusInfos: Array<{ ConnectorID: string; Status: number }> }> })
    .StationStatusInfos;
  return infos.flatMap((s) => s.ConnectorStatusInfos).find((c) => c.ConnectorID === connectorId)?.Status;
};

describe('query_reserve_connector — extension (ours, §5.5 reservation), behind the profile switch', () => {
  it('a partner whose profile does not enable it gets Ret 4004 "not enabled", whatever it sends', async () => {
    const r = await ctx.p2.call('query_reserve_connector', { ReserveSeq: seqOf(ctx.p2), ConnectorID: 'FX0001E01C1', ReserveMinutes: 10 });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/query_reserve_connector is not enabled for OperatorID MA02XJ7K3/);
    const junk = await ctx.p2.call('query_cancel_reservation', {});
    expect(junk.ret).toBe(4004);
    expect(junk.msg).toMatch(/not enabled/);
  });

  it('reserves an idle connector: the fee by the station policy, Status 4 for everyone, only the reserver starts on it', async () => {
    const connector = 'FX0001E01C1';
    const seq = seqOf(ctx.p1);
    const r = await reserve(connector, 20, seq);
    expect(r.ret).toBe(0);
    // Fee 1.00 + 0.05 × 20 min
    // what a no-show would bill: ReserveFee + NoShowFee 3.00
    expect(r.data).toMatchObject({ ReserveSeq: seq, ConnectorID: connector, SuccStat: 0, FailReason: 0, ReserveFee: 2, NoShowMoney: 5 });
    expect((r.data as { ExpireTime: string }).ExpireTime).toMatch(DATE_TIME);
    // the same ReserveSeq again: the same answer, no second hold
    expect((await reserve(connector, 20, seq)).data).toMatchObject({ SuccStat: 0, ReserveFee: 2 });

    // the pile reports the hold; another partner sees Status 4
    await ctx.waitStatus(connector, 4);
    expect(await statusSeenBy('FX0001', connector)).toBe(4);

    // bad input: another partner starts on it → busy; reserving it again → already reserved
    const other = await ctx.p2.call('query_start_charge', { StartChargeSeq: seqOf(ctx.p2), ConnectorID: connector });
    expect(other.data).toMatchObject({ SuccStat: 1, FailReason: 3 });
    expect((await reserve(connector, 10)).data).toMatchObject({ SuccStat: 1, FailReason: 5 });

    // the reserving partner starts on it: the session runs, the reservation is used
    ctx.platform.simulator!.setVehicle(connector, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    const start = seqOf(ctx.p1);
    expect((await ctx.p1.call('query_start_charge', { StartChargeSeq: start, ConnectorID: connector })).data).toMatchObject({
      SuccStat: 0,
    });
    await ctx.pump(
      async () => (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: start })).data as { StartChargeSeqStat: number },
      (d) => d.StartChargeSeqStat === 2,
      'charging on the reservation',
    );
    expect(await getReservation(seq)).toMatchObject({ stat: 2, StartChargeSeq: start });
    const late = await ctx.p1.call('query_cancel_reservation', { ReserveSeq: seq });
    expect(late.data).toMatchObject({ ReserveSeq: seq, SuccStat: 1, FailReason: 2, ReserveStat: 2 });
    await ctx.stopped(ctx.p1, start, connector);

    // the fee is billed on the order: its own first line of service money (zero prices and power), in the totals
    const order = (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: start })).data as {
      SeviceMoney: number;
      ElecMoney: number;
      TotalMoney: number;
      SumPeriod: number;
      ChargeDetails: Array<{ DetailSeviceMoney: number; DetailElecMoney: number; DetailPower: number; SevicePrice: number }>;
    };
    expect(order.ChargeDetails[0]).toMatchObject({ SevicePrice: 0, DetailPower: 0, DetailElecMoney: 0, DetailSeviceMoney: 2 });
    expect(order.SumPeriod).toBe(order.ChargeDetails.length);
    const fen = (x: number) => Math.round(x * 100);
    expect(fen(order.SeviceMoney)).toBe(order.ChargeDetails.reduce((a, d) => a + fen(d.DetailSeviceMoney), 0));
    expect(fen(order.TotalMoney)).toBe(fen(order.ElecMoney) + fen(order.SeviceMoney));
    expect(fen(order.SeviceMoney)).toBeGreaterThan(200);

    // used by its start: the expiry never bills it as a no-show (its fee is on the order)
    await expireReservations(new Date(Date.parse((await getReservation(seq))!.expiresAt) + 60_000));
    const used = await getReservation(seq);
    expect(used).toMatchObject({ stat: 2 });
    expect(used?.chargedFen).toBeUndefined();
  });

  it('refuses what the station policy and the connector do not allow', async () => {
    // beyond MaxMinutes 30
    expect((await reserve('FX0001E01C2', 31)).data).toMatchObject({ SuccStat: 1, FailReason: 3 });
    // FX0003 has no ReservationPolicy
    expect((await reserve('FX0003E01C1', 10)).data).toMatchObject({ SuccStat: 1, FailReason: 2 });
    // unknown connector
    expect((await reserve('NOPE0001', 10)).data).toMatchObject({ SuccStat: 1, FailReason: 1 });
    // a connector in use (plugged) is busy
    await ctx.admin('FX0001E01C2', 'plugged', 2);
    expect((await reserve('FX0001E01C2', 10)).data).toMatchObject({ SuccStat: 1, FailReason: 4 });
    await ctx.admin('FX0001E01C2', 'idle', 1);
    // a faulted one is unavailable
    await ctx.admin('FX0001E01C2', 'fault', 255);
    expect((await reserve('FX0001E01C2', 10)).data).toMatchObject({ SuccStat: 1, FailReason: 6 });
    await ctx.admin('FX0001E01C2', 'idle', 1);
    // a malformed ReserveSeq: 4004 naming it, nothing written
    const bad = await ctx.p1.call('query_reserve_connector', { ReserveSeq: 'MA01H3BQ2x', ConnectorID: 'FX0001E01C2', ReserveMinutes: 5 });
    expect(bad.ret).toBe(4004);
    expect(bad.msg).toMatch(/ReserveSeq: must be 27 characters/);
    expect(await getReservationHold('FX0001E01C2', new Date())).toBeUndefined();
  });
});

describe('query_cancel_reservation — extension (ours, §5.5 reservation): cancellation and expiry', () => {
  it('cancellation frees the connector (the pile reports it idle) and is idempotent', async () => {
    const connector = 'FX0001E01C2';
    const seq = seqOf(ctx.p1);
    expect((await reserve(connector, 15, seq)).data).toMatchObject({ SuccStat: 0 });
    await ctx.waitStatus(connector, 4);
    const c = await ctx.p1.call('query_cancel_reservation', { ReserveSeq: seq });
    expect(c.data).toMatchObject({ ReserveSeq: seq, SuccStat: 0, FailReason: 0, ReserveStat: 3 });
    await ctx.waitStatus(connector, 1);
    expect(await getReservationHold(connector, new Date())).toBeUndefined();
    expect((await ctx.p1.call('query_cancel_reservation', { ReserveSeq: seq })).data).toMatchObject({ SuccStat: 0, ReserveStat: 3 });
    // an unknown ReserveSeq
    expect((await ctx.p1.call('query_cancel_reservation', { ReserveSeq: seqOf(ctx.p1) })).data).toMatchObject({
      SuccStat: 1,
      FailReason: 1,
    });
  });

  it('expiry: the pile frees the connector after N minutes; the platform counts it lapsed at that instant', async () => {
    const connector = 'FX0001E02C1';
    const seq = seqOf(ctx.p1);
    expect((await reserve(connector, 1, seq)).data).toMatchObject({ SuccStat: 0, ReserveFee: 1.05 });
    await ctx.waitStatus(connector, 4);
    const stored = await getReservation(seq);
    const lapsed = new Date(Date.parse(stored!.expiresAt) + 1);
    // the platform side, at the expiry instant (injected clock): no hold, the reservation reads expired
    expect(await getReservationHold(connector, new Date(Date.parse(stored!.expiresAt) - 1))).toBeDefined();
    expect(await getReservationHold(connector, lapsed)).toBeUndefined();
    const partner = (await getPartner(ctx.p1.partner.operatorId))!;
    expect(await cancelReservation(partner, { ReserveSeq: seq }, lapsed)).toMatchObject({ SuccStat: 1, FailReason: 2, ReserveStat: 4 });
    // the pile lets it lapse on its own clock
    ctx.platform.simulator!.advance(61_000);
    await ctx.waitStatus(connector, 1);
    // once lapsed, the connector can be reserved again (the lapsed hold counts as free)
    const again = await reserveConnector(partner, { ReserveSeq: seqOf(ctx.p1), ConnectorID: connector, ReserveMinutes: 5 }, lapsed);
    expect(again).toMatchObject({ SuccStat: 0, FailReason: 0 });
    await ctx.waitStatus(connector, 4);
  });

  it('a no-show: the scheduled expiry bills ReserveFee + NoShowFee once (two runs racing, a third), queryable; a cancelled one never', async () => {
    const noShowAt = 'FX0001E01C2';
    const cancelledAt = 'FX0002E01C1';
    const seq = seqOf(ctx.p1);
    // Fee 1.00 + 0.05 × 2 min; a no-show adds NoShowFee 3.00
    expect((await reserve(noShowAt, 2, seq)).data).toMatchObject({ SuccStat: 0, ReserveFee: 1.1, NoShowMoney: 4.1 });
    const cancelledSeq = seqOf(ctx.p1);
    expect((await reserve(cancelledAt, 5, cancelledSeq)).data).toMatchObject({ SuccStat: 0, ReserveFee: 0, NoShowMoney: 2.5 });
    await ctx.waitStatus(noShowAt, 4);
    // cancelled before it lapsed (policy: free)
    expect((await ctx.p1.call('query_cancel_reservation', { ReserveSeq: cancelledSeq })).data).toMatchObject({
      SuccStat: 0,
      ReserveStat: 3,
    });

    const r = (await getReservation(seq))!;
    const cancelled = (await getReservation(cancelledSeq))!;
    const due = Date.parse(r.expiresAt);
    const sweep = async (at: Date, times = 1) => {
      for (let i = 0; i < times; i++) ctx.platform.cloud.scheduler.fire('reservation-expiry', at);
      await ctx.platform.cloud.drain({ timeoutMs: 120_000 });
    };

    // a run before the expiry bills nothing
    await sweep(new Date(due - 1_000));
    expect(await getReservation(seq)).toMatchObject({ stat: 1 });

    // two runs racing after it: settled once, ReserveStat 4 with what it bills (fen)
    const after = new Date(Math.max(due, Date.parse(cancelled.expiresAt)) + 1_000);
    await sweep(after, 2);
    expect(await getReservation(seq)).toMatchObject({ stat: 4, chargedFen: 410, endedAt: r.expiresAt });
    // a billed no-show is a billing record: its item lost the TTL that ends an unbilled reservation's
    const raw = await dynamo().send(new GetCommand({ TableName: config().tableName('orders'), Key: { pk: `RESV#${seq}` } }));
    expect(raw.Item?.chargedFen).toBe(410);
    expect(raw.Item).not.toHaveProperty('ttl');
    // a third run finds nothing to settle: the conditional write refuses a second bill
    await sweep(after);
    expect(await expireReservation(r, 410, after)).toBe(false);
    expect(await getReservation(seq)).toMatchObject({ stat: 4, chargedFen: 410 });

    // the partner reads the final state and the amount
    expect((await ctx.p1.call('query_cancel_reservation', { ReserveSeq: seq })).data).toMatchObject({
      ReserveSeq: seq,
      SuccStat: 1,
      FailReason: 2,
      ReserveStat: 4,
      NoShowMoney: 4.1,
    });
    // the cancelled one, long lapsed: never billed
    const c = await getReservation(cancelledSeq);
    expect(c).toMatchObject({ stat: 3 });
    expect(c?.chargedFen).toBeUndefined();
    const cAnswer = (await ctx.p1.call('query_cancel_reservation', { ReserveSeq: cancelledSeq })).data as Record<string, unknown>;
    expect(cAnswer).toMatchObject({ SuccStat: 0, ReserveStat: 3 });
    expect(cAnswer.NoShowMoney).toBeUndefined();
  });
});
