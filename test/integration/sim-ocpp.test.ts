/**
 * The pile simulator as real OCPP 1.6J clients (`--sim-protocol ocpp`, what `npm start` runs):
 * every simulated pile connects to the local gateway over a WebSocket, boots and reports its
 * connectors with StatusNotification; a partner's session goes query_start_charge →
 * RemoteStartTransaction → StartTransaction → MeterValues → query_stop_charge →
 * RemoteStopTransaction → StopTransaction, and the order's energy is exactly what the simulated
 * meter counted (meterStop − meterStart). Simulated time moves only when the test pumps it.
 */
import { describe, expect, it } from 'vitest';
import { transactionIdOf } from '../../shared/domain/ocpp.ts';
import { getConnection, getTransaction } from '../../shared/store/ocpp.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { useChargingPlatform } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { extensionSeed } from '../support/extensions.ts';
import { demo } from '../support/push.ts';

// partner 1's profile enables plug-and-charge (the last test); nothing else changes for it
const ctx = useChargingPlatform({
  simProtocol: 'ocpp',
  // the metering is set 1 s after each boot (60–90 s by default)
  env: { OCPP_CONFIGURE_AFTER_SECONDS: '1' },
  seedFile: extensionSeed(['query_vin_bind', 'query_vin_unbind', 'notification_vin_start_charge']),
});

describe('the simulator over OCPP 1.6J', () => {
  it('every pile is connected to the gateway and its connectors were reported by StatusNotification', async () => {
    const link = ctx.platform.ocppLink!;
    expect(link).toBeDefined();
    const size = ctx.platform.simulator!.size();
    await eventually(async () => link.reported(), { until: (n) => n === size, what: `${size} connectors reported over OCPP` });
    for (const cp of ['FX0001E01', 'FX0001E02', 'FX0002E01', 'FX0004E01']) expect(await getConnection(cp)).toBeDefined();
  });

  it('the gateway set every booted pile’s metering (ChangeConfiguration): 50 s samples, a reading every half hour', async () => {
    const sim = ctx.platform.simulator!;
    for (const cp of ['FX0001E01', 'FX0002E01', 'FX0004E01'])
      await eventually(async () => sim.meteringOf(cp), {
        until: (m) => m?.sampleMs === 50_000 && m.alignedMs === 1_800_000,
        what: `${cp} metering set`,
      });
  });

  it('a full session: start and stop over OCPP, the energy billed is the meter difference', async () => {
    const connectorId = 'FX0001E01C2';
    const seq = await ctx.charging(ctx.p1, connectorId);
    // the transaction the charger started is bound to the order
    const tx = await getTransaction('FX0001E01', transactionIdOf(seq));
    expect(tx).toMatchObject({ StartChargeSeq: seq, ConnectorID: connectorId });
    await ctx.stopped(ctx.p1, seq, connectorId);
    const sim = ctx.platform.simulator!.get(connectorId)!;
    expect(sim.lastStopped?.cause).toBe('remote');
    const order = await eventually(() => getOrder(seq), { until: (o) => o?.energyWh !== undefined, what: `${seq} billed` });
    expect(order?.energyWh).toBe(sim.lastStopped?.energyWh);
    expect(order?.energyWh).toBe(sim.meterWh - tx!.meterStartWh);
    expect(order?.energyWh).toBeGreaterThan(0);
  });

  it('a refused start (the pile in refuse mode) is answered Rejected and the order fails at once', async () => {
    const connectorId = 'FX0002E02C1';
    ctx.platform.simulator!.admin(connectorId, 'refuse');
    await ctx.waitStatus(connectorId, 1);
    const seq = `${ctx.p1.partner.operatorId}${Date.now().toString().slice(-13)}99999`;
    const r = await ctx.p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connectorId });
    expect(r.data).toMatchObject({ SuccStat: 0 });
    const done = await ctx.pump(
      async () => (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number },
      (d) => d.StartChargeSeqStat === 4 || d.StartChargeSeqStat === 5,
      `${seq} refused`,
    );
    expect(done.StartChargeSeqStat).not.toBe(2);
    expect(await getTransaction('FX0002E02', transactionIdOf(seq))).toBeUndefined();
    ctx.platform.simulator!.admin(connectorId, 'normal');
  });

  it('plug-and-charge: a car plugged in reports its VIN (DataTransfer EVCS/VinReport); the session starts under the binding partner', async () => {
    const connectorId = 'FX0001E02C1';
    const vin = 'LFV2A21K8N3000042';
    expect((await ctx.p1.call('query_vin_bind', { Vin: vin })).data).toMatchObject({ SuccStat: 0 });
    ctx.platform.simulator!.setVehicle(connectorId, { socStart: 10, batteryKwh: 200, maxDcKw: 30, targetSoc: 100 });
    ctx.platform.simulator!.plugIn(connectorId, vin);
    const told = await ctx.pump(
      async () =>
        demo(ctx.platform, 'MA01H3BQ2')
          .accepted('notification_vin_start_charge')
          .find((p) => p.data.Vin === vin),
      (p) => p !== undefined,
      'notification_vin_start_charge',
    );
    const seq = told!.data.StartChargeSeq as string;
    await ctx.pump(
      async () => (await ctx.p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number },
      (d) => d.StartChargeSeqStat === 2,
      `${seq} charging`,
    );
    // the charger's transaction is bound to the plug-and-charge order, which carries the car
    expect(await getTransaction('FX0001E02', transactionIdOf(seq))).toMatchObject({ StartChargeSeq: seq, ConnectorID: connectorId });
    expect(await getOrder(seq)).toMatchObject({ OperatorID: 'MA01H3BQ2', car: { Vin: vin } });
    await ctx.stopped(ctx.p1, seq, connectorId);
  });
});
