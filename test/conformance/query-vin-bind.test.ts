/**
 * query_vin_bind / query_vin_unbind / notification_vin_start_charge — ours (plug-and-charge 即插即充;
 * reference §5.5, README "Plug-and-charge"), enabled by the partner's profile `extensions`.
 *
 * Partner 1 is on a profile extending `oem-example` (served at /evcs/v1/ here), partner 2 on one
 * extending `xiaoju`; both enable the extension. A VIN is bound to one partner (binding again is
 * idempotent, the plate updated; another partner → FailReason 1); a malformed VIN → Ret 4004; a
 * bad plate → FailReason 2; unbinding what is not yours → FailReason 1. A car plugged in with a
 * bound VIN (the simulator's HTTP route) starts a session under the binding partner without any
 * query_start_charge: the partner is told (notification_vin_start_charge), the session runs and
 * bills as any other, and the oem-example order push carries PlateNum and Vin. An unknown VIN starts
 * nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskVin, plugChargeSeq } from '../../shared/domain/vin.ts';
import { startForVin } from '../../shared/services/plug-charge.ts';
import { getConnectorView } from '../../shared/store/connector-view.ts';
import { getOrder, getRefusal } from '../../shared/store/orders.ts';
import { getVinBinding } from '../../shared/store/vins.ts';
import { STATIONS_SEED } from '../fixtures/stations.ts';
import { type ChargingCtx, useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { demo } from '../support/push.ts';

const EXT = ['query_vin_bind', 'query_vin_unbind', 'notification_vin_start_charge'];

const seedFile = (): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { partners: Record<string, unknown>[] } & Record<string, unknown>;
  seed.partners[0] = { ...seed.partners[0], profile: 'pnc-oem' };
  seed.partners[1] = { ...seed.partners[1], profile: 'pnc-xiaoju' };
  seed.profiles = {
    'pnc-oem': { extends: 'oem-example', servedAt: '/evcs/v1/', extensions: EXT },
    'pnc-xiaoju': { extends: 'xiaoju', extensions: EXT },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'pnc-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
};

const ctx: ChargingCtx = useChargingPlatform({ seedFile: seedFile() });

let n = 0;
/** a fresh valid VIN per test (ISO 3779 charset: no I, O, Q) */
const vinOf = () => `LSVAU2180N${String(Date.now() % 1e5).padStart(5, '0')}${String(++n).padStart(2, '0')}`;

describe('query_vin_bind — ours (plug-and-charge), profile extension', () => {
  it('binds a VIN with its plate; binding again is idempotent and updates the plate', async () => {
    const vin = vinOf();
    const r = await ctx.p1.call('query_vin_bind', { Vin: vin, PlateNum: '京AD12345' });
    expect(r.ret, r.msg).toBe(0);
    expect(r.data).toEqual({ Vin: vin, SuccStat: 0, FailReason: 0 });
    expect(await getVinBinding(vin)).toMatchObject({ Vin: vin, OperatorID: 'MA01H3BQ2', PlateNum: '京AD12345' });
    const again = await ctx.p1.call('query_vin_bind', { Vin: vin, PlateNum: '沪B 6789 0' });
    expect(again.data).toEqual({ Vin: vin, SuccStat: 0, FailReason: 0 });
    expect((await getVinBinding(vin))?.PlateNum).toBe('沪B67890');
  });

  it('a VIN bound to another partner → FailReason 1, the binding untouched; a bad plate → FailReason 2', async () => {
    const vin = vinOf();
    expect((await ctx.p1.call('query_vin_bind', { Vin: vin })).data).toMatchObject({ SuccStat: 0 });
    const other = await ctx.p2.call('query_vin_bind', { Vin: vin, PlateNum: '京AD12345' });
    expect(other.ret, other.msg).toBe(0);
    expect(other.data).toEqual({ Vin: vin, SuccStat: 1, FailReason: 1 });
    expect(await getVinBinding(vin)).toMatchObject({ OperatorID: 'MA01H3BQ2' });
    expect((await getVinBinding(vin))?.PlateNum).toBeUndefined();
    const fresh = vinOf();
    expect((await ctx.p1.call('query_vin_bind', { Vin: fresh, PlateNum: 'not a plate' })).data).toEqual({
      Vin: fresh,
      SuccStat: 1,
      FailReason: 2,
    });
    expect(await getVinBinding(fresh)).toBeUndefined();
  });

  it('a malformed VIN (length, I/O/Q, lower case) → Ret 4004 naming Vin, nothing stored', async () => {
    for (const bad of ['LSVAU2180N218329', 'LSVAU2180N2183294X', 'LSVAU2180N21832I4', 'LSVAU2180N21832O4', 'lsvau2180n2183294']) {
      const r = await ctx.p1.call('query_vin_bind', { Vin: bad });
      expect(r.ret, bad).toBe(4004);
      expect(r.msg).toMatch(/Vin/);
      expect(await getVinBinding(bad)).toBeUndefined();
    }
  });
});

describe('query_vin_unbind — ours (plug-and-charge), profile extension', () => {
  it("unbind: the partner's own binding → 0; again or another partner's → FailReason 1", async () => {
    const vin = vinOf();
    await ctx.p1.call('query_vin_bind', { Vin: vin });
    expect((await ctx.p2.call('query_vin_unbind', { Vin: vin })).data).toEqual({ Vin: vin, SuccStat: 1, FailReason: 1 });
    expect(await getVinBinding(vin)).toBeDefined();
    expect((await ctx.p1.call('query_vin_unbind', { Vin: vin })).data).toEqual({ Vin: vin, SuccStat: 0, FailReason: 0 });
    expect(await getVinBinding(vin)).toBeUndefined();
    expect((await ctx.p1.call('query_vin_unbind', { Vin: vin })).data).toEqual({ Vin: vin, SuccStat: 1, FailReason: 1 });
    // and now another partner may bind it
    expect((await ctx.p2.call('query_vin_bind', { Vin: vin })).data).toMatchObject({ SuccStat: 0 });
  });
});

