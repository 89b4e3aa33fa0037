/** The simulator's clock: one min-heap of tasks over simulated time. */
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../infra/local/simulator/clock.ts';
import { connectorsFromStations } from '../../../infra/local/simulator/connectors.ts';
import { integrate, powerAt } from '../../../infra/local/simulator/physics.ts';

describe('SimClock (manual)', () => {
  it('runs tasks in time order (ties in scheduling order), each at its own instant, skipping cancelled ones', () => {
    const c = new SimClock({ speed: 1, manual: true, startAt: 0 });
    const ran: [string, number, number][] = [];
    const log = (name: string) => (at: number) => ran.push([name, at, c.now()]);
    c.at(300, log('c'));
    c.at(100, log('a'));
    c.at(100, log('a2'));
    const x = c.at(200, log('x'));
    c.at(250, (at) => {
      log('b')(at);
      c.after(10, log('b+10'));
    });
    x.cancel();
    c.advance(299);
    expect(ran).toEqual([
      ['a', 100, 100],
      ['a2', 100, 100],
      ['b', 250, 250],
      ['b+10', 260, 260],
    ]);
    expect(c.now()).toBe(299);
    c.advance(1);
    expect(ran.at(-1)).toEqual(['c', 300, 300]);
  });

  it('handles many tasks in order (heap property)', () => {
    const c = new SimClock({ speed: 1, manual: true, startAt: 0 });
    const seen: number[] = [];
    const times = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 10007);
    for (const t of times) c.at(t, (at) => seen.push(at));
    c.advance(20_000);
    expect(seen).toEqual([...times].sort((a, b) => a - b));
  });

  it('refuses a non-positive speed', () => {
    expect(() => new SimClock({ speed: 0 })).toThrow(/simSpeed/);
  });
});

describe('SimClock (real time)', () => {
  it('at high speed, a task an hour of simulated time away runs (at its scheduled simulated instant)', async () => {
    const c = new SimClock({ speed: 3_600_000, startAt: 0 });
    const at = await new Promise<number>((resolve) => c.after(3_600_000, resolve));
    expect(at).toBeGreaterThanOrEqual(3_600_000);
    expect(c.now()).toBeGreaterThanOrEqual(3_600_000);
    c.stop();
  });
});

describe('physics and seed reading', () => {
  const vehicle = { batteryKwh: 60, socStart: 20, targetSoc: 100, maxDcKw: 150 };
  it('DC is flat at min(connector, vehicle) up to 80 % and tapers to the floor; AC is 7 kW', () => {
    expect(powerAt('dc', 120, vehicle, 50)).toBe(120);
    expect(powerAt('dc', 250, vehicle, 50)).toBe(150);
    expect(powerAt('dc', 120, vehicle, 90)).toBeCloseTo(60);
    expect(powerAt('dc', 120, vehicle, 99.9)).toBeCloseTo(12);
    expect(powerAt('ac', 7, vehicle, 50)).toBe(7);
    expect(powerAt('ac', 7, vehicle, 100)).toBe(0);
  });
  it('integration conserves energy: Wh delivered = SOC gained × capacity', () => {
    const r = integrate('dc', 120, vehicle, 20, 20 * 60_000);
    expect(r.wh).toBeCloseTo(((r.soc - 20) / 100) * 60_000, 6);
    const full = integrate('dc', 120, vehicle, 95, 3_600_000);
    expect(full.full).toBe(true);
    expect(full.soc).toBe(100);
    expect(full.wh).toBeCloseTo(3_000, 6);
    expect(full.elapsedMs).toBeLessThan(3_600_000);
  });
  it('reads every connector of the seed stations, DC/AC by EquipmentType (and ConnectorType 4 on AC/DC equipment)', () => {
    const specs = connectorsFromStations([
      {
        StationID: 'S1',
        EquipmentInfos: [
          { EquipmentID: 'E1', EquipmentType: 1, Power: 120, ConnectorInfos: [{ ConnectorID: 'C1', Power: 120, ConnectorType: 4 }] },
          { EquipmentID: 'E2', EquipmentType: 2, Power: 7, ConnectorInfos: [{ ConnectorID: 'C2', Power: 7, ConnectorType: 3 }] },
          {
            EquipmentID: 'E3',
            EquipmentType: 3,
            Power: 60,
            ConnectorInfos: [
              { ConnectorID: 'C3', Power: 60, ConnectorType: 4 },
              { ConnectorID: 'C4', ConnectorType: 3 },
            ],
          },
        ],
      },
      { nonsense: true },
    ]);
    expect(specs.map((s) => [s.ConnectorID, s.EquipmentID, s.kind, s.powerKw])).toEqual([
      ['C1', 'E1', 'dc', 120],
      ['C2', 'E2', 'ac', 7],
      ['C3', 'E3', 'dc', 60],
      ['C4', 'E3', 'ac', 60],
    ]);
  });
});
