/**
 * Local console output for people: the handlers' Powertools records (JSON lines) rendered as one
 * short line per thing that happened — a T/CEC request (interface, partner, StartChargeSeq or
 * ConnectorID, Ret, ms), a push attempt, a pile command, a bus event — plus every warning and
 * error. Other records stay in the JSON output (`npm start -- --json-logs` / `--verbose`).
 * Pure functions: unit-tested in test/unit/local-log-render.test.ts.
 */

type Rec = Record<string, unknown>;

/** keys every record carries, never worth a column */
const NOISE = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'requestId',
  'messageId',
]);

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
/** HH:MM:SS.mmm of the record's own timestamp */
const clock = (ts: unknown): string => {
  const m = typeof ts === 'string' ? /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(ts) : null;
  return pad(m?.[1] ?? '--:--:--.---', 12);
};
const ms = (v: unknown) => (typeof v === 'number' ? `${Math.round(v)} ms` : '');

const tcecLine = (r: Rec): string => {
  const subject = str(r.StartChargeSeq) || str(r.ConnectorID) || '-';
  const ret = Number(r.Ret);
  const tail = ret !== 0 && r.Msg ? `  ${str(r.Msg)}` : '';
  return `${clock(r.timestamp)} ${pad(str(r.interface) || '?', 34)} ${pad(str(r.OperatorID) || '-', 9)}  ${pad(subject, 27)}  Ret ${pad(str(r.Ret), 4)} ${pad(ms(r.durationMs), 7)}${tail}`.trimEnd();
};

const pushLine = (r: Rec): string =>
  `${clock(r.timestamp)} push  ${pad(str(r.interface), 34)} → ${pad(str(r.OperatorID), 9)}  ${pad(str(r.outcome), 10)} ${ms(r.durationMs)}${r.detail ? `  ${str(r.detail)}` : ''}`.trimEnd();

const pileLine = (r: Rec): string =>
  `${clock(r.timestamp)} pile  ${pad(str(r.command), 6)} → ${pad(str(r.ConnectorID), 26)} ${str(r.StartChargeSeq)}`.trimEnd();

const problemLine = (r: Rec): string => {
  const keys = Object.entries(r)
    .filter(([k, v]) => !NOISE.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${str(v)}`);
  return `${clock(r.timestamp)} ${pad(str(r.level), 5)} ${str(r.message)}${keys.length ? `  ${keys.join(' ')}` : ''}`;
};

/** One Powertools JSON line → the line a person reads, or undefined when it is not worth one. */
export const renderLogRecord = (jsonLine: string): string | undefined => {
  let r: Rec;
  try {
    const parsed: unknown = JSON.parse(jsonLine);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return jsonLine;
    r = parsed as Rec;
  } catch {
    return jsonLine; // not a record: shown as is
  }
  const level = str(r.level);
  if (level === 'WARN' || level === 'ERROR' || level === 'CRITICAL') return problemLine(r);
  switch (r.message) {
    case 'tcec response':
      return tcecLine(r);
    case 'push attempt':
      return pushLine(r);
    case 'pile command handed over':
      return pileLine(r);
    default:
      return undefined;
  }
};

/** One event on the local bus → one line. */
export const renderBusEvent = (e: { time?: string; source: string; 'detail-type': string; detail?: unknown }): string => {
  const d = (e.detail && typeof e.detail === 'object' ? e.detail : {}) as Rec;
  const subject = str(d.StartChargeSeq) || str(d.ConnectorID);
  return `${clock(e.time)} event ${pad(e['detail-type'], 34)} ${subject}`.trimEnd();
};
