/**
 * The one way pile events (status, session started/stopped, meter values) enter the platform,
 * whoever heard them from the pile: the OCPP gateway in AWS, the local simulator. Callers hand over
 * events in the order the pile produced them; how each kind travels is decided here and nowhere
 * else:
 *
 *   - PileStatusChanged → EventBridge (several consumers: the connector status ingest, and what
 *     subscribes later). Group commit: while one group of statuses is being published, the
 *     statuses other callers in this process hand over wait and then leave together, up to 10
 *     entries per PutEvents (AWS's limit; a status entry is ~250 bytes, far under its 256 KB), up
 *     to 8 PutEvents of a group at once (statuses carry their version: no order between calls is
 *     needed). A charger's boot (BootNotification, then a StatusNotification per connector) of
 *     hundreds of piles at once thus reaches the bus in tens, not one call per connector; a lone
 *     status leaves at once (no timer, no added latency). A Lambda serves one frame at a time, so
 *     there each call is its own PutEvents, as before;
 *   - PileVinReported (plug-and-charge, ours) → EventBridge, one PutEvents: the plug-and-charge
 *     function (msp) subscribes; rare (one per plug-in of a car with a charger that reports VINs);
 *   - PileSessionStarted / PileSessionStopped → straight to the charging queue `charging-pile-events`,
 *     PileMeterValues → `charging-pile-meters` (SQS SendMessageBatch): the charging service is their
 *     only consumer, and a meter reading every 15 s per session is the platform's most frequent event
 *     — a bus hop would double its price (bench/cost.bench.ts). Readings on a queue of their own: a
 *     backlog of them never delays a start or stop confirmation. The caller needs a `send` grant on
 *     both queues.
 */
import type { DetailOf } from '../../events/define.ts';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged, PileVinReported } from '../../events/piles.ts';
import { ChargingPileEventsQueue, ChargingPileMetersQueue, type PileSessionMessage } from '../../events/queues.ts';
import { publish } from '../bus/publish.ts';
import { sendBatch } from '../bus/send.ts';
import { config } from '../config.ts';

export const PILE_EVENTS = { PileStatusChanged, PileSessionStarted, PileSessionStopped, PileMeterValues, PileVinReported } as const;
type Contracts = typeof PILE_EVENTS;
export type PileEventType = keyof Contracts;
export type PileEvent = { [K in PileEventType]: { type: K; detail: DetailOf<Contracts[K]> } }[PileEventType];

type Route = 'bus' | 'charging-queue' | 'meters-queue' | 'vin';
const ROUTES: Record<PileEventType, Route> = {
  PileStatusChanged: 'bus',
  PileVinReported: 'vin',
  PileSessionStarted: 'charging-queue',
  PileSessionStopped: 'charging-queue',
  PileMeterValues: 'meters-queue',
};
const routeOf = (e: PileEvent): Route => ROUTES[e.type];

type StatusDetail = DetailOf<typeof PileStatusChanged>;

interface Waiter {
  details: readonly StatusDetail[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** per bus: the callers whose statuses wait for the PutEvents under way (undefined: none under way) */
const lanes = new Map<string, Waiter[]>();

/** PutEvents calls of one group in flight at once */
const IN_FLIGHT = 8;

/**
 * A group's statuses, 10 per PutEvents, up to IN_FLIGHT calls at once: a boot's statuses do not wait
 * for one round trip per ten. Statuses need no order between calls (each carries its version; the
 * ingest keeps the newest per connector whatever order the queue delivers), so none is awaited
 * behind another. Any call failing fails the group (its callers retry; a duplicate is harmless).
 */
const publishInParallel = async (details: readonly StatusDetail[]): Promise<void> => {
  const calls: StatusDetail[][] = [];
  for (let i = 0; i < details.length; i += 10) calls.push(details.slice(i, i + 10));
  let next = 0;
  const workers = Array.from({ length: Math.min(IN_FLIGHT, calls.length) }, async () => {
    for (let k = next++; k < calls.length; k = next++) await publish(PileStatusChanged, calls[k] ?? []);
  });
  const results = await Promise.allSettled(workers);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
};

/** one flusher per bus: everything that arrived while the last PutEvents ran leaves together (each caller's own order kept) */
const flush = async (bus: string, waiting: Waiter[]): Promise<void> => {
  try {
    while (waiting.length) {
      const group = waiting.splice(0, waiting.length);
      try {
        await publishInParallel(group.flatMap((g) => g.details));
        for (const g of group) g.resolve();
      } catch (err) {
        // the whole group is told: a caller retries its statuses (a duplicate is harmless, the ingest versions them)
        for (const g of group) g.reject(err);
      }
    }
  } finally {
    lanes.delete(bus);
  }
};

const publishStatuses = (details: readonly StatusDetail[]): Promise<void> => {
  try {
    // a malformed status fails its own caller, never the group it would have joined
    for (const d of details) PileStatusChanged.detail.parse(d);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const bus = config().EVENT_BUS_NAME;
    const under = lanes.get(bus);
    if (under) {
      under.push({ details, resolve, reject });
      return;
    }
    const waiting: Waiter[] = [{ details, resolve, reject }];
    lanes.set(bus, waiting);
    void flush(bus, waiting);
  });
};

/** One run of consecutive events of one route: PutEvents (group-committed, per 10) or one SendMessageBatch (per 10). */
const deliver = async (route: Route, run: readonly PileEvent[]): Promise<void> => {
  if (route === 'charging-queue') return sendBatch(ChargingPileEventsQueue, run as PileSessionMessage[]);
  if (route === 'meters-queue') return sendBatch(ChargingPileMetersQueue, run as PileSessionMessage[]);
  if (route === 'vin') return publish(PileVinReported, run.map((e) => e.detail) as DetailOf<typeof PileVinReported>[]);
  await publishStatuses(run.map((e) => e.detail) as StatusDetail[]);
};

/**
 * Delivers events in the given order; consecutive events of one route share a call (PutEvents or
 * SendMessageBatch). Every event is validated before it leaves. Throws when any is not accepted.
 */
export const emitPileEvents = async (events: readonly PileEvent[]): Promise<void> => {
  let run: PileEvent[] = [];
  let route: Route | undefined;
  for (const e of events) {
    const r = routeOf(e);
    if (route !== undefined && r !== route) {
      await deliver(route, run);
      run = [];
    }
    route = r;
    run.push(e);
  }
  if (route !== undefined) await deliver(route, run);
};
