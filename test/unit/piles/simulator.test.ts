/**
 * The pile simulator's state machine on a manual simulated clock: every delay, sample and stop is
 * driven by advance(), so these tests are deterministic and take no real time.
 */
import { describe, expect, it } from 'vitest';
import type { DetailOf } from '../../../events/define.ts';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged } from '../../../events/piles.ts';
import type { SimConnectorSpec } from '../../../infra/local/simulator/connectors.ts';
import type { SIM_CONTRACTS, SimEvent, SimEventType } from '../../../infra/local/simulator/outbox.ts';
import { PileSimulator, SimError, type VehicleOverride } from '../../../infra/local/simulator/simulator.ts';
import { statusVersion } from '../../../shared/domain/connector-status.ts';

const CONNECTORS: SimConnectorSpec[] = [
  { ConnectorID: 'DC01', EquipmentID: 'P1', StationID: 'S1', kind: 'dc', powerKw: 120 },
  { ConnectorID: 'DC02', EquipmentID: 'P1', StationID: 'S1', kind: 'dc', powerKw: 120 },
  { ConnectorID: 'AC01', EquipmentID: 'P2', StationID: 'S1', kind: 'ac', powerKw: 7 },
];
const T0 = Date.parse('2026-11-23T00:00:00Z');
const S = 1_000;
const MIN = 60 * S;

