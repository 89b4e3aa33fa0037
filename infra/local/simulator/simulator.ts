/**
 * The pile simulator: every seeded connector as a small state machine on simulated time.
 *
 *   state      Status  park/lock   how it is left
 *   offline    0       0/0         admin `idle|plugged|unplugged`, or recovery after a random outage
 *   fault      255     0/10        admin `idle|plugged|unplugged`, or recovery after a random fault
 *   idle       1       10/10       a start command (auto-plug, unless set `unplugged`), admin
 *   plugged    2       50/10       an accepted start; the driver leaves after 1–5 simulated minutes
 *   charging   3       50/50       remote stop, BMS full, unplug, local stop, fault, offline
 *
 * Commands (start/stop, as the pile gateway hands them over):
 *   - start: answered after 2–5 s (simulated) with PileSessionStarted — accepted, or refused with
 *     `offline` | `fault` | `busy` (another session running or claimed) | `not-plugged` |
 *     `refused` (the connector is in `refuse` mode). A duplicate of a pending/running/finished
 *     StartChargeSeq is ignored (delivery is at-least-once).
 *   - stop: answered after 1–3 s with PileSessionStopped cause `remote`. A stop that arrives
 *     before the start was answered is applied right after the start; a stop of a session already
 *     finished re-sends its PileSessionStopped (same cause, energy); an unknown one is ignored.
 *   - a connector in `silent` mode ignores every command (the "pile never answers" case).
 *   - reserve / cancel (the reservation extension): an idle connector held for a reservation
 *     reports Status 4 until it lapses or is cancelled; a start on it uses the reservation.
 * A running session sends PileMeterValues every 15 s of session time (simulated; a pile's own
 * default, `meterIntervalMs`) and, when a clock-aligned interval is set (`clockAlignedMs`), on every
 * multiple of it since China-time midnight — what OCPP's MeterValueSampleInterval and
 * ClockAlignedDataInterval say; the OCPP gateway sets both per pile after its boot
 * (`configureMetering`, issue 9 §2). It ends with `bms-full` when the
 * vehicle's BMS reaches its target SOC, `unplugged`, `local`, or `fault`. A pile that goes
 * offline mid-session stops charging and reports the stop (cause `fault`) when it is back online.
 *
 * Every change of (status, park, lock) is reported with PileStatusChanged: observedAt in
 * simulated time and a per-pile (EquipmentID) sequence number that only grows (it starts at the
 * real epoch ms when the simulator starts, so a restarted simulator never reuses an older one).
 */

import type { ConnectorStatus, StopCause } from '../../../events/piles.ts';
import { nextAligned } from '../../../shared/domain/metering.ts';
import type { PileCommand, PileReservation } from '../../../shared/piles/transport.ts';
import { SimClock, type TimerHandle } from './clock.ts';
import type { SimConnectorSpec } from './connectors.ts';
import { Outbox, type SimEvent, type Sink } from './outbox.ts';
import { electricalAt, integrate, type Kind, powerAt, round1, type Vehicle } from './physics.ts';

export type SimState = 'offline' | 'fault' | 'idle' | 'plugged' | 'charging';
type SimMode = 'normal' | 'silent' | 'refuse';
type RefuseReason = 'offline' | 'fault' | 'busy' | 'not-plugged' | 'refused';

/** what the admin endpoint can ask for */
export type AdminState = 'offline' | 'fault' | 'idle' | 'plugged' | 'unplugged' | 'local-stop' | SimMode;
export const ADMIN_STATES: readonly AdminState[] = [
  'offline',
  'fault',
  'idle',
  'plugged',
  'unplugged',
  'local-stop',
  'normal',
  'silent',
  'refuse',
];

export interface VehicleOverride {
  socStart?: number;
  batteryKwh?: number;
  targetSoc?: number;
  maxDcKw?: number;
}

