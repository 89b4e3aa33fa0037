/**
 * Issue 12 §2/§3/§5/§6: the customer-side interfaces we serve at /evcs/v1/ for OUR users' sessions
 * on a PARTNER's piles — through the same gateway pipeline, idempotent and order-independent, the
 * partner's bill checked with our billing function.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OrderDisputed } from '../../events/disputes.ts';
import type { BusEvent } from '../../infra/local/bus.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { bill, toOrderTotals } from '../../shared/domain/billing.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import {
  createRoamingOrder,
  getCheckRun,
  getPartnerConnectorStatus,
  getRoamingOrder,
  putPartnerConnectorStatus,
} from '../../shared/store/roaming.ts';
import { PEAK_VALLEY } from '../fixtures/tariffs.ts';
import { eventually } from '../support/eventually.ts';
import { callAs, DEMO_SEED, startTestPlatform, tokenFor } from '../support/platform.ts';

let platform: Platform;
let roamer: SeedPartner; // roams both ways
let inOnly: SeedPartner; // the default: in only
let token: string;
const disputes: BusEvent[] = [];

beforeAll(async () => {
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { partners: Record<string, unknown>[] };
  seed.partners[0]!.roaming = { in: true, out: true };
  const file = join(mkdtempSync(join(tmpdir(), 'roaming-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  platform = await startTestPlatform({ seedFile: file, simulator: false });
  [roamer, inOnly] = platform.seed.partners as [SeedPartner, SeedPartner];
  token = await tokenFor(platform.apiUrl, roamer);
  platform.cloud.bus.tap((e) => {
    if (e.source === OrderDisputed.source && e['detail-type'] === OrderDisputed.detailType) disputes.push(e);
  });
});
afterAll(async () => platform?.stop());

type RoamingOrder = Parameters<typeof createRoamingOrder>[0];
/** a roaming order of our user-1 on the roamer's connector, stored directly (as new: it did not exist) */
const storeRoamingOrder = async (o: Pick<RoamingOrder, 'StartChargeSeq' | 'stat' | 'createdAt'> & Partial<RoamingOrder>) => {
  const created = await createRoamingOrder({ OperatorID: roamer.operatorId, ConnectorID: 'B00000000000000000001', userId: 'user-1', ...o });
  expect(created).toBe(true);
};

let n = 0;
/** an order we created for our user on the roamer's connector, with the roamer's tariff pulled at start */
const newOrder = async () => {
  n++;
  const seq = `MA5GS8X01${String(Date.now()).slice(-9)}${String(n).padStart(4, '0')}`.slice(0, 27);
  await storeRoamingOrder({ StartChargeSeq: seq, tariff: PEAK_VALLEY, stat: 1, createdAt: new Date().toISOString() });
  return seq;
};
const call = (iface: string, data: unknown, as: SeedPartner = roamer, t = token) => callAs(platform.apiUrl, as, iface, data, t);

// 07:10 → 09:40 China time: two periods of PEAK_VALLEY
const start = new Date('2026-11-22T23:10:00Z');
const partnerBill = (seq: string) => ({
  StartChargeSeq: seq,
  ConnectorID: 'B00000000000000000001',
  StopReason: 0,
  ...toOrderTotals(
    bill(
      [
        { at: start, energyWh: 0 },
        { at: new Date(start.getTime() + 150 * 60_000), energyWh: 42_370 },
      ],
      PEAK_VALLEY,
    ),
  ),
});
const status = (seq: string, minute: number, kwh: number) => ({
  StartChargeSeq: seq,
  StartChargeSeqStat: 2,
  ConnectorID: 'B00000000000000000001',
  ConnectorStatus: 3,
  CurrentA: 100,
  VoltageA: 380,
  Soc: 40,
  StartTime: '2026-11-23 07:10:00',
  EndTime: `2026-11-23 07:${String(10 + minute).padStart(2, '0')}:00`,
  TotalPower: kwh,
  ElecMoney: 1,
  SeviceMoney: 1,
  TotalMoney: 2,
});

