/**
 * Partner profiles through the real local platform (msp): the same core handlers, the partner's
 * profile at the edges. A DiDi partner's answers pass DiDi's strict contract (station attributes
 * from the import, FullStationID, OperatorID in equip_auth); a seed profile served at its own
 * prefix renames a field both ways (the canonical spelling is accepted too); a partner calling
 * under another profile's prefix gets HTTP 404 with a signed error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { decodeResponse } from '../../shared/tcec/envelope.ts';
import { DIDI_CONTRACT } from '../fixtures/profiles/didi-contract.ts';
import { STATIONS_SEED } from '../fixtures/stations.ts';
import { envelopeFor, startTestPlatform } from '../support/platform.ts';
import { demo, emitFinished, emitStarted, emitStatus, FAST_PUSH_ENV, newSeq, statusChange } from '../support/push.ts';

const secrets = (n: string): SecretSet => ({
  operatorSecret: `mspOpSecret${n}`.padEnd(16, '0'),
  dataSecret: `mspDataKey${n}`.padEnd(16, '0'),
  dataSecretIV: `mspDataIV${n}`.padEnd(16, '0'),
  sigSecret: `mspSigKey${n}`.padEnd(16, '0'),
});
const DIDI = { operatorId: 'MA0DIDI01', inbound: secrets('1') };
const ACME = { operatorId: 'MA0ACME01', inbound: secrets('2') };
/** a partner of OEM bmw, an OEM the seed defines (served by its own stack: locally its own port) */
const BMW = { operatorId: 'MA0BMWP01', inbound: secrets('3') };

/** the station fixture, FX0001 with DiDi's station attributes, plus a DiDi partner and a seed-profile partner */
const writeSeed = (): string => {
  const seed = JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { partners: unknown[]; stations: Record<string, unknown>[] };
  Object.assign(seed.stations[0]!, { HasParkingLock: 1, Wc: 1, DutyNum: 2, LimitFreeParking: 120 });
  const file = join(mkdtempSync(join(tmpdir(), 'msp-')), 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...seed,
      profiles: {
        acme: { extends: 'didi', servedAt: '/msp/acme/v1/', rename: { query_equip_auth: { ConnectorID: 'GunID' } } },
        bmw: { extends: 'cec2016', oem: true, servedAt: '/msp/bmw/v1/', rename: { query_equip_auth: { ConnectorID: 'GunNo' } } },
      },
      partners: [
        ...seed.partners,
        {
          operatorId: DIDI.operatorId,
          name: 'DiDi',
          dialect: 'xiaoju',
          profile: 'didi',
          inbound: DIDI.inbound,
          // a demo partner listens here (any free port in tests); DiDi's layout puts notifications at its root
          outbound: { baseUrl: 'http://127.0.0.1:9391/evcs/v1/', ...secrets('9') },
        },
        { operatorId: ACME.operatorId, name: 'Acme msp', profile: 'acme', inbound: ACME.inbound },
        { operatorId: BMW.operatorId, name: 'BMW', profile: 'bmw', inbound: BMW.inbound },
      ],
    }),
  );
  return file;
};