const setup = (extra: Partial<ConstructorParameters<typeof PileSimulator>[0]> = {}) => {
  const events: SimEvent[] = [];
  const sim = new PileSimulator({
    connectors: CONNECTORS,
    manualClock: true,
    startAt: T0,
    seed: 42,
    offlineRatePerHour: 0,
    faultRatePerHour: 0,
    seqBase: 0,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  sim.start();
  const of = <K extends SimEventType>(type: K, connectorId?: string): DetailOf<SIM_CONTRACTS[K]>[] =>
    events
      .filter((e) => e.type === type && (!connectorId || e.detail.ConnectorID === connectorId))
      .map((e) => e.detail as unknown as DetailOf<SIM_CONTRACTS[K]>);
  const start = (ConnectorID: string, seq: string) =>
    sim.command({ command: 'start', StartChargeSeq: seq, ConnectorID, requestedAt: new Date(sim.now()).toISOString() });
  const stop = (ConnectorID: string, seq: string) =>
    sim.command({ command: 'stop', StartChargeSeq: seq, ConnectorID, requestedAt: new Date(sim.now()).toISOString() });
  const statuses = (id: string) => of('PileStatusChanged', id).map((d) => d.status);
  return { sim, events, of, start, stop, statuses };
};

/** start a session and let the start be answered */
const charging = (t: ReturnType<typeof setup>, id: string, seq: string, vehicle?: VehicleOverride) => {
  if (vehicle) t.sim.setVehicle(id, vehicle);
  expect(t.start(id, seq)).toEqual({ taken: true });
  t.sim.advance(5 * S);
  expect(t.of('PileSessionStarted', id).at(-1)).toMatchObject({ StartChargeSeq: seq, accepted: true });
};

describe('announce and status reports', () => {
  it('a pile’s reports order correctly even when the clock stands still and its seq crosses a multiple of 1000', () => {
    // the platform orders reports by statusVersion (ms × 1000 + seq mod 1000): with the clock stopped,
    // seq 999 → 1000 would compare backwards unless each report carries a later millisecond
    const t = setup({ seqBase: 997 });
    t.sim.admin('DC01', 'plugged');
    t.sim.admin('DC01', 'idle');
    t.sim.admin('DC01', 'plugged');
    const reports = t.of('PileStatusChanged').filter((d) => d.ConnectorID !== 'AC01');
    expect(reports.map((d) => d.seq)).toEqual([998, 999, 1000, 1001, 1002]);
    const versions = reports.map((d) => statusVersion(d.observedAt, d.seq));
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1] as number);
  });

  it('reports every connector idle at start, each event valid against its contract', () => {
    const t = setup();
    expect(t.of('PileStatusChanged').map((d) => [d.ConnectorID, d.status, d.parkStatus, d.lockStatus])).toEqual([
      ['DC01', 1, 10, 10],
      ['DC02', 1, 10, 10],
      ['AC01', 1, 10, 10],
    ]);
    for (const d of t.of('PileStatusChanged')) expect(() => PileStatusChanged.detail.parse(d)).not.toThrow();
  });

  it('sequence numbers are per pile and strictly increasing; observedAt is simulated time', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    charging(t, 'DC02', 'SEQ2');
    t.sim.admin('DC01', 'fault');
    t.sim.admin('AC01', 'offline');
    const p1 = t.of('PileStatusChanged').filter((d) => d.ConnectorID.startsWith('DC'));
    const p2 = t.of('PileStatusChanged', 'AC01');
    expect(p1.length).toBeGreaterThan(4);
    for (let i = 1; i < p1.length; i++) expect(p1[i]!.seq).toBe(p1[i - 1]!.seq + 1);
    expect(p2.map((d) => d.seq)).toEqual([1, 2]);
    const times = p1.map((d) => Date.parse(d.observedAt));
    expect(times[0]).toBe(T0);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('a simulator with no announce reports nothing until something changes', () => {
    const t = setup({ announce: false });
    expect(t.events).toEqual([]);
    t.sim.admin('AC01', 'fault');
    expect(t.statuses('AC01')).toEqual([255]);
  });
});

describe('start', () => {
  it('is accepted after 2–5 s of simulated time; the idle connector is auto-plugged first (status 1 → 2 → 3)', () => {
    const t = setup();
    t.start('DC01', 'SEQ1');
    expect(t.statuses('DC01')).toEqual([1, 2]);
    t.sim.advance(2 * S - 1);
    expect(t.of('PileSessionStarted')).toEqual([]);
    t.sim.advance(3 * S + 1);
    const [started] = t.of('PileSessionStarted');
    expect(started).toMatchObject({ StartChargeSeq: 'SEQ1', ConnectorID: 'DC01', accepted: true });
    expect(() => PileSessionStarted.detail.parse(started)).not.toThrow();
    const delay = Date.parse(started!.at) - T0;
    expect(delay).toBeGreaterThanOrEqual(2 * S);
    expect(delay).toBeLessThanOrEqual(5 * S);
    expect(started!.meterStartWh).toBe(t.sim.get('DC01')!.meterWh);
    expect(t.statuses('DC01')).toEqual([1, 2, 3]);
    expect(t.of('PileStatusChanged', 'DC01').at(-1)).toMatchObject({ parkStatus: 50, lockStatus: 50 });
    expect(t.sim.get('DC01')).toMatchObject({ state: 'charging', session: { StartChargeSeq: 'SEQ1' } });
  });

  for (const state of ['offline', 'fault'] as const) {
    it(`is refused when the connector is ${state} (reason ${state})`, () => {
      const t = setup();
      t.sim.admin('DC01', state);
      t.start('DC01', 'SEQ1');
      t.sim.advance(5 * S);
      expect(t.of('PileSessionStarted')).toEqual([expect.objectContaining({ accepted: false, reason: state })]);
      expect(t.sim.get('DC01')!.session).toBeUndefined();
    });
  }

  it('is refused busy while another session runs, and while another start is pending', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    t.start('DC01', 'SEQ2');
    t.sim.advance(5 * S);
    expect(t.of('PileSessionStarted').at(-1)).toMatchObject({ StartChargeSeq: 'SEQ2', accepted: false, reason: 'busy' });

    t.start('AC01', 'A1');
    t.start('AC01', 'A2');
    t.sim.advance(5 * S);
    const answers = t.of('PileSessionStarted', 'AC01');
    expect(answers.find((a) => a.StartChargeSeq === 'A1')).toMatchObject({ accepted: true });
    expect(answers.find((a) => a.StartChargeSeq === 'A2')).toMatchObject({ accepted: false, reason: 'busy' });
  });

  it('is refused not-plugged when the connector was explicitly unplugged (no auto-plug)', () => {
    const t = setup();
    t.sim.admin('DC01', 'unplugged');
    t.start('DC01', 'SEQ1');
    expect(t.statuses('DC01')).toEqual([1]);
    t.sim.advance(5 * S);
    expect(t.of('PileSessionStarted')).toEqual([expect.objectContaining({ accepted: false, reason: 'not-plugged' })]);
    t.sim.admin('DC01', 'plugged');
    charging(t, 'DC01', 'SEQ2');
  });

  it('is refused in refuse mode; a duplicate StartChargeSeq gets one answer only', () => {
    const t = setup();
    t.sim.admin('DC01', 'refuse');
    t.start('DC01', 'SEQ1');
    expect(t.start('DC01', 'SEQ1')).toEqual({ taken: false, ignored: 'duplicate' });
    t.sim.advance(10 * S);
    expect(t.of('PileSessionStarted')).toEqual([expect.objectContaining({ StartChargeSeq: 'SEQ1', accepted: false, reason: 'refused' })]);
  });

  it('a silent connector never answers, however long one waits; normal mode answers again', () => {
    const t = setup();
    t.sim.admin('DC01', 'silent');
    expect(t.start('DC01', 'SEQ1')).toEqual({ taken: false, ignored: 'silent' });
    t.sim.advance(30 * MIN);
    expect(t.of('PileSessionStarted')).toEqual([]);
    expect(t.sim.get('DC01')!.state).toBe('idle');
    t.sim.admin('DC01', 'normal');
    charging(t, 'DC01', 'SEQ2');
  });

  it('an unknown connector is ignored', () => {
    const t = setup();
    expect(t.start('NOPE', 'SEQ1')).toEqual({ taken: false, ignored: 'unknown-connector' });
    expect(() => t.sim.admin('NOPE', 'fault')).toThrow(SimError);
  });
});

