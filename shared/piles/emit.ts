/**
 * The one way pile events (status, session started/stopped, meter values) enter the platform,
 * whoever heard them from the pile: the OCPP gateway in AWS, the local simulator. Callers hand over
 * events in the order the pile produced them; how each kind travels is decided here and nowhere
 * else:
 *
 *   - PileStatusChanged → EventBridge (several consumers: the connector status ingest, and what
 *     subscribes later);
 *   - PileSessionStarted / PileMeterValues / PileSessionStopped → straight to the charging queue
 *     (SQS SendMessageBatch): the charging service is their only consumer, and a meter reading every
 *     15 s per session is the platform's most frequent event — a bus hop would double its price
 *     (bench/cost.bench.ts). The caller needs a `send` grant on `charging-pile-events`.
 */
import type { DetailOf } from '../../events/define.ts';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged } from '../../events/piles.ts';
import { ChargingPileEventsQueue, type PileSessionMessage } from '../../events/queues.ts';
import { publish } from '../bus/publish.ts';
import { sendBatch } from '../bus/send.ts';

export const PILE_EVENTS = { PileStatusChanged, PileSessionStarted, PileSessionStopped, PileMeterValues } as const;
type Contracts = typeof PILE_EVENTS;
export type PileEventType = keyof Contracts;
export type PileEvent = { [K in PileEventType]: { type: K; detail: DetailOf<Contracts[K]> } }[PileEventType];

type Route = 'bus' | 'charging-queue';
const routeOf = (e: PileEvent): Route => (e.type === 'PileStatusChanged' ? 'bus' : 'charging-queue');

/** One run of consecutive events of one route: one PutEvents (per 10) or one SendMessageBatch (per 10). */
const deliver = async (route: Route, run: readonly PileEvent[]): Promise<void> => {
  if (route === 'charging-queue') return sendBatch(ChargingPileEventsQueue, run as PileSessionMessage[]);
  await publish(PileStatusChanged, run.map((e) => e.detail) as DetailOf<typeof PileStatusChanged>[]);
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
