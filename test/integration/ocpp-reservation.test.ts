/**
 * Reservation (extension) with a real OCPP 1.6J charge point (ocpp-rpc's RPCClient, not the
 * simulator): query_reserve_connector → ReserveNow (connectorId, expiryDate, idTag, reservationId);
 * the charger's StatusNotification Reserved → Status 4; the reserving partner's start →
 * RemoteStartTransaction with the reservation's idTag (so the charger lets it through) →
 * StartTransaction → charging; query_cancel_reservation → CancelReservation. A charger that refuses
 * ReserveNow (Occupied) or never answers it: the reservation is withdrawn (ReserveStat 5), its hold
 * on the connector freed (another partner starts there), the timed-out one cancelled on the charger.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { idTagOf, transactionIdOf } from '../../shared/domain/ocpp.ts';
import { getReservation } from '../../shared/store/reservations.ts';
import { seqOf } from '../support/charging.ts';
import { eventually } from '../support/eventually.ts';
import { bootChargePoint, isoNow, type OcppClient, type RemoteCall, waitStatus } from '../support/ocpp.ts';
import { startTestPlatform } from '../support/platform.ts';
import { type Caller, loggedIn, STATIONS_SEED } from '../support/stations.ts';

const CP = 'FX0001E01'; // connectors FX0001E01C1, FX0001E01C2
const PASSWORD = 'ocpp-test-password-0002';

let platform: Platform;
let p1: Caller;
let p2: Caller;
let cp: OcppClient;
const remote: RemoteCall[] = [];
/** how the charger answers ReserveNow / RemoteStartTransaction ('silent': never) */
let reserveAnswer: 'Accepted' | 'Occupied' | 'silent' = 'Accepted';
let remoteStartAnswer: 'Accepted' | 'Rejected' = 'Accepted';
const unanswered: (() => void)[] = [];

