/**
 * What the local platform keeps for the operator's tools under its data dir, as CloudWatch keeps
 * it in AWS:
 *   - `logs.jsonl`: every handler log record (the Powertools JSON line) and every bus event (as a
 *     record with the event's keys hoisted), in the order they happened — `evcs trace` reads it;
 *   - `metrics.jsonl`: every EMF record the functions emit — `evcs usage` reads it.
 * Appended through write streams (no synchronous I/O on the request path); `close` flushes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { BusEvent } from './bus.ts';

export const LOG_FILE = 'logs.jsonl';
export const METRICS_FILE = 'metrics.jsonl';

/** the keys a bus event's detail may carry that the trace searches by */
const HOISTED = ['StartChargeSeq', 'ConnectorID', 'OperatorID'] as const;

export interface OpsFiles {
  record(jsonLine: string): void;
  event(e: BusEvent): void;
  metric(emfLine: string): void;
  close(): Promise<void>;
}

/** a bus event as a log record (the time it was put on the bus, in ms: it sorts among the handlers' records) */
const eventRecord = (e: BusEvent, at: Date): Record<string, unknown> => {
  const detail = (e.detail && typeof e.detail === 'object' ? e.detail : {}) as Record<string, unknown>;
  const keys = Object.fromEntries(HOISTED.filter((k) => typeof detail[k] === 'string').map((k) => [k, detail[k]]));
  return {
    level: 'INFO',
    message: 'bus event',
    timestamp: at.toISOString(),
    service: 'bus',
    source: e.source,
    'detail-type': e['detail-type'],
    ...keys,
    detail,
  };
};

const end = (s: WriteStream): Promise<void> => new Promise((resolve) => s.end(resolve));

export const openOpsFiles = (dataDir: string, now: () => Date = () => new Date()): OpsFiles => {
  const logs = createWriteStream(join(dataDir, LOG_FILE), { flags: 'a', mode: 0o600 });
  const metrics = createWriteStream(join(dataDir, METRICS_FILE), { flags: 'a', mode: 0o600 });
  return {
    record: (line) => logs.write(`${line}\n`),
    event: (e) => logs.write(`${JSON.stringify(eventRecord(e, now()))}\n`),
    metric: (line) => metrics.write(`${line}\n`),
    close: async () => {
      await Promise.all([end(logs), end(metrics)]);
    },
  };
};
