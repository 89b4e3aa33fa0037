/**
 * Partner profiles (msp, shared/tcec/profiles.ts): validation at load, the field changes both
 * ways, the built-ins' golden output for a full session, DiDi's strict contract on every
 * interface and push, the push layout.
 */
import { describe, expect, it } from 'vitest';
import { type Direction, INTERFACES, type InterfaceName } from '../../../shared/tcec/interfaces.ts';
import {
  checkProfile,
  isOemProfile,
  loadProfiles,
  ProfileError,
  profileFromWire,
  profileToWire,
  pushPaths,
} from '../../../shared/tcec/profiles.ts';
import { DIDI_CONTRACT } from '../../fixtures/profiles/didi-contract.ts';
import { SESSION } from '../../fixtures/profiles/session.ts';

const CTX = { ourOperatorId: 'MA5GS8X01', partnerOperatorId: 'MA03ABCD4' };
const split = (key: string) => key.split('.') as [InterfaceName, Direction];
const profiles = loadProfiles();
const get = (name: string, all = profiles) => {
  const p = all.get(name);
  if (!p) throw new Error(`no profile ${name}`);
  return p;
};

describe('built-in profiles: a full session, field-exact (golden JSON per interface)', () => {
  for (const name of ['cec2016', 'xiaoju', 'didi', 'oem-example']) {
    describe(name, () => {
      for (const [key, canonical] of Object.entries(SESSION)) {
        it(key, async () => {
          const [iface, dir] = split(key);
          const wire = profileToWire(get(name), iface, dir, canonical, CTX);
          await expect(`${JSON.stringify(wire, null, 2)}\n`).toMatchFileSnapshot(`../../fixtures/profiles/golden/${name}/${key}.json`);
        });
      }
    });
  }

  it('cec2016 and xiaoju profiles write exactly what their dialects write (nothing added)', () => {
    for (const [key, canonical] of Object.entries(SESSION)) {
      const [iface, dir] = split(key);
      const c = profileToWire(get('cec2016'), iface, dir, canonical, CTX);
      expect(Object.keys(c), key).not.toContain('HasParkingLock');
      expect(JSON.stringify(c)).not.toMatch(/FullStationID|HasParkingLock|ServiceMoney/);
    }
  });
});

describe("DiDi's strict contract (schemas derived from the public ac1982 models)", () => {
  for (const [key, schema] of Object.entries(DIDI_CONTRACT)) {
    it(`didi ${key} passes`, () => {
      const [iface, dir] = split(key);
      const canonical = SESSION[key];
      expect(canonical, key).toBeDefined();
      const wire = profileToWire(get('didi'), iface, dir, canonical, CTX);
      const r = schema.safeParse(wire);
      expect(r.success, r.success ? '' : JSON.stringify(r.error.issues)).toBe(true);
    });
  }

  it('every interface DiDi calls and every push we send it is covered', () => {
    const ours = Object.keys(SESSION).filter((k) => k !== 'query_charge_info.response');
    expect(Object.keys(DIDI_CONTRACT).sort()).toEqual(ours.sort());
  });

  it('the strict contract would catch the xiaoju dialect alone (FullStationID, OperatorID missing)', () => {
    const wire = profileToWire(get('xiaoju'), 'query_station_status', 'response', SESSION['query_station_status.response'], CTX);
    expect(DIDI_CONTRACT['query_station_status.response']!.safeParse(wire).success).toBe(false);
    const auth = profileToWire(get('xiaoju'), 'query_equip_auth', 'response', SESSION['query_equip_auth.response'], CTX);
    expect(DIDI_CONTRACT['query_equip_auth.response']!.safeParse(auth).success).toBe(false);
  });

  it('didi: ElectMoney in the query answer, ElecMoney in the push; Total a string; the station attributes; FullStationID; OperatorID', () => {
    const q = profileToWire(get('didi'), 'query_equip_charge_status', 'response', SESSION['query_equip_charge_status.response'], CTX);
    const n = profileToWire(
      get('didi'),
      'notification_equip_charge_status',
      'request',
      SESSION['notification_equip_charge_status.request'],
      CTX,
    );
    expect(q).toHaveProperty('ElectMoney', 8.08);
    expect(n).toHaveProperty('ElecMoney', 8.08);
    const st = profileToWire(get('didi'), 'query_station_status', 'response', SESSION['query_station_status.response'], CTX);
    expect(st.Total).toBe('1');
    expect((st.StationStatusInfos as { FullStationID: string }[])[0]!.FullStationID).toBe('MA5GS8X01FX0001');
    const info = profileToWire(get('didi'), 'query_stations_info', 'response', SESSION['query_stations_info.response'], CTX);
    expect((info.StationInfos as Record<string, unknown>[])[0]).toMatchObject({ HasParkingLock: 1, DutyNum: 2, LimitFreeParking: 120 });
    expect(profileToWire(get('didi'), 'query_equip_auth', 'response', SESSION['query_equip_auth.response'], CTX).OperatorID).toBe(
      'MA5GS8X01',
    );
  });
});

