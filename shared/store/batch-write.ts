/**
 * BatchWriteItem for many items: 25 requests per call (DynamoDB's limit), several calls in flight,
 * the unprocessed items of a call re-sent with exponential backoff and jitter (what AWS asks of a
 * BatchWrite caller: throttling returns them, it does not fail the call). Unconditional puts and
 * deletes only — a write that must not overwrite a newer one is a conditional update: many of those
 * go together through `transactUpdates` below.
 */
import { BatchWriteCommand, TransactWriteCommand, UpdateCommand, type UpdateCommandInput } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** DynamoDB's limit per BatchWriteItem call */
const PER_CALL = 25;
const ATTEMPTS = 8;

/** Writes every request to `table`; resolves with the calls made. Throws when items stay unprocessed after every retry. */
export const batchWriteAll = async (
  table: string,
  requests: readonly WriteRequest[],
  { concurrency = 8, baseDelayMs = 25 }: { concurrency?: number; baseDelayMs?: number } = {},
): Promise<number> => {
  let calls = 0;
  let next = 0;
  const chunks = Math.ceil(requests.length / PER_CALL);
  const worker = async () => {
    for (let c = next++; c < chunks; c = next++) {
      let left: WriteRequest[] = requests.slice(c * PER_CALL, c * PER_CALL + PER_CALL);
      for (let attempt = 0; left.length && attempt < ATTEMPTS; attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2)));
        calls++;
        const res = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table]: left } }));
        left = (res.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      }
      if (left.length) throw new Error(`${table}: ${left.length} item(s) left unprocessed by BatchWrite after ${ATTEMPTS} attempts`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks) }, worker));
  return calls;
};

/** an UpdateItem that may go into a transaction (which requires an update expression) */
export type TransactUpdate = UpdateCommandInput & { UpdateExpression: string };

/** DynamoDB's limit per TransactWriteItems call */
const PER_TRANSACTION = 100;

/**
 * Conditional updates of distinct items, up to 100 per TransactWriteItems call — one round trip for
 * many compare-and-sets (DynamoDB Local, like any server, pays per call far more than per item). A
 * transaction is all-or-nothing, so an update whose condition fails cancels its companions: they are
 * sent again without it (the cancellation reasons say which one failed). Returns, per input, whether
 * it was applied (false: its condition did not hold). Every other error is thrown — and then some
 * of the updates may have been applied all the same (a transaction cancelled without reasons is
 * retried one by one, and one of those may throw while others commit): a caller must not take a
 * throw for "nothing was written".
 *
 * Cost: a transactional write is 2 WCU per item in AWS (a plain one 1), so a lone update goes as a
 * plain conditional UpdateItem — steady state (one status at a time) costs what it did; only a
 * burst (a batch of many) pays double, in exchange for one round trip.
 */
export const transactUpdates = async (updates: readonly TransactUpdate[], { baseDelayMs = 20 } = {}): Promise<boolean[]> => {
  const applied = updates.map(() => false);
  const chunks = Array.from({ length: Math.ceil(updates.length / PER_TRANSACTION) }, (_, c) =>
    updates.slice(c * PER_TRANSACTION, c * PER_TRANSACTION + PER_TRANSACTION).map((u, k) => ({ u, i: c * PER_TRANSACTION + k })),
  );
  await Promise.all(
    chunks.map(async (chunk) => {
      let left = chunk;
      for (let attempt = 0; left.length; attempt++) {
        // one update alone: a plain conditional UpdateItem (the same round trip, half the write units)
        if (left.length === 1 && left[0]) {
          const x = left[0];
          applied[x.i] = await conditionalWrite(dynamo(), new UpdateCommand(x.u));
          return;
        }
        if (attempt >= ATTEMPTS) throw new Error(`transaction of ${left.length} update(s) cancelled ${ATTEMPTS} times in a row`);
        try {
          await dynamo().send(new TransactWriteCommand({ TransactItems: left.map((x) => ({ Update: x.u })) }));
          for (const x of left) applied[x.i] = true;
          return;
        } catch (err) {
          const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
          if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') throw err;
          if (!reasons || reasons.length !== left.length) {
            // no per-item reasons: one by one (the conditions decide); every one settles before an error
            // is thrown, so no write of this call lands after its caller was told it failed
            const settled = await Promise.allSettled(
              left.map(async (x) => {
                applied[x.i] = await conditionalWrite(dynamo(), new UpdateCommand(x.u));
              }),
            );
            const thrown = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
            if (thrown) throw thrown.reason;
            return;
          }
          const lost = new Set(left.filter((_, k) => reasons[k]?.Code === 'ConditionalCheckFailed').map((x) => x.i));
          // a conflict with another transaction (AWS, under contention) or throttling: back off, then again
          if (lost.size === 0) await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2)));
          left = left.filter((x) => !lost.has(x.i));
        }
      }
    }),
  );
  return applied;
};
