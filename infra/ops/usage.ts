/**
 * `evcs usage`: calls per interface per partner per day, with the Ret distribution and p50/p99
 * latency, and the interfaces nobody called — from the `Requests` EMF records the gateway emits
 * (shared/middleware/tcec-gateway.ts: dimensions interface and Ret; metadata OperatorID and
 * durationMs). Locally the records are in the data dir; in AWS, Logs Insights aggregates them
 * (infra/ops/insights.ts) into the same rows. Pure functions.
 */
import type { LogRecord } from './trace.ts';

export interface UsageRow {
  /** UTC day, YYYY-MM-DD */
  readonly day: string;
  readonly interface: string;
  readonly partner: string;
  readonly calls: number;
  /** Ret → count */
  readonly rets: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface UsageReport {
  readonly rows: readonly UsageRow[];
  /** served interfaces with no call in the window (for the partner, with --partner) */
  readonly unused: readonly string[];
}

/** one `Requests` call out of an EMF record, or undefined for any other record */
export interface Call {
  readonly at: number;
  readonly interface: string;
  readonly partner: string;
  readonly ret: string;
  readonly durationMs: number;
}

export const callOf = (r: LogRecord): Call | undefined => {
  const aws = r._aws as { Timestamp?: number; CloudWatchMetrics?: { Metrics?: { Name?: string }[] }[] } | undefined;
  if (!aws?.CloudWatchMetrics?.some((d) => d.Metrics?.some((m) => m.Name === 'Requests'))) return undefined;
  if (typeof r.interface !== 'string' || typeof r.Ret !== 'string' || typeof aws.Timestamp !== 'number') return undefined;
  const count = typeof r.Requests === 'number' ? r.Requests : 1;
  if (count !== 1) return undefined;
  return {
    at: aws.Timestamp,
    interface: r.interface,
    partner: typeof r.OperatorID === 'string' ? r.OperatorID : '-',
    ret: r.Ret,
    durationMs: Number(r.durationMs ?? 0),
  };
};

/** nearest-rank percentile (what CloudWatch's pct() approximates) */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
};

export interface UsageOptions {
  /** the window: calls at or after this time */
  readonly since: number;
  readonly until?: number;
  readonly partner?: string;
  /** the interfaces we serve (the unused ones are reported) */
  readonly served: readonly string[];
}

export const usageOf = (calls: readonly Call[], o: UsageOptions): UsageReport => {
  const groups = new Map<string, { day: string; iface: string; partner: string; rets: Record<string, number>; ms: number[] }>();
  for (const c of calls) {
    if (c.at < o.since || (o.until !== undefined && c.at > o.until)) continue;
    if (o.partner !== undefined && c.partner !== o.partner) continue;
    const day = new Date(c.at).toISOString().slice(0, 10);
    const key = `${day}\u0000${c.interface}\u0000${c.partner}`;
    let g = groups.get(key);
    if (!g) {
      g = { day, iface: c.interface, partner: c.partner, rets: {}, ms: [] };
      groups.set(key, g);
    }
    g.rets[c.ret] = (g.rets[c.ret] ?? 0) + 1;
    g.ms.push(c.durationMs);
  }
  const rows = [...groups.values()]
    .map((g): UsageRow => {
      const sorted = [...g.ms].sort((a, b) => a - b);
      return {
        day: g.day,
        interface: g.iface,
        partner: g.partner,
        calls: g.ms.length,
        rets: g.rets,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
      };
    })
    .sort((a, b) => a.day.localeCompare(b.day) || a.interface.localeCompare(b.interface) || a.partner.localeCompare(b.partner));
  return reportOf(rows, o.served);
};

/** the rows, and the served interfaces none of them called */
export const reportOf = (rows: readonly UsageRow[], served: readonly string[]): UsageReport => {
  const called = new Set(rows.map((r) => r.interface));
  return { rows, unused: served.filter((i) => !called.has(i)).sort() };
};

export const renderUsage = (u: UsageReport): string[] => {
  const lines = ['day         interface                          partner    calls  Ret                       p50 ms  p99 ms'];
  for (const r of u.rows) {
    const rets = Object.entries(r.rets)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([ret, n]) => `${ret}:${n}`)
      .join(' ');
    lines.push(
      `${r.day}  ${r.interface.padEnd(34)} ${r.partner.padEnd(9)} ${String(r.calls).padStart(6)}  ${rets.padEnd(24)} ${String(r.p50Ms).padStart(7)} ${String(r.p99Ms).padStart(7)}`,
    );
  }
  if (u.rows.length === 0) lines.push('(no calls in the window)');
  lines.push(`not called: ${u.unused.length ? u.unused.join(', ') : '(every interface was called)'}`);
  return lines;
};
