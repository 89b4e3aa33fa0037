/**
 * What the simulated piles say, in order per pile, as real piles do: each pile has its own
 * connection, so its Started → MeterValues → Stopped leave in the order it produced them, and one
 * pile's backlog never holds another pile's frames back.
 *
 * Each pile has a FIFO lane. The drainer takes piles round-robin, each pile's pending events (up to
 * the batch's room) in its order, into batches of up to 50 events for the sink, and keeps up to
 * IN_FLIGHT batches going at once; a pile whose batch is in flight is skipped until that batch is
 * done, so no two of its events are ever in flight together. Before this, one loop drained one
 * queue of every pile: under load the readings of hundreds of sessions piled up in it (38,000 in a
 * 40 req/s hold) and a pile's start confirmation waited behind all of them, past the platform's
 * start timeout.
 *
 * A batch the bus refuses is retried with backoff, then dropped with a log line (a simulated pile,
 * like a real one, does not buffer forever); its piles go on with their next events.
 */

import { emitPileEvents, type PILE_EVENTS, type PileEvent, type PileEventType } from '../../../shared/piles/emit.ts';

export type SIM_CONTRACTS = typeof PILE_EVENTS;
export type SimEventType = PileEventType;
export type SimEvent = PileEvent;

/** delivers events in the given order */
export type Sink = (events: readonly SimEvent[]) => Promise<void>;

/** The platform's pile-event entry (shared/piles/emit.ts), as every pile transport uses it. */
export const busSink: Sink = emitPileEvents;

const BATCH = 50;
/** batches handed to the sink at once */
const IN_FLIGHT = 4;
const RETRIES = 4;

const backoff = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Outbox {
  /** pending events per pile (EquipmentID), in the pile's order; a pile is absent when it has none */
  private readonly lanes = new Map<string, SimEvent[]>();
  /** piles with pending events and no batch in flight, in the order they are served */
  private readonly ready: string[] = [];
  /** piles with a batch in flight */
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private dropped = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly sink: Sink,
    private readonly log: (line: string) => void = () => {},
    private readonly sleep: (ms: number) => Promise<void> = backoff,
  ) {}

  /** `pile`: the lane (the pile's EquipmentID); events of one lane leave in the order pushed */
  push(e: SimEvent, pile: string): void {
    const lane = this.lanes.get(pile);
    if (lane) lane.push(e);
    else {
      this.lanes.set(pile, [e]);
      if (!this.busy.has(pile)) this.ready.push(pile);
    }
    this.pump();
  }

  /** resolves when every event pushed so far has been delivered (or dropped) */
  async flush(): Promise<void> {
    while (this.inFlight > 0 || this.lanes.size > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  droppedCount(): number {
    return this.dropped;
  }

  /** events waiting, not yet handed to the sink */
  pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  private pump(): void {
    while (this.inFlight < IN_FLIGHT && this.ready.length > 0) {
      const batch: SimEvent[] = [];
      const piles: string[] = [];
      while (batch.length < BATCH && this.ready.length > 0) {
        const pile = this.ready.shift() as string;
        const lane = this.lanes.get(pile) ?? [];
        batch.push(...lane.splice(0, BATCH - batch.length));
        if (lane.length === 0) this.lanes.delete(pile);
        this.busy.add(pile);
        piles.push(pile);
      }
      this.inFlight++;
      void this.send(batch, piles);
    }
  }

  private async send(batch: SimEvent[], piles: string[]): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.sink(batch);
          return;
        } catch (err) {
          if (attempt > RETRIES) {
            this.dropped += batch.length;
            this.log(
              `[pile-sim] ${batch.length} event(s) dropped after ${attempt} attempts: ${err instanceof Error ? err.message : String(err)}`,
            );
            return;
          }
          await this.sleep(50 * 2 ** attempt);
        }
      }
    } finally {
      this.inFlight--;
      for (const pile of piles) {
        this.busy.delete(pile);
        if (this.lanes.has(pile)) this.ready.push(pile);
      }
      this.pump();
      if (this.inFlight === 0 && this.lanes.size === 0) {
        const waiting = this.idle;
        this.idle = [];
        for (const r of waiting) r();
      }
    }
  }
}