describe('a custom seed profile: renames, omits and adds as declared, both ways', () => {
  const all = loadProfiles({
    acme: {
      extends: 'didi',
      servedAt: '/msp/acme/v1/',
      rename: {
        notification_charge_order_info: { TotalMoney: 'OrderMoney', 'ChargeDetails[].DetailPower': 'DetailKwh' },
        query_start_charge: { ConnectorID: 'GunID' },
      },
      omit: { query_start_charge: ['FailReason'], notification_charge_order_info: ['ChargeDetails[].DetailSeviceMoney'] },
      add: { query_start_charge: { Brand: { const: 'ACME' } }, notification_charge_order_info: { AmountFen: { fn: 'moneyInFen' } } },
      map: { notification_stationStatus: { 'ConnectorStatusInfo.Status': { '3': 'CHARGING' } } },
    },
  });
  const acme = get('acme', all);

  it('out: the answer and the push in the profile spelling, exactly', () => {
    const a = profileToWire(acme, 'query_start_charge', 'response', SESSION['query_start_charge.response'], CTX);
    expect(a).toEqual({
      StartChargeSeq: 'MA5GS8X01202611300800000001',
      StartChargeSeqStat: 1,
      GunID: 'FX0001E01C1',
      SuccStat: 0,
      Brand: 'ACME',
    });
    expect(Object.keys(a)).toEqual(['StartChargeSeq', 'StartChargeSeqStat', 'GunID', 'SuccStat', 'Brand']);
    const o = profileToWire(acme, 'notification_charge_order_info', 'request', SESSION['notification_charge_order_info.request'], CTX);
    expect(o).toMatchObject({ OrderMoney: 25.92, TotalServiceMoney: 12, AmountFen: 2592 });
    expect(o).not.toHaveProperty('TotalMoney');
    expect((o.ChargeDetails as Record<string, unknown>[])[1]).toEqual({
      DetailStartTime: '2026-11-30 08:30:00',
      DetailEndTime: '2026-11-30 09:00:00',
      ElecPrice: 1.05,
      ServicePrice: 0.8,
      DetailKwh: 9.75,
      DetailElecMoney: 10.24,
    });
    const s = profileToWire(acme, 'notification_stationStatus', 'request', SESSION['notification_stationStatus.request'], CTX);
    expect(s).toEqual({ ConnectorStatusInfo: { ConnectorID: 'FX0001E01C1', Status: 'CHARGING', ParkStatus: 50, LockStatus: 10 } });
    // inherited from didi
    expect(profileToWire(acme, 'query_equip_auth', 'response', SESSION['query_equip_auth.response'], CTX).OperatorID).toBe('MA5GS8X01');
  });

  it('in: the profile spelling is read back to canonical, and the canonical spelling is accepted too (lenient)', () => {
    const seq = 'MA03ABCD4202611300800000001';
    expect(profileFromWire(acme, 'query_start_charge', 'request', { StartChargeSeq: seq, GunID: 'C1' })).toEqual({
      ok: true,
      value: { StartChargeSeq: seq, ConnectorID: 'C1' },
    });
    expect(profileFromWire(acme, 'query_start_charge', 'request', { StartChargeSeq: seq, ConnectorID: 'C1' })).toEqual({
      ok: true,
      value: { StartChargeSeq: seq, ConnectorID: 'C1' },
    });
    // both sent: the canonical one wins
    const both = profileFromWire(acme, 'query_start_charge', 'request', { StartChargeSeq: seq, ConnectorID: 'C1', GunID: 'C2' });
    expect(both.ok && both.value.ConnectorID).toBe('C1');
    // the push written by the profile reads back to the canonical order (value maps reversed, renames undone)
    const wire = profileToWire(acme, 'notification_charge_order_info', 'request', SESSION['notification_charge_order_info.request'], CTX);
    // an omitted required field cannot be read back: named in the canonical spelling
    expect(profileFromWire(acme, 'notification_charge_order_info', 'request', wire)).toEqual({
      ok: false,
      msg: 'ChargeDetails[0].DetailSeviceMoney: required',
    });
    const details = (wire.ChargeDetails as Record<string, unknown>[]).map((d) => ({ ...d, DetailServiceMoney: 1 }));
    const back = profileFromWire(acme, 'notification_charge_order_info', 'request', { ...wire, ChargeDetails: details });
    expect(back.ok && back.value.TotalMoney).toBe(25.92);
    expect(back.ok && back.value.ChargeDetails?.[1]?.DetailPower).toBe(9.75);
    const st = profileFromWire(acme, 'notification_stationStatus', 'request', {
      ConnectorStatusInfo: { ConnectorID: 'C1', Status: 'CHARGING' },
    });
    expect(st.ok && st.value.ConnectorStatusInfo.Status).toBe(3);
  });

  it('in: a missing required field is still named (in the canonical name)', () => {
    const r = profileFromWire(acme, 'query_start_charge', 'request', { StartChargeSeq: 'MA03ABCD4202611300800000001' });
    expect(r).toEqual({ ok: false, msg: 'ConnectorID: required' });
  });
});

