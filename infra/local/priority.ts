/**
 * The local runtime's one scheduling preference: the status ingest first. Every function of the
 * local runtime shares this process's two cores and one DynamoDB Local, where in AWS each has its own
 * capacity. At a boot the simulated piles report ~2,000 statuses at once, and every change the ingest
 * stores fans out to pushes, the supervision feed and the ground-lock check — work that, run at the
 * same time, takes most of the cores and the SDK's sockets from the ingest still storing the rest.
 *
 * So while the priority queue (`connector-status`) holds a backlog (more visible messages than one
 * batch: the ingest's pollers are all busy), every other queue poller and asynchronous invocation
 * waits before taking new work, for at most `maxWaitMs` at a time. Nothing is dropped or reordered:
 * a queue's messages stay in it (FIFO groups keep their order), an invocation keeps its place; in
 * steady state the backlog is empty and nothing waits.
 *
 * Opt-in (`startPlatform({ ingestFirst: true })`): /health is 200 sooner, but the deferred pushes
 * then finish later than interleaved ones (README "Readiness, the pipeline").
 */
import type { FunctionDecl } from '../topology/types.ts';
import type { QueueStore } from './queue-store.ts';

export interface PriorityOptions {
  store: QueueStore;
  /** the queue whose consumers go first */
  queue: string;
  /** a backlog is more visible messages than this (default 10: one batch) */
  backlog?: number;
  /** the longest one wait lasts (default 1,000 ms): a backlog that never drains delays others by this, not forever */
  maxWaitMs?: number;
}

export class IngestPriority {
  constructor(private readonly o: PriorityOptions) {}

  /** does this function consume the priority queue (then it never waits)? */
  isPriority(fn: FunctionDecl): boolean {
    return fn.triggers.some((t) => t.type === 'queue' && t.queue === this.o.queue);
  }

  private backlogged(): boolean {
    // a topology without the queue (a test's own) has no priority
    return this.o.store.has(this.o.queue) && this.o.store.depth(this.o.queue).visible > (this.o.backlog ?? 10);
  }

  /** resolves once the priority queue has no backlog, after `maxWaitMs` at the latest, or on abort */
  async yieldFor(fn: FunctionDecl, signal?: AbortSignal): Promise<void> {
    if (this.isPriority(fn)) return;
    const until = Date.now() + (this.o.maxWaitMs ?? 1000);
    while (this.backlogged() && !signal?.aborted) {
      const left = until - Date.now();
      if (left <= 0) return;
      await this.o.store.waitForChange(left, signal);
    }
  }
}