describe('meter values', () => {
  it('every 15 s: energy monotonic, SOC rising, DC power at the connector limit below 80 %, U × I ≈ P', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1', { socStart: 20, batteryKwh: 80, maxDcKw: 200 });
    t.sim.advance(10 * MIN);
    const mv = t.of('PileMeterValues', 'DC01');
    expect(mv.length).toBe(40);
    for (const m of mv) expect(() => PileMeterValues.detail.parse(m)).not.toThrow();
    const started = Date.parse(t.of('PileSessionStarted')[0]!.at);
    mv.forEach((m, i) => {
      expect(Date.parse(m.at) - started).toBe((i + 1) * 15 * S);
      if (i > 0) {
        expect(m.energyWh).toBeGreaterThan(mv[i - 1]!.energyWh);
        expect(m.soc).toBeGreaterThan(mv[i - 1]!.soc);
      }
      expect(m.powerKw).toBe(120);
      expect((m.voltageA * m.currentA) / 1000).toBeCloseTo(m.powerKw, 0);
    });
    // 10 minutes at 120 kW = 20 kWh; 20 kWh of 80 kWh = +25 % SOC
    expect(mv.at(-1)!.energyWh).toBe(20_000);
    expect(mv.at(-1)!.soc).toBeCloseTo(45, 1);
  });

  it('AC draws ~7 kW flat at 220 V', () => {
    const t = setup();
    charging(t, 'AC01', 'SEQ1', { socStart: 30, batteryKwh: 60 });
    t.sim.advance(60 * MIN);
    const mv = t.of('PileMeterValues', 'AC01');
    expect(mv.length).toBe(240);
    expect(new Set(mv.map((m) => m.powerKw))).toEqual(new Set([7]));
    expect(mv[0]).toMatchObject({ voltageA: 220, currentA: 31.8 });
    expect(mv.at(-1)!.energyWh).toBe(7_000);
  });
});

