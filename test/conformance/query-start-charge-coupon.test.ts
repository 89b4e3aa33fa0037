/**
 * query_start_charge_coupon — ours (卡券; reference §5.5), enabled by the partner's profile
 * `extensions`: a start with a coupon issued to the partner's user (phone number or user id). The
 * discount comes off the service fee through the billing function: ChargeDetails, TotalSeviceMoney
 * and TotalMoney show it (running and final), the order carries CouponID and DiscountMoney. A coupon
 * is used at most once, also by concurrent starts (the order's creating transaction marks it); a
 * start that never charges (the pile refuses it, or never answers until the start timeout) gives it
 * back, usable again; an order it discounted keeps it used.
 * Bad input: an unknown coupon or another user's (FailReason 10), expired or at another station
 * (11), used (12), neither PhoneNum nor UserID (Ret 4004), a partner without the extension (4004).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { couponsCommand } from '../../infra/cli/coupons.ts';
import type { Coupon } from '../../shared/domain/coupons.ts';
import { getCoupon, putCoupon } from '../../shared/store/orders.ts';
import { type ChargingCtx, seqOf, useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { extensionSeed } from '../support/extensions.ts';

/** a silent pile's start times out after this (the production default is 60 s) */
const START_TIMEOUT_SECONDS = 15;
const ctx: ChargingCtx = useChargingPlatform({
  seedFile: extensionSeed(['query_start_charge_coupon']),
  env: { START_TIMEOUT_SECONDS: String(START_TIMEOUT_SECONDS) },
});
const fen = (x: number) => Math.round(x * 100);
const PHONE = '13800000001';
const DAY = 86_400_000;
const coupon = (id: string, extra: Partial<Coupon> = {}): Coupon => ({
  couponId: `${id}-${Date.now().toString(36)}`,
  operatorId: 'MA01H3BQ2',
  phone: PHONE,
  kind: 'percent',
  percent: 50,
  capFen: 10_000,
  validFrom: new Date(Date.now() - DAY).toISOString(),
  validTo: new Date(Date.now() + DAY).toISOString(),
  ...extra,
});
type Info = {
  StopReason?: number;
  TotalPower: number;
  TotalElecMoney: number;
  TotalSeviceMoney: number;
  TotalMoney: number;
  ChargeDetails: Array<{ DetailPower: number; SevicePrice: number; DetailElecMoney: number; DetailSeviceMoney: number }>;
  CouponID?: string;
  DiscountMoney?: number;
};
const start = (connectorId: string, data: Record<string, unknown>, who = ctx.p1) =>
  who.call('query_start_charge_coupon', { StartChargeSeq: seqOf(who), ConnectorID: connectorId, ...data });
