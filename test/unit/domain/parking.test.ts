/** Parking (extension, DiDi 1.4.0 parking / ground locks): the pure rules and the seed's validation. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { carLeft, DropFail, dropCodeFrom, dropDecision, LockStatus, parkingSpacesProblems } from '../../../shared/domain/ground-locks.ts';
import {
  normalisePlate,
  parkingPolicyProblem,
  policyNote,
  WaiverStatus,
  waiverMinutes,
  waiverStatusFor,
  waiverTypeOf,
} from '../../../shared/domain/parking.ts';
import { stationParts, validateStations } from '../../../shared/domain/station-records.ts';
import { STATIONS_SEED } from '../../support/stations.ts';

type Obj = Record<string, unknown>;
const fixture = (): Obj[] => (JSON.parse(readFileSync(STATIONS_SEED, 'utf8')) as { stations: Obj[] }).stations;

describe('waiverMinutes: free minutes per session, per kWh, capped', () => {
  const perSession = { FreeMinutes: 120, CapMinutes: 240 };
  const perKwh = { FreeMinutes: 60, PerKwhMinutes: 3, CapMinutes: 150 };
  it('per session: FreeMinutes whatever the energy; nothing for an order that never charged', () => {
    expect(waiverMinutes(perSession, { charged: true, totalKwh: 0.4 })).toBe(120);
    expect(waiverMinutes(perSession, { charged: true, totalKwh: 80 })).toBe(120);
    expect(waiverMinutes(perSession, { charged: false, totalKwh: 0 })).toBe(0);
  });
  it('per kWh: whole kWh only, and never above CapMinutes', () => {
    expect(waiverMinutes(perKwh, { charged: true, totalKwh: 9.99 })).toBe(60 + 9 * 3);
    expect(waiverMinutes(perKwh, { charged: true, totalKwh: 30 })).toBe(150);
    expect(waiverMinutes(perKwh, { charged: true, totalKwh: -1 })).toBe(60);
  });
  it('a cap below the per-session minutes is a policy problem', () => {
    expect(parkingPolicyProblem({ FreeMinutes: 120, CapMinutes: 60 })).toMatch(/CapMinutes \(60\) must be ≥ FreeMinutes \(120\)/);
    expect(parkingPolicyProblem(perKwh)).toBeUndefined();
  });
  it('WaiverType and Note describe the policy', () => {
    expect([waiverTypeOf(undefined), waiverTypeOf(perSession), waiverTypeOf(perKwh)]).toEqual([0, 1, 2]);
    expect(policyNote(perKwh)).toBe('60 min free per charging session plus 3 min per kWh, at most 150 min');
  });
  it('WaiverStatus: none earned, waiting for the plate, sending, applied', () => {
    expect(waiverStatusFor(0, '沪A12345', false)).toBe(WaiverStatus.None);
    expect(waiverStatusFor(120, undefined, false)).toBe(WaiverStatus.AwaitingPlate);
    expect(waiverStatusFor(120, '沪A12345', false)).toBe(WaiverStatus.Sending);
    expect(waiverStatusFor(120, '沪A12345', true)).toBe(WaiverStatus.Applied);
  });
});

describe('normalisePlate: Chinese vehicle plates', () => {
  it('accepts ordinary and new-energy plates, upper-cases and drops spaces and the middle dot', () => {
    expect(normalisePlate('沪A12345')).toBe('沪A12345');
    expect(normalisePlate('粤b·d12345')).toBe('粤BD12345');
    expect(normalisePlate('京 A 1234 学')).toBe('京A1234学');
  });
  it('refuses what is not a plate (I and O are never used)', () => {
    for (const bad of ['', 'ABC123', '沪A1234', '沪A1234567', '沪AI2345', 'X沪12345']) expect(normalisePlate(bad)).toBeUndefined();
  });
});

describe('dropDecision: who may drop a ground lock', () => {
  const raised = { lockStatus: LockStatus.Raised };
  it('an idle or plugged connector: any granted partner', () => {
    expect(dropDecision({ lock: raised, status: 1, holder: undefined, operatorId: 'A' })).toBe(DropFail.None);
    expect(dropDecision({ lock: raised, status: 2, holder: undefined, operatorId: 'A' })).toBe(DropFail.None);
  });
  it("another partner's order, reservation or drop in force: Taken", () => {
    expect(dropDecision({ lock: raised, status: 3, holder: { OperatorID: 'B' }, operatorId: 'A' })).toBe(DropFail.Taken);
    expect(dropDecision({ lock: raised, status: 4, holder: { OperatorID: 'B' }, operatorId: 'A' })).toBe(DropFail.Taken);
    const droppedByB = { lockStatus: LockStatus.Dropped, drop: { code: 123456, OperatorID: 'B', at: '' } };
    expect(dropDecision({ lock: droppedByB, status: 1, holder: undefined, operatorId: 'A' })).toBe(DropFail.Taken);
  });
  it("the partner's own order or reservation: allowed; offline or faulted connector without one: Unavailable", () => {
    expect(dropDecision({ lock: raised, status: 4, holder: { OperatorID: 'A' }, operatorId: 'A' })).toBe(DropFail.None);
    expect(dropDecision({ lock: raised, status: 0, holder: undefined, operatorId: 'A' })).toBe(DropFail.Unavailable);
    expect(dropDecision({ lock: raised, status: 255, holder: undefined, operatorId: 'A' })).toBe(DropFail.Unavailable);
  });
  it('DropCode: six digits; the car has left when the connector is idle again', () => {
    for (const r of [0, 1, 899_999, 900_000, 2 ** 31 - 1, -5]) {
      const c = dropCodeFrom(r);
      expect(c).toBeGreaterThanOrEqual(100_000);
      expect(c).toBeLessThanOrEqual(999_999);
    }
    expect([0, 1, 2, 3, 4, 255].filter((s) => carLeft(s))).toEqual([1]);
    // the car left: the connector BECAME available; a change that keeps it available (the lock's own drop) is none
    expect([0, 2, 3, 4, 255].every((prev) => carLeft(1, prev))).toBe(true);
    expect(carLeft(1, 1)).toBe(false);
  });
});

describe('seed: ParkingSpaces, ParkingPolicy, CarParkGatewayUrl', () => {
  const [s] = fixture() as [Obj];
  const url = 'http://127.0.0.1:9110/carparks/FX0001/';
  const spaces = [
    { LockNum: 'L01', WorkplaceName: 'B1-017', ConnectorID: 'FX0001E01C1' },
    { LockNum: 'L02', WorkplaceName: 'B1-018', ConnectorID: 'FX0001E01C2' },
  ];
  it('valid settings are kept beside StationInfo, never in it', () => {
    const v = validateStations([
      { ...s, ParkingSpaces: spaces, ParkingPolicy: { FreeMinutes: 120, CapMinutes: 240 }, CarParkGatewayUrl: url },
    ]);
    expect(v.problems).toEqual([]);
    const parts = stationParts(v.stations[0]!);
    expect(parts.extensions).toMatchObject({
      ParkingSpaces: spaces,
      ParkingPolicy: { FreeMinutes: 120, CapMinutes: 240 },
      CarParkGatewayUrl: url,
    });
    expect(parts.info).not.toHaveProperty('ParkingSpaces');
    expect(parts.info).not.toHaveProperty('CarParkGatewayUrl');
  });
  it('every problem is reported with its path', () => {
    const v = validateStations([
      {
        ...s,
        ParkingSpaces: [spaces[0], { ...spaces[1], LockNum: 'L01' }, { LockNum: 'L03', WorkplaceName: '', ConnectorID: 'NOPE' }],
        ParkingPolicy: { FreeMinutes: 120, CapMinutes: 60, Extra: 1 },
      },
    ]);
    expect(v.problems).toEqual(
      expect.arrayContaining([
        'stations[0].ParkingSpaces[2].WorkplaceName: must not be empty',
        expect.stringMatching(/^stations\[0\]\.ParkingPolicy: .*Extra/),
      ]),
    );
    const v2 = validateStations([
      { ...s, ParkingSpaces: [spaces[0], { ...spaces[1], LockNum: 'L01' }], ParkingPolicy: { FreeMinutes: 120, CapMinutes: 60 } },
    ]);
    expect(v2.problems).toEqual(
      expect.arrayContaining([
        'stations[0].ParkingSpaces[1].LockNum: duplicate L01',
        'stations[0].ParkingPolicy.CapMinutes: CapMinutes (60) must be ≥ FreeMinutes (120)',
        'stations[0].CarParkGatewayUrl: required when the station lists ParkingSpaces or a ParkingPolicy',
      ]),
    );
    const v3 = validateStations([{ ...s, ParkingSpaces: [{ ...spaces[0], ConnectorID: 'FX0002E01C1' }], CarParkGatewayUrl: 'ftp://x' }]);
    expect(v3.problems).toEqual(
      expect.arrayContaining([
        'stations[0].ParkingSpaces[0].ConnectorID: FX0002E01C1 is not a connector of this station',
        'stations[0].CarParkGatewayUrl: must be an http(s) URL',
      ]),
    );
  });
  it('parkingSpacesProblems: one lock per connector', () => {
    expect(parkingSpacesProblems([spaces[0]!, { ...spaces[1]!, ConnectorID: 'FX0001E01C1' }], new Set(['FX0001E01C1']))).toEqual([
      { i: 1, msg: 'ConnectorID: FX0001E01C1 already has a lock' },
    ]);
  });
  it('the demo dataset has car parks, and they validate', () => {
    const demo = (JSON.parse(readFileSync('infra/local/seed/demo-seed.json', 'utf8')) as { stations: Obj[] }).stations;
    const parks = demo.filter((d) => d.ParkingSpaces);
    expect(parks.length).toBeGreaterThanOrEqual(10);
    expect(validateStations(parks).problems).toEqual([]);
  });
});
