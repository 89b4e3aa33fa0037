/**
 * Where the local platform's output goes: handler log records (through the Powertools logger's
 * sink, shared/observability/powertools.ts), bus events and runtime diagnostics.
 *   - `pretty` (npm start): one short line per request, push attempt, pile command, event; warnings
 *     and errors (infra/local/log-render.ts);
 *   - `json` (npm start -- --json-logs / --verbose): the Powertools JSON lines as Lambda prints them;
 *   - `buffer` (tests, benches; the default of startPlatform): nothing printed, the last lines kept
 *     in memory for a test that wants to show them when it fails.
 */
import type { BusEvent } from './bus.ts';
import { renderBusEvent, renderLogRecord } from './log-render.ts';

export type LogMode = 'pretty' | 'json' | 'buffer';

export interface LogOutput {
  /** a handler's Powertools record (one JSON line) */
  record(jsonLine: string): void;
  event(e: BusEvent): void;
  /** a line of the runtime itself (a handler failure, a DLQ move, a demo partner's receipt) */
  runtime(line: string): void;
  /** the kept lines (buffer mode), oldest first */
  lines(): readonly string[];
}

const BUFFER_LINES = 5000;

export const createLogOutput = (mode: LogMode, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): LogOutput => {
  const kept: string[] = [];
  const keep = (line: string) => {
    kept.push(line);
    if (kept.length > BUFFER_LINES) kept.splice(0, kept.length - BUFFER_LINES);
  };
  switch (mode) {
    case 'pretty':
      return {
        record(l) {
          const line = renderLogRecord(l);
          if (line !== undefined) write(line);
        },
        event: (e) => write(renderBusEvent(e)),
        runtime: write,
        lines: () => kept,
      };
    case 'json':
      return { record: write, event: () => {}, runtime: write, lines: () => kept };
    case 'buffer':
      return { record: keep, event: () => {}, runtime: keep, lines: () => kept };
  }
};
