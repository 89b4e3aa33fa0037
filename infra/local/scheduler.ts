/**
 * The local scheduler: every `schedule` trigger of the topology, fired as EventBridge Scheduler
 * would, with an optional time scale (timeScale 60 = one simulated minute per real second).
 *
 * Expressions (UTC, as Scheduler's default):
 *   - `rate(N minute|minutes|hour|hours|day|days|second|seconds)` — fully; first fire one
 *     interval after start (`second(s)` is a local-only convenience for tests);
 *   - `cron(min hour day-of-month month day-of-week year)` — AWS's 6 fields with `*`, `?`, numbers,
 *     lists `a,b`, ranges `a-b`, steps `*∕n` `a∕n` `a-b∕n`, month names JAN–DEC, weekday names
 *     SUN–SAT (1–7 = SUN–SAT as in AWS). Not supported (rejected at start): `L`, `W`, `#`.
 *
 * The event delivered is EventBridge Scheduler's scheduled-event shape (source `aws.scheduler`,
 * detail-type `Scheduled Event`, detail `{}`), delivered asynchronously with the tier's retries
 * and the function's failure DLQ (through the bus).
 */
import { randomUUID } from 'node:crypto';
import type { FunctionDecl, Topology } from '../topology/types.ts';
import type { LocalBus } from './bus.ts';

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

type FieldSet = Set<number>;

export interface CronSpec {
  minutes: FieldSet;
  hours: FieldSet;
  /** undefined = `?` */
  daysOfMonth?: FieldSet;
  months: FieldSet;
  /** 0–6 = SUN–SAT (converted from AWS's 1–7); undefined = `?` */
  daysOfWeek?: FieldSet;
  years?: FieldSet;
}

export type Schedule = { kind: 'rate'; everyMs: number } | { kind: 'cron'; spec: CronSpec };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const parseField = (text: string, min: number, max: number, names: readonly string[] = [], nameBase = 1): FieldSet | undefined => {
  if (text === '?') return undefined;
  const out = new Set<number>();
  const num = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) throw new ScheduleError(`cron: '${s}' is not supported in '${text}' (no L, W or #)`);
    const n = Number(s);
    if (n < min || n > max) throw new ScheduleError(`cron: ${n} is out of range ${min}-${max} in '${text}'`);
    return n;
  };
  for (const part of text.split(',')) {
    const [rangeText, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`cron: bad step in '${part}'`);
    let lo: number;
    let hi: number;
    if (rangeText === '*') {
      lo = min;
      hi = max;
    } else if (rangeText.includes('-')) {
      const [a, b] = rangeText.split('-') as [string, string];
      lo = num(a);
      hi = num(b);
      if (lo > hi) throw new ScheduleError(`cron: range ${rangeText} is reversed`);
    } else {
      lo = num(rangeText);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
};

export const parseSchedule = (expression: string): Schedule => {
  const rate = /^rate\((\d+)\s+(second|seconds|minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ScheduleError(`rate: the value must be positive in '${expression}'`);
    const unit = (rate[2] ?? '').replace(/s$/, '');
    const ms = ({ second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as Record<string, number>)[unit];
    if (ms === undefined) throw new ScheduleError(`rate: unknown unit in '${expression}'`);
    return { kind: 'rate', everyMs: n * ms };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new ScheduleError(`unsupported schedule expression '${expression}' (rate(...) or cron(...))`);
  const f = (cron[1] ?? '').trim().split(/\s+/);
  const [fMin = '', fHour = '', fDom = '', fMonth = '', fDow = '', fYear = ''] = f;
  if (f.length !== 6) throw new ScheduleError(`cron: expected 6 fields (min hour dom month dow year), got ${f.length} in '${expression}'`);
  const daysOfMonth = parseField(fDom, 1, 31);
  const dowAws = parseField(fDow, 1, 7, DAYS, 1);
  if ((daysOfMonth === undefined) === (dowAws === undefined))
    throw new ScheduleError(`cron: exactly one of day-of-month and day-of-week must be '?' in '${expression}'`);
  const minutes = parseField(fMin, 0, 59);
  const hours = parseField(fHour, 0, 23);
  const months = parseField(fMonth, 1, 12, MONTHS, 1);
  if (!minutes || !hours || !months) throw new ScheduleError(`cron: '?' is only allowed in day-of-month or day-of-week in '${expression}'`);
  const years = fYear === '*' ? undefined : parseField(fYear, 1970, 2199);
  return {
    kind: 'cron',
    spec: {
      minutes,
      hours,
      months,
      ...(daysOfMonth ? { daysOfMonth } : {}),
      ...(dowAws ? { daysOfWeek: new Set([...dowAws].map((d) => d - 1)) } : {}),
      ...(years ? { years } : {}),
    },
  };
};

const dayMatches = (s: CronSpec, d: Date): boolean =>
  s.months.has(d.getUTCMonth() + 1) &&
  (!s.years || s.years.has(d.getUTCFullYear())) &&
  (s.daysOfMonth ? s.daysOfMonth.has(d.getUTCDate()) : true) &&
  (s.daysOfWeek ? s.daysOfWeek.has(d.getUTCDay()) : true);

/** the first minute strictly after `after` that the cron spec fires at (UTC); undefined if none within 5 years */
export const nextCron = (s: CronSpec, after: Date): Date | undefined => {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!dayMatches(s, t)) {
      t.setUTCHours(0, 0, 0, 0);
      t.setUTCDate(t.getUTCDate() + 1);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCMinutes(0);
      t.setUTCHours(t.getUTCHours() + 1);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      continue;
    }
    return t;
  }
  return undefined;
};

/** the next fire time strictly after `after` */
export const nextFire = (schedule: Schedule, after: Date, startedAt: Date): Date | undefined => {
  if (schedule.kind === 'cron') return nextCron(schedule.spec, after);
  const n = Math.floor((after.getTime() - startedAt.getTime()) / schedule.everyMs) + 1;
  return new Date(startedAt.getTime() + n * schedule.everyMs);
};

export interface SchedulerOptions {
  topology: Topology;
  bus: LocalBus;
  region: string;
  account: string;
  /** simulated seconds per real second (default 1) */
  timeScale?: number;
  /** a function's schedule expression replaced, by function id (local runs only: `EVCS_LOCAL_SCHEDULES`) */
  expressions?: Readonly<Record<string, string>>;
  onLog?: (line: string) => void;
}

/**
 * `EVCS_LOCAL_SCHEDULES='stranded-sweep=rate(10 seconds);…'`: schedules of a local run replaced by
 * function id (a crash test runs the stranded sweep every few seconds; the deployed schedule is the
 * topology's). An unknown id or a bad expression fails the start.
 */
export const localScheduleOverrides = (value: string | undefined, topology: Topology): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const part of (value ?? '').split(';')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const id = part.slice(0, eq).trim();
    const expression = part.slice(eq + 1).trim();
    if (eq < 1 || !topology.functions.some((f) => f.id === id && f.triggers.some((t) => t.type === 'schedule')))
      throw new ScheduleError(`EVCS_LOCAL_SCHEDULES: '${part}' does not name a scheduled function (<function id>=<expression>)`);
    parseSchedule(expression);
    out[id] = expression;
  }
  return out;
};

