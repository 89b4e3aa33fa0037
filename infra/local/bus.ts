/**
 * The local event bus: EventBridge rules built from the topology — every function `event`
 * trigger and every queue `subscribe` pattern — matched with EventBridge's pattern semantics.
 *
 *   - function target: asynchronous invoke (at most `asyncConcurrency` of one function at once, the
 *     others queued in order); on error retried the tier's `retryAttempts` times
 *     (backoff shortened locally, `retryDelayMs` × attempt), then recorded in the function's
 *     on-failure DLQ (inspectable, re-drivable, persisted to <dataDir>/function-dlq.json);
 *   - queue target: SendMessage with body = the event's JSON, exactly as EventBridge → SQS does.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { type EventPattern, type FunctionDecl, TIER_DEFAULTS, type Topology } from '../topology/types.ts';
import type { Invoker } from './invoke.ts';
import { readJsonFile, writeJsonAtomic } from './json-file.ts';
import { matchPattern } from './pattern.ts';
import { sleep } from './ports.ts';
import type { IngestPriority } from './priority.ts';
import type { QueueStore } from './queue-store.ts';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface PutEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
  resources?: string[];
}

type RuleTarget = { kind: 'function'; fn: FunctionDecl } | { kind: 'queue'; queue: string };

export interface Rule {
  name: string;
  pattern: EventPattern;
  target: RuleTarget;
}

export interface FailedInvocation {
  functionId: string;
  event: unknown;
  error: string;
  attempts: number;
  failedAt: string;
}

const FailedSchema = z.array(
  z.object({ functionId: z.string(), event: z.unknown(), error: z.string(), attempts: z.number(), failedAt: z.string() }),
);

export const rulesOf = (topology: Topology): Rule[] => {
  const rules: Rule[] = [];
  for (const fn of topology.functions)
    fn.triggers.forEach((t, i) => {
      if (t.type === 'event') rules.push({ name: `${fn.id}-event-${i}`, pattern: t.pattern, target: { kind: 'function', fn } });
    });
  for (const q of topology.queues)
    for (const [i, p] of (q.subscribe ?? []).entries())
      rules.push({ name: `${q.name}-subscribe-${i}`, pattern: p, target: { kind: 'queue', queue: q.name } });
  return rules;
};

export interface BusOptions {
  topology: Topology;
  invoker: Invoker;
  queues: QueueStore;
  region: string;
  account: string;
  /** base delay between async retries (default 200 ms; AWS waits ~1 and ~2 minutes) */
  retryDelayMs?: number;
  dataDir?: string;
  onLog?: (line: string) => void;
  /**
   * asynchronous invocations of one function running at once (default 50: the SDK client's sockets); the others wait their
   * turn in arrival order, as Lambda's internal event queue holds them. Without a cap a burst (the
   * boot's 2,000 first statuses → 2,000 ConnectorStatusChanged → as many invocations of every
   * function subscribed) starts all at once in this one process, and their AWS calls queue in front
   * of everyone else's on the shared SDK client's sockets.
   */
  asyncConcurrency?: number;
  /** the status ingest first (infra/local/priority.ts): an async invocation waits while its queue has a backlog */
  priority?: IngestPriority;
}

/** a counting semaphore, FIFO */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.used >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    else this.used++;
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    }
  }
}

export class LocalBus {
  readonly rules: readonly Rule[];
  private failed: FailedInvocation[] = [];
  private pending = new Set<Promise<void>>();
  private readonly taps = new Set<(e: BusEvent) => void>();
  private readonly file: string | undefined;
  private readonly slots = new Map<string, Slots>();

  constructor(private readonly o: BusOptions) {
    this.rules = rulesOf(o.topology);
    for (const r of this.rules) {
      // validate every pattern once at start: a malformed rule fails `npm start`, not the first event
      matchPattern(r.pattern as unknown as Record<string, unknown>, {});
      if (r.target.kind === 'queue' && !o.queues.has(r.target.queue)) throw new Error(`rule ${r.name}: unknown queue '${r.target.queue}'`);
    }
    this.file = o.dataDir ? join(o.dataDir, 'function-dlq.json') : undefined;
    if (this.file) this.failed = (readJsonFile(this.file, FailedSchema) as FailedInvocation[] | undefined) ?? [];
  }

