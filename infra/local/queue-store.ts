/**
 * The queue store: SQS for the local runtime with standard-queue semantics (at-least-once,
 * visibility timeout, receive count, DLQ after maxReceiveCount, DelaySeconds 0–900, best-effort
 * ordering) and FIFO-queue semantics for queues declared `fifo` (MessageGroupId required; a group's
 * messages handed out in order and never while one of the group is in flight; a
 * MessageDeduplicationId seen in the last 5 minutes accepted and dropped; no per-message delay;
 * a FIFO DLQ that keeps the group), persistence to <dataDir>/queues.json (+ a journal, so a `kill -9` loses no message), and the operator API (depth, DLQ peek, redrive,
 * idle) the CLI and tests use. The loopback emulator (aws-emulator.ts) serves it to the real SQS
 * client; the pollers (pollers.ts) feed its messages to the functions.
 *
 * Each queue keeps its counts (visible, in flight, delayed) at every change, so `depth` and
 * GetQueueAttributes cost O(1) whatever the backlog, and keeps its messages that are not visible
 * (in flight, delayed, held) apart from the visible ones until they are due: a receive takes the
 * first visible messages in queue order (a heap by place) and never walks a delayed retry or an
 * in-flight batch. The due ones are moved back (`promote`) before a receive or a count reads them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { QueueDecl } from '../topology/types.ts';
import { readJsonFile, writeJsonAtomic } from './json-file.ts';
import { MinHeap } from './min-heap.ts';

const localQueueName = (logical: string, fifo = false): string => `evcs-${logical}${fifo ? '.fifo' : ''}`;
/** a FIFO queue's DLQ is FIFO too, and SQS wants `.fifo` at the end of its name */
const dlqName = (logical: string, fifo = false): string => `evcs-${logical}-dlq${fifo ? '.fifo' : ''}`;
/** how long SQS remembers a FIFO MessageDeduplicationId */
export const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;

/** an SQS message attribute as the JSON protocol carries it (BinaryValue base64) */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttribute>;
  md5OfMessageAttributes?: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  /** epoch ms from which the message can be received (delay or visibility timeout) */
  visibleAt: number;
  /** set while received and not yet deleted or timed out */
  receiptHandle?: string;
  /** the queue it was first sent to, when moved to a DLQ */
  deadLetterSourceQueue?: string;
  /**
   * received, then kept in flight on purpose by its consumer (ChangeMessageVisibility > 0: a FIFO
   * push waiting for its retry time): SQS counts it as not visible; the operator's depth and `idle`
   * count it as delayed, since no one is working on it (in memory only)
   */
  held?: boolean;
  /** FIFO: MessageGroupId, MessageDeduplicationId and the SequenceNumber SQS gave it */
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  /** in memory only: its place in its queue (receive hands out the lowest first) */
  place?: number;
  /** in memory only: what its queue counts it as (until a promote sees it due); unset once it left */
  counted?: Counted;
}

type Counted = 'visible' | 'inFlight' | 'delayed';

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttribute>;
  md5OfMessageAttributes?: string;
  attributes: Record<string, string>;
}