interface Entry {
  fn: FunctionDecl;
  name: string;
  expression: string;
  schedule: Schedule;
  timer?: NodeJS.Timeout;
}

export class LocalScheduler {
  private readonly entries: Entry[] = [];
  private startedReal = 0;
  private startedSim = new Date();
  private running = false;

  constructor(private readonly o: SchedulerOptions) {
    for (const fn of o.topology.functions)
      fn.triggers.forEach((t, i) => {
        if (t.type === 'schedule') {
          const expression = o.expressions?.[fn.id] ?? t.expression;
          this.entries.push({ fn, name: `${fn.id}-schedule-${i}`, expression, schedule: parseSchedule(expression) });
        }
      });
  }

  private get scale(): number {
    return this.o.timeScale ?? 1;
  }

  /** the scheduler's simulated clock */
  now(): Date {
    return new Date(this.startedSim.getTime() + (Date.now() - this.startedReal) * this.scale);
  }

  schedules(): { name: string; functionId: string; expression: string }[] {
    return this.entries.map((e) => ({ name: e.name, functionId: e.fn.id, expression: e.expression }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedReal = Date.now();
    this.startedSim = new Date();
    for (const e of this.entries) this.arm(e);
  }

  private arm(e: Entry): void {
    if (!this.running) return;
    const next = nextFire(e.schedule, this.now(), this.startedSim);
    if (!next) return;
    const delay = Math.max(0, (next.getTime() - this.now().getTime()) / this.scale);
    // setTimeout caps at 2^31-1 ms: re-arm in steps for far-away fires
    const capped = Math.min(delay, 2 ** 31 - 1);
    e.timer = setTimeout(() => {
      if (capped < delay) return this.arm(e);
      this.fire(e.fn.id, next, e.name);
      this.arm(e);
    }, capped);
    e.timer.unref();
  }

  /** fire a function's schedule now (tests, CLI); returns the event it was given */
  fire(functionId: string, at: Date = this.now(), scheduleName?: string): unknown {
    const e = this.entries.find((x) => x.fn.id === functionId && (!scheduleName || x.name === scheduleName));
    if (!e) throw new ScheduleError(`function ${functionId} has no schedule`);
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: this.o.account,
      time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.o.region,
      resources: [`arn:aws:scheduler:${this.o.region}:${this.o.account}:schedule/default/${e.name}`],
      detail: {},
    };
    this.o.bus.track(this.o.bus.invokeAsync(e.fn, event));
    return event;
  }

  stop(): void {
    this.running = false;
    for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
  }
}