describe('profiles are validated at load: the error names the profile, the interface and the field', () => {
  const bad = (spec: unknown) => () => loadProfiles({ bad: spec });
  it.each([
    [
      { extends: 'didi', rename: { query_start_charge: { ConnectorID: 'StartChargeSeq' } } },
      /profiles\.bad\.rename\.query_start_charge\.ConnectorID: renames ConnectorID to StartChargeSeq, which already exists/,
    ],
    [{ extends: 'xiaoju', rename: { notification_charge_order_info: { TotalMoney: 'TotalServiceMoney' } } }, /which already exists/],
    [{ extends: 'didi', rename: { query_nope: { A: 'B' } } }, /profiles\.bad\.rename\.query_nope: unknown interface 'query_nope'/],
    [
      { extends: 'didi', omit: { query_start_charge: ['Nope'] } },
      /profiles\.bad\.omit\.query_start_charge\.Nope: Nope is not a field of query_start_charge/,
    ],
    [{ extends: 'didi', omit: { notification_charge_order_info: ['ChargeDetails[].Nope'] } }, /Nope is not a field of ChargeDetails/],
    [
      { extends: 'didi', omit: { notification_charge_order_info: ['ChargeDetails.DetailPower'] } },
      /ChargeDetails is an array: write ChargeDetails\[\]/,
    ],
    [{ extends: 'didi', add: { query_start_charge: { SuccStat: { const: 1 } } } }, /SuccStat already exists/],
    [{ extends: 'didi', add: { query_start_charge: { X: { fn: 'nope' } } } }, /profiles\.bad\.add\.query_start_charge\.X/],
    [{ extends: 'nope' }, /profiles\.bad\.extends: unknown profile or dialect 'nope'/],
    [{ extends: 'didi', servedAt: 'msp/x' }, /profiles\.bad\.servedAt/],
    [{ extends: 'didi', extensions: ['query_start_charge'] }, /'query_start_charge' is not an extension interface/],
    [{ extends: 'didi', surprise: 1 }, /profiles\.bad/],
  ])('%j', (spec, message) => {
    expect(bad(spec)).toThrow(ProfileError);
    expect(bad(spec)).toThrow(message);
  });

  it('the built-in profiles are checked against the catalog here (loadProfiles resolves them on first use only)', () => {
    const all = loadProfiles();
    for (const p of all.values()) expect(() => checkProfile(p), p.name).not.toThrow();
    // their specs pass the spec schema a custom profile is parsed with (each loaded again as a custom copy)
    const copies = Object.fromEntries([...all.values()].map((p) => [`copy-${p.name}`, p.spec]));
    const again = loadProfiles(copies);
    for (const p of all.values()) expect(again.get(`copy-${p.name}`)?.spec.supervision, p.name).toEqual(p.spec.supervision);
    // the check sees a built-in entry that does not resolve
    const didi = all.get('didi')!;
    const broken = {
      ...didi,
      entries: [...didi.entries, { from: 'didi', section: 'omit' as const, key: 'query_start_charge', path: 'Nope' }],
    };
    expect(() => checkProfile(broken)).toThrow(/profiles\.didi\.omit\.query_start_charge\.Nope: Nope is not a field of query_start_charge/);
  });

  it('a cycle of extends, a bad name and a built-in name are refused', () => {
    expect(() => loadProfiles({ aa: { extends: 'bb' }, bb: { extends: 'aa' } })).toThrow(/cycle/);
    expect(() => loadProfiles({ Bad_Name: { extends: 'didi' } })).toThrow(/profiles\.Bad_Name/);
    expect(() => loadProfiles({ didi: { extends: 'xiaoju' } })).toThrow(/built-in profile of that name/);
  });

  it('an extension interface of the catalog may be enabled', () => {
    const ext = (Object.keys(INTERFACES) as InterfaceName[]).filter((n) => (INTERFACES[n] as { extension?: boolean }).extension);
    expect(ext.length).toBeGreaterThan(0);
    // a set: didi's own extensions come first
    expect(new Set(get('ext', loadProfiles({ ext: { extends: 'didi', extensions: ext } })).extensions)).toEqual(new Set(ext));
  });

  it("didi enables DiDi 1.4.0's ground-lock and parking interfaces by default (§5.1), and nothing else", () => {
    expect([...get('didi').extensions].sort()).toEqual(
      [
        'query_ground_locks',
        'query_ground_lock_auth',
        'query_drop_lock',
        'query_drop_lock_result',
        'query_parking_free_info',
        'query_parking_station',
        'query_parking_free_wave',
        'modify_parking_fee_wave_car_number',
      ].sort(),
    );
    expect([...get('xiaoju').extensions]).toEqual([]);
  });
});

