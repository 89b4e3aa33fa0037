/**
 * The simulated piles as real OCPP 1.6J charge points (`npm start`, `--sim-protocol ocpp`): each
 * pile (EquipmentID) is one ocpp-rpc client on a real WebSocket to the gateway
 * (`ws://…/ocpp/<EquipmentID>`, Basic auth with its password), and what the simulator's physics
 * say becomes what a charger sends:
 *
 *   simulator event                     OCPP (charge point → central system)
 *   PileStatusChanged 1/2/3/255         StatusNotification Available / Preparing (Finishing after a session) / Charging / Faulted
 *   PileStatusChanged 0                 the whole pile offline → the socket closes (the gateway sets it offline after its grace);
 *                                       one connector of a live pile → StatusNotification Unavailable
 *   back from offline                   a new socket, BootNotification, then the statuses
 *   PileSessionStarted accepted         the RemoteStartTransaction is answered Accepted, then StartTransaction (meterStart)
 *   PileSessionStarted refused          the RemoteStartTransaction is answered Rejected
 *   PileMeterValues                     MeterValues (register = meterStart + energy, Wh; W, A, V, SoC)
 *   PileSessionStopped                  StopTransaction (meterStop, reason)
 *   PileVinReported                     DataTransfer EVCS/VinReport {"connectorId", "vin"} (plug-and-charge, ours)
 *
 * and what the gateway asks (central system → charge point) reaches the simulator as its commands:
 * RemoteStartTransaction → start (idTag = the simulator's session key; answered once the simulator
 * accepted or refused it, 2–5 simulated s later; a `silent` connector never answers),
 * RemoteStopTransaction → stop; Reset, ChangeAvailability, UnlockConnector are acknowledged,
 * TriggerMessage StatusNotification/Heartbeat/BootNotification re-sends it. Heartbeats at the
 * interval the boot answered, in real time. ChangeConfiguration of the metering keys (what the
 * gateway sets after a boot, issue 9 §2) reaches the simulator: MeterValueSampleInterval and
 * ClockAlignedDataInterval change the pile's readings (`configureMetering`), the measurand lists are
 * Accepted only when they ask for what the pile measures; any other key is NotSupported.
 *
 * Each pile's calls leave in the order the simulator produced them (one chain per pile); at most
 * `concurrency` calls are in flight across piles, so 1,000 piles booting at once queue instead of
 * swamping the gateway. Local runtime only.
 */
import { VIN_REPORT } from '../../../shared/domain/vin.ts';
import type { SimConnectorSpec } from './connectors.ts';
import { type OcppClient, ocppClient } from './ocpp-client.ts';
import type { SimEvent } from './outbox.ts';
import type { PileSimulator } from './simulator.ts';

export interface OcppLinkOptions {
  connectors: readonly SimConnectorSpec[];
  /** calls in flight across all piles (default 32) */
  concurrency?: number;
  log?: (line: string) => void;
}

type StopReason = 'Remote' | 'EVDisconnected' | 'Local' | 'PowerLoss' | 'Other';
const REASON: Record<string, StopReason> = {
  remote: 'Remote',
  unplugged: 'EVDisconnected',
  local: 'Local',
  fault: 'PowerLoss',
  'bms-full': 'Local',
};

interface Tx {
  transactionId: number;
  meterStartWh: number;
}

interface Pile {
  id: string;
  connectors: string[];
  client?: OcppClient;
  /** every connector's last reported platform status (0 = offline) */
  status: Map<string, number>;
  chain: Promise<void>;
  heartbeat?: NodeJS.Timeout;
  /** by the simulator's session key (= the idTag the gateway issued) */
  tx: Map<string, Tx>;
  /** RemoteStartTransaction calls waiting for the simulator's answer, by session key */
  starts: Map<string, (accepted: boolean) => void>;
}

const STATUS_NAME: Record<number, string> = { 1: 'Available', 2: 'Preparing', 3: 'Charging', 4: 'Reserved', 255: 'Faulted' };

