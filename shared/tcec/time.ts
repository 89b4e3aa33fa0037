/**
 * T/CEC date/time text. Everything is China local time (UTC+8, no DST) without an offset
 * (reference §1.4, §3 conventions, pitfall 11b). Never use toISOString() for these fields.
 */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function chinaParts(d: Date): Parts {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError('invalid Date');
  const c = new Date(t + CHINA_OFFSET_MS);
  return {
    y: c.getUTCFullYear(),
    mo: c.getUTCMonth() + 1,
    d: c.getUTCDate(),
    h: c.getUTCHours(),
    mi: c.getUTCMinutes(),
    s: c.getUTCSeconds(),
  };
}

/** Builds the instant for China-local parts; undefined unless every part is in range (real calendar date). */
function fromChinaParts(p: Parts): Date | undefined {
  if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.d > 31 || p.h > 23 || p.mi > 59 || p.s > 59) return undefined;
  const c = new Date(0);
  c.setUTCFullYear(p.y, p.mo - 1, p.d);
  c.setUTCHours(p.h, p.mi, p.s, 0);
  // Rejects 2023-02-29, 2024-04-31 …: Date rolls them over, so the parts would differ.
  if (c.getUTCFullYear() !== p.y || c.getUTCMonth() !== p.mo - 1 || c.getUTCDate() !== p.d) return undefined;
  return new Date(c.getTime() - CHINA_OFFSET_MS);
}

const num = (m: RegExpExecArray, i: number): number => Number(m[i]);

/** `yyyyMMddHHmmss` in China time (envelope TimeStamp). */
export function chinaTimeStamp(d: Date = new Date()): string {
  const p = chinaParts(d);
  return `${pad(p.y, 4)}${pad(p.mo)}${pad(p.d)}${pad(p.h)}${pad(p.mi)}${pad(p.s)}`;
}

const TS_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
/** Strict: exactly 14 digits forming a real China-local date-time. */
export function parseTimeStamp(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = TS_RE.exec(s);
  if (!m) return undefined;
  return fromChinaParts({ y: num(m, 1), mo: num(m, 2), d: num(m, 3), h: num(m, 4), mi: num(m, 5), s: num(m, 6) });
}

/** `yyyy-MM-dd HH:mm:ss` in China time (date-times inside Data). */
export function formatDateTime(d: Date): string {
  const p = chinaParts(d);
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

const DT_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
/** Strict `yyyy-MM-dd HH:mm:ss` (one space, no T, no zone) as China time. */
export function parseDateTime(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = DT_RE.exec(s);
  if (!m) return undefined;
  return fromChinaParts({ y: num(m, 1), mo: num(m, 2), d: num(m, 3), h: num(m, 4), mi: num(m, 5), s: num(m, 6) });
}

/** `yyyy-MM-dd` in China time. */
export function formatDate(d: Date): string {
  const p = chinaParts(d);
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}`;
}

const D_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Strict `yyyy-MM-dd`; the result is 00:00:00 China time of that day. */
export function parseDate(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = D_RE.exec(s);
  if (!m) return undefined;
  return fromChinaParts({ y: num(m, 1), mo: num(m, 2), d: num(m, 3), h: 0, mi: 0, s: 0 });
}

/** `HHmmss` in China time (PolicyInfos StartTime). */
export function formatHHmmss(d: Date): string {
  const p = chinaParts(d);
  return `${pad(p.h)}${pad(p.mi)}${pad(p.s)}`;
}
