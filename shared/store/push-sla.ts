/**
 * Supervision SLA counters (SLA#<China day>#<OperatorID> in the push table): per day and
 * supervision platform, per interface, the timed pushes delivered, how many later than the
 * profile's deadline, their summed latency, the last one and the last late one. The console's SLAs
 * page reads them (shared/services/admin-views.ts `slasView`).
 *
 *   timed supervision push delivered   1 UpdateItem (ADD/SET, no read; item < 1 KB: 1 WRU)
 *   SLAs page                           1 BatchGetItem per 100 (platform, day) items
 *
 * One item per platform and day (not per interface): the page reads days × platforms items, and a
 * platform's handful of timed interfaces keep the item under 1 KB. Attribute names are
 * `<interface>|<counter>`. Kept 40 days (TTL).
 */
import { BatchGetCommand, UpdateCommand } from './doc.ts';
import { dynamo } from './dynamo.ts';
import { DAY_MS, epochSeconds, pushTable } from './push-table.ts';

const COUNTERS = ['pushes', 'late', 'latencySumMs', 'lastLatencyMs', 'lastAt', 'lastLateAt', 'lastLateByMs', 'deadlineSeconds'] as const;
type Counter = (typeof COUNTERS)[number];

const slaKey = (day: string, operatorId: string) => ({ pk: `SLA#${day}#${operatorId}` });
const BATCH_GET_MAX = 100;

export interface SlaPush {
  operatorId: string;
  iface: string;
  /** the China day the push was delivered (YYYY-MM-DD) */
  day: string;
  deadlineSeconds: number;
  latencyMs: number;
  breached: boolean;
  lateByMs: number;
  /** epoch ms delivered */
  at: number;
}

/** Count one delivered timed push: one UpdateItem. */
export const recordSlaPush = async (p: SlaPush): Promise<void> => {
  const names: Record<string, string> = {};
  const name = (c: Counter) => {
    names[`#${c}`] = `${p.iface}|${c}`;
    return `#${c}`;
  };
  const set = [
    `${name('lastLatencyMs')} = :lat`,
    `${name('lastAt')} = :at`,
    `${name('deadlineSeconds')} = :dl`,
    'OperatorID = :op',
    '#day = :day',
    'expiresAt = :exp',
  ];
  if (p.breached) set.push(`${name('lastLateAt')} = :at`, `${name('lastLateByMs')} = :by`);
  await dynamo().send(
    new UpdateCommand({
      TableName: pushTable(),
      Key: slaKey(p.day, p.operatorId),
      UpdateExpression: `ADD ${name('pushes')} :one, ${name('late')} :late, ${name('latencySumMs')} :lat SET ${set.join(', ')}`,
      ExpressionAttributeNames: { ...names, '#day': 'day' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':late': p.breached ? 1 : 0,
        ':lat': p.latencyMs,
        ':at': p.at,
        ':dl': p.deadlineSeconds,
        ':op': p.operatorId,
        ':day': p.day,
        ':exp': epochSeconds(p.at + 40 * DAY_MS),
        ...(p.breached ? { ':by': p.lateByMs } : {}),
      },
    }),
  );
};

export interface SlaCounters {
  OperatorID: string;
  day: string;
  interface: string;
  deadlineSeconds: number;
  pushes: number;
  late: number;
  latencySumMs: number;
  lastLatencyMs: number;
  lastAt: number;
  lastLateAt?: number;
  lastLateByMs?: number;
}

const countersOf = (item: Record<string, unknown>): SlaCounters[] => {
  const byIface = new Map<string, Partial<Record<Counter, number>>>();
  for (const [k, v] of Object.entries(item)) {
    const bar = k.lastIndexOf('|');
    if (bar < 0 || typeof v !== 'number') continue;
    const iface = k.slice(0, bar);
    const c = k.slice(bar + 1) as Counter;
    if (!COUNTERS.includes(c)) continue;
    byIface.set(iface, { ...byIface.get(iface), [c]: v });
  }
  return [...byIface].map(([iface, c]) => ({
    OperatorID: String(item.OperatorID),
    day: String(item.day),
    interface: iface,
    deadlineSeconds: c.deadlineSeconds ?? 0,
    pushes: c.pushes ?? 0,
    late: c.late ?? 0,
    latencySumMs: c.latencySumMs ?? 0,
    lastLatencyMs: c.lastLatencyMs ?? 0,
    lastAt: c.lastAt ?? 0,
    ...(c.lastLateAt !== undefined ? { lastLateAt: c.lastLateAt } : {}),
    ...(c.lastLateByMs !== undefined ? { lastLateByMs: c.lastLateByMs } : {}),
  }));
};

/** The counters of these platforms on these days (absent items: no timed push that day). */
export const slaCounters = async (operatorIds: readonly string[], days: readonly string[]): Promise<SlaCounters[]> => {
  const keys = operatorIds.flatMap((op) => days.map((d) => slaKey(d, op)));
  const out: SlaCounters[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [pushTable()]: { Keys: keys.slice(i, i + BATCH_GET_MAX) },
    };
    while (request && Object.keys(request).length) {
      const res = await dynamo().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[pushTable()] ?? []) out.push(...countersOf(item));
      request = res.UnprocessedKeys as typeof request;
    }
  }
  return out;
};