describe('customer-side notifications (roaming out)', () => {
  it('start → status pushes (out of order, twice) → stop → bill confirmed: ConfirmResult 0, both figures stored', async () => {
    const seq = await newOrder();
    const started = await call('notification_start_charge_result', {
      StartChargeSeq: seq,
      StartChargeSeqStat: 2,
      ConnectorID: 'B00000000000000000001',
      StartTime: '2026-11-23 07:10:00',
    });
    expect(started.ret).toBe(0);
    expect(started.data).toMatchObject({ StartChargeSeq: seq, SuccStat: 0 });
    expect((await getRoamingOrder(seq))?.stat).toBe(2);

    // the newer sample arrives first, the older one after it, then the newer one again
    for (const [m, kwh] of [
      [20, 8.5],
      [10, 4.1],
      [20, 8.5],
    ] as const) {
      expect((await call('notification_equip_charge_status', status(seq, m, kwh))).data).toMatchObject({ SuccStat: 0 });
    }
    const live = await getRoamingOrder(seq);
    expect(live?.live).toMatchObject({ EndTime: '2026-11-23 07:30:00', TotalPower: 8.5 });

    const stopped = await call('notification_stop_charge_result', {
      StartChargeSeq: seq,
      StartChargeSeqStat: 4,
      ConnectorID: 'B00000000000000000001',
      SuccStat: 0,
      FailReason: 0,
    });
    expect(stopped.data).toMatchObject({ SuccStat: 0 });
    // a late charge status after the stop does not move the order back
    await call('notification_equip_charge_status', status(seq, 25, 9));
    expect((await getRoamingOrder(seq))?.stat).toBe(4);

    const before = disputes.length;
    const confirmed = await call('notification_charge_order_info', partnerBill(seq));
    expect(confirmed.ret).toBe(0);
    expect(confirmed.data).toEqual({ StartChargeSeq: seq, ConnectorID: 'B00000000000000000001', ConfirmResult: 0 });
    const o = await getRoamingOrder(seq);
    expect(o?.final?.confirmResult).toBe(0);
    expect(o?.final?.ours?.totalFen).toBe(Math.round(partnerBill(seq).TotalMoney * 100));
    expect(o?.final?.theirFigures.totalFen).toBe(o?.final?.ours?.totalFen);
    expect(disputes.length).toBe(before);
  });

  it('a bill that disagrees → ConfirmResult 1, a stored dispute and ONE OrderDisputed with both figures (a duplicate push adds none)', async () => {
    const seq = await newOrder();
    const good = partnerBill(seq);
    const d0 = good.ChargeDetails[0]!;
    const bad = {
      ...good,
      ChargeDetails: [{ ...d0, DetailSeviceMoney: d0.DetailSeviceMoney + 1 }, ...good.ChargeDetails.slice(1)],
      TotalSeviceMoney: good.TotalSeviceMoney + 1,
      TotalMoney: good.TotalMoney + 1,
    };
    // a final order without any start result before it: still the order
    const r1 = await call('notification_charge_order_info', bad);
    expect(r1.data).toMatchObject({ ConfirmResult: 1 });
    const r2 = await call('notification_charge_order_info', bad);
    expect(r2.data).toMatchObject({ ConfirmResult: 1 });
    const o = await getRoamingOrder(seq);
    expect(o).toMatchObject({ stat: 4, final: { confirmResult: 1, disputeReason: 2 } });
    expect(o?.final?.disputeDetail).toMatch(/^ChargeDetails\[0\]: theirs/);
    const mine = await eventually(async () => disputes.filter((e) => e.detail.StartChargeSeq === seq), {
      until: (l) => l.length >= 1,
      what: 'OrderDisputed',
    });
    expect(mine).toHaveLength(1);
    const ev = OrderDisputed.detail.parse(mine[0]!.detail);
    expect(ev).toMatchObject({ direction: 'in', OperatorID: roamer.operatorId, reason: 2, via: 'notification_charge_order_info' });
    expect(ev.theirs!.TotalMoney - ev.ours!.TotalMoney).toBeCloseTo(1, 2);
  });

  it('a corrected bill is judged anew, the earlier verdict kept as a revision; the earlier bill arriving late changes nothing', async () => {
    const seq = await newOrder();
    const good = partnerBill(seq);
    const d0 = good.ChargeDetails[0]!;
    const bad = {
      ...good,
      ChargeDetails: [{ ...d0, DetailSeviceMoney: d0.DetailSeviceMoney + 2 }, ...good.ChargeDetails.slice(1)],
      TotalSeviceMoney: good.TotalSeviceMoney + 2,
      TotalMoney: good.TotalMoney + 2,
    };
    expect((await call('notification_charge_order_info', bad)).data).toMatchObject({ ConfirmResult: 1 });
    // the partner corrects its bill
    expect((await call('notification_charge_order_info', good)).data).toMatchObject({ ConfirmResult: 0 });
    const o = await getRoamingOrder(seq);
    expect(o?.final).toMatchObject({ confirmResult: 0, revisions: [{ confirmResult: 1, disputeReason: 2 }] });
    expect(o?.final?.revisions).toHaveLength(1);
    expect(o?.final?.revisions?.[0]?.theirFigures.totalFen).toBe(Math.round((good.TotalMoney + 2) * 100));
    // the disputed bill delivered again (at least once, any order): its own verdict, the corrected one stands
    expect((await call('notification_charge_order_info', bad)).data).toMatchObject({ ConfirmResult: 1 });
    const after = await getRoamingOrder(seq);
    expect(after?.final).toMatchObject({ confirmResult: 0, revisions: [{ confirmResult: 1 }] });
    expect(after?.version).toBe(o?.version);
    const mine = await eventually(async () => disputes.filter((e) => e.detail.StartChargeSeq === seq), {
      until: (l) => l.length >= 1,
      what: 'OrderDisputed',
    });
    expect(mine).toHaveLength(1); // the disputed bill's, once
  });

  it('an order we never started → Ret 4004 "no such order" on every notification; another partner’s order is unknown too', async () => {
    const never = await call('notification_start_charge_result', {
      StartChargeSeq: 'MA5GS8X01NEVERSTARTED000001',
      StartChargeSeqStat: 2,
      ConnectorID: 'B00000000000000000001',
      StartTime: '2026-11-23 07:10:00',
    });
    expect(never.ret).toBe(4004);
    expect(never.msg).toMatch(/no such order/);
    expect((await call('notification_charge_order_info', partnerBill('MA5GS8X01NEVERSTARTED000002'))).ret).toBe(4004);
    expect(platform.logs().some((l) => l.includes('unknown roaming order') && l.includes('MA5GS8X01NEVERSTARTED000001'))).toBe(true);
  });

  it('a partner that does not roam out is refused the customer-side interfaces (4004)', async () => {
    const seq = await newOrder();
    const r = await call('notification_equip_charge_status', status(seq, 5, 1), inOnly, await tokenFor(platform.apiUrl, inOnly));
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/does not roam out/);
  });

  it('bad input: a malformed notification gets 4004 naming the field, and writes nothing', async () => {
    const seq = await newOrder();
    const r = await call('notification_equip_charge_status', { ...status(seq, 5, 1), TotalPower: -1 });
    expect(r.ret).toBe(4004);
    expect(r.msg).toMatch(/TotalPower/);
    expect((await getRoamingOrder(seq))?.live).toBeUndefined();
  });

  it('connector status: the newest by arrival wins; a poll sent before a push arrived never overwrites it', async () => {
    const connector = 'B00000000000000000009';
    const pollSentAt = Date.now();
    const pushed = await call('notification_stationStatus', { ConnectorStatusInfo: { ConnectorID: connector, Status: 3 } });
    expect(pushed.data).toEqual({ Status: 0 });
    // the poll's answer comes back after the push, but it was asked before: it is older news
    expect(
      await putPartnerConnectorStatus({ OperatorID: roamer.operatorId, ConnectorID: connector, Status: 1, at: pollSentAt, source: 'poll' }),
    ).toBe(false);
    expect(await getPartnerConnectorStatus(roamer.operatorId, connector)).toMatchObject({ Status: 3, source: 'push' });
    await call('notification_stationStatus', { ConnectorStatusInfo: { ConnectorID: connector, Status: 1 } });
    expect((await getPartnerConnectorStatus(roamer.operatorId, connector))?.Status).toBe(1);
  });
});