describe('notification_vin_start_charge — plug-and-charge: a bound car plugged in starts under its partner', () => {
  const plugIn = async (connectorId: string, vin: string) => {
    const res = await fetch(`${ctx.platform.apiUrl}/local/sim/connectors/${connectorId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vin }),
    });
    expect(res.status).toBe(200);
  };

  it('no query_start_charge: notification_vin_start_charge, the session, and the oem-example order push with PlateNum and Vin', async () => {
    const vin = vinOf();
    const C = 'FX0002E01C1';
    expect((await ctx.p1.call('query_vin_bind', { Vin: vin, PlateNum: '京AD12345' })).data).toMatchObject({ SuccStat: 0 });
    ctx.platform.simulator!.setVehicle(C, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    await plugIn(C, vin);

    const partner = demo(ctx.platform, 'MA01H3BQ2');
    const told = await ctx.pump(
      async () => partner.accepted('notification_vin_start_charge').find((p) => p.data.Vin === vin),
      (p) => p !== undefined,
      'notification_vin_start_charge',
    );
    const seq = told!.data.StartChargeSeq as string;
    expect(told!.data).toEqual({
      StartChargeSeq: seq,
      ConnectorID: C,
      Vin: vin,
      PlateNum: '京AD12345',
      PlugTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    });
    // the sequence is the partner's (27 characters, its OperatorID first)
    expect(seq).toMatch(/^MA01H3BQ2\d{18}$/);
    expect(await getOrder(seq)).toMatchObject({ OperatorID: 'MA01H3BQ2', ConnectorID: C, car: { Vin: vin, PlateNum: '京AD12345' } });

    // the same session as any other: charging, start result pushed, stoppable by the partner, billed
    await ctx.pump(
      async () =>
        (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as {
          StartChargeSeqStat: number;
          TotalPower: number;
        },
      (d) => d.StartChargeSeqStat === 2 && d.TotalPower > 0,
      `${seq} charging`,
    );
    await ctx.stopped(ctx.p1, seq, C);
    const order = await ctx.pump(
      async () => partner.accepted('notification_charge_order_info').find((p) => p.data.StartChargeSeq === seq),
      (p) => p !== undefined,
      'notification_charge_order_info',
    );
    // oem-example: the renamed money field, and the car
    expect(order!.data).toMatchObject({ StartChargeSeq: seq, Vin: vin, PlateNum: '京AD12345', Oem: 'oem-example' });
    expect(order!.data.OrderMoney).toBeGreaterThan(0);
    expect(order!.data.TotalMoney).toBeUndefined();
    expect(partner.accepted('notification_start_charge_result').some((p) => p.data.StartChargeSeq === seq)).toBe(true);
  });

  it('an unknown VIN starts nothing: no order, no refusal, the connector stays plugged (Status 2)', async () => {
    const C = 'FX0002E01C2';
    await ctx.admin(C, 'plugged', 2);
    const vin = vinOf();
    const at = new Date();
    expect(await startForVin({ ConnectorID: C, Vin: vin, reportedAt: at.toISOString() }, at)).toBe('unknown-vin');
    const seq = plugChargeSeq('MA01H3BQ2', C, vin, at);
    expect(await getOrder(seq)).toBeUndefined();
    expect(await getRefusal(seq)).toBeUndefined();
    expect((await getConnectorView(C))?.status).toBe(2);
    expect(maskVin(vin)).toBe(`***********${vin.slice(-6)}`);
  });

  it('a redelivered report is the same start: the same sequence, one order', async () => {
    const C = 'FX0003E01C1';
    const vin = vinOf();
    await ctx.p1.call('query_vin_bind', { Vin: vin });
    await ctx.admin(C, 'plugged', 2);
    const at = new Date();
    const report = { ConnectorID: C, Vin: vin, reportedAt: at.toISOString() };
    expect(await startForVin(report, at)).toBe('started');
    expect(await startForVin(report, at)).toBe('started');
    const seq = plugChargeSeq('MA01H3BQ2', C, vin, at);
    expect(await getOrder(seq)).toMatchObject({ OperatorID: 'MA01H3BQ2', car: { Vin: vin } });
    // the partner hears of it (at least once: the push carries the sequence it can dedupe on)
    const told = await eventually(
      async () =>
        demo(ctx.platform, 'MA01H3BQ2')
          .accepted('notification_vin_start_charge')
          .filter((p) => p.data.StartChargeSeq === seq),
      { until: (l) => l.length >= 1, what: 'notification_vin_start_charge' },
    );
    expect(told.every((p) => p.data.Vin === vin)).toBe(true);
  });

  it('a car bound by a partner not granted the station: the start is refused (no device), nothing pushed', async () => {
    // partner 2 is granted FX0001 and FX0003 only
    const C = 'FX0002E02C1';
    const vin = vinOf();
    expect((await ctx.p2.call('query_vin_bind', { Vin: vin })).data).toMatchObject({ SuccStat: 0 });
    await ctx.admin(C, 'plugged', 2);
    const at = new Date();
    expect(await startForVin({ ConnectorID: C, Vin: vin, reportedAt: at.toISOString() }, at)).toBe('refused');
    const seq = plugChargeSeq('MA02XJ7K3', C, vin, at);
    expect(await getOrder(seq)).toBeUndefined();
    expect(await getRefusal(seq)).toMatchObject({ failReason: 1 });
  });
});
