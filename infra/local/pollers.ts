/**
 * The queue → function pollers: Lambda's SQS event source mapping for the local runtime. One
 * receive loop per (function, queue trigger) × maxConcurrency, the batching window (capped locally),
 * the SQS event shape, and ReportBatchItemFailures: failed records stay in the queue and come back
 * after their visibility timeout (then the DLQ after maxReceiveCount, by the queue store).
 */
import { z } from 'zod';
import type { FunctionDecl, Topology } from '../topology/types.ts';
import type { Invoker } from './invoke.ts';
import { sleep } from './ports.ts';
import type { IngestPriority } from './priority.ts';
import type { QueueStore, ReceivedMessage } from './queue-store.ts';

interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }
  >;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

const BatchResponseSchema = z.object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) });

export interface PollerOptions {
  store: QueueStore;
  invoker: Invoker;
  topology: Topology;
  region: string;
  /** concurrent batches per function when the trigger sets no maxConcurrency (default 2) */
  defaultConcurrency?: number;
  /** the batching window is capped locally so a developer does not wait (default 500 ms) */
  maxBatchingWindowMs?: number;
  /** the status ingest first (infra/local/priority.ts): other pollers wait while its queue has a backlog */
  priority?: IngestPriority;
  onLog?: (line: string) => void;
}

/** Runs one receive loop per (function, queue trigger) × concurrency. */
export class Pollers {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private busy = 0;

  constructor(private readonly o: PollerOptions) {}

  start(): void {
    for (const fn of this.o.topology.functions) {
      for (const t of fn.triggers) {
        if (t.type !== 'queue') continue;
        if (!this.o.store.has(t.queue)) throw new Error(`function ${fn.id}: queue trigger on unknown queue '${t.queue}'`);
        const n = Math.max(1, t.maxConcurrency ?? this.o.defaultConcurrency ?? 2);
        for (let i = 0; i < n; i++) this.loops.push(this.loop(fn, t.queue, t.batchSize, t.maxBatchingWindowSeconds ?? 0));
      }
    }
  }

  /** the queues some function consumes (the ones `drain` waits on) */
  consumedQueues(): string[] {
    return [...new Set(this.o.topology.functions.flatMap((f) => f.triggers.flatMap((t) => (t.type === 'queue' ? [t.queue] : []))))];
  }

  /** batches being processed right now */
  inFlight(): number {
    return this.busy;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async loop(fn: FunctionDecl, queue: string, batchSize: number, windowSeconds: number): Promise<void> {
    const { store } = this.o;
    const signal = this.abort.signal;
    const size = Math.min(batchSize, 10_000);
    while (!signal.aborted) {
      let batch: ReceivedMessage[];
      try {
        await this.o.priority?.yieldFor(fn, signal);
        batch = await store.receive(queue, Math.min(size, 10), undefined, 1, signal);
        if (batch.length === 0) continue;
        this.busy++;
        const windowEnd = Date.now() + Math.min(windowSeconds * 1000, this.o.maxBatchingWindowMs ?? 500);
        while (batch.length < size && Date.now() < windowEnd && !signal.aborted) {
          const more = await store.receive(queue, Math.min(size - batch.length, 10), undefined, (windowEnd - Date.now()) / 1000, signal);
          if (more.length === 0) break;
          for (const m of more) {
            // a message that timed out during the window and came back replaces its older copy
            const i = batch.findIndex((x) => x.messageId === m.messageId);
            if (i >= 0) batch[i] = m;
            else batch.push(m);
          }
        }
      } catch (err) {
        this.o.onLog?.(`[queues] ${fn.id}: receive failed: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(200);
        continue;
      }
      try {
        await this.process(fn, queue, batch);
      } finally {
        this.busy--;
      }
    }
  }

  private async process(fn: FunctionDecl, queue: string, batch: ReceivedMessage[]): Promise<void> {
    const { store } = this.o;
    const arn = store.arn(queue);
    const event = {
      Records: batch.map(
        (m): SqsRecord => ({
          messageId: m.messageId,
          receiptHandle: m.receiptHandle,
          body: m.body,
          attributes: m.attributes,
          messageAttributes: Object.fromEntries(
            Object.entries(m.messageAttributes).map(([k, a]) => [
              k,
              {
                ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
                ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
                stringListValues: [],
                binaryListValues: [],
                dataType: a.DataType,
              },
            ]),
          ),
          md5OfBody: m.md5OfBody,
          ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
          eventSource: 'aws:sqs',
          eventSourceARN: arn,
          awsRegion: this.o.region,
        }),
      ),
    };
    let failed: Set<string>;
    try {
      const result = await this.o.invoker.invoke(fn, event);
      failed = this.failedIds(fn, batch, result);
    } catch (err) {
      this.o.onLog?.(
        `[queues] ${fn.id}: batch of ${batch.length} from ${queue} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return; // the whole batch stays; it reappears after the visibility timeout
    }
    for (const m of batch) {
      if (failed.has(m.messageId)) continue;
      try {
        store.delete(queue, m.receiptHandle);
      } catch {
        /* already gone */
      }
    }
  }

  /** ReportBatchItemFailures: ids that stay in the queue; a malformed response fails the whole batch */
  private failedIds(fn: FunctionDecl, batch: ReceivedMessage[], result: unknown): Set<string> {
    const all = new Set(batch.map((m) => m.messageId));
    if (result === undefined || result === null) return new Set();
    if (typeof result === 'object' && !('batchItemFailures' in result)) return new Set();
    const parsed = BatchResponseSchema.safeParse(result);
    if (!parsed.success) {
      this.o.onLog?.(`[queues] ${fn.id}: malformed batch response, the whole batch is retried`);
      return all;
    }
    const ids = new Set<string>();
    for (const f of parsed.data.batchItemFailures) {
      if (!all.has(f.itemIdentifier)) {
        this.o.onLog?.(`[queues] ${fn.id}: batchItemFailures names unknown id '${f.itemIdentifier}', the whole batch is retried`);
        return all;
      }
      ids.add(f.itemIdentifier);
    }
    return ids;
  }
}