const seedFile = (): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as {
    partners: Record<string, unknown>[];
    stations: Record<string, unknown>[];
  } & Record<string, unknown>;
  seed.chargePoints = [{ chargePointId: CP, password: PASSWORD, simulated: false }];
  seed.profiles = { reserving: { extends: 'cec2016', extensions: ['query_reserve_connector', 'query_cancel_reservation'] } };
  (seed.partners[0] as Record<string, unknown>).profile = 'reserving';
  (seed.stations.find((s) => s.StationID === 'FX0001') as Record<string, unknown>).ReservationPolicy = { MaxMinutes: 60 };
  const file = join(mkdtempSync(join(tmpdir(), 'evcs-ocpp-resv-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
};

const received = (action: string, match: (p: Record<string, unknown>) => boolean = () => true) =>
  eventually(async () => remote.find((r) => r.action === action && match(r.params)), { until: (r) => r !== undefined, what: action });

beforeAll(async () => {
  platform = await startTestPlatform({ seedFile: seedFile(), simulator: false, env: { OCPP_CALL_TIMEOUT_SECONDS: '5' } });
  p1 = await loggedIn(platform, 0);
  p2 = await loggedIn(platform, 1);
  cp = await bootChargePoint(platform, {
    identity: CP,
    password: PASSWORD,
    accepts: ['CancelReservation', 'RemoteStopTransaction'],
    remote,
  });
  cp.handle('ReserveNow', ({ params }) => {
    remote.push({ action: 'ReserveNow', params });
    if (reserveAnswer === 'silent') return new Promise((resolve) => unanswered.push(() => resolve({ status: 'Accepted' })));
    return { status: reserveAnswer };
  });
  cp.handle('RemoteStartTransaction', ({ params }) => {
    remote.push({ action: 'RemoteStartTransaction', params });
    return { status: remoteStartAnswer };
  });
});
afterAll(async () => {
  for (const answer of unanswered) answer();
  await cp?.close({ force: true });
  await platform?.stop();
});

describe('reservation over OCPP 1.6J', () => {
  it('ReserveNow reaches the charger; its Reserved status is Status 4; the reserver starts with the reservation idTag', async () => {
    const resv = seqOf(p1);
    const r = await p1.call('query_reserve_connector', { ReserveSeq: resv, ConnectorID: 'FX0001E01C1', ReserveMinutes: 10 });
    expect(r.data).toMatchObject({ SuccStat: 0, ReserveFee: 0 });
    const reserveNow = await received('ReserveNow', (p) => p.reservationId === transactionIdOf(resv));
    const stored = await getReservation(resv);
    expect(reserveNow!.params).toEqual({
      connectorId: 1,
      expiryDate: stored!.expiresAt,
      idTag: idTagOf(resv),
      reservationId: transactionIdOf(resv),
    });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Reserved', timestamp: isoNow() });
    await waitStatus('FX0001E01C1', 4);

    const seq = seqOf(p1);
    expect((await p1.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: 'FX0001E01C1' })).data).toMatchObject({ SuccStat: 0 });
    const rs = await received('RemoteStartTransaction');
    expect(rs!.params).toEqual({ connectorId: 1, idTag: idTagOf(resv) });
    const tx = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: idTagOf(resv),
      meterStart: 1000,
      reservationId: transactionIdOf(resv),
      timestamp: isoNow(),
    });
    expect(tx).toEqual({ transactionId: transactionIdOf(seq), idTagInfo: { status: 'Accepted' } });
    await eventually(
      async () => (await p1.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number },
      {
        until: (d) => d.StartChargeSeqStat === 2,
        what: `${seq} charging`,
      },
    );
    expect(await getReservation(resv)).toMatchObject({ stat: 2, StartChargeSeq: seq });
  });

  it('query_cancel_reservation → CancelReservation with the same reservationId', async () => {
    const resv = seqOf(p1);
    expect(
      (await p1.call('query_reserve_connector', { ReserveSeq: resv, ConnectorID: 'FX0001E01C2', ReserveMinutes: 5 })).data,
    ).toMatchObject({ SuccStat: 0 });
    await received('ReserveNow', (p) => p.reservationId === transactionIdOf(resv));
    expect((await p1.call('query_cancel_reservation', { ReserveSeq: resv })).data).toMatchObject({ SuccStat: 0, ReserveStat: 3 });
    const cancel = await received('CancelReservation', (p) => p.reservationId === transactionIdOf(resv));
    expect(cancel!.params).toEqual({ reservationId: transactionIdOf(resv) });
  });

  /** another partner (not the reserving one) can start on the connector: the hold is gone; its start is refused by the charger and ends */
  const anotherPartnerStarts = async (connectorId: string) => {
    remoteStartAnswer = 'Rejected';
    const seq = seqOf(p2);
    const r = await p2.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: connectorId });
    expect(r.ret, r.msg).toBe(0);
    expect(r.data).toMatchObject({ SuccStat: 0 });
    await eventually(
      async () => (await p2.call('query_equip_charge_status', { StartChargeSeq: seq })).data as { StartChargeSeqStat: number },
      {
        until: (d) => d.StartChargeSeqStat === 4,
        what: `${seq} refused by the charger and finished`,
      },
    );
    remoteStartAnswer = 'Accepted';
  };

  it('ReserveNow answered Occupied: the reservation is withdrawn (ReserveStat 5), the hold freed, another partner can start', async () => {
    reserveAnswer = 'Occupied';
    const resv = seqOf(p1);
    // the partner is answered before the charger is asked (the reservation is ours first)
    const r = await p1.call('query_reserve_connector', { ReserveSeq: resv, ConnectorID: 'FX0001E01C2', ReserveMinutes: 10 });
    expect(r.data).toMatchObject({ SuccStat: 0 });
    await received('ReserveNow', (p) => p.reservationId === transactionIdOf(resv));
    const withdrawn = await eventually(async () => getReservation(resv), { until: (x) => x?.stat === 5, what: `${resv} withdrawn` });
    expect(withdrawn).toMatchObject({ stat: 5, refusedBecause: 'Occupied' });
    reserveAnswer = 'Accepted';
    // the partner's next look at it says so
    expect((await p1.call('query_reserve_connector', { ReserveSeq: resv, ConnectorID: 'FX0001E01C2', ReserveMinutes: 10 })).data).toEqual({
      ReserveSeq: resv,
      ConnectorID: 'FX0001E01C2',
      SuccStat: 1,
      FailReason: 7,
    });
    expect((await p1.call('query_cancel_reservation', { ReserveSeq: resv })).data).toMatchObject({
      SuccStat: 1,
      FailReason: 2,
      ReserveStat: 5,
    });
    await anotherPartnerStarts('FX0001E01C2');
  });

  it('ReserveNow never answered: withdrawn after the call timeout, CancelReservation sent, another partner can start', async () => {
    reserveAnswer = 'silent';
    const resv = seqOf(p1);
    expect(
      (await p1.call('query_reserve_connector', { ReserveSeq: resv, ConnectorID: 'FX0001E01C2', ReserveMinutes: 10 })).data,
    ).toMatchObject({ SuccStat: 0 });
    await received('ReserveNow', (p) => p.reservationId === transactionIdOf(resv));
    // the platform's OCPP call timeout is 5 s here (OCPP_CALL_TIMEOUT_SECONDS)
    const withdrawn = await eventually(async () => getReservation(resv), { until: (x) => x?.stat === 5, what: `${resv} withdrawn` });
    expect(withdrawn?.refusedBecause).toBe('timeout');
    reserveAnswer = 'Accepted';
    const cancel = await received('CancelReservation', (p) => p.reservationId === transactionIdOf(resv));
    expect(cancel!.params).toEqual({ reservationId: transactionIdOf(resv) });
    await anotherPartnerStarts('FX0001E01C2');
  });
});
