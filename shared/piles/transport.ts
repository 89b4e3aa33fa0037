/**
 * How a pile command reaches the pile:
 *   - OCPP 1.6J (AWS and locally): the connector's charge point (its EquipmentID) is registered and
 *     connected to the OCPP WebSocket gateway → RemoteStartTransaction / RemoteStopTransaction
 *     (shared/services/ocpp.ts), the answer is matched by message id;
 *   - the local simulator's loopback (PILE_TRANSPORT=local only): a simulated charge point that is
 *     not connected over OCPP (the simulator's direct mode) gets the command by
 *     `POST <PILE_SIM_URL>/commands` and answers with pile events itself.
 * A start for a charge point reachable neither way is refused at once (`offline`), so the order
 * finishes without waiting for its start timeout. A failed hand-over throws: the gateway's queue
 * retries the command and finally parks it in the DLQ, never losing it silently.
 */
import type { DetailOf } from '../../events/define.ts';
import type { PileCommandRequested, PileReservationRequested } from '../../events/piles.ts';
import { config } from '../config.ts';
import { type CallOutcome, commandPile, reservePile } from '../services/ocpp.ts';
import { type ChargePoint, getChargePoint } from '../store/ocpp.ts';
import { getConnectorRef } from '../store/stations.ts';
import { emitPileEvents } from './emit.ts';

export type PileCommand = DetailOf<typeof PileCommandRequested>;
/** reserve / cancel a connector (the reservation extension) */
export type PileReservation = DetailOf<typeof PileReservationRequested>;

export class PileTransportError extends Error {}

/**
 * The local simulator's loopback endpoint. Local runtime only. A hand-over that takes longer than
 * `timeoutMs` fails on its own (the gateway's batch reports it as a partial failure and the queue
 * retries it), instead of holding its whole batch until the function's timeout, which would retry
 * every command of the batch, the delivered ones too.
 */
export class LocalPileTransport {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 5_000,
  ) {}

  async send(cmd: PileCommand | PileReservation): Promise<void> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/${cmd.command === 'reserve' || cmd.command === 'cancel' ? 'reservations' : 'commands'}`;
    // a retried command the simulator already took is ignored there (`duplicate`), as a pile ignores a repeated RemoteStart
    const res = await this.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(cmd),
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((err: unknown) => {
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
        throw new PileTransportError(`pile simulator at ${url} did not answer within ${this.timeoutMs} ms`);
      throw err;
    });
    if (!res.ok) throw new PileTransportError(`pile simulator at ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}

let cached: LocalPileTransport | undefined;

/** the simulator's loopback, when this process is configured for it (PILE_TRANSPORT=local) */
const simulatorTransport = (): LocalPileTransport | undefined => {
  const c = config();
  if (c.PILE_TRANSPORT !== 'local') return undefined;
  if (!c.PILE_SIM_URL) throw new Error('configuration: PILE_SIM_URL is required when PILE_TRANSPORT=local');
  cached ??= new LocalPileTransport(c.PILE_SIM_URL);
  return cached;
};

/** for tests and the local runtime after the environment changed */
export const resetPileTransport = (): void => {
  cached = undefined;
};

export type Delivery = 'ocpp' | 'simulator' | 'offline';

/**
 * Hands `cmd` to its pile: over OCPP when the connector's charge point is registered and connected,
 * else the simulator's loopback for a simulated one, else nowhere (`offline`). An OCPP call our
 * schemas refuse is a bug no retry fixes: it throws.
 */
const handOver = async <C extends PileCommand | PileReservation>(
  cmd: C,
  overOcpp: (cmd: C, cp: ChargePoint, now: Date) => Promise<CallOutcome>,
  now: Date,
): Promise<Delivery> => {
  const ref = await getConnectorRef(cmd.ConnectorID);
  const cp = ref ? await getChargePoint(ref.equipmentId) : undefined;
  if (cp?.connectors.includes(cmd.ConnectorID)) {
    const out = await overOcpp(cmd, cp, now);
    if (out.sent) return 'ocpp';
    if (out.reason === 'invalid') throw new PileTransportError(`command not valid OCPP: ${out.message ?? ''}`);
  }
  const sim = !cp || cp.simulated ? simulatorTransport() : undefined;
  if (sim) {
    await sim.send(cmd);
    return 'simulator';
  }
  return 'offline';
};

/** Hands one command to its pile; tells which way it went. */
export const deliverPileCommand = async (cmd: PileCommand, now = new Date()): Promise<Delivery> => {
  const way = await handOver(cmd, commandPile, now);
  if (way === 'offline' && cmd.command === 'start')
    await emitPileEvents([
      {
        type: 'PileSessionStarted',
        detail: {
          StartChargeSeq: cmd.StartChargeSeq,
          ConnectorID: cmd.ConnectorID,
          accepted: false,
          reason: 'offline',
          at: now.toISOString(),
        },
      },
    ]);
  return way;
};

/**
 * Hands one reservation command to its pile: OCPP ReserveNow / CancelReservation, or the
 * simulator's loopback. A pile reachable neither way is `offline`: nothing is sent (it could not
 * have been reserved — only an idle connector can — and the platform's own record still decides
 * who may start).
 */
export const deliverPileReservation = (cmd: PileReservation, now = new Date()): Promise<Delivery> => handOver(cmd, reservePile, now);