export class OcppSimLink {
  private readonly piles = new Map<string, Pile>();
  private readonly pileOf = new Map<string, Pile>();
  private sim: PileSimulator | undefined;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(private readonly o: OcppLinkOptions) {
    this.log = o.log ?? (() => {});
    for (const c of o.connectors) {
      let p = this.piles.get(c.EquipmentID);
      if (!p) {
        p = { id: c.EquipmentID, connectors: [], status: new Map(), chain: Promise.resolve(), tx: new Map(), starts: new Map() };
        this.piles.set(c.EquipmentID, p);
      }
      p.connectors.push(c.ConnectorID);
      this.pileOf.set(c.ConnectorID, p);
    }
  }

  private gateway: { endpoint: string; passwordOf: (chargePointId: string) => Promise<string> } | undefined;

  /** where the piles connect (`ws://127.0.0.1:<port>/ocpp`) and the password each presents; before the simulator starts */
  open(endpoint: string, passwordOf: (chargePointId: string) => Promise<string>): void {
    this.gateway = { endpoint, passwordOf };
  }

  /** the simulator whose commands this link delivers (set before it starts) */
  attach(sim: PileSimulator): void {
    this.sim = sim;
  }

  /** the simulator's event listener (synchronous, in emission order) */
  readonly onEvent = (e: SimEvent) => {
    const p = this.pileOf.get(e.detail.ConnectorID);
    if (!p || this.stopped) return;
    switch (e.type) {
      case 'PileStatusChanged':
        return this.onStatus(p, e.detail.ConnectorID, e.detail.status, e.detail.observedAt);
      case 'PileSessionStarted': {
        const answer = p.starts.get(e.detail.StartChargeSeq);
        p.starts.delete(e.detail.StartChargeSeq);
        answer?.(e.detail.accepted);
        if (!e.detail.accepted) return;
        const { StartChargeSeq: key, ConnectorID, at } = e.detail;
        const meterStart = e.detail.meterStartWh ?? 0;
        return this.enqueue(p, async (c) => {
          const r = (await c.call('StartTransaction', {
            connectorId: this.connectorNo(p, ConnectorID),
            idTag: key,
            meterStart,
            timestamp: at,
          })) as { transactionId: number };
          p.tx.set(key, { transactionId: r.transactionId, meterStartWh: meterStart });
        });
      }
      case 'PileMeterValues': {
        const d = e.detail;
        return this.enqueue(p, async (c) => {
          const tx = p.tx.get(d.StartChargeSeq);
          if (!tx) return;
          await c.call('MeterValues', {
            connectorId: this.connectorNo(p, d.ConnectorID),
            transactionId: tx.transactionId,
            meterValue: [
              {
                timestamp: d.at,
                sampledValue: [
                  { value: String(tx.meterStartWh + d.energyWh), unit: 'Wh', measurand: 'Energy.Active.Import.Register' },
                  { value: String(Math.round(d.powerKw * 1000)), unit: 'W', measurand: 'Power.Active.Import' },
                  { value: String(d.currentA), unit: 'A', measurand: 'Current.Import' },
                  { value: String(d.voltageA), unit: 'V', measurand: 'Voltage' },
                  { value: String(d.soc), unit: 'Percent', measurand: 'SoC' },
                ],
              },
            ],
          });
        });
      }
      case 'PileVinReported': {
        // plug-and-charge (ours): the car's VIN as OCPP 1.6J DataTransfer EVCS/VinReport (shared/domain/vin.ts)
        const d = e.detail;
        return this.enqueue(p, async (c) => {
          await c.call('DataTransfer', {
            vendorId: VIN_REPORT.vendorId,
            messageId: VIN_REPORT.messageId,
            data: JSON.stringify({ connectorId: this.connectorNo(p, d.ConnectorID), vin: d.Vin }),
          });
        });
      }
      case 'PileSessionStopped': {
        const d = e.detail;
        return this.enqueue(p, async (c) => {
          const tx = p.tx.get(d.StartChargeSeq);
          if (!tx) return;
          await c.call('StopTransaction', {
            transactionId: tx.transactionId,
            meterStop: tx.meterStartWh + d.energyWh,
            timestamp: d.at,
            reason: REASON[d.cause] ?? 'Other',
          });
        });
      }
    }
  };

  /** resolves when every call queued so far has been answered (or failed) */
  async flush(): Promise<void> {
    await Promise.all([...this.piles.values()].map((p) => p.chain));
  }

  /** connectors whose StatusNotification the gateway answered at least once */
  reported(): number {
    return this.answered.size;
  }
  private readonly answered = new Set<string>();