export interface SimulatorOptions {
  connectors: readonly SimConnectorSpec[];
  /** N × real time (default 1) */
  simSpeed?: number;
  /** simulated epoch ms at start (default now) */
  startAt?: number;
  /** time moves only through advance() (unit tests) */
  manualClock?: boolean;
  /** where events go (the bus); none = only `onEvent` listeners */
  sink?: Sink;
  /** synchronous listener of every event, in emission order */
  onEvent?: (e: SimEvent) => void;
  /** PRNG seed (default random) */
  seed?: number;
  /** random pile outages per pile per simulated hour (default 0.01) */
  offlineRatePerHour?: number;
  /** random connector faults per connector per simulated hour (default 0.005) */
  faultRatePerHour?: number;
  /** first per-pile sequence number (default the real epoch ms) */
  seqBase?: number;
  /** report every connector's status at start (default true), like piles connecting */
  announce?: boolean;
  /** the driver unplugs 1–5 simulated minutes after a session (default true) */
  autoUnplug?: boolean;
  /** meter sample interval, simulated ms (default 15 000; OCPP MeterValueSampleInterval) */
  meterIntervalMs?: number;
  /** clock-aligned reading interval, simulated ms (default 0: none; OCPP ClockAlignedDataInterval) */
  clockAlignedMs?: number;
  log?: (line: string) => void;
}

interface SessionView {
  StartChargeSeq: string;
  startedAt: string;
  energyWh: number;
  soc: number;
  powerKw: number;
  batteryKwh: number;
  socStart: number;
  targetSoc: number;
  stopping: boolean;
}

export interface ConnectorView {
  ConnectorID: string;
  EquipmentID: string;
  StationID: string;
  kind: Kind;
  powerKw: number;
  state: SimState;
  status: ConnectorStatus;
  parkStatus: 0 | 10 | 50;
  lockStatus: 0 | 10 | 50;
  mode: SimMode;
  /** set explicitly unplugged: a start is refused `not-plugged` instead of auto-plugging */
  unplugged: boolean;
  /** held by the admin (no random recovery, no auto-unplug) */
  held: boolean;
  /** lifetime meter register, Wh */
  meterWh: number;
  /** StartChargeSeq of a start received and not answered yet */
  pendingStart?: string;
  session?: SessionView;
  lastStopped?: { StartChargeSeq: string; cause: StopCause; energyWh: number; at: string };
}

export class SimError extends Error {
  constructor(
    readonly status: 404 | 409 | 400,
    message: string,
  ) {
    super(message);
  }
}

export interface CommandReceipt {
  /** taken for processing (an answer will follow unless the connector is silent) */
  taken: boolean;
  /** why not */
  ignored?: 'unknown-connector' | 'silent' | 'duplicate' | 'no-such-session' | 'busy';
}

interface Session {
  seq: string;
  startedAt: number;
  vehicle: Vehicle;
  wh: number;
  soc: number;
  lastAt: number;
  meterStartWh: number;
  meterTimer?: TimerHandle;
  alignedTimer?: TimerHandle;
  /** the instant of the last reading sent (a sampled and an aligned one at the same instant are one reading) */
  lastReadingAt?: number;
  stopping: boolean;
}

interface Conn {
  spec: SimConnectorSpec;
  state: SimState;
  mode: SimMode;
  unplugged: boolean;
  held: boolean;
  meterWh: number;
  session?: Session;
  /** the start that owns the connector while it is being answered */
  claim?: string;
  /** stop received for the claimed start */
  stopAfterStart: boolean;
  /** every start seq seen and not yet answered (duplicates are ignored) */
  pending: Set<string>;
  lastStopped?: { StartChargeSeq: string; cause: StopCause; energyWh: number; at: number };
  vehicle?: VehicleOverride;
  /** events held while the pile is offline */
  buffered: SimEvent[];
  reported?: { status: ConnectorStatus; park: 0 | 10 | 50; lock: 0 | 10 | 50 };
  autoTimer?: TimerHandle;
  /** held for a reservation (extension): an idle connector then reports Status 4 until it lapses */
  reservation?: { seq: string; timer: TimerHandle };
}