/** a finished roaming order of one of our users on the partner's pile, stored directly (its bill or live figures in `rest`) */
const finishedRoamingOrder = (seq: string, createdAt: string, rest: Partial<RoamingOrder>) =>
  storeRoamingOrder({ StartChargeSeq: seq, stat: 4, createdAt, ...rest });

describe('check_charge_orders (customer side: the partner reconciles our users’ orders on its piles)', () => {
  it('agreeing list → 0 disputes; unknown / money / energy → reasons 1/2/3 with our figures; the run stored', async () => {
    const seq = await newOrder();
    const b = partnerBill(seq);
    expect((await call('notification_charge_order_info', b)).data).toMatchObject({ ConfirmResult: 0 });
    const period = { StartTime: '2026-11-22 00:00:00', EndTime: '2099-12-31 23:59:59' };
    const ok = await call('check_charge_orders', {
      CheckOrderSeq: `CK${seq.slice(-20)}`,
      ...period,
      OrderCount: 1,
      TotalOrderPower: b.TotalPower,
      TotalOrderMoney: b.TotalMoney,
      ChargeOrders: [{ StartChargeSeq: seq, TotalPower: b.TotalPower, TotalMoney: b.TotalMoney }],
    });
    expect(ok.ret).toBe(0);
    expect(ok.data).toMatchObject({ TotalDisputeOrder: 0, DisputeOrders: [] });

    const checkSeq = `CX${seq.slice(-20)}`;
    const bad = await call('check_charge_orders', {
      CheckOrderSeq: checkSeq,
      ...period,
      OrderCount: 3,
      TotalOrderPower: 1,
      TotalOrderMoney: 1,
      ChargeOrders: [
        { StartChargeSeq: 'MA5GS8X01NEVERSTARTED000009', TotalPower: 1, TotalMoney: 2 },
        { StartChargeSeq: seq, TotalPower: b.TotalPower, TotalMoney: b.TotalMoney + 3 },
      ],
    });
    expect(bad.data).toMatchObject({
      TotalDisputeOrder: 2,
      DisputeOrders: [
        { StartChargeSeq: 'MA5GS8X01NEVERSTARTED000009', DisputeReason: 1 },
        { StartChargeSeq: seq, DisputeReason: 2, TotalMoney: b.TotalMoney },
      ],
    });
    expect(await getCheckRun(roamer.operatorId, checkSeq)).toMatchObject({ direction: 'in', listed: 2 });
    const fromCheck = await eventually(async () => disputes.filter((e) => e.detail.CheckOrderSeq === checkSeq), {
      until: (l) => l.length >= 2,
      what: 'OrderDisputed from check_charge_orders',
    });
    expect(fromCheck.map((e) => OrderDisputed.detail.parse(e.detail))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'in', via: 'check_charge_orders', reason: 1, StartChargeSeq: 'MA5GS8X01NEVERSTARTED000009' }),
        expect.objectContaining({ direction: 'in', via: 'check_charge_orders', reason: 2, StartChargeSeq: seq }),
      ]),
    );
  });

  it('a re-run of one CheckOrderSeq (PutEvents failed once, then the partner retries twice): one OrderDisputed per dispute', async () => {
    const seq = await newOrder();
    const b = partnerBill(seq);
    expect((await call('notification_charge_order_info', b)).data).toMatchObject({ ConfirmResult: 0 });
    const checkSeq = `CR${seq.slice(-20)}`;
    const request = {
      CheckOrderSeq: checkSeq,
      StartTime: '2026-11-22 00:00:00',
      EndTime: '2099-12-31 23:59:59',
      OrderCount: 2,
      TotalOrderPower: 1,
      TotalOrderMoney: 1,
      ChargeOrders: [
        { StartChargeSeq: 'MA5GS8X01NEVERSTARTED000010', TotalPower: 1, TotalMoney: 2 },
        { StartChargeSeq: seq, TotalPower: b.TotalPower + 2, TotalMoney: b.TotalMoney },
      ],
    };
    const send = EventBridgeClient.prototype.send;
    let failed = 0;
    const spy = vi.spyOn(EventBridgeClient.prototype, 'send').mockImplementation(function (this: EventBridgeClient, ...args: unknown[]) {
      const cmd = args[0];
      if (cmd instanceof PutEventsCommand && failed === 0 && JSON.stringify(cmd.input).includes(checkSeq)) {
        failed++;
        return Promise.reject(new Error('injected: PutEvents unavailable'));
      }
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as never);
    const mine = () => disputes.filter((e) => e.detail.CheckOrderSeq === checkSeq);
    try {
      expect((await call('check_charge_orders', request)).ret).toBe(500);
      expect(failed).toBe(1);
      expect(mine()).toHaveLength(0);
      expect(await getCheckRun(roamer.operatorId, checkSeq)).toMatchObject({ listed: 2, published: [] });

      for (let retry = 0; retry < 2; retry++) {
        const r = await call('check_charge_orders', request);
        expect(r.data).toMatchObject({ TotalDisputeOrder: 2 });
        expect(mine()).toHaveLength(2); // PutEvents answered: the tap has seen whatever was published
      }
      expect(mine().map((e) => [e.detail.StartChargeSeq, e.detail.reason])).toEqual(
        expect.arrayContaining([
          ['MA5GS8X01NEVERSTARTED000010', 1],
          [seq, 3],
        ]),
      );
      expect((await getCheckRun(roamer.operatorId, checkSeq))?.published).toEqual([`${seq}#3`, 'MA5GS8X01NEVERSTARTED000010#1'].sort());
    } finally {
      spy.mockRestore();
    }
  });

  it('the orders we hold for the period are those that ENDED in it (the day rule), whenever they were created', async () => {
    const op = `${Date.now()}`.slice(-6);
    const held = async (suffix: string, createdAt: string, end: { billed?: string; live?: string }) => {
      const seq = `MA5GS8X01EOD${op}${suffix}`.padEnd(27, '0');
      const figures = { powerCentiKwh: 1000, elecFen: 500, serviceFen: 300, totalFen: 800 };
      await finishedRoamingOrder(seq, createdAt, {
        ...(end.billed
          ? {
              final: {
                theirs: { StartChargeSeq: seq, EndTime: end.billed },
                digest: `d${suffix}`,
                theirFigures: figures,
                confirmResult: 0 as const,
                receivedAt: createdAt,
              },
            }
          : {}),
        ...(end.live
          ? {
              live: {
                ConnectorStatus: 2,
                StartTime: '2026-11-21 20:00:00',
                EndTime: end.live,
                TotalPower: 10,
                ElecMoney: 5,
                SeviceMoney: 3,
                TotalMoney: 8,
                Soc: 80,
              },
            }
          : {}),
      });
      return seq;
    };
    // China time (UTC+8): created 23:00 on the 21st, ended 00:30 on the 22nd → the 22nd
    const acrossMidnight = await held('A', '2026-11-21T15:00:00.000Z', { billed: '2026-11-22 00:30:00' });
    // created 20:00 on the 21st (long before the period), ended 02:00 on the 22nd, no bill yet → the 22nd
    const longUnbilled = await held('B', '2026-11-21T12:00:00.000Z', { live: '2026-11-22 02:00:00' });
    // created 23:30 on the 22nd, ended 01:00 on the 23rd → the 23rd, not the 22nd
    const nextDay = await held('C', '2026-11-22T15:30:00.000Z', { billed: '2026-11-23 01:00:00' });
    const checkSeq = `CE${op}`.padEnd(22, '0');
    const r = await call('check_charge_orders', {
      CheckOrderSeq: checkSeq,
      StartTime: '2026-11-22 00:00:00',
      EndTime: '2026-11-22 23:59:59',
      OrderCount: 1,
      TotalOrderPower: 1,
      TotalOrderMoney: 2,
      ChargeOrders: [{ StartChargeSeq: 'MA5GS8X01NEVERSTARTED000011', TotalPower: 1, TotalMoney: 2 }],
    });
    expect(r.ret).toBe(0);
    const run = await getCheckRun(roamer.operatorId, checkSeq);
    const unlisted = ((run?.unlisted as string[] | undefined) ?? []).filter((s) => s.includes(`EOD${op}`));
    expect(unlisted.sort()).toEqual([acrossMidnight, longUnbilled].sort());
    expect(unlisted).not.toContain(nextDay);
  });

  it('a bill we confirmed is not disputed by the check, though our own pricing differs by a few fen', async () => {
    // a session across a tariff boundary: the bill check accepted the partner's split (ConfirmResult 0),
    // our pricing is another split 2 fen apart; a disputed bill is judged by our pricing
    const op = `${Date.now()}`.slice(-6);
    const theirs = { powerCentiKwh: 131, elecFen: 140, serviceFen: 103, totalFen: 243 };
    const ours = { ...theirs, elecFen: 138, totalFen: 241 };
    const order = async (suffix: string, confirmResult: 0 | 1) => {
      const seq = `MA5GS8X01BND${op}${suffix}`.padEnd(27, '0');
      await finishedRoamingOrder(seq, '2026-11-24T02:00:00.000Z', {
        final: {
          theirs: { StartChargeSeq: seq, EndTime: '2026-11-24 10:20:00' },
          digest: `d${suffix}`,
          ours,
          theirFigures: theirs,
          confirmResult,
          ...(confirmResult === 1 ? { disputeReason: 2 } : {}),
          receivedAt: '2026-11-24T02:20:00.000Z',
        },
      });
      return seq;
    };
    const accepted = await order('A', 0);
    const disputed = await order('B', 1);
    const r = await call('check_charge_orders', {
      CheckOrderSeq: `CB${op}`.padEnd(22, '0'),
      StartTime: '2026-11-24 00:00:00',
      EndTime: '2026-11-24 23:59:59',
      OrderCount: 2,
      TotalOrderPower: 2.62,
      TotalOrderMoney: 4.86,
      ChargeOrders: [
        { StartChargeSeq: accepted, TotalPower: 1.31, TotalMoney: 2.43 },
        { StartChargeSeq: disputed, TotalPower: 1.31, TotalMoney: 2.43 },
      ],
    });
    expect(r.ret).toBe(0);
    expect(r.data).toMatchObject({
      TotalDisputeOrder: 1,
      DisputeOrders: [{ StartChargeSeq: disputed, DisputeReason: 2, TotalMoney: 2.41 }],
    });
  });
});