describe('metering as the platform sets it (issue 9 §2: MeterValueSampleInterval, ClockAlignedDataInterval)', () => {
  it('a reading every 50 s of session time and one on every half hour of China time, the register exact at the boundary', () => {
    const t = setup({ meterIntervalMs: 50 * S, clockAlignedMs: 30 * MIN });
    charging(t, 'DC01', 'SEQ1', { socStart: 20, batteryKwh: 200, maxDcKw: 120 });
    const started = Date.parse(t.of('PileSessionStarted')[0]!.at);
    t.sim.advance(40 * MIN);
    const mv = t.of('PileMeterValues', 'DC01');
    const times = mv.map((m) => Date.parse(m.at));
    // 08:30 China time = 00:30Z: the tariff-period boundary has its own reading
    const boundary = Date.parse('2026-11-23T00:30:00Z');
    expect(times).toContain(boundary);
    const sampled = times.filter((x) => x !== boundary);
    expect(sampled.map((x) => x - started)).toEqual(sampled.map((_, i) => (i + 1) * 50 * S));
    expect(sampled.length).toBe(Math.floor((t.sim.now().getTime() - started) / (50 * S)));
    // in time order, energy monotonic; the boundary's register is the energy at exactly that instant (120 kW flat)
    for (let i = 1; i < mv.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    const atBoundary = mv.find((m) => Date.parse(m.at) === boundary)!;
    expect(atBoundary.energyWh).toBe(Math.round((120_000 * (boundary - started)) / 3_600_000));
  });

  it('a pile configured mid-session samples at the new interval from its next reading; an unknown pile is refused', () => {
    const t = setup();
    charging(t, 'AC01', 'SEQ1', { socStart: 30, batteryKwh: 60 });
    t.sim.advance(30 * S); // two readings at 15 s
    expect(t.sim.configureMetering('P2', { sampleMs: 60 * S })).toBe(true);
    expect(t.sim.meteringOf('P2')).toEqual({ sampleMs: 60 * S, alignedMs: 0 });
    expect(t.sim.meteringOf('P1')).toEqual({ sampleMs: 15 * S, alignedMs: 0 });
    t.sim.advance(3 * MIN);
    const started = Date.parse(t.of('PileSessionStarted')[0]!.at);
    const offsets = t.of('PileMeterValues', 'AC01').map((m) => (Date.parse(m.at) - started) / S);
    // 15, 30 (old interval), 45 (already scheduled), then every 60 s
    expect(offsets).toEqual([15, 30, 45, 105, 165]);
    expect(t.sim.configureMetering('NOPE', { sampleMs: S })).toBe(false);
  });

  it('a sampled and an aligned reading at the same instant are one reading', () => {
    // starts at T0 + 2–5 s; sampled every 1 s lands on the aligned minute too
    const t = setup({ meterIntervalMs: S, clockAlignedMs: MIN });
    charging(t, 'AC01', 'SEQ1', { socStart: 30, batteryKwh: 60 });
    t.sim.advance(2 * MIN);
    const times = t.of('PileMeterValues', 'AC01').map((m) => m.at);
    expect(new Set(times).size).toBe(times.length);
    expect(times).toContain('2026-11-23T00:01:00.000Z');
  });
});

describe('stops', () => {
  it('BMS full: DC tapers above 80 % and the pile stops itself (cause bms-full); the driver leaves later', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1', { socStart: 70, batteryKwh: 50, maxDcKw: 100 });
    t.sim.advance(3 * 60 * MIN);
    const mv = t.of('PileMeterValues', 'DC01');
    const stopped = t.of('PileSessionStopped', 'DC01');
    expect(stopped).toEqual([expect.objectContaining({ StartChargeSeq: 'SEQ1', cause: 'bms-full' })]);
    expect(() => PileSessionStopped.detail.parse(stopped[0])).not.toThrow();
    // 30 % of 50 kWh
    expect(stopped[0]!.energyWh).toBe(15_000);
    expect(stopped[0]!.energyWh).toBeGreaterThanOrEqual(mv.at(-1)!.energyWh);
    const high = mv.filter((m) => m.soc > 85);
    expect(high.length).toBeGreaterThan(0);
    for (const m of high) expect(m.powerKw).toBeLessThan(100);
    expect(mv.filter((m) => m.soc < 79).every((m) => m.powerKw === 100)).toBe(true);
    // charging → plugged → (driver leaves within 5 min) idle
    expect(t.statuses('DC01').slice(-3)).toEqual([3, 2, 1]);
    expect(t.sim.get('DC01')!.meterWh).toBe(t.of('PileSessionStarted')[0]!.meterStartWh! + 15_000);
  });

  it('remote stop: answered after 1–3 s with cause remote and the energy so far; a second stop re-sends it', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1', { socStart: 10, batteryKwh: 80 });
    t.sim.advance(5 * MIN);
    const sentAt = t.sim.now().getTime();
    expect(t.stop('DC01', 'SEQ1')).toEqual({ taken: true });
    t.sim.advance(999);
    expect(t.of('PileSessionStopped')).toEqual([]);
    t.sim.advance(2 * S + 1);
    const [stopped] = t.of('PileSessionStopped');
    expect(stopped).toMatchObject({ cause: 'remote', StartChargeSeq: 'SEQ1' });
    const delay = Date.parse(stopped!.at) - sentAt;
    expect(delay).toBeGreaterThanOrEqual(S);
    expect(delay).toBeLessThanOrEqual(3 * S);
    expect(stopped!.energyWh).toBeGreaterThan(t.of('PileMeterValues').at(-1)!.energyWh);
    expect(t.statuses('DC01').at(-1)).toBe(2);
    const metersAfter = t.of('PileMeterValues').length;
    t.sim.advance(MIN);
    expect(t.of('PileMeterValues').length).toBe(metersAfter);

    t.stop('DC01', 'SEQ1');
    t.sim.advance(3 * S);
    const again = t.of('PileSessionStopped');
    expect(again).toHaveLength(2);
    expect(again[1]).toEqual(again[0]);
  });

  it('a stop that arrives before the start was answered: the pile starts, then stops', () => {
    const t = setup();
    t.start('DC01', 'SEQ1');
    expect(t.stop('DC01', 'SEQ1')).toEqual({ taken: true });
    t.sim.advance(10 * S);
    expect(t.of('PileSessionStarted')).toEqual([expect.objectContaining({ accepted: true })]);
    expect(t.of('PileSessionStopped')).toEqual([expect.objectContaining({ cause: 'remote' })]);
  });

  it('a stop for a session the pile never had is ignored', () => {
    const t = setup();
    expect(t.stop('DC01', 'GHOST')).toEqual({ taken: false, ignored: 'no-such-session' });
    t.sim.advance(MIN);
    expect(t.of('PileSessionStopped')).toEqual([]);
  });

  it('unplug while charging: cause unplugged, connector idle, next start refused not-plugged', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    t.sim.advance(MIN);
    t.sim.admin('DC01', 'unplugged');
    expect(t.of('PileSessionStopped')).toEqual([expect.objectContaining({ cause: 'unplugged' })]);
    expect(t.statuses('DC01').at(-1)).toBe(1);
    t.start('DC01', 'SEQ2');
    t.sim.advance(5 * S);
    expect(t.of('PileSessionStarted').at(-1)).toMatchObject({ accepted: false, reason: 'not-plugged' });
  });

  it('local stop by the driver: cause local, vehicle still plugged; local-stop when idle is a 409', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    t.sim.advance(MIN);
    t.sim.admin('DC01', 'local-stop');
    expect(t.of('PileSessionStopped')).toEqual([expect.objectContaining({ cause: 'local' })]);
    expect(t.statuses('DC01').at(-1)).toBe(2);
    expect(() => t.sim.admin('AC01', 'local-stop')).toThrow(expect.objectContaining({ status: 409 }));
  });

  it('fault while charging: cause fault, status 255; no more meter values', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    t.sim.advance(MIN);
    t.sim.admin('DC01', 'fault');
    expect(t.of('PileSessionStopped')).toEqual([expect.objectContaining({ cause: 'fault' })]);
    expect(t.statuses('DC01').at(-1)).toBe(255);
    const n = t.of('PileMeterValues').length;
    t.sim.advance(10 * MIN);
    expect(t.of('PileMeterValues').length).toBe(n);
  });

  it('offline while charging: status 0 at once, the stop (cause fault) is reported when the pile is back', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    t.sim.advance(MIN);
    t.sim.admin('DC01', 'offline');
    expect(t.statuses('DC01').at(-1)).toBe(0);
    expect(t.of('PileSessionStopped')).toEqual([]);
    t.sim.advance(10 * MIN);
    t.sim.admin('DC01', 'idle');
    expect(t.statuses('DC01').at(-1)).toBe(1);
    const stopped = t.of('PileSessionStopped');
    expect(stopped).toEqual([expect.objectContaining({ cause: 'fault', StartChargeSeq: 'SEQ1' })]);
    // the stop carries the instant the pile went offline, not the reconnection
    expect(Date.parse(stopped[0]!.at)).toBeLessThan(t.sim.now().getTime() - 9 * MIN);
  });

  it('plugged is refused while charging (409)', () => {
    const t = setup();
    charging(t, 'DC01', 'SEQ1');
    expect(() => t.sim.admin('DC01', 'plugged')).toThrow(expect.objectContaining({ status: 409 }));
  });
});

describe('random outages', () => {
  it('with rates set, piles go offline / faulty and recover; with rates 0 nothing happens', () => {
    const quiet = setup();
    quiet.sim.advance(48 * 60 * MIN);
    expect(quiet.of('PileStatusChanged').length).toBe(3);

    const noisy = setup({ offlineRatePerHour: 2, faultRatePerHour: 2 });
    noisy.sim.advance(24 * 60 * MIN);
    const all = noisy.of('PileStatusChanged').map((d) => d.status);
    expect(all).toContain(0);
    expect(all).toContain(255);
    // every outage ends: after recovery the connectors are idle again at some point
    expect(all.filter((s) => s === 1).length).toBeGreaterThan(3);
  });

  it('is deterministic for a given PRNG seed', () => {
    const a = setup({ offlineRatePerHour: 1, faultRatePerHour: 1, seed: 7 });
    const b = setup({ offlineRatePerHour: 1, faultRatePerHour: 1, seed: 7 });
    a.sim.advance(12 * 60 * MIN);
    b.sim.advance(12 * 60 * MIN);
    expect(a.events).toEqual(b.events);
  });
});
