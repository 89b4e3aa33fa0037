/**
 * One batch of push records (a FIFO lane): the batch's message groups side by side, a group's
 * records one after the other in their order, within the invocation's time.
 *
 * A group's records run one after the other, so a batch of one connector's ten pushes to a slow
 * partner (each waiting for a partner turn, then up to four calls) lasts far longer than the
 * function's timeout. A timed-out invocation leaves its whole batch in flight for the visibility
 * timeout (the group stalls for minutes) and the work it did without being acknowledged is done
 * again (a re-sent copy AND its original). So:
 *   - a record is started only while the invocation has time left for its worst case; the ones
 *     that do not fit are made visible again at once, in order, behind nothing (the group is free
 *     again as soon as this batch answers). A group's first record always runs: a batch must
 *     always move its groups forward;
 *   - the batch answers `marginMs` before the invocation's end whatever is still running (a
 *     store call that hangs on a loaded machine): a record still running then stays in flight
 *     (reported as failed), its group's records not started are released; if it finishes after
 *     all (the process lives on), it is deleted then (`acknowledge`), so its group does not wait
 *     out the visibility timeout;
 *   - a record whose run throws (a store or queue call failed) comes back after a short pause
 *     (`retrySoon`), not after the visibility timeout, and the rest of its group follows it.
 */

export interface BatchRecord {
  messageId: string;
  /** MessageGroupId (a record without one is its own group) */
  group: string;
}

export interface BatchSteps<R extends BatchRecord> {
  /** attempt one record: true = done with (delete it), false = it stays (held, parked); may throw */
  run(r: R): Promise<boolean>;
  /** make a record visible again at once (it stays in its group's order) */
  release(r: R): Promise<void>;
  /** delete a record that finished after the batch answered (it was reported as failed) */
  acknowledge(r: R): Promise<void>;
  /** a record whose run threw: visible again after a short pause */
  retrySoon(r: R, err: unknown): Promise<void>;
  /** milliseconds left in this invocation (Lambda's context.getRemainingTimeInMillis) */
  remainingMs(): number;
  /** the longest one record may take: a partner turn's wait, a push's worst case, the queue calls */
  recordBudgetMs: number;
  /** answer this long before the invocation's end, whatever is still running */
  marginMs: number;
  /** told of the records of a group left for the next batch for want of time (a log line) */
  outOfTime?(left: readonly R[]): void;
}

type State = 'pending' | 'running' | 'acked' | 'stays';

/** Run one group in order; `state` says where each record stands (read when the batch is cut short). */
const runGroup = async <R extends BatchRecord>(
  records: readonly R[],
  steps: BatchSteps<R>,
  state: Map<R, State>,
  stopped: () => boolean,
): Promise<void> => {
  const leave = async (rest: readonly R[]) => {
    for (const x of rest) state.set(x, 'stays');
    await Promise.all(rest.map((x) => steps.release(x).catch(() => undefined)));
  };
  for (const [i, r] of records.entries()) {
    if (stopped()) return; // the batch answered: the rest is released by it
    if (i > 0 && steps.remainingMs() < steps.recordBudgetMs) {
      steps.outOfTime?.(records.slice(i));
      return leave(records.slice(i));
    }
    state.set(r, 'running');
    let done = false;
    try {
      done = await steps.run(r);
    } catch (err) {
      await steps.retrySoon(r, err).catch(() => undefined);
    }
    if (stopped()) {
      // reported as failed when the batch answered: done after all, so delete it now
      if (done) await steps.acknowledge(r).catch(() => undefined);
      return;
    }
    state.set(r, done ? 'acked' : 'stays');
    // the record that stays keeps the group locked while in flight; the rest follow it, in order
    if (!done) return leave(records.slice(i + 1));
  }
};

/** Run a batch: groups side by side, each group in order; returns the ids that stay in the queue. */
export const runBatch = async <R extends BatchRecord>(records: readonly R[], steps: BatchSteps<R>): Promise<string[]> => {
  const groups = new Map<string, R[]>();
  for (const r of records) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const state = new Map<R, State>(records.map((r) => [r, 'pending']));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<'cut'>((resolve) => {
    timer = setTimeout(() => resolve('cut'), Math.max(0, steps.remainingMs() - steps.marginMs));
  });
  try {
    const all = Promise.all([...groups.values()].map((rs) => runGroup(rs, steps, state, () => stopped)));
    if ((await Promise.race([all, cut])) === 'cut') {
      stopped = true;
      const notStarted = records.filter((r) => state.get(r) === 'pending');
      await Promise.all(notStarted.map((r) => steps.release(r).catch(() => undefined)));
    }
  } finally {
    clearTimeout(timer);
  }
  return records.filter((r) => state.get(r) !== 'acked').map((r) => r.messageId);
};
