/**
 * Simulated time for the pile simulator: one clock and ONE timer for all connectors (a min-heap
 * of due tasks keyed by simulated time), not a setInterval per connector.
 *
 *   - real-time mode: simulated now = startAt + (real elapsed) × speed; a single setTimeout is
 *     armed for the earliest task (real delay = simulated delay / speed);
 *   - manual mode (unit tests): time moves only by `advance(ms)`, which runs every task due on
 *     the way, in order, each at its own simulated instant — deterministic, no real waiting.
 *
 * A task receives the simulated instant it was scheduled for (not the possibly later instant it
 * ran at), so sample intervals stay exact even when the event loop is busy.
 */
export type Task = (at: number) => void;

export interface TimerHandle {
  cancel(): void;
}

interface Entry {
  at: number;
  order: number;
  fn: Task;
  cancelled: boolean;
}

/** binary min-heap on (at, order) */
class Heap {
  private a: Entry[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Entry | undefined {
    return this.a[0];
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i]!;
    const y = this.a[j]!;
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }
  private swap(i: number, j: number): void {
    const t = this.a[i]!;
    this.a[i] = this.a[j]!;
    this.a[j] = t;
  }
  push(e: Entry): void {
    this.a.push(e);
    let i = this.a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): Entry | undefined {
    const top = this.a[0];
    const last = this.a.pop();
    if (this.a.length && last) {
      this.a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.a.length && this.less(l, m)) m = l;
        if (r < this.a.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

export interface SimClockOptions {
  /** N × real time (60 → a simulated hour per real minute); ignored in manual mode */
  speed: number;
  /** simulated epoch ms at start (default: the real now) */
  startAt?: number;
  /** time moves only through advance() */
  manual?: boolean;
  /** a task threw */
  onError?: (err: unknown) => void;
}

/** tasks run per turn of the event loop before yielding (keeps the HTTP server responsive at high speed) */
const SLICE = 5_000;
const MAX_TIMEOUT = 2 ** 31 - 1;

export class SimClock {
  readonly speed: number;
  readonly manual: boolean;
  private readonly heap = new Heap();
  private order = 0;
  private readonly realStart = performance.now();
  private readonly startAt: number;
  private manualNow: number;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(private readonly o: SimClockOptions) {
    if (!(o.speed > 0) || !Number.isFinite(o.speed)) throw new Error(`simSpeed must be a positive number, got ${o.speed}`);
    this.speed = o.speed;
    this.manual = o.manual ?? false;
    this.startAt = o.startAt ?? Date.now();
    this.manualNow = this.startAt;
  }

  /** simulated now, epoch ms */
  now(): number {
    return this.manual ? this.manualNow : this.startAt + (performance.now() - this.realStart) * this.speed;
  }

  /** run `fn` at simulated instant `at` (epoch ms) */
  at(at: number, fn: Task): TimerHandle {
    const e: Entry = { at, order: this.order++, fn, cancelled: false };
    this.heap.push(e);
    if (!this.manual) this.arm();
    return {
      cancel: () => {
        e.cancelled = true;
      },
    };
  }

  /** run `fn` after `ms` of simulated time */
  after(ms: number, fn: Task): TimerHandle {
    return this.at(this.now() + Math.max(0, ms), fn);
  }

  /** tasks waiting (including cancelled ones not yet discarded) */
  pending(): number {
    return this.heap.size;
  }

  /** manual mode: move simulated time forward by `ms`, running every task due on the way */
  advance(ms: number): void {
    if (!this.manual) throw new Error('advance() is for a manual clock');
    const target = this.manualNow + ms;
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.at > target) break;
      this.heap.pop();
      if (top.cancelled) continue;
      this.manualNow = Math.max(this.manualNow, top.at);
      this.run(top);
    }
    this.manualNow = target;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(e: Entry): void {
    try {
      e.fn(e.at);
    } catch (err) {
      this.o.onError?.(err);
    }
  }

  private arm(): void {
    if (this.stopped) return;
    let top = this.heap.peek();
    while (top?.cancelled) {
      this.heap.pop();
      top = this.heap.peek();
    }
    if (!top) return;
    if (this.timer && top.at >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = top.at;
    const delay = Math.min(MAX_TIMEOUT, Math.max(0, (top.at - this.now()) / this.speed));
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const now = this.now();
    let ran = 0;
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.at > now) break;
      this.heap.pop();
      if (top.cancelled) continue;
      this.run(top);
      if (++ran >= SLICE) {
        setImmediate(() => this.fire());
        return;
      }
    }
    this.arm();
  }
}