/** mulberry32: small, seedable, good enough for a simulation */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const STATUS: Record<SimState, ConnectorStatus> = { offline: 0, fault: 255, idle: 1, plugged: 2, charging: 3 };
const PARK: Record<SimState, 0 | 10 | 50> = { offline: 0, fault: 0, idle: 10, plugged: 50, charging: 50 };
const LOCK: Record<SimState, 0 | 10 | 50> = { offline: 0, fault: 10, idle: 10, plugged: 10, charging: 50 };

/** an idle connector held for a reservation reports 4 (reserved) */
const statusOf = (c: Conn): ConnectorStatus => (c.reservation && c.state === 'idle' ? 4 : STATUS[c.state]);

const iso = (ms: number): string => new Date(Math.round(ms)).toISOString();

export class PileSimulator {
  readonly clock: SimClock;
  private readonly conns = new Map<string, Conn>();
  private readonly piles = new Map<string, { seq: number; lastReportAt: number; connectors: Conn[] }>();
  private readonly rnd: () => number;
  private readonly outbox: Outbox | undefined;
  /** each pile's metering (EquipmentID → intervals, ms), as its configuration says */
  private readonly metering = new Map<string, { sampleMs: number; alignedMs: number }>();
  private readonly log: (line: string) => void;
  private started = false;