  /** wrap entries into EventBridge events */
  envelope(e: PutEntry): BusEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': e.detailType,
      source: e.source,
      account: this.o.account,
      time: (e.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.o.region,
      resources: e.resources ?? [],
      detail: e.detail,
    };
  }

  /** put events (test/CLI convenience); resolves once every event is routed (not processed) */
  async put(entries: readonly PutEntry[]): Promise<string[]> {
    return entries.map((e) => this.dispatch(this.envelope(e)));
  }

  /** observe every event put on the bus (tests, the local console); returns an unsubscribe function */
  tap(listener: (e: BusEvent) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** route one event to every matching rule's target; returns the event id */
  dispatch(event: BusEvent): string {
    for (const t of this.taps) {
      try {
        t(event);
      } catch (err) {
        this.o.onLog?.(`[bus] tap failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const r of this.rules) {
      let hit = false;
      try {
        hit = matchPattern(r.pattern as unknown as Record<string, unknown>, event);
      } catch (err) {
        this.o.onLog?.(`[bus] rule ${r.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!hit) continue;
      if (r.target.kind === 'queue') {
        this.o.queues.send(r.target.queue, JSON.stringify(event));
      } else {
        this.track(this.invokeAsync(r.target.fn, event));
      }
    }
    return event.id;
  }

  /** which rules an event would hit (for tests and `evcs` CLI) */
  matches(event: BusEvent): string[] {
    return this.rules.filter((r) => matchPattern(r.pattern as unknown as Record<string, unknown>, event)).map((r) => r.name);
  }

  /** async invoke with the tier's retry budget, then the function's on-failure DLQ */
  invokeAsync(fn: FunctionDecl, event: unknown): Promise<void> {
    const attempts = 1 + TIER_DEFAULTS[fn.tier].retryAttempts;
    return (async () => {
      let last = '';
      for (let i = 1; i <= attempts; i++) {
        try {
          await this.slotsOf(fn).run(async () => {
            await this.o.priority?.yieldFor(fn);
            return this.o.invoker.invoke(fn, event);
          });
          return;
        } catch (err) {
          last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          if (i < attempts) await sleep((this.o.retryDelayMs ?? 200) * i);
        }
      }
      this.failed.push({ functionId: fn.id, event, error: last, attempts, failedAt: new Date().toISOString() });
      this.o.onLog?.(`[bus] ${fn.id}: failed after ${attempts} attempt(s), event kept in its failure DLQ: ${last}`);
    })();
  }

  private slotsOf(fn: FunctionDecl): Slots {
    let s = this.slots.get(fn.id);
    if (!s) {
      s = new Slots(Math.max(1, this.o.asyncConcurrency ?? 50));
      this.slots.set(fn.id, s);
    }
    return s;
  }

  track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** async invocations (with their retries) not finished yet */
  inFlight(): number {
    return this.pending.size;
  }

  /** the on-failure DLQ (all functions, or one) */
  failures(functionId?: string): readonly FailedInvocation[] {
    return this.failed.filter((f) => !functionId || f.functionId === functionId);
  }

  /** re-invoke the failed events of one function (or all); returns how many were redriven */
  redriveFailures(functionId?: string): number {
    const take = this.failed.filter((f) => !functionId || f.functionId === functionId);
    this.failed = this.failed.filter((f) => !take.includes(f));
    for (const f of take) {
      const fn = this.o.topology.functions.find((x) => x.id === f.functionId);
      if (!fn) continue;
      this.track(this.invokeAsync(fn, f.event));
    }
    return take.length;
  }

  clearFailures(): void {
    this.failed = [];
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    if (this.file) writeJsonAtomic(this.file, this.failed);
  }
}