type Who = typeof DIDI;
/** a call to the core's API, or (`{ url }`) to another one: an OEM stack's */
const call = async (platform: Platform | { apiUrl: string }, who: Who, prefix: string, iface: string, data: unknown, token?: string) => {
  const res = await fetch(`${platform.apiUrl}${prefix}${iface}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(envelopeFor(who, data)),
  });
  const body = await res.text();
  return { status: res.status, ...decodeResponse(body, who.inbound) };
};
const login = async (platform: Platform | { apiUrl: string }, who: Who, prefix: string): Promise<string> => {
  const r = await call(platform, who, prefix, 'query_token', { OperatorID: who.operatorId, OperatorSecret: who.inbound.operatorSecret });
  expect(r.ret, r.msg).toBe(0);
  return (r.data as { AccessToken: string }).AccessToken;
};

describe('partner profiles over HTTP', () => {
  let platform: Platform;
  let didiToken: string;
  let acmeToken: string;
  beforeAll(async () => {
    platform = await startTestPlatform({ seedFile: writeSeed(), simulator: false, env: FAST_PUSH_ENV, oems: ['bmw'] });
    didiToken = await login(platform, DIDI, '/evcs/v1/');
    acmeToken = await login(platform, ACME, '/msp/acme/v1/');
  });
  afterAll(async () => platform?.stop());

  it("didi: query_token, query_stations_info, query_station_status and query_equip_auth pass DiDi's strict contract", async () => {
    const token = await call(platform, DIDI, '/evcs/v1/', 'query_token', {
      OperatorID: DIDI.operatorId,
      OperatorSecret: DIDI.inbound.operatorSecret,
    });
    expect(DIDI_CONTRACT['query_token.response']!.parse(token.data)).toBeTruthy();
    const info = await call(platform, DIDI, '/evcs/v1/', 'query_stations_info', { PageNo: 1, PageSize: 10 }, didiToken);
    expect(info.ret, info.msg).toBe(0);
    expect(info.sigVerified).toBe(true);
    const parsed = DIDI_CONTRACT['query_stations_info.response']!.safeParse(info.data);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    const fx1 = (info.data as { StationInfos: Record<string, unknown>[] }).StationInfos.find((s) => s.StationID === 'FX0001');
    expect(fx1).toMatchObject({ HasParkingLock: 1, Wc: 1, DutyNum: 2, LimitFreeParking: 120 });
    const status = await call(platform, DIDI, '/evcs/v1/', 'query_station_status', { StationIDs: ['FX0001'] }, didiToken);
    expect(status.data).toMatchObject({
      Total: '1',
      StationStatusInfos: [{ StationID: 'FX0001', FullStationID: `${platform.seed.operatorId}FX0001` }],
    });
    expect(DIDI_CONTRACT['query_station_status.response']!.safeParse(status.data).success).toBe(true);
    const auth = await call(
      platform,
      DIDI,
      '/evcs/v1/',
      'query_equip_auth',
      { EquipAuthSeq: `${DIDI.operatorId}20261130080000001`, ConnectorID: 'FX0001E01C1' },
      didiToken,
    );
    expect(auth.ret, auth.msg).toBe(0);
    expect((auth.data as { OperatorID: string }).OperatorID).toBe(platform.seed.operatorId);
    expect(DIDI_CONTRACT['query_equip_auth.response']!.safeParse(auth.data).success).toBe(true);
  });

  it('a cec2016 partner of the same platform sees none of that (the core knows nothing of profiles)', async () => {
    const p1 = platform.seed.partners[0]!;
    const token = await login(platform, p1, '/evcs/v1/');
    const info = await call(platform, p1, '/evcs/v1/', 'query_stations_info', { PageNo: 1, PageSize: 10 }, token);
    expect(JSON.stringify(info.data)).not.toMatch(/HasParkingLock|FullStationID/);
  });

  it('a seed profile at its own prefix: the renamed field in, the canonical spelling in too, the renamed field out', async () => {
    const seq = `${ACME.operatorId}20261130080000002`;
    for (const data of [
      { EquipAuthSeq: seq, GunID: 'FX0001E01C1' },
      { EquipAuthSeq: seq, ConnectorID: 'FX0001E01C1' },
    ]) {
      const r = await call(platform, ACME, '/msp/acme/v1/', 'query_equip_auth', data, acmeToken);
      expect(r.ret, r.msg).toBe(0);
      expect(r.sigVerified).toBe(true);
      expect(r.data).toMatchObject({ EquipAuthSeq: seq, GunID: 'FX0001E01C1', OperatorID: platform.seed.operatorId });
      expect(r.data).not.toHaveProperty('ConnectorID');
    }
  });

  it("a call under a prefix that is not the partner's profile's → HTTP 404 with a signed Ret 4003", async () => {
    const wrong = await call(platform, ACME, '/evcs/v1/', 'query_equip_auth', { EquipAuthSeq: 'x1', GunID: 'FX0001E01C1' }, acmeToken);
    expect(wrong.status).toBe(404);
    expect(wrong.ret).toBe(4003);
    expect(wrong.sigVerified).toBe(true);
    expect(wrong.msg).toMatch(/served at \/msp\/acme\/v1\//);
    const other = await call(platform, DIDI, '/msp/acme/v1/', 'query_token', {
      OperatorID: DIDI.operatorId,
      OperatorSecret: DIDI.inbound.operatorSecret,
    });
    expect(other.status).toBe(404);
    expect(other.sigVerified).toBe(true);
    const unknown = await call(platform, DIDI, '/msp/nobody/v1/', 'query_token', {
      OperatorID: DIDI.operatorId,
      OperatorSecret: DIDI.inbound.operatorSecret,
    });
    expect(unknown.status).toBe(404);
  });

  it("an OEM's partner: refused by the core's API (404, signed 4003), served by its OEM stack, which refuses anyone else", async () => {
    const tokenData = { OperatorID: BMW.operatorId, OperatorSecret: BMW.inbound.operatorSecret };
    const core = await call(platform, BMW, '/msp/bmw/v1/', 'query_token', tokenData);
    expect(core.status).toBe(404);
    expect(core.ret).toBe(4003);
    expect(core.sigVerified).toBe(true);
    expect(core.msg).toMatch(/served by its OEM's own API/);

    const oem = { apiUrl: platform.cloud.oemApiUrls.bmw! };
    expect(oem.apiUrl).not.toBe(platform.apiUrl);
    const token = await login(oem, BMW, '/msp/bmw/v1/');
    const seq = `${BMW.operatorId}20261130080000003`;
    const r = await call(oem, BMW, '/msp/bmw/v1/', 'query_equip_auth', { EquipAuthSeq: seq, GunNo: 'FX0001E01C1' }, token);
    expect(r.ret, r.msg).toBe(0);
    expect(r.data).toMatchObject({ EquipAuthSeq: seq, GunNo: 'FX0001E01C1' });

    const stranger = await call(oem, ACME, '/msp/bmw/v1/', 'query_token', {
      OperatorID: ACME.operatorId,
      OperatorSecret: ACME.inbound.operatorSecret,
    });
    expect(stranger.status).toBe(404);
    expect(stranger.sigVerified).toBe(true);
    expect(stranger.msg).toMatch(/not served by OEM bmw/);
    // the OEM's API routes its own prefix only
    const elsewhere = await fetch(`${oem.apiUrl}/msp/acme/v1/query_token`, { method: 'POST', body: JSON.stringify(envelopeFor(ACME, {})) });
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({ message: 'Not Found' });
  });

  it("didi pushes: token at evcs/sdk/query_token, notifications at the root, each passing DiDi's strict contract", async () => {
    const seq = newSeq(DIDI.operatorId);
    await emitStatus([statusChange('FX0002E01C1', 1, 3)]);
    await emitStarted(DIDI.operatorId, seq, 'FX0002E01C1');
    // a session ends after its start was told, as a real one does: published back to back, the
    // finish's final charge status could pass the order's gate first and make the start result stale
    await platform.cloud.drain({ timeoutMs: 60_000 });
    await emitFinished(DIDI.operatorId, seq, 'FX0002E01C1');
    await platform.cloud.drain({ timeoutMs: 60_000, includeDelayed: true });
    const d = demo(platform, DIDI.operatorId);
    expect(d.tokenPaths.length).toBeGreaterThan(0);
    expect(new Set(d.tokenPaths)).toEqual(new Set(['/evcs/sdk/query_token']));
    const pushes = d.accepted();
    for (const iface of ['notification_stationStatus', 'notification_start_charge_result', 'notification_charge_order_info'] as const) {
      const mine = pushes.filter((r) => r.iface === iface && JSON.stringify(r.data).includes('FX0002E01C1'));
      expect(mine.length, iface).toBeGreaterThan(0);
      for (const r of mine) {
        expect(r.path).toBe(`/${iface}`);
        const parsed = DIDI_CONTRACT[`${iface}.request`]!.safeParse(r.data);
        expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
      }
    }
  });
});