  constructor(private readonly o: SimulatorOptions) {
    this.log = o.log ?? (() => {});
    this.clock = new SimClock({
      speed: o.simSpeed ?? 1,
      ...(o.startAt !== undefined ? { startAt: o.startAt } : {}),
      manual: o.manualClock ?? false,
      onError: (err) => this.log(`[pile-sim] task failed: ${err instanceof Error ? err.stack : String(err)}`),
    });
    this.rnd = prng(o.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.outbox = o.sink ? new Outbox(o.sink, this.log) : undefined;
    const seqBase = o.seqBase ?? Date.now();
    for (const spec of o.connectors) {
      const c: Conn = {
        spec,
        state: 'idle',
        mode: 'normal',
        unplugged: false,
        held: false,
        meterWh: Math.floor(this.rnd() * 5_000_000),
        stopAfterStart: false,
        pending: new Set(),
        buffered: [],
      };
      this.conns.set(spec.ConnectorID, c);
      let pile = this.piles.get(spec.EquipmentID);
      if (!pile) {
        pile = { seq: seqBase, lastReportAt: 0, connectors: [] };
        this.piles.set(spec.EquipmentID, pile);
      }
      pile.connectors.push(c);
      if (!this.metering.has(spec.EquipmentID))
        this.metering.set(spec.EquipmentID, { sampleMs: o.meterIntervalMs ?? 15_000, alignedMs: o.clockAlignedMs ?? 0 });
    }
  }

  /** report every connector (unless `announce: false`) and schedule random outages */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.o.announce ?? true) for (const c of this.conns.values()) this.report(c, this.clock.now());
    for (const [id] of this.piles) this.scheduleOutage(id);
    for (const c of this.conns.values()) this.scheduleFault(c);
  }

  /** simulated now */
  now(): Date {
    return new Date(this.clock.now());
  }

  /** manual clock only: move simulated time forward */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** pile events waiting in the outbox, not yet handed to the platform */
  outboxPending(): number {
    return this.outbox?.pending() ?? 0;
  }

  /** resolves when every event so far has left for the sink */
  async flush(): Promise<void> {
    await this.outbox?.flush();
  }

  async stop(): Promise<void> {
    this.clock.stop();
    await this.flush();
  }

  size(): number {
    return this.conns.size;
  }

  get(connectorId: string): ConnectorView | undefined {
    const c = this.conns.get(connectorId);
    return c ? this.view(c) : undefined;
  }

  list(): ConnectorView[] {
    return [...this.conns.values()].map((c) => this.view(c));
  }

  /** the vehicle of the next session on this connector (tests: short, predictable sessions) */
  setVehicle(connectorId: string, vehicle: VehicleOverride | undefined): void {
    const c = this.must(connectorId);
    c.vehicle = vehicle;
  }

  // ───────────────────────────── commands ─────────────────────────────

  command(cmd: PileCommand): CommandReceipt {
    const c = this.conns.get(cmd.ConnectorID);
    if (!c) {
      this.log(`[pile-sim] ${cmd.command} for unknown connector ${cmd.ConnectorID} ignored`);
      return { taken: false, ignored: 'unknown-connector' };
    }
    if (c.mode === 'silent') return { taken: false, ignored: 'silent' };
    return cmd.command === 'start' ? this.onStart(c, cmd.StartChargeSeq) : this.onStop(c, cmd.StartChargeSeq);
  }

  /**
   * A reservation (extension), as a charge point takes OCPP ReserveNow / CancelReservation: reserve
   * holds an idle connector (Status 4) until `expiresAt` (measured from `requestedAt` on the
   * simulated clock), then frees it; cancel frees it at once. A reserve for a connector that is not
   * idle is ignored (the platform only reserves idle connectors; the pile's report decides).
   */
  reserve(cmd: PileReservation): CommandReceipt {
    const c = this.conns.get(cmd.ConnectorID);
    if (!c) return { taken: false, ignored: 'unknown-connector' };
    if (c.mode === 'silent') return { taken: false, ignored: 'silent' };
    const now = this.clock.now();
    if (cmd.command === 'cancel') {
      if (c.reservation?.seq !== cmd.ReserveSeq) return { taken: false, ignored: 'no-such-session' };
      this.release(c, now);
      return { taken: true };
    }
    if (c.reservation?.seq === cmd.ReserveSeq) return { taken: false, ignored: 'duplicate' };
    if (c.state !== 'idle' || c.reservation || c.session || c.claim !== undefined) return { taken: false, ignored: 'busy' };
    const holdMs = Math.max(0, Date.parse(cmd.expiresAt ?? cmd.requestedAt) - Date.parse(cmd.requestedAt));
    const seq = cmd.ReserveSeq;
    const timer = this.clock.after(holdMs, (at) => {
      if (c.reservation?.seq === seq) this.release(c, at);
    });
    c.reservation = { seq, timer };
    this.report(c, now);
    return { taken: true };
  }

  private release(c: Conn, at: number): void {
    c.reservation?.timer.cancel();
    c.reservation = undefined;
    this.report(c, at);
  }

  private onStart(c: Conn, seq: string): CommandReceipt {
    if (c.pending.has(seq) || c.session?.seq === seq || c.lastStopped?.StartChargeSeq === seq)
      return { taken: false, ignored: 'duplicate' };
    c.pending.add(seq);
    const now = this.clock.now();
    // the platform sends a start on a reserved connector only for the reserving partner: it uses the reservation
    if (c.reservation) this.release(c, now);
    if (!c.session && c.claim === undefined) {
      c.claim = seq;
      // the driver plugged in before asking
      if (c.state === 'idle' && !c.unplugged && c.mode === 'normal') this.setState(c, 'plugged', now);
    }
    this.clock.after(this.between(2_000, 5_000), (at) => this.answerStart(c, seq, at));
    return { taken: true };
  }

  private answerStart(c: Conn, seq: string, at: number): void {
    c.pending.delete(seq);
    const owner = c.claim === seq;
    if (owner) c.claim = undefined;
    const reason: RefuseReason | undefined =
      c.state === 'offline'
        ? 'offline'
        : c.state === 'fault'
          ? 'fault'
          : c.mode === 'refuse'
            ? 'refused'
            : c.session || !owner
              ? 'busy'
              : c.state !== 'plugged'
                ? 'not-plugged'
                : undefined;
    if (reason) {
      if (owner) c.stopAfterStart = false;
      this.emit(c, {
        type: 'PileSessionStarted',
        detail: { StartChargeSeq: seq, ConnectorID: c.spec.ConnectorID, accepted: false, reason, at: iso(at) },
      });
      return;
    }
    const ov = c.vehicle ?? {};
    const vehicle: Vehicle = {
      batteryKwh: ov.batteryKwh ?? this.between(50, 80),
      socStart: ov.socStart ?? this.between(10, 40),
      targetSoc: ov.targetSoc ?? 100,
      maxDcKw: ov.maxDcKw ?? this.between(60, 250),
    };
    c.autoTimer?.cancel();
    const s: Session = { seq, startedAt: at, vehicle, wh: 0, soc: vehicle.socStart, lastAt: at, meterStartWh: c.meterWh, stopping: false };
    c.session = s;
    this.emit(c, {
      type: 'PileSessionStarted',
      detail: { StartChargeSeq: seq, ConnectorID: c.spec.ConnectorID, accepted: true, at: iso(at), meterStartWh: c.meterWh },
    });
    this.setState(c, 'charging', at);
    this.scheduleMeter(c, s, at);
    if (c.stopAfterStart) {
      c.stopAfterStart = false;
      this.scheduleRemoteStop(c, s);
    }
  }

  private onStop(c: Conn, seq: string): CommandReceipt {
    if (c.session?.seq === seq) {
      if (c.session.stopping) return { taken: false, ignored: 'duplicate' };
      this.scheduleRemoteStop(c, c.session);
      return { taken: true };
    }
    if (c.claim === seq) {
      c.stopAfterStart = true;
      return { taken: true };
    }
    const last = c.lastStopped;
    if (last?.StartChargeSeq === seq) {
      this.clock.after(this.between(1_000, 3_000), () =>
        this.emit(c, {
          type: 'PileSessionStopped',
          detail: { StartChargeSeq: seq, ConnectorID: c.spec.ConnectorID, cause: last.cause, at: iso(last.at), energyWh: last.energyWh },
        }),
      );
      return { taken: true };
    }
    this.log(`[pile-sim] stop ${seq} on ${c.spec.ConnectorID}: no such session, ignored`);
    return { taken: false, ignored: 'no-such-session' };
  }

  private scheduleRemoteStop(c: Conn, s: Session): void {
    s.stopping = true;
    this.clock.after(this.between(1_000, 3_000), (at) => {
      if (c.session === s) this.finish(c, 'remote', at, 'plugged');
    });
  }

  // ───────────────────────────── sessions ─────────────────────────────

  /**
   * Set a pile's metering (OCPP ChangeConfiguration of MeterValueSampleInterval /
   * ClockAlignedDataInterval, in ms; 0 aligned = none). Running sessions take it from their next
   * reading. False for a pile the simulator does not have.
   */
  configureMetering(equipmentId: string, m: { sampleMs?: number; alignedMs?: number }): boolean {
    const cur = this.metering.get(equipmentId);
    if (!cur) return false;
    const next = { sampleMs: m.sampleMs ?? cur.sampleMs, alignedMs: m.alignedMs ?? cur.alignedMs };
    this.metering.set(equipmentId, next);
    this.log(`[pile-sim] ${equipmentId} metering: every ${next.sampleMs / 1000} s, aligned ${next.alignedMs / 1000} s`);
    for (const c of this.piles.get(equipmentId)?.connectors ?? []) {
      const s = c.session;
      if (s && m.alignedMs !== undefined && m.alignedMs !== cur.alignedMs) {
        s.alignedTimer?.cancel();
        this.scheduleAligned(c, s, this.clock.now());
      }
    }
    return true;
  }

  /** a pile's metering: intervals in ms */
  meteringOf(equipmentId: string): { sampleMs: number; alignedMs: number } | undefined {
    const m = this.metering.get(equipmentId);
    return m ? { ...m } : undefined;
  }

  private meteringFor(c: Conn): { sampleMs: number; alignedMs: number } {
    return this.metering.get(c.spec.EquipmentID) ?? { sampleMs: 15_000, alignedMs: 0 };
  }

  private scheduleMeter(c: Conn, s: Session, from: number): void {
    s.meterTimer = this.clock.at(from + this.meteringFor(c).sampleMs, (at) => {
      if (c.session !== s) return;
      if (this.reading(c, s, at)) this.scheduleMeter(c, s, at);
    });
    if (!s.alignedTimer) this.scheduleAligned(c, s, from);
  }

  /** the session's clock-aligned readings (none when the pile's aligned interval is 0) */
  private scheduleAligned(c: Conn, s: Session, from: number): void {
    const every = this.meteringFor(c).alignedMs;
    if (every <= 0) return;
    s.alignedTimer = this.clock.at(nextAligned(from, every), (at) => {
      if (c.session !== s) return;
      if (this.reading(c, s, at)) this.scheduleAligned(c, s, at);
    });
  }

  /** one reading at `at` (integrated up to it); false when the BMS reached its target and the session ended */
  private reading(c: Conn, s: Session, at: number): boolean {
    const full = this.charge(c, s, at);
    if (full !== undefined) {
      this.finish(c, 'bms-full', full, 'plugged');
      return false;
    }
    if (s.lastReadingAt !== at) this.emitMeter(c, s, at);
    s.lastReadingAt = at;
    return true;
  }

  /** integrate the session up to `at`; returns the instant the BMS reached its target, if it did */
  private charge(c: Conn, s: Session, at: number): number | undefined {
    if (at <= s.lastAt) return undefined;
    const r = integrate(c.spec.kind, c.spec.powerKw, s.vehicle, s.soc, at - s.lastAt);
    s.wh += r.wh;
    s.soc = r.soc;
    const reached = r.full ? s.lastAt + r.elapsedMs : undefined;
    s.lastAt = reached ?? at;
    return reached;
  }

  private emitMeter(c: Conn, s: Session, at: number): void {
    const powerKw = round1(powerAt(c.spec.kind, c.spec.powerKw, s.vehicle, s.soc));
    const el = electricalAt(c.spec.kind, powerKw, s.soc);
    this.emit(c, {
      type: 'PileMeterValues',
      detail: {
        StartChargeSeq: s.seq,
        ConnectorID: c.spec.ConnectorID,
        at: iso(at),
        energyWh: Math.round(s.wh),
        powerKw,
        currentA: el.currentA,
        voltageA: el.voltageA,
        soc: Math.min(100, round1(s.soc)),
      },
    });
  }

  /** end the session at `at` with `cause`; the connector moves to `next` */
  private finish(c: Conn, cause: StopCause, at: number, next: SimState): void {
    const s = c.session;
    if (!s) return;
    if (cause !== 'bms-full') this.charge(c, s, at);
    s.meterTimer?.cancel();
    s.alignedTimer?.cancel();
    c.session = undefined;
    const energyWh = Math.round(s.wh);
    c.meterWh = s.meterStartWh + energyWh;
    c.lastStopped = { StartChargeSeq: s.seq, cause, energyWh, at };
    this.emit(c, {
      type: 'PileSessionStopped',
      detail: { StartChargeSeq: s.seq, ConnectorID: c.spec.ConnectorID, cause, at: iso(at), energyWh },
    });
    this.setState(c, next, at);
    if (next === 'plugged') this.scheduleDriverLeaves(c);
  }

  private scheduleDriverLeaves(c: Conn): void {
    if (this.o.autoUnplug === false || c.held) return;
    c.autoTimer?.cancel();
    c.autoTimer = this.clock.after(this.between(60_000, 300_000), (at) => {
      if (c.state === 'plugged' && !c.session && c.claim === undefined && !c.held) this.setState(c, 'idle', at);
    });
  }

  // ───────────────────────────── admin ─────────────────────────────

  /** the admin endpoint: force a state or a mode (see ADMIN_STATES) */
  admin(connectorId: string, want: AdminState): ConnectorView {
    const c = this.must(connectorId);
    const at = this.clock.now();
    switch (want) {
      case 'normal':
      case 'silent':
      case 'refuse':
        c.mode = want;
        break;
      case 'offline':
        this.goOffline(c, at, true);
        break;
      case 'fault':
        this.goFault(c, at, true);
        break;
      case 'idle':
      case 'unplugged':
        c.autoTimer?.cancel();
        c.held = false;
        c.unplugged = want === 'unplugged';
        if (c.session) this.finish(c, 'unplugged', at, 'idle');
        else this.setState(c, 'idle', at);
        break;
      case 'plugged':
        if (c.session) throw new SimError(409, `${connectorId} is charging (${c.session.seq}); use "local-stop" or "unplugged"`);
        c.autoTimer?.cancel();
        c.held = true;
        c.unplugged = false;
        this.setState(c, 'plugged', at);
        break;
      case 'local-stop':
        if (!c.session) throw new SimError(409, `${connectorId} is not charging`);
        this.finish(c, 'local', at, 'plugged');
        break;
    }
    return this.view(c);
  }

  /**
   * A car with this VIN is plugged in (plug-and-charge, ours): the connector is held plugged (admin
   * `plugged`) and the pile reports the VIN (PileVinReported; an OCPP pile sends DataTransfer EVCS/VinReport).
   */
  plugIn(connectorId: string, vin: string): ConnectorView {
    const view = this.admin(connectorId, 'plugged');
    const c = this.must(connectorId);
    this.emit(c, { type: 'PileVinReported', detail: { ConnectorID: connectorId, Vin: vin, reportedAt: iso(this.clock.now()) } });
    return view;
  }

  private goOffline(c: Conn, at: number, held: boolean): void {
    c.autoTimer?.cancel();
    c.held = held;
    if (c.state === 'offline') return;
    if (c.session) {
      // the pile stops charging; its stop report waits until it is back online
      const before = this.outboxCapture(c, () => this.finish(c, 'fault', at, 'offline'));
      c.buffered.push(...before.filter((e) => e.type !== 'PileStatusChanged'));
      return;
    }
    this.setState(c, 'offline', at);
  }

  private goFault(c: Conn, at: number, held: boolean): void {
    c.autoTimer?.cancel();
    c.held = held;
    if (c.session) this.finish(c, 'fault', at, 'fault');
    else this.setState(c, 'fault', at);
  }

  /** run `fn` with this connector's non-status events captured instead of emitted */
  private outboxCapture(c: Conn, fn: () => void): SimEvent[] {
    const captured: SimEvent[] = [];
    this.capturing.set(c, captured);
    try {
      fn();
    } finally {
      this.capturing.delete(c);
    }
    return captured;
  }
  private readonly capturing = new Map<Conn, SimEvent[]>();

  // ───────────────────────────── random outages ─────────────────────────────

  private expHours(ratePerHour: number): number | undefined {
    if (!(ratePerHour > 0)) return undefined;
    return (-Math.log(1 - this.rnd()) / ratePerHour) * 3_600_000;
  }

  private scheduleOutage(pileId: string): void {
    const wait = this.expHours(this.o.offlineRatePerHour ?? 0.01);
    if (wait === undefined) return;
    this.clock.after(wait, (at) => {
      const pile = this.piles.get(pileId);
      if (!pile) return;
      const affected = pile.connectors.filter((c) => !c.held && c.state !== 'offline');
      for (const c of affected) this.goOffline(c, at, false);
      this.clock.after(this.between(60_000, 600_000), (back) => {
        for (const c of affected) if (!c.held && c.state === 'offline') this.setState(c, 'idle', back);
        this.scheduleOutage(pileId);
      });
    });
  }

  private scheduleFault(c: Conn): void {
    const wait = this.expHours(this.o.faultRatePerHour ?? 0.005);
    if (wait === undefined) return;
    this.clock.after(wait, (at) => {
      if (c.held || c.state === 'offline' || c.state === 'fault') return this.scheduleFault(c);
      this.goFault(c, at, false);
      this.clock.after(this.between(300_000, 1_800_000), (back) => {
        if (!c.held && c.state === 'fault') this.setState(c, 'idle', back);
        this.scheduleFault(c);
      });
    });
  }

  // ───────────────────────────── reporting ─────────────────────────────

  private setState(c: Conn, state: SimState, at: number): void {
    const wasOffline = c.state === 'offline';
    c.state = state;
    this.report(c, at);
    if (wasOffline && state !== 'offline' && c.buffered.length) {
      const held = c.buffered.splice(0);
      for (const e of held) this.emit(c, e);
    }
  }

  /** PileStatusChanged when (status, park, lock) differs from the last report */
  private report(c: Conn, at: number): void {
    const status = statusOf(c);
    const park = PARK[c.state];
    const lock = LOCK[c.state];
    const r = c.reported;
    if (r && r.status === status && r.park === park && r.lock === lock) return;
    c.reported = { status, park, lock };
    const pile = this.piles.get(c.spec.EquipmentID);
    if (!pile) throw new Error(`connector ${c.spec.ConnectorID}: unknown pile ${c.spec.EquipmentID}`);
    pile.seq += 1;
    // a pile's reports carry strictly increasing times: the platform orders them by (time in ms, seq mod
    // 1000), so two reports in one millisecond could compare backwards when seq crosses a multiple of
    // 1000 — which a stopped (manual) clock makes likely
    const observedAt = Math.max(at, pile.lastReportAt + 1);
    pile.lastReportAt = observedAt;
    this.emit(c, {
      type: 'PileStatusChanged',
      detail: {
        ConnectorID: c.spec.ConnectorID,
        StationID: c.spec.StationID,
        status,
        parkStatus: park,
        lockStatus: lock,
        observedAt: iso(observedAt),
        seq: pile.seq,
      },
    });
  }

  private emit(c: Conn, e: SimEvent): void {
    const cap = this.capturing.get(c);
    if (cap && e.type !== 'PileStatusChanged') {
      cap.push(e);
      return;
    }
    this.o.onEvent?.(e);
    this.outbox?.push(e, c.spec.EquipmentID);
  }

  private between(min: number, max: number): number {
    return min + this.rnd() * (max - min);
  }

  private must(connectorId: string): Conn {
    const c = this.conns.get(connectorId);
    if (!c) throw new SimError(404, `unknown connector ${connectorId}`);
    return c;
  }

  private view(c: Conn): ConnectorView {
    const s = c.session;
    return {
      ConnectorID: c.spec.ConnectorID,
      EquipmentID: c.spec.EquipmentID,
      StationID: c.spec.StationID,
      kind: c.spec.kind,
      powerKw: c.spec.powerKw,
      state: c.state,
      status: statusOf(c),
      parkStatus: PARK[c.state],
      lockStatus: LOCK[c.state],
      mode: c.mode,
      unplugged: c.unplugged,
      held: c.held,
      meterWh: c.meterWh,
      ...(c.claim !== undefined ? { pendingStart: c.claim } : {}),
      ...(s
        ? {
            session: {
              StartChargeSeq: s.seq,
              startedAt: iso(s.startedAt),
              energyWh: Math.round(s.wh),
              soc: round1(s.soc),
              powerKw: round1(powerAt(c.spec.kind, c.spec.powerKw, s.vehicle, s.soc)),
              batteryKwh: round1(s.vehicle.batteryKwh),
              socStart: round1(s.vehicle.socStart),
              targetSoc: s.vehicle.targetSoc,
              stopping: s.stopping,
            },
          }
        : {}),
      ...(c.lastStopped ? { lastStopped: { ...c.lastStopped, at: iso(c.lastStopped.at) } } : {}),
    };
  }
}
