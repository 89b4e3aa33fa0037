/**
 * Plug-and-charge (ours; README "Plug-and-charge") with a real OCPP 1.6J charge point (ocpp-rpc's
 * RPCClient, the simulator's own client): partner 1 binds a VIN; the charger reports it at plug-in
 * with DataTransfer EVCS/VinReport → Accepted → the platform starts under partner 1 without any
 * query_start_charge (RemoteStartTransaction → StartTransaction → charging) and the partner receives
 * notification_vin_start_charge and notification_start_charge_result. DataTransfer garbage gets its
 * OCPP answer (UnknownMessageId, UnknownVendorId, Rejected, CALLERROR FormationViolation /
 * PropertyConstraintViolation), never a crash: the connection keeps serving.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { idTagOf, transactionIdOf } from '../../shared/domain/ocpp.ts';
import { getOrder } from '../../shared/store/orders.ts';
import { eventually } from '../support/eventually.ts';
import { bootChargePoint, isoNow, type OcppClient, type RemoteCall, waitStatus } from '../support/ocpp.ts';
import { startTestPlatform } from '../support/platform.ts';
import { demo } from '../support/push.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

const CP = 'FX0001E01'; // connectors FX0001E01C1, FX0001E01C2
const PASSWORD = 'ocpp-test-password-0003';
const VIN = 'LSVAU2180N2183294';

let platform: Platform;
let p1: Caller;
let cp: OcppClient;
const remote: RemoteCall[] = [];

const seedFile = (): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { partners: Record<string, unknown>[] } & Record<string, unknown>;
  seed.chargePoints = [{ chargePointId: CP, password: PASSWORD, simulated: false }];
  seed.profiles = { pnc: { extends: 'cec2016', extensions: ['query_vin_bind', 'query_vin_unbind', 'notification_vin_start_charge'] } };
  seed.partners[0] = { ...seed.partners[0], profile: 'pnc' };
  const file = join(mkdtempSync(join(tmpdir(), 'evcs-pnc-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
};

const vinReport = (data: unknown, messageId = 'VinReport', vendorId = 'EVCS') =>
  cp.call('DataTransfer', {
    vendorId,
    messageId,
    ...(data === undefined ? {} : { data: typeof data === 'string' ? data : JSON.stringify(data) }),
  });

beforeAll(async () => {
  platform = await startTestPlatform({ seedFile: seedFile(), simulator: false, env: { OCPP_CALL_TIMEOUT_SECONDS: '10' } });
  p1 = await loggedIn(platform, 0);
  cp = await bootChargePoint(platform, {
    identity: CP,
    password: PASSWORD,
    accepts: ['RemoteStartTransaction', 'RemoteStopTransaction'],
    remote,
  });
});
afterAll(async () => {
  await cp?.close({ force: true });
  await platform?.stop();
});

describe('plug-and-charge over OCPP 1.6J (DataTransfer EVCS/VinReport)', () => {
  it('DataTransfer garbage gets its OCPP answer, never a crash', async () => {
    expect(await vinReport({ connectorId: 1, vin: VIN }, 'SomethingElse')).toEqual({ status: 'UnknownMessageId' });
    expect(await vinReport({ connectorId: 1, vin: VIN }, 'VinReport', 'com.example')).toEqual({ status: 'UnknownVendorId' });
    // a connector this charge point does not have: well-formed, refused
    expect(await vinReport({ connectorId: 9, vin: VIN })).toEqual({ status: 'Rejected' });
    for (const garbage of [
      undefined,
      'not json',
      '[1,2]',
      { connectorId: 1 },
      { connectorId: 0, vin: VIN },
      { connectorId: 1, vin: VIN, x: 1 },
    ])
      await expect(vinReport(garbage), JSON.stringify(garbage)).rejects.toMatchObject({ rpcErrorCode: 'FormationViolation' });
    for (const vin of ['LSVAU2180N2183O94', 'LSVAU2180N218329', 'lsvau2180n2183294'])
      await expect(vinReport({ connectorId: 1, vin }), vin).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    // the connection still serves
    expect(await cp.call('Heartbeat', {})).toHaveProperty('currentTime');
    expect(remote).toEqual([]);
  });

  it('a bound VIN at plug-in: the session starts under the binding partner, who is told', async () => {
    expect((await p1.call('query_vin_bind', { Vin: VIN, PlateNum: '京AD12345' })).data).toMatchObject({ SuccStat: 0 });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: isoNow() });
    await waitStatus('FX0001E01C1', 2);
    expect(await vinReport({ connectorId: 1, vin: VIN })).toEqual({ status: 'Accepted' });

    const rs = await eventually(async () => remote.find((r) => r.action === 'RemoteStartTransaction'), {
      until: (r) => r !== undefined,
      what: 'RemoteStartTransaction',
    });
    expect(rs!.params.connectorId).toBe(1);
    const idTag = String(rs!.params.idTag);
    const partner = demo(platform, 'MA01H3BQ2');
    const told = await eventually(async () => partner.accepted('notification_vin_start_charge').find((p) => p.data.Vin === VIN), {
      until: (p) => p !== undefined,
      what: 'notification_vin_start_charge',
    });
    const seq = told!.data.StartChargeSeq as string;
    expect(told!.data).toMatchObject({ ConnectorID: 'FX0001E01C1', PlateNum: '京AD12345' });
    expect(idTag).toBe(idTagOf(seq));

    const tx = await cp.call('StartTransaction', { connectorId: 1, idTag, meterStart: 1000, timestamp: isoNow() });
    expect(tx).toEqual({ transactionId: transactionIdOf(seq), idTagInfo: { status: 'Accepted' } });
    await eventually(
      async () => (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number },
      {
        until: (d) => d.StartChargeSeqStat === 2,
        what: `${seq} charging`,
      },
    );
    expect(await getOrder(seq)).toMatchObject({ OperatorID: 'MA01H3BQ2', car: { Vin: VIN, PlateNum: '京AD12345' } });
    await eventually(async () => partner.accepted('notification_start_charge_result').find((p) => p.data.StartChargeSeq === seq), {
      until: (p) => p !== undefined,
      what: 'notification_start_charge_result',
    });
    // the partner stops it like any session
    expect((await p1.call('query_stop_charge', { StartChargeSeq: seq, ConnectorID: 'FX0001E01C1' })).data).toMatchObject({ SuccStat: 0 });
    await eventually(async () => remote.find((r) => r.action === 'RemoteStopTransaction'), {
      until: (r) => r?.params.transactionId === transactionIdOf(seq),
      what: 'RemoteStopTransaction',
    });
  });
});