  /** open sockets */
  connected(): number {
    let n = 0;
    for (const p of this.piles.values()) if (p.client) n += 1;
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) w();
    await Promise.all(
      [...this.piles.values()].map(async (p) => {
        clearInterval(p.heartbeat);
        for (const answer of p.starts.values()) answer(false);
        p.starts.clear();
        const c = p.client;
        p.client = undefined;
        await c?.close({ force: true }).catch(() => undefined);
      }),
    );
  }

  // ───────────────────────────── statuses and the socket ─────────────────────────────

  private onStatus(p: Pile, connectorId: string, status: number, at: string): void {
    const before = p.status.get(connectorId);
    p.status.set(connectorId, status);
    const allOffline = p.connectors.every((c) => p.status.get(c) === 0);
    if (status === 0 && allOffline) {
      this.enqueueRaw(p, () => this.disconnect(p));
      return;
    }
    const name = status === 0 ? 'Unavailable' : status === 2 && before === 3 ? 'Finishing' : (STATUS_NAME[status] ?? 'Unavailable');
    const connectorNo = this.connectorNo(p, connectorId);
    this.enqueue(p, async (c) => {
      await c.call('StatusNotification', { connectorId: connectorNo, errorCode: 'NoError', status: name, timestamp: at });
      this.answered.add(connectorId);
    });
  }

  private connectorNo(p: Pile, connectorId: string): number {
    return p.connectors.indexOf(connectorId) + 1;
  }

  /** a call on the pile's socket, after everything queued before it; the socket opens (and boots) first when it is closed */
  private enqueue(p: Pile, fn: (c: OcppClient) => Promise<unknown>): void {
    this.enqueueRaw(p, async () => {
      const c = p.client ?? (await this.connect(p));
      if (c) await fn(c);
    });
  }

  private enqueueRaw(p: Pile, fn: () => Promise<unknown>): void {
    p.chain = p.chain.then(async () => {
      if (this.stopped) return;
      await this.slot();
      try {
        await fn();
      } catch (err) {
        this.log(`[pile-sim] ${p.id} over OCPP: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        this.release();
      }
    });
  }

  private async connect(p: Pile): Promise<OcppClient | undefined> {
    const gw = this.gateway;
    if (this.stopped || !gw) return undefined;
    const c = ocppClient({ endpoint: gw.endpoint, identity: p.id, password: await gw.passwordOf(p.id), callTimeoutMs: 60_000 });
    this.handleCalls(p, c);
    c.on('close', () => {
      if (p.client !== c) return;
      p.client = undefined;
      clearInterval(p.heartbeat);
    });
    await c.connect();
    p.client = c;
    await this.boot(p, c);
    return c;
  }

  private async boot(p: Pile, c: OcppClient): Promise<void> {
    const boot = (await c.call('BootNotification', { chargePointVendor: 'EVCS', chargePointModel: 'Simulated' })) as { interval: number };
    clearInterval(p.heartbeat);
    p.heartbeat = setInterval(() => {
      if (p.client === c) this.enqueueRaw(p, () => c.call('Heartbeat', {}));
    }, Math.max(1, boot.interval) * 1000);
    p.heartbeat.unref();
  }

  private async disconnect(p: Pile): Promise<void> {
    const c = p.client;
    p.client = undefined;
    clearInterval(p.heartbeat);
    await c?.close({ force: true });
  }

  // ───────────────────────────── central system → charge point ─────────────────────────────

  private handleCalls(p: Pile, c: OcppClient): void {
    c.handle('RemoteStartTransaction', ({ params }) => {
      const ConnectorID = p.connectors[Number(params.connectorId ?? 1) - 1];
      const key = String(params.idTag);
      if (!ConnectorID || !this.sim) return { status: 'Rejected' };
      const answer = new Promise<boolean>((resolve) => p.starts.set(key, resolve));
      const receipt = this.sim.command({ command: 'start', StartChargeSeq: key, ConnectorID, requestedAt: this.sim.now().toISOString() });
      if (!receipt.taken) {
        p.starts.delete(key);
        // silent: the charger never answers (the gateway's call timeout); a duplicate is already under way
        if (receipt.ignored === 'silent') return new Promise(() => undefined);
        return { status: receipt.ignored === 'duplicate' ? 'Accepted' : 'Rejected' };
      }
      return answer.then((accepted) => ({ status: accepted ? 'Accepted' : 'Rejected' }));
    });
    c.handle('RemoteStopTransaction', ({ params }) => {
      const transactionId = Number(params.transactionId);
      let key = [...p.tx].find(([, tx]) => tx.transactionId === transactionId)?.[0];
      // a stop that overtakes its StartTransaction (or its answer): the one session of this pile without a transaction yet
      if (key === undefined) {
        const open = [
          ...p.starts.keys(),
          ...p.connectors.map((id) => this.sim?.get(id)?.session?.StartChargeSeq).filter((k) => k !== undefined && !p.tx.has(k)),
        ];
        if (open.length === 1) key = open[0];
      }
      const connectorId = key === undefined ? undefined : this.connectorOfSession(p, key);
      if (key === undefined || !connectorId || !this.sim) return { status: 'Rejected' };
      const receipt = this.sim.command({
        command: 'stop',
        StartChargeSeq: key,
        ConnectorID: connectorId,
        requestedAt: this.sim.now().toISOString(),
      });
      if (receipt.ignored === 'silent') return new Promise(() => undefined);
      return { status: receipt.taken || receipt.ignored === 'duplicate' ? 'Accepted' : 'Rejected' };
    });
    c.handle('ChangeConfiguration', ({ params }) => this.changeConfiguration(p, String(params.key), String(params.value)));
    c.handle('Reset', () => ({ status: 'Accepted' }));
    c.handle('ChangeAvailability', () => ({ status: 'Accepted' }));
    c.handle('UnlockConnector', () => ({ status: 'Unlocked' }));
    c.handle('TriggerMessage', ({ params }) => {
      const n = Number(params.connectorId ?? 0);
      switch (params.requestedMessage) {
        case 'Heartbeat':
          this.enqueue(p, (cl) => cl.call('Heartbeat', {}));
          return { status: 'Accepted' };
        case 'BootNotification':
          this.enqueue(p, (cl) => this.boot(p, cl));
          return { status: 'Accepted' };
        case 'StatusNotification': {
          const ids = n === 0 ? p.connectors : [p.connectors[n - 1]].filter((x) => x !== undefined);
          const at = new Date(this.sim?.clock.now() ?? Date.now()).toISOString();
          for (const id of ids) this.onStatus(p, id, p.status.get(id) ?? 1, at);
          return { status: ids.length ? 'Accepted' : 'Rejected' };
        }
        default:
          return { status: 'NotImplemented' };
      }
    });
  }

  /** OCPP 1.6 §5.3 ChangeConfiguration of a metering key (§9.1): the simulator's intervals, in seconds */
  private changeConfiguration(p: Pile, key: string, value: string): { status: 'Accepted' | 'Rejected' | 'NotSupported' } {
    const seconds = /^\d{1,6}$/.test(value) ? Number(value) : undefined;
    switch (key) {
      case 'MeterValueSampleInterval':
      case 'ClockAlignedDataInterval': {
        if (seconds === undefined || (key === 'MeterValueSampleInterval' && seconds === 0)) return { status: 'Rejected' };
        const ms = seconds * 1000;
        const ok = this.sim?.configureMetering(p.id, key === 'MeterValueSampleInterval' ? { sampleMs: ms } : { alignedMs: ms });
        return { status: ok ? 'Accepted' : 'Rejected' };
      }
      case 'MeterValuesSampledData':
      case 'MeterValuesAlignedData': {
        // the simulated meter reports exactly these five (see PileMeterValues above)
        const measured = new Set(['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC']);
        const asked = value.split(',').map((m) => m.trim());
        return { status: asked.every((m) => measured.has(m)) ? 'Accepted' : 'Rejected' };
      }
      default:
        return { status: 'NotSupported' };
    }
  }

  private connectorOfSession(p: Pile, key: string): string | undefined {
    for (const id of p.connectors) {
      const v = this.sim?.get(id);
      if (v?.session?.StartChargeSeq === key || v?.pendingStart === key || v?.lastStopped?.StartChargeSeq === key) return id;
    }
    return undefined;
  }

  // ───────────────────────────── concurrency ─────────────────────────────

  private async slot(): Promise<void> {
    if (this.inFlight < (this.o.concurrency ?? 32)) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight += 1;
  }

  private release(): void {
    this.inFlight -= 1;
    this.waiting.shift()?.();
  }
}
