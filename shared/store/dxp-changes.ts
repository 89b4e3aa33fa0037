/**
 * Change records kept for the supervision exports (issue 13): station changes and connector status
 * changes, append-only, by China-time hour, in the `process-samples` table (the dxp reporting
 * table: samples and changes share its TTL and its hour-bucketed layout; no table of their own).
 *
 *   pk = CHANGE#<kind>#<YYYY-MM-DDTHH>   kind `stations` | `statuses`
 *   sk = <t ms, 14 digits>#<StationID | ConnectorID>#<version>
 *   r  = the export line (shared/domain/dxp-export.ts StationChangeLine | StatusChangeLine), ttl (epoch s)
 *
 * Access patterns: append a batch (BatchWriteItem of 25; a redelivered event writes the same key,
 * so the record stays one); an hour of one kind = one query (hundreds of thousands of items a day
 * fit one partition: well under its 1,000 writes/s). Cost: 1 WRU per change (< 1 KB).
 */

import { config } from '../config.ts';
import type { ChangeKind, ChangeLine } from '../domain/dxp-export.ts';
import { BatchWriteCommand, paginateQuery } from './doc.ts';
import { dynamo } from './dynamo.ts';

const table = (): string => config().tableName('process-samples');

export interface ChangeRecord {
  kind: ChangeKind;
  /** China-time hour of `line.Time` */
  hour: string;
  /** the key's id: StationID or ConnectorID, and a version (0 when the change has none) */
  id: string;
  version: number;
  line: ChangeLine;
}

const keyOf = (r: ChangeRecord) => ({
  pk: `CHANGE#${r.kind}#${r.hour}`,
  sk: `${String(r.line.Time).padStart(14, '0')}#${r.id}#${r.version}`,
});

/** Append records (`ttl`: epoch seconds). A batch never holds one key twice (BatchWriteItem refuses it). */
export const appendChanges = async (records: readonly ChangeRecord[], ttl: number): Promise<void> => {
  const unique = new Map<string, Record<string, unknown>>();
  for (const r of records) {
    const key = keyOf(r);
    unique.set(`${key.pk}|${key.sk}`, { ...key, r: r.line, ttl });
  }
  const items = [...unique.values()];
  for (let i = 0; i < items.length; i += 25) {
    let requests: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; requests?.length; round++) {
      if (round > 0) await new Promise((ok) => setTimeout(ok, Math.min(1000, 50 * 2 ** round)));
      if (round > 8) throw new Error(`dxp changes: ${requests.length} item(s) left unprocessed by BatchWriteItem`);
      const res = await dynamo().send(new BatchWriteCommand({ RequestItems: { [table()]: requests as never } }));
      requests = res.UnprocessedItems?.[table()] as Record<string, unknown>[] | undefined;
    }
  }
};

/** Every change record of one kind and China-time hour. */
export const changesOfHour = async (kind: ChangeKind, hour: string): Promise<ChangeLine[]> => {
  const out: ChangeLine[] = [];
  for await (const page of paginateQuery(
    { client: dynamo() },
    { TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CHANGE#${kind}#${hour}` } },
  ))
    for (const i of page.Items ?? []) out.push(i.r as ChangeLine);
  return out;
};
