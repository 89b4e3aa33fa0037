/**
 * One batch of push records (a FIFO lane): the batch's message groups side by side, a group's
 * records one after the other in their order, within the invocation's time.
 *
 * A group's records run one after the other, so a batch of one connector's ten pushes to a slow
 * partner (each waiting for a partner turn, then up to four calls) lasts far longer than the
 * function's timeout. A timed-out invocation leaves its whole batch in flight for the visibility
 * timeout (the group stalls for minutes) and the work it did without being acknowledged is done
 * again (a re-sent copy AND its original). So a record is started only while the invocation has
 * time left for its worst case; the ones that do not fit are made visible again at once, in order,
 * behind nothing (the group is free again as soon as this batch answers). A group's first record
 * always runs: it starts with the invocation, and a batch must always move its groups forward.
 */

export interface BatchRecord {
  messageId: string;
  /** MessageGroupId (a record without one is its own group) */
  group: string;
}

export interface BatchSteps<R extends BatchRecord> {
  /** attempt one record: true = done with (delete it), false = it stays (held, parked, failed) */
  run(r: R): Promise<boolean>;
  /** make a record visible again at once (it stays in its group's order) */
  release(r: R): Promise<void>;
  /** milliseconds left in this invocation (Lambda's context.getRemainingTimeInMillis) */
  remainingMs(): number;
  /** the longest one record may take: a partner turn's wait, a push's worst case, the queue calls */
  recordBudgetMs: number;
  /** told of the records of a group left for the next batch for want of time (a log line) */
  outOfTime?(left: readonly R[]): void;
}

/** the ids of `records` that stay in the queue (SQS batchItemFailures) */
const runGroup = async <R extends BatchRecord>(records: readonly R[], steps: BatchSteps<R>): Promise<string[]> => {
  for (const [i, r] of records.entries()) {
    const fits = i === 0 || steps.remainingMs() >= steps.recordBudgetMs;
    const done = fits ? await steps.run(r) : false;
    if (done) continue;
    // the record that stays keeps the group locked while in flight; the rest follow it, in order
    const rest = fits ? records.slice(i + 1) : records.slice(i);
    if (!fits) steps.outOfTime?.(rest);
    await Promise.all(rest.map((x) => steps.release(x).catch(() => undefined)));
    return records.slice(i).map((x) => x.messageId);
  }
  return [];
};

/** Run a batch: groups side by side, each group in order; returns the ids that stay in the queue. */
export const runBatch = async <R extends BatchRecord>(records: readonly R[], steps: BatchSteps<R>): Promise<string[]> => {
  const groups = new Map<string, R[]>();
  for (const r of records) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const failed = await Promise.all([...groups.values()].map((rs) => runGroup(rs, steps)));
  return failed.flat();
};
