/**
 * What the simulated piles say, in order: an outbox drained by ONE loop (FIFO, so a connector's
 * Started → MeterValues → Stopped leave in the order the pile produced them), in PutEvents batches.
 * A batch the bus refuses is retried with backoff, then dropped with a log line (a simulated
 * pile, like a real one, does not buffer forever).
 */

import type { DetailOf } from '../../../events/define.ts';
import { PileMeterValues, PileSessionStarted, PileSessionStopped, PileStatusChanged } from '../../../events/piles.ts';
import { publish } from '../../../shared/bus/publish.ts';

export const SIM_CONTRACTS = { PileStatusChanged, PileSessionStarted, PileSessionStopped, PileMeterValues } as const;
type Contracts = typeof SIM_CONTRACTS;
export type SimEventType = keyof Contracts;
export type SimEvent = { [K in SimEventType]: { type: K; detail: DetailOf<Contracts[K]> } }[SimEventType];

/** delivers events in the given order */
export type Sink = (events: readonly SimEvent[]) => Promise<void>;

/** The platform's EventBridge bus through the real SDK (shared/bus/publish.ts); consecutive events of one type share a PutEvents call. */
export const busSink: Sink = async (events) => {
  let group: unknown[] = [];
  let type: (typeof events)[number]['type'] | undefined;
  for (const e of events) {
    if (type !== undefined && e.type !== type) {
      await publish(SIM_CONTRACTS[type], group as never);
      group = [];
    }
    type = e.type;
    group.push(e.detail);
  }
  if (type !== undefined) await publish(SIM_CONTRACTS[type], group as never);
};

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
