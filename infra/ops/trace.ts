/**
 * `evcs trace <id>`: every log record (and, locally, every bus event) carrying the id as one of the
 * search keys — StartChargeSeq, ConnectorID, OperatorID, interface, X-Ray trace id, request id —
 * in time order across functions. Records come from the local data dir (infra/local/ops-files.ts)
 * or from CloudWatch Logs Insights (infra/ops/insights.ts). Pure functions, unit-testable.
 */
import { TRACE_KEYS } from './queries.ts';

export type LogRecord = Record<string, unknown>;

const ID_KEYS: readonly string[] = [...TRACE_KEYS, 'requestId'];

/** JSON lines → records (a torn or foreign line is skipped, never fatal) */
export const parseJsonLines = (text: string): LogRecord[] => {
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as LogRecord);
    } catch {
      // a line being written while we read, or not a record
    }
  }
  return out;
};

const timeOf = (r: LogRecord): number => {
  const t = r.timestamp ?? r['@timestamp'];
  const ms = typeof t === 'string' ? Date.parse(t.includes('T') || t.includes('Z') ? t : `${t.replace(' ', 'T')}Z`) : Number.NaN;
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
};

/** oldest first; ties keep the order they came in (a record without a time goes last) */
export const inTimeOrder = (records: readonly LogRecord[]): LogRecord[] =>
  records
    .map((r, i) => ({ r, i, t: timeOf(r) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ r }) => r);

/** the records carrying `id` under any search key, oldest first (ties keep the order they were written in) */
export const traceOf = (records: readonly LogRecord[], id: string): LogRecord[] =>
  inTimeOrder(records.filter((r) => ID_KEYS.some((k) => r[k] === id)));

/** what happened, in a word or two: the step a reader looks for */
export const stepOf = (r: LogRecord): string => {
  if (r.message === 'bus event') return `event ${String(r['detail-type'])}`;
  if (r.message === 'tcec response') return `${String(r.interface)} → Ret ${String(r.Ret)}`;
  if (r.message === 'push attempt') return `push ${String(r.interface)} → ${String(r.OperatorID)} ${String(r.outcome)}`;
  if (r.message === 'pile command handed over') return `pile ${String(r.command)}`;
  return String(r.message ?? '');
};

const SHOWN = ['StartChargeSeq', 'ConnectorID', 'OperatorID', 'FailReason', 'failure', 'partnerMsg', 'durationMs', 'attempt'] as const;

const whoOf = (r: LogRecord): string =>
  String(r.function_name ?? r.service ?? '?')
    .replace(/^evcs-/, '')
    .padEnd(22);

/** one line per record: time, function, step, the keys worth reading */
export const renderTrace = (records: readonly LogRecord[]): string[] =>
  records.map((r) => {
    const t = timeOf(r);
    const when = Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').replace('Z', '') : '?';
    const keys = SHOWN.filter((k) => r[k] !== undefined && r[k] !== '').map((k) => `${k}=${String(r[k])}`);
    const level = r.level && r.level !== 'INFO' ? `${String(r.level)} ` : '';
    return `${when}  ${whoOf(r)} ${level}${stepOf(r)}${keys.length ? `  ${keys.join(' ')}` : ''}`;
  });