export class QueueError extends Error {
  constructor(
    readonly code: 'QueueDoesNotExist' | 'ReceiptHandleIsInvalid' | 'InvalidParameterValue' | 'MessageNotInflight',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** The MD5 of message attributes exactly as SQS computes it (name-sorted, length-prefixed). */
export const md5OfMessageAttributes = (attrs: Record<string, MessageAttribute>): string | undefined => {
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lenPrefixed = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const [name, a] of names.map((n) => [n, attrs[n]] as const)) {
    if (!a) continue;
    lenPrefixed(Buffer.from(name, 'utf8'));
    lenPrefixed(Buffer.from(a.DataType, 'utf8'));
    if (a.DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]));
      lenPrefixed(Buffer.from(a.BinaryValue ?? '', 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lenPrefixed(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5Hex(Buffer.concat(parts));
};

interface QueueState {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount?: number;
  dlq?: string;
  /** the logical name, for source queues of the topology */
  logical?: string;
  isDlq: boolean;
  fifo: boolean;
  /** by MessageId, in the order they entered the queue (a Map keeps insertion order; get and delete are O(1)) */
  messages: Map<string, StoredMessage>;
  /** FIFO: (MessageGroupId, MessageDeduplicationId) → the message first sent with it, until the window ends (not persisted) */
  dedup: Map<string, { message: StoredMessage; until: number }>;
  /** the messages visible (as of the last promote), lowest place first; an entry whose message left or changed since is skipped */
  ready: MinHeap<StoredMessage>;
  /** the messages not visible (in flight, delayed, held) by the moment they become visible; stale entries as in `ready` */
  pending: MinHeap<{ at: number; m: StoredMessage }>;
  /** FIFO: visible messages of a group that has one in flight, out of `ready` until the group is free */
  parked: Map<string, StoredMessage[]>;
  /** FIFO: per group, how many of its messages are not visible (a group with any hands out nothing) */
  locks: Map<string, number>;
  /** what `depth` answers, kept at every change */
  counts: Record<Counted, number>;
}

export interface SendOptions {
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttribute>;
  /** FIFO queues: required */
  groupId?: string;
  /** FIFO queues: required (no content-based deduplication) */
  dedupId?: string;
}

export interface QueueDepth {
  queue: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

const PersistedMessageSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  md5OfBody: z.string(),
  messageAttributes: z.record(
    z.string(),
    z.object({ DataType: z.string(), StringValue: z.string().optional(), BinaryValue: z.string().optional() }),
  ),
  md5OfMessageAttributes: z.string().optional(),
  sentTimestamp: z.number(),
  firstReceiveTimestamp: z.number().optional(),
  receiveCount: z.number(),
  visibleAt: z.number(),
  deadLetterSourceQueue: z.string().optional(),
  groupId: z.string().optional(),
  dedupId: z.string().optional(),
  sequenceNumber: z.string().optional(),
});
const PersistedSchema = z.object({ version: z.literal(1), queues: z.record(z.string(), z.array(PersistedMessageSchema)) });

/**
 * One line of the journal (<dataDir>/queues.journal, JSON lines) written synchronously at every change
 * between two snapshots: a message as it now is in a queue (`put`; `inFlight` = received and not yet
 * deleted), or gone from it (`del`). A snapshot + its journal replayed = the state at the moment the
 * process died: SendMessage returned → the message survives a `kill -9`. Both ops are idempotent, so a
 * crash between writing a snapshot and truncating the journal replays harmlessly.
 */
const JournalLineSchema = z.union([
  z.object({ op: z.literal('put'), q: z.string(), m: PersistedMessageSchema, inFlight: z.boolean() }),
  z.object({ op: z.literal('del'), q: z.string(), id: z.string() }),
]);
type JournalLine = z.infer<typeof JournalLineSchema>;
/**
 * journal lines after which the next change writes a snapshot and starts a new journal: at least
 * this many, and at least twice the messages held (a snapshot writes every message, so with a fixed
 * threshold a backlog of n messages cost n serialised messages per 2,000 changes, synchronously: the
 * slower the consumers, the more each send cost. Proportional, a change costs O(1) amortised)
 */
const JOURNAL_COMPACT_LINES = 2000;
const JOURNAL_COMPACT_PER_MESSAGE = 2;

/** The queues of a topology: the state and the SQS operations. */
export class QueueStore {
  private readonly queues = new Map<string, QueueState>();
  private readonly byLogical = new Map<string, string>();
  private waiters = new Set<() => void>();
  private readonly watched = new WeakSet<AbortSignal>();
  private wakeTimer: NodeJS.Timeout | undefined;
  /** when the armed wake timer fires (+∞: none armed) */
  private wakeDue = Number.POSITIVE_INFINITY;
  /**
   * A min-heap of the moments a message becomes visible (a delay, a visibility timeout), each with
   * its message: the wake timer is armed for the earliest one that still holds, so a change costs
   * O(log n) instead of a walk over every message of every queue. An entry whose message was deleted
   * or got another time since is dropped when it reaches the top.
   */
  private readonly wakes = new MinHeap<{ at: number; q: QueueState; id: string }>((e) => e.at);

  constructor(
    queues: readonly QueueDecl[],
    private readonly baseUrl: string,
    private readonly region: string,
    private readonly account: string,
    private readonly file?: string,
  ) {
    for (const q of queues) {
      const fifo = q.fifo === true;
      const physical = localQueueName(q.name, fifo);
      const dlq = dlqName(q.name, fifo);
      this.add({ name: dlq, visibilityTimeoutSeconds: 30, isDlq: true, fifo });
      this.add({
        name: physical,
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        maxReceiveCount: q.maxReceiveCount,
        dlq,
        logical: q.name,
        isDlq: false,
        fifo,
      });
      this.byLogical.set(q.name, physical);
    }
    if (file) this.load(file);
  }

  private journalLines = 0;

  private get journalFile(): string | undefined {
    return this.file ? `${this.file.replace(/\.json$/, '')}.journal` : undefined;
  }

  /** record one change durably (against a process crash) before the operation returns */
  private journal(line: JournalLine): void {
    const jf = this.journalFile;
    if (!jf) return;
    if (this.journalLines >= JOURNAL_COMPACT_LINES && this.journalLines >= JOURNAL_COMPACT_PER_MESSAGE * this.held()) {
      this.persist(); // snapshot of the current state, which already includes this change; new journal
      return;
    }
    appendFileSync(jf, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    this.journalLines++;
  }

  /** messages held in every queue (in flight, delayed and visible) */
  private held(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.messages.size;
    return n;
  }

  private put(q: QueueState, m: StoredMessage): void {
    const { receiptHandle, held: _h, place: _p, counted: _c, ...rest } = m;
    this.journal({ op: 'put', q: q.name, m: rest, inFlight: receiptHandle !== undefined });
  }

  private del(q: QueueState, m: StoredMessage): void {
    this.journal({ op: 'del', q: q.name, id: m.messageId });
  }

  private add(q: Pick<QueueState, 'name' | 'visibilityTimeoutSeconds' | 'maxReceiveCount' | 'dlq' | 'logical' | 'isDlq' | 'fifo'>): void {
    this.queues.set(q.name, {
      ...q,
      url: `${this.baseUrl}/queue/${q.name}`,
      arn: `arn:aws:sqs:${this.region}:${this.account}:${q.name}`,
      messages: new Map(),
      dedup: new Map(),
      ready: new MinHeap<StoredMessage>((m) => m.place ?? 0),
      pending: new MinHeap<{ at: number; m: StoredMessage }>((e) => e.at),
      parked: new Map(),
      locks: new Map(),
      counts: { visible: 0, inFlight: 0, delayed: 0 },
    });
  }

  // -- the counts and the visible / not-visible split ---------------------------------------------

  /** places handed out so far (a message entering a queue goes behind every other) */
  private entered = 0;

  /** a message enters a queue (sent, moved to the DLQ, redriven, loaded): behind the others, counted */
  private enter(q: QueueState, m: StoredMessage, now: number): void {
    const old = q.messages.get(m.messageId);
    if (old) this.leave(q, old);
    m.place = ++this.entered;
    q.messages.set(m.messageId, m);
    this.shelve(q, m, now);
  }

  /** a message leaves its queue (deleted, moved, redriven): uncounted; its heap entries are stale from now */
  private leave(q: QueueState, m: StoredMessage): void {
    q.messages.delete(m.messageId);
    const from = m.counted;
    if (!from) return;
    m.counted = undefined;
    q.counts[from]--;
    if (from !== 'visible') this.lock(q, m, -1);
    // a visible message leaves its entry in `ready` (deleted by a late consumer; a DLQ's redriven ones)
    else if (q.ready.size > 1_024 && q.ready.size > 4 * q.counts.visible) q.ready.retain((r) => this.isReady(q, r));
  }

  /** count a message of the queue by its visibility now and file it in `ready` or `pending` */
  private shelve(q: QueueState, m: StoredMessage, now: number): void {
    if (m.visibleAt <= now) {
      m.counted = 'visible';
      q.ready.push(m);
    } else {
      m.counted = m.receiptHandle && !m.held ? 'inFlight' : 'delayed';
      q.pending.push({ at: m.visibleAt, m });
      this.lock(q, m, 1);
    }
    q.counts[m.counted]++;
    if (m.counted !== 'visible') this.compactPending(q);
  }

  /** file a message again after its visibility changed (received, due, ChangeMessageVisibility) */
  private refile(q: QueueState, m: StoredMessage, now: number): void {
    const from = m.counted;
    this.shelve(q, m, now); // first: a group that stays locked is not unlocked in between
    if (!from) return;
    q.counts[from]--;
    if (from !== 'visible') this.lock(q, m, -1);
  }

  /** FIFO: a message of the group is no longer visible (+1) or is again, or left (-1); a free group's parked messages are ready again */
  private lock(q: QueueState, m: StoredMessage, by: 1 | -1): void {
    if (!q.fifo || !m.groupId) return;
    const n = (q.locks.get(m.groupId) ?? 0) + by;
    if (n > 0) {
      q.locks.set(m.groupId, n);
      return;
    }
    q.locks.delete(m.groupId);
    const parked = q.parked.get(m.groupId);
    if (!parked) return;
    q.parked.delete(m.groupId);
    for (const p of parked) q.ready.push(p);
  }

  private isReady(q: QueueState, m: StoredMessage): boolean {
    return m.counted === 'visible' && q.messages.get(m.messageId) === m;
  }

  private isPending(q: QueueState, e: { at: number; m: StoredMessage }): boolean {
    return e.m.counted !== undefined && e.m.counted !== 'visible' && e.m.visibleAt === e.at && q.messages.get(e.m.messageId) === e.m;
  }

  /** the messages whose moment came (a delay, a visibility timeout) are visible now */
  private promote(q: QueueState, now: number): void {
    for (let e = q.pending.peek(); e && e.at <= now; e = q.pending.peek()) {
      q.pending.pop();
      if (this.isPending(q, e)) this.refile(q, e.m, now);
    }
  }

  /** most received messages are deleted long before their timeout: their entries are dropped in bulk */
  private compactPending(q: QueueState): void {
    const live = q.counts.inFlight + q.counts.delayed;
    if (q.pending.size > 1_024 && q.pending.size > 4 * live) q.pending.retain((e) => this.isPending(q, e));
  }

  /** every message of the queue counted and filed anew, in its Map order (after loading a state file) */
  private reindex(q: QueueState, now: number): void {
    this.clearIndex(q);
    for (const m of q.messages.values()) {
      m.place = ++this.entered;
      m.counted = undefined;
      this.shelve(q, m, now);
    }
  }

  private clearIndex(q: QueueState): void {
    q.ready.reset();
    q.pending.reset();
    q.parked.clear();
    q.locks.clear();
    q.counts = { visible: 0, inFlight: 0, delayed: 0 };
  }

  private sequence = 0n;

  /** queue URL of a logical queue name */
  url(logical: string): string {
    return this.get(logical).url;
  }

  arn(nameOrUrl: string): string {
    return this.get(nameOrUrl).arn;
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  /** resolve a logical name, physical name or queue URL */
  private get(ref: string): QueueState {
    const name = ref.includes('/') ? ref.slice(ref.lastIndexOf('/') + 1) : (this.byLogical.get(ref) ?? ref);
    const q = this.queues.get(name);
    if (!q) throw new QueueError('QueueDoesNotExist', `The specified queue does not exist: ${ref}`);
    return q;
  }

  has(ref: string): boolean {
    try {
      this.get(ref);
      return true;
    } catch {
      return false;
    }
  }

  /** throws QueueDoesNotExist unless the queue exists (a batch call's check before its entries) */
  assertExists(ref: string): void {
    this.get(ref);
  }

  /** GetQueueAttributes (the counts are kept: O(1)) */
  attributes(ref: string): Record<string, string> {
    const q = this.get(ref);
    const d = this.depth(ref);
    return {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(d.visible),
      ApproximateNumberOfMessagesNotVisible: String(d.inFlight),
      ApproximateNumberOfMessagesDelayed: String(d.delayed),
      VisibilityTimeout: String(q.visibilityTimeoutSeconds),
      DelaySeconds: '0',
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      ...(q.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {}),
      ...(q.dlq && q.maxReceiveCount
        ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: this.get(q.dlq).arn, maxReceiveCount: q.maxReceiveCount }) }
        : {}),
    };
  }

  send(ref: string, body: string, opts: SendOptions = {}): StoredMessage {
    const q = this.get(ref);
    const delay = opts.delaySeconds ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > 900)
      throw new QueueError('InvalidParameterValue', `DelaySeconds must be an integer 0–900, got ${delay}`);
    if (body.length === 0) throw new QueueError('InvalidParameterValue', 'The message body must not be empty');
    if (Buffer.byteLength(body) > 262_144) throw new QueueError('InvalidParameterValue', 'The message body must be at most 256 KiB');
    if (q.fifo) {
      if (!opts.groupId) throw new QueueError('InvalidParameterValue', 'The request must contain the parameter MessageGroupId.');
      if (!opts.dedupId)
        throw new QueueError(
          'InvalidParameterValue',
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      if (delay !== 0)
        throw new QueueError(
          'InvalidParameterValue',
          `Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      for (const [what, v] of [
        ['MessageGroupId', opts.groupId],
        ['MessageDeduplicationId', opts.dedupId],
      ] as const)
        if (v.length > 128 || !/^[\x21-\x7e]+$/.test(v))
          throw new QueueError('InvalidParameterValue', `${what} must be 1–128 printable ASCII characters`);
    }
    const attrs = opts.messageAttributes ?? {};
    for (const [n, a] of Object.entries(attrs)) {
      if (!/^(String|Number|Binary)(\..+)?$/.test(a.DataType))
        throw new QueueError('InvalidParameterValue', `message attribute ${n}: unsupported DataType ${a.DataType}`);
      if (a.DataType.startsWith('Binary') ? a.BinaryValue === undefined : a.StringValue === undefined)
        throw new QueueError('InvalidParameterValue', `message attribute ${n}: a value is required`);
    }
    const now = Date.now();
    // deduplication scope: the message group (high-throughput FIFO, as infra/constructs/evcs-queue.ts declares it)
    const dedupKey = `${opts.groupId}\n${opts.dedupId}`;
    if (q.fifo) {
      const seen = q.dedup.get(dedupKey);
      // a duplicate within the window: accepted, answered with the first message, never delivered twice
      // (its checksums are of THIS request, as SQS computes them: the SDK checks them against what it sent)
      if (seen && seen.until > now) {
        const { md5OfMessageAttributes: _m, ...first } = seen.message;
        const md5Attrs = md5OfMessageAttributes(attrs);
        return { ...first, md5OfBody: md5Hex(body), ...(md5Attrs ? { md5OfMessageAttributes: md5Attrs } : {}) };
      }
    }
    const m: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes: attrs,
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now + delay * 1000,
    };
    const md5Attrs = md5OfMessageAttributes(attrs);
    if (md5Attrs) m.md5OfMessageAttributes = md5Attrs;
    if (q.fifo && opts.groupId && opts.dedupId) {
      m.groupId = opts.groupId;
      m.dedupId = opts.dedupId;
      this.sequence += 1n;
      m.sequenceNumber = (BigInt(now) * 1_000_000n + this.sequence).toString().padStart(20, '0');
      // entries are in the order they were set, each with the same window: the expired ones lead
      for (const [id, d] of q.dedup) {
        if (d.until > now) break;
        q.dedup.delete(id);
      }
      q.dedup.delete(dedupKey); // set anew at the end: the order stays the order of expiry
      q.dedup.set(dedupKey, { message: { ...m }, until: now + FIFO_DEDUP_WINDOW_MS });
    }
    this.enter(q, m, now);
    this.put(q, m);
    this.notify();
    this.wakeAt(q, m);
    return m;
  }

  /**
   * Receive up to `max` visible messages, long-polling up to `waitSeconds`. A message whose
   * receive count already reached maxReceiveCount moves to the DLQ instead of being delivered.
   */
  async receive(
    ref: string,
    max = 1,
    visibilityTimeoutSeconds?: number,
    waitSeconds = 0,
    signal?: AbortSignal,
  ): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const got = this.receiveNow(ref, max, visibilityTimeoutSeconds);
      if (got.length > 0 || Date.now() >= deadline || signal?.aborted) return got;
      await this.waitForChange(deadline - Date.now(), signal);
    }
  }

  private receiveNow(ref: string, max: number, visibilityTimeoutSeconds?: number): ReceivedMessage[] {
    const q = this.get(ref);
    if (!Number.isInteger(max) || max < 1 || max > 10)
      throw new QueueError('InvalidParameterValue', `MaxNumberOfMessages must be 1–10, got ${max}`);
    const vt = visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds;
    const now = Date.now();
    this.promote(q, now);
    const out: ReceivedMessage[] = [];
    // FIFO: a group with a message in flight hands out nothing until that message is deleted or
    // visible again; a group this receive hands out may give several of its messages, in order
    const taken = new Set<string>();
    // VisibilityTimeout 0: visible again at once, filed after this receive (not handed out twice by it)
    const again: StoredMessage[] = [];
    while (out.length < max) {
      const m = q.ready.pop();
      if (!m) break;
      if (!this.isReady(q, m)) continue; // deleted or moved since it was filed
      if (m.groupId && q.locks.has(m.groupId) && !taken.has(m.groupId)) {
        const parked = q.parked.get(m.groupId);
        if (parked) parked.push(m);
        else q.parked.set(m.groupId, [m]);
        continue;
      }
      if (q.maxReceiveCount && q.dlq && m.receiveCount >= q.maxReceiveCount) {
        this.moveToDlq(q, m);
        continue;
      }
      m.receiveCount += 1;
      m.held = undefined;
      m.firstReceiveTimestamp ??= now;
      m.receiptHandle = `${m.messageId}#${randomUUID()}`;
      m.visibleAt = now + vt * 1000;
      if (m.groupId) taken.add(m.groupId);
      if (m.visibleAt > now) this.refile(q, m, now);
      else again.push(m);
      this.wakeAt(q, m);
      this.put(q, m); // the receive count survives a crash: the DLQ budget is not reset by one
      out.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        md5OfBody: m.md5OfBody,
        messageAttributes: m.messageAttributes,
        ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentTimestamp),
          SenderId: 'LOCAL',
          ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
          ...(m.deadLetterSourceQueue ? { DeadLetterQueueSourceArn: m.deadLetterSourceQueue } : {}),
          ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
          ...(m.dedupId ? { MessageDeduplicationId: m.dedupId } : {}),
          ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
        },
      });
    }
    for (const m of again) q.ready.push(m);
    return out;
  }

  private moveToDlq(q: QueueState, m: StoredMessage): void {
    if (!q.dlq) return;
    const dlq = this.get(q.dlq);
    this.leave(q, m);
    const { receiptHandle: _rh, held: _h, ...rest } = m;
    const now = Date.now();
    const dead: StoredMessage = { ...rest, receiveCount: 0, visibleAt: now, deadLetterSourceQueue: q.arn };
    this.enter(dlq, dead, now);
    this.put(dlq, dead);
    this.del(q, m);
    this.notify();
  }

  private findByHandle(q: QueueState, receiptHandle: string): StoredMessage | undefined {
    const id = receiptHandle.split('#')[0];
    if (!id || !receiptHandle.includes('#'))
      throw new QueueError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
    return q.messages.get(id);
  }

  /** delete by receipt handle; a stale handle of a message still in the queue deletes it (as SQS may) */
  delete(ref: string, receiptHandle: string): void {
    const q = this.get(ref);
    const m = this.findByHandle(q, receiptHandle);
    if (m) {
      this.leave(q, m);
      this.del(q, m);
      this.notify();
    }
  }

  changeVisibility(ref: string, receiptHandle: string, seconds: number): void {
    const q = this.get(ref);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200)
      throw new QueueError('InvalidParameterValue', `VisibilityTimeout must be 0–43200, got ${seconds}`);
    const m = this.findByHandle(q, receiptHandle);
    const now = Date.now();
    if (!m || m.receiptHandle !== receiptHandle || m.visibleAt <= now)
      throw new QueueError('MessageNotInflight', 'The message referred to is not in flight.');
    m.visibleAt = now + seconds * 1000;
    m.held = seconds > 0 ? true : undefined;
    this.refile(q, m, now);
    this.wakeAt(q, m);
    this.notify();
  }

  purge(ref: string): void {
    const q = this.get(ref);
    for (const m of q.messages.values()) {
      m.counted = undefined;
      this.del(q, m);
    }
    q.messages.clear();
    this.clearIndex(q);
    this.notify();
  }

  /** the queue's counts: visible, in flight, delayed (a held message: delayed); O(1) amortised */
  depth(ref: string): QueueDepth {
    const q = this.get(ref);
    this.promote(q, Date.now());
    return { queue: q.name, ...q.counts };
  }

  /** messages currently in a queue (a DLQ, typically), without receiving them */
  peek(ref: string): readonly StoredMessage[] {
    return [...this.get(ref).messages.values()].map(({ place: _p, counted: _c, ...m }) => ({ ...m }));
  }

  /** the DLQ of a logical/physical source queue */
  dlqOf(ref: string): string {
    const q = this.get(ref);
    if (!q.dlq) throw new QueueError('InvalidParameterValue', `${q.name} has no DLQ`);
    return q.dlq;
  }

  /** move every message of the source queue's DLQ back to it (fresh receive count); returns how many */
  redrive(ref: string, max = Number.POSITIVE_INFINITY): number {
    const q = this.get(ref);
    const dlq = this.get(this.dlqOf(ref));
    const moving = [...dlq.messages.values()].slice(0, max);
    const now = Date.now();
    for (const m of moving) {
      this.leave(dlq, m);
      const { receiptHandle: _rh, deadLetterSourceQueue: _src, firstReceiveTimestamp: _f, held: _h, ...rest } = m;
      const back: StoredMessage = { ...rest, receiveCount: 0, visibleAt: now };
      this.enter(q, back, now);
      this.put(q, back);
      this.del(dlq, m);
    }
    this.notify();
    return moving.length;
  }

  /**
   * true when none of the given queues (default: every source, non-DLQ queue) holds a message that
   * is visible or in flight — and, with `includeDelayed`, none that is delayed (a scheduled retry)
   */
  idle(refs?: readonly string[], { includeDelayed = true }: { includeDelayed?: boolean } = {}): boolean {
    const qs = refs ? refs.map((r) => this.get(r)) : [...this.queues.values()].filter((q) => !q.isDlq);
    if (includeDelayed) return qs.every((q) => q.messages.size === 0);
    const now = Date.now();
    return qs.every((q) => {
      this.promote(q, now);
      if (q.counts.visible === 0 && q.counts.inFlight === 0) return true; // only delayed or held ones
      if (!q.fifo) return false;
      // FIFO: a group whose head is held (waiting for its time) keeps the rest of the group waiting too
      const all = [...q.messages.values()];
      const heldGroups = new Set(all.flatMap((m) => (m.groupId && m.held && m.visibleAt > now ? [m.groupId] : [])));
      return all.every(
        (m) => (m.visibleAt > now && (!m.receiptHandle || m.held)) || (m.groupId !== undefined && heldGroups.has(m.groupId)),
      );
    });
  }

  /** the topology's source queues with their logical names */
  sourceQueues(): { logical: string; name: string; url: string }[] {
    return [...this.queues.values()].flatMap((q) => (q.logical ? [{ logical: q.logical, name: q.name, url: q.url }] : []));
  }

  // -- waiting -------------------------------------------------------------------------------

  private notify(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  /** a message that becomes visible later (delayed, in flight, held): wake the waiters then */
  private wakeAt(q: QueueState, m: StoredMessage): void {
    if (m.visibleAt <= Date.now()) return;
    // stale entries (most: a received message is deleted long before its timeout) are dropped in bulk
    if (this.wakes.size > 1_024 && this.wakes.size > 4 * this.messageCount()) {
      this.rebuildWakes();
      return;
    }
    this.wakes.push({ at: m.visibleAt, q, id: m.messageId });
    if (m.visibleAt < this.wakeDue) this.arm();
  }

  /** arm the wake timer for the earliest moment a message still in its queue becomes visible */
  private arm(): void {
    const h = this.wakes;
    // an entry holds while its message is still in its queue with that time (a delete, a move to the
    // DLQ or a new receive since makes it stale)
    for (let top = h.peek(); top && top.q.messages.get(top.id)?.visibleAt !== top.at; top = h.peek()) h.pop();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeDue = h.peek()?.at ?? Number.POSITIVE_INFINITY;
    if (this.wakeDue === Number.POSITIVE_INFINITY) return;
    this.wakeTimer = setTimeout(() => this.onWake(), Math.max(1, this.wakeDue - Date.now() + 1));
    this.wakeTimer.unref();
  }

  /** the timer fired: what became visible wakes the waiters, and the timer moves to the next moment */
  private onWake(): void {
    this.wakeTimer = undefined;
    const now = Date.now();
    while ((this.wakes.peek()?.at ?? Number.POSITIVE_INFINITY) <= now) this.wakes.pop();
    this.notify();
    this.arm();
  }

  /** every message's wake, rebuilt (after loading a state file; when stale entries outnumber the live) */
  private rebuildWakes(): void {
    const now = Date.now();
    const live = [...this.queues.values()].flatMap((q) =>
      [...q.messages.values()].flatMap((m) => (m.visibleAt > now ? [{ at: m.visibleAt, q, id: m.messageId }] : [])),
    );
    this.wakes.reset(live);
    this.arm();
  }

  private messageCount(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.messages.size;
    return n;
  }

  /** resolves at the next change of any queue (a send, delete, redrive…), after `ms` at the latest, or on abort */
  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    this.wakeOnAbort(signal);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, Math.max(1, ms));
      this.waiters.add(done);
    });
  }

  /**
   * One abort listener per signal, however many receives wait on it (every poller loop shares one
   * signal: a listener per wait would pile up past Node's MaxListeners); aborting wakes every waiter
   * and each receive sees `signal.aborted`.
   */
  private wakeOnAbort(signal?: AbortSignal): void {
    if (!signal || signal.aborted || this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  // -- persistence -----------------------------------------------------------------------------

  private load(file: string): void {
    const parsed = readJsonFile(file, PersistedSchema);
    for (const [name, msgs] of Object.entries(parsed?.queues ?? {})) {
      const q = this.queues.get(name);
      if (!q) continue; // a queue removed from the topology: its messages are dropped
      q.messages = new Map(msgs.map((m) => [m.messageId, { ...m } as StoredMessage]));
    }
    const jf = this.journalFile;
    const now = Date.now();
    if (!jf || !existsSync(jf)) {
      for (const q of this.queues.values()) this.reindex(q, now);
      this.rebuildWakes();
      return;
    }
    for (const text of readFileSync(jf, 'utf8').split('\n')) {
      if (!text) continue;
      let line: JournalLine;
      try {
        line = JournalLineSchema.parse(JSON.parse(text));
      } catch {
        continue; // the line the crash cut short
      }
      const q = this.queues.get(line.q);
      if (!q) continue;
      if (line.op === 'del') {
        q.messages.delete(line.id);
        continue;
      }
      // whoever held it in flight died with the process: visible at once (as the snapshot does);
      // a put of a message already there keeps its place (as SQS keeps its order)
      const m: StoredMessage = { ...line.m, ...(line.inFlight && line.m.visibleAt > now ? { visibleAt: now } : {}) };
      q.messages.set(m.messageId, m);
    }
    for (const q of this.queues.values()) this.reindex(q, now);
    // fold the journal into a snapshot at once: the next crash replays only what happens from now
    this.persist();
    this.rebuildWakes();
  }

  /** write every queue's messages to the state file and start an empty journal (no-op in memory mode) */
  persist(): void {
    if (!this.file) return;
    writeJsonAtomic(this.file, this.snapshot());
    const jf = this.journalFile;
    if (jf) rmSync(jf, { force: true });
    this.journalLines = 0;
  }

  private snapshot() {
    const queues: Record<string, Omit<StoredMessage, 'receiptHandle'>[]> = {};
    const now = Date.now();
    // whoever holds in-flight messages is gone after a restart: they are visible at once (delayed ones stay delayed)
    for (const q of this.queues.values())
      queues[q.name] = [...q.messages.values()].map(({ receiptHandle, held: _h, place: _p, counted: _c, ...m }) =>
        receiptHandle && m.visibleAt > now ? { ...m, visibleAt: now } : m,
      );
    return { version: 1 as const, queues };
  }

  close(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeDue = Number.POSITIVE_INFINITY;
    this.wakes.reset();
    this.notify();
  }
}

export const queueStateFile = (dataDir: string): string => join(dataDir, 'queues.json');