const plug = async (connectorId: string) => {
  ctx.platform.simulator!.setVehicle(connectorId, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
  await ctx.admin(connectorId, 'plugged', 2);
};

describe('query_start_charge_coupon — ours (卡券), profile extension', () => {
  const used = coupon('USED');
  const later = coupon('LATER', {
    validFrom: new Date(Date.now() + DAY).toISOString(),
    validTo: new Date(Date.now() + 2 * DAY).toISOString(),
  });
  const elsewhere = coupon('ELSE', { stations: ['FX0002'] });
  beforeAll(async () => {
    for (const c of [used, later, elsewhere]) expect(await putCoupon(c)).toBe(true);
  });

  it('50% off the service fee: in ChargeDetails and the totals while charging and in the final order', async () => {
    const c = coupon('HALF');
    await putCoupon(c);
    await plug('FX0001E01C1');
    const r = await start('FX0001E01C1', { CouponID: c.couponId, PhoneNum: PHONE });
    expect(r.ret, r.msg).toBe(0);
    const seq = (r.data as { StartChargeSeq: string; SuccStat: number; CouponID: string }).StartChargeSeq;
    expect(r.data).toMatchObject({ SuccStat: 0, CouponID: c.couponId });
    expect((await getCoupon(c.couponId))?.usedBy).toBe(seq);
    const running = await ctx.pump(
      async () => (await ctx.p1.call('query_charge_info', { StartChargeSeq: seq })).data as Info,
      (d) => d.TotalSeviceMoney >= 0.2,
      `${seq} some service fee`,
    );
    expect(running.CouponID).toBe(c.couponId);
    await ctx.stopped(ctx.p1, seq, 'FX0001E01C1');
    const d = (await ctx.p1.call('query_charge_info', { StartChargeSeq: seq })).data as Info;
    expect(d.CouponID).toBe(c.couponId);
    // the undiscounted service fee is what was taken off plus what is left: 50% of it, floored to the fen
    const fullServiceFen = fen(d.TotalSeviceMoney) + fen(d.DiscountMoney!);
    expect(fen(d.DiscountMoney!)).toBe(Math.floor(fullServiceFen / 2));
    expect(fen(d.DiscountMoney!)).toBeGreaterThan(0);
    expect(fen(d.TotalMoney)).toBe(fen(d.TotalElecMoney) + fen(d.TotalSeviceMoney));
    expect(d.ChargeDetails.reduce((a, x) => a + fen(x.DetailSeviceMoney), 0)).toBe(fen(d.TotalSeviceMoney));
    expect(d.ChargeDetails.reduce((a, x) => a + fen(x.DetailElecMoney), 0)).toBe(fen(d.TotalElecMoney));
    // electricity is never discounted: each detail's is its energy × price, half-up (within the 0.01 kWh edge rounding)
    for (const x of d.ChargeDetails)
      expect(x.DetailSeviceMoney).toBeLessThanOrEqual(Math.round(x.DetailPower * x.SevicePrice * 100 + 1) / 100);
    // it discounted the order: it stays used by it
    expect((await getCoupon(c.couponId))?.usedBy).toBe(seq);
  });

  const finishedUncharged = (seq: string) =>
    eventually(
      async () => (await ctx.p1.call('query_charge_info', { StartChargeSeq: seq })).data as Info & { StartChargeSeqStat: number },
      {
        until: (d) => d.StartChargeSeqStat === 4,
        what: `${seq} finished`,
      },
    );

  it('a start the pile never answers: after the start timeout the coupon is given back and a later start uses it', async () => {
    const c = coupon('SILENT');
    await putCoupon(c);
    const conn = 'FX0002E02C1';
    ctx.platform.simulator!.admin(conn, 'silent');
    const r = await start(conn, { CouponID: c.couponId, PhoneNum: PHONE });
    expect(r.data).toMatchObject({ SuccStat: 0, StartChargeSeqStat: 1 });
    const seq = (r.data as { StartChargeSeq: string }).StartChargeSeq;
    expect((await getCoupon(c.couponId))?.usedBy).toBe(seq);
    const d = await finishedUncharged(seq);
    expect(d).toMatchObject({ TotalMoney: 0, DiscountMoney: 0, CouponID: c.couponId });
    const back = await eventually(async () => getCoupon(c.couponId), { until: (x) => x?.usedBy === undefined, what: 'coupon given back' });
    expect(back).toMatchObject({ returnedFrom: seq });
    ctx.platform.simulator!.admin(conn, 'normal');
    const again = await start(conn, { CouponID: c.couponId, PhoneNum: PHONE });
    expect(again.data).toMatchObject({ SuccStat: 0, FailReason: 0 });
    expect((await getCoupon(c.couponId))?.usedBy).toBe((again.data as { StartChargeSeq: string }).StartChargeSeq);
  });

  it('a start the pile refuses gives the coupon back; the charged order that uses it next keeps it', async () => {
    const c = coupon('REFUSED');
    await putCoupon(c);
    const conn = 'FX0003E02C1';
    await plug(conn);
    ctx.platform.simulator!.admin(conn, 'refuse');
    const r = await start(conn, { CouponID: c.couponId, PhoneNum: PHONE });
    expect(r.data).toMatchObject({ SuccStat: 0 });
    const seq = (r.data as { StartChargeSeq: string }).StartChargeSeq;
    // the simulated pile answers (refuses) a few simulated seconds later
    await ctx.pump(
      async () => (await ctx.p1.call('query_charge_info', { StartChargeSeq: seq })).data as Info & { StartChargeSeqStat: number },
      (d) => d.StartChargeSeqStat === 4,
      `${seq} refused`,
    );
    await eventually(async () => getCoupon(c.couponId), { until: (x) => x?.usedBy === undefined, what: 'coupon given back' });
    ctx.platform.simulator!.admin(conn, 'normal');
    const again = await start(conn, { CouponID: c.couponId, PhoneNum: PHONE });
    expect(again.data).toMatchObject({ SuccStat: 0 });
    const used = (again.data as { StartChargeSeq: string }).StartChargeSeq;
    await ctx.pump(
      async () => (await ctx.p1.call('query_charge_info', { StartChargeSeq: used })).data as Info,
      (x) => (x.DiscountMoney ?? 0) > 0,
      `${used} discounted`,
    );
    await ctx.stopped(ctx.p1, used, conn);
    expect((await getCoupon(c.couponId))?.usedBy).toBe(used);
  });

  it('concurrent starts with one coupon on two connectors: exactly one uses it, the other gets FailReason 12', async () => {
    await plug('FX0002E01C1');
    await plug('FX0002E01C2');
    const answers = await Promise.all(
      ['FX0002E01C1', 'FX0002E01C2'].map((conn) => start(conn, { CouponID: used.couponId, UserID: undefined, PhoneNum: PHONE })),
    );
    const data = answers.map((a) => a.data as { StartChargeSeq: string; SuccStat: number; FailReason: number });
    expect(answers.map((a) => a.ret)).toEqual([0, 0]);
    expect(data.filter((d) => d.SuccStat === 0)).toHaveLength(1);
    expect(data.filter((d) => d.FailReason === 12)).toHaveLength(1);
    const winner = data.find((d) => d.SuccStat === 0)!;
    expect((await getCoupon(used.couponId))?.usedBy).toBe(winner.StartChargeSeq);
    // and once more later: still used
    await plug('FX0003E01C1');
    expect((await start('FX0003E01C1', { CouponID: used.couponId, PhoneNum: PHONE })).data).toMatchObject({ SuccStat: 1, FailReason: 12 });
  });

  it('unknown, another user’s, not yet valid, another station: FailReason 10, 10, 11, 11; nothing used', async () => {
    await plug('FX0003E01C2');
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ CouponID: 'NOPE-0000', PhoneNum: PHONE }, 10],
      [{ CouponID: later.couponId, PhoneNum: '13900000000' }, 10],
      [{ CouponID: later.couponId, PhoneNum: PHONE }, 11],
      [{ CouponID: elsewhere.couponId, PhoneNum: PHONE }, 11],
    ];
    for (const [data, reason] of cases) {
      const r = await start('FX0003E01C2', data);
      expect(r.ret, r.msg).toBe(0);
      expect(r.data).toMatchObject({ SuccStat: 1, FailReason: reason });
    }
    expect((await getCoupon(later.couponId))?.usedBy).toBeUndefined();
    expect((await getCoupon(elsewhere.couponId))?.usedBy).toBeUndefined();
  });

  it('neither PhoneNum nor UserID, or a malformed CouponID → Ret 4004', async () => {
    const a = await start('FX0003E01C2', { CouponID: elsewhere.couponId });
    expect(a.ret).toBe(4004);
    expect(a.msg).toMatch(/PhoneNum or UserID/);
    const b = await start('FX0003E01C2', { CouponID: 'x', PhoneNum: PHONE });
    expect(b.ret).toBe(4004);
    expect(b.msg).toMatch(/CouponID/);
  });

  it('a partner whose profile does not enable it → Ret 4004 "not enabled"', async () => {
    const r = await start('FX0001E01C2', { CouponID: elsewhere.couponId, PhoneNum: PHONE }, ctx.p2);
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/not enabled/);
  });
});

