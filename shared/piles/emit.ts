/**
 * The one way pile events (status, session started/stopped, meter values) enter the platform,
 * whoever heard them from the pile: the OCPP gateway in AWS, the local simulator. Callers hand over
 * events in the order the pile produced them; how each kind travels (EventBridge today) is decided
 * here and nowhere else, so a cheaper route for one kind changes one file.
 */
import type { DetailOf } from '../../events/define.ts';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged } from '../../events/piles.ts';
import { publish } from '../bus/publish.ts';

export const PILE_EVENTS = { PileStatusChanged, PileSessionStarted, PileSessionStopped, PileMeterValues } as const;
type Contracts = typeof PILE_EVENTS;
export type PileEventType = keyof Contracts;
export type PileEvent = { [K in PileEventType]: { type: K; detail: DetailOf<Contracts[K]> } }[PileEventType];

/** Delivers events in the given order; consecutive events of one type share a PutEvents call. Throws when any is not accepted. */
export const emitPileEvents = async (events: readonly PileEvent[]): Promise<void> => {
  let group: unknown[] = [];
  let type: PileEventType | undefined;
  for (const e of events) {
    if (type !== undefined && e.type !== type) {
      await publish(PILE_EVENTS[type], group as never);
      group = [];
    }
    type = e.type;
    group.push(e.detail);
  }
  if (type !== undefined) await publish(PILE_EVENTS[type], group as never);
};
