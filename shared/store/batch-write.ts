/**
 * BatchWriteItem for many items: 25 requests per call (DynamoDB's limit), several calls in flight,
 * the unprocessed items of a call re-sent with exponential backoff and jitter (what AWS asks of a
 * BatchWrite caller: throttling returns them, it does not fail the call). Unconditional puts and
 * deletes only — a write that must not overwrite a newer one is a conditional UpdateItem or a
 * transaction, never this.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';

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