describe('push layout', () => {
  it("didi: token at evcs/sdk/query_token, notifications and check_charge_orders at the root of the partner's base URL", () => {
    const paths = pushPaths(get('didi'), 'https://didi.example.com/evcs/v1/');
    expect(paths.query_token).toBe('https://didi.example.com/evcs/sdk/query_token');
    expect(paths.notification_charge_order_info).toBe('https://didi.example.com/notification_charge_order_info');
    expect(paths.check_charge_orders).toBe('https://didi.example.com/check_charge_orders');
  });

  it('a version segment under the base; cec2016 keeps the base URL for everything', () => {
    const v = get('versioned', loadProfiles({ versioned: { extends: 'cec2016', push: { version: 'v1.0' } } }));
    expect(pushPaths(v, 'https://p.example.com/evcs/').notification_stationStatus).toBe(
      'https://p.example.com/evcs/v1.0/notification_stationStatus',
    );
    expect(pushPaths(get('cec2016'), 'https://p.example.com/evcs/v1/')).toEqual({});
  });
});

describe("an OEM's own profile (issue 14): its partners are served by its stack only", () => {
  it('oem-example is one; a profile extending it is not (the marker is not inherited); the marker is validated', () => {
    const all = loadProfiles({
      'pnc-oem': { extends: 'oem-example', servedAt: '/evcs/v1/' },
      bmw: { extends: 'cec2016', oem: true, servedAt: '/msp/bmw/v1/' },
    });
    expect(isOemProfile(all.get('oem-example')!)).toBe(true);
    expect(isOemProfile(all.get('bmw')!)).toBe(true);
    expect(isOemProfile(all.get('pnc-oem')!)).toBe(false);
    expect(isOemProfile(all.get('didi')!)).toBe(false);
    expect(() => loadProfiles({ bmw: { extends: 'cec2016', oem: 'yes' } })).toThrow(/profiles\.bmw\.oem: /);
  });
});
