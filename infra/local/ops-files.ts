/**
 * What the local platform keeps for the operator's tools under its data dir, as CloudWatch keeps
 * it in AWS:
 *   - `logs.jsonl`: every handler log record (the Powertools JSON line) and every bus event (as a
 *     record with the event's keys hoisted), in the order they happened — `evcs trace` reads it;
 *   - `metrics.jsonl`: every EMF record the functions emit — `evcs usage` reads it.
 * Appended through write streams (no synchronous I/O on the request path); `close` flushes. A file
 * past ROTATE_BYTES becomes `<name>.1` (the previous `.1` is dropped): the readers read both.
 */
import { createWriteStream, existsSync, openSync, renameSync, statSync, type WriteStream } from 'node:fs';
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

const ROTATE_BYTES = 64 * 1024 * 1024;

const end = (s: WriteStream): Promise<void> => new Promise((resolve) => s.end(resolve));

/** an appended file that rotates to `<path>.1` past `max` bytes */
const rotating = (path: string, max = ROTATE_BYTES) => {
  // opened synchronously: the descriptor exists before any rename (a lazily opened stream would race it)
  const open = () => createWriteStream('', { fd: openSync(path, 'a', 0o600) });
  let stream = open();
  let bytes = existsSync(path) ? statSync(path).size : 0;
  const ending: Promise<void>[] = [];
  return {
    write(line: string): void {
      const n = Buffer.byteLength(line) + 1;
      if (bytes > 0 && bytes + n > max) {
        // the old stream keeps its descriptor: what it still has to flush lands in the renamed file
        ending.push(end(stream));
        renameSync(path, `${path}.1`);
        stream = open();
        bytes = 0;
      }
      bytes += n;
      stream.write(`${line}\n`);
    },
    close: async (): Promise<void> => {
      await Promise.all([...ending, end(stream)]);
    },
  };
};

export const openOpsFiles = (dataDir: string, now: () => Date = () => new Date(), rotateBytes = ROTATE_BYTES): OpsFiles => {
  const logs = rotating(join(dataDir, LOG_FILE), rotateBytes);
  const metrics = rotating(join(dataDir, METRICS_FILE), rotateBytes);
  return {
    record: (line) => logs.write(line),
    event: (e) => logs.write(JSON.stringify(eventRecord(e, now()))),
    metric: (line) => metrics.write(line),
    close: async () => {
      await Promise.all([logs.close(), metrics.close()]);
    },
  };
};