describe('coupons issued by the operator CLI (npm run evcs -- coupons issue|list), used over HTTP', () => {
  const cli = async (verb: string, o: Parameters<typeof couponsCommand>[1]) => {
    const lines: string[] = [];
    const code = await couponsCommand(verb, o, (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  };

  it('issues a fixed coupon to a user id, lists it unused, the start uses it, the list shows by which order', async () => {
    const couponId = `CLI-${Date.now().toString(36)}`;
    const issued = await cli('issue', {
      partner: 'MA01H3BQ2',
      user: 'user-7',
      kind: 'fixed',
      value: '0.1',
      cap: '0.05',
      stations: 'FX0001',
      couponId,
    });
    expect(issued.code, issued.out).toBe(0);
    expect(issued.out).toContain(
      `coupon ${couponId} issued to user-7 of partner MA01H3BQ2: 0.10 yuan off the service fee, at most 0.05 yuan`,
    );
    expect((await cli('list', { partner: 'MA01H3BQ2' })).out).toMatch(new RegExp(`${couponId}\\s+user-7.*unused`));

    await plug('FX0001E02C1');
    const r = await start('FX0001E02C1', { CouponID: couponId, UserID: 'user-7' });
    expect(r.data).toMatchObject({ SuccStat: 0, CouponID: couponId });
    const seq = (r.data as { StartChargeSeq: string }).StartChargeSeq;
    expect((await cli('list', { partner: 'MA01H3BQ2' })).out).toContain(`used by ${seq}`);
    await ctx.pump(
      async () => (await ctx.p1.call('query_charge_info', { StartChargeSeq: seq })).data as Info,
      (d) => d.TotalSeviceMoney + (d.DiscountMoney ?? 0) >= 0.06,
      `${seq} service fee above the cap`,
    );
    await ctx.stopped(ctx.p1, seq, 'FX0001E02C1');
    const d = (await ctx.p1.call('query_charge_info', { StartChargeSeq: seq })).data as Info;
    // 0.10 off, capped at 0.05
    expect(d.DiscountMoney).toBe(0.05);
  });

  it('refuses an unknown partner, a station not granted, a duplicate id: nothing written', async () => {
    const nope = await cli('issue', { partner: 'MA09ZZZZ9', user: '13800000001', kind: 'percent', value: '10' });
    expect(nope).toMatchObject({ code: 1, out: 'refused: --partner: no partner MA09ZZZZ9' });
    // p2 (MA02XJ7K3) is granted FX0001 and FX0003 only
    const ungranted = await cli('issue', {
      partner: 'MA02XJ7K3',
      user: '13800000001',
      kind: 'percent',
      value: '10',
      stations: 'FX0002,NOPE01',
    });
    expect(ungranted.code).toBe(1);
    expect(ungranted.out).toContain('refused: --stations: FX0002 is not granted to MA02XJ7K3');
    expect(ungranted.out).toContain('refused: --stations: no station NOPE01');
    expect((await cli('list', { partner: 'MA02XJ7K3' })).out).toBe('0 coupon(s) of partner MA02XJ7K3');
    const couponId = `DUP-${Date.now().toString(36)}`;
    const o = { partner: 'MA02XJ7K3', user: '13800000001', kind: 'percent', value: '10', couponId };
    expect((await cli('issue', o)).code).toBe(0);
    expect(await cli('issue', { ...o, value: '90' })).toMatchObject({ code: 1, out: `refused: --coupon-id: ${couponId} exists already` });
    expect(await getCoupon(couponId)).toMatchObject({ percent: 10 });
    expect(await cli('frobnicate', {})).toMatchObject({ code: 2 });
  });
});
