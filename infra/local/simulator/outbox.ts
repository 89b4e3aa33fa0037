/**
 * What the simulated piles say, in order: an outbox drained by ONE loop (FIFO, so a connector's
 * Started → MeterValues → Stopped leave in the order the pile produced them), in PutEvents batches.
 * A batch the bus refuses is retried with backoff, then dropped with a log line (a simulated
 * pile, like a real one, does not buffer forever).
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
const RETRIES = 4;

export class Outbox {
  private queue: SimEvent[] = [];
  private draining: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly sink: Sink,
    private readonly log: (line: string) => void = () => {},
  ) {}

  push(e: SimEvent): void {
    this.queue.push(e);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** resolves when every event pushed so far has been delivered (or dropped) */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  droppedCount(): number {
    return this.dropped;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.sink(batch);
          break;
        } catch (err) {
          if (attempt > RETRIES) {
            this.dropped += batch.length;
            this.log(
              `[pile-sim] ${batch.length} event(s) dropped after ${attempt} attempts: ${err instanceof Error ? err.message : String(err)}`,
            );
            break;
          }
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        }
      }
    }
  }
}
