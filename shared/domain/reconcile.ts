/**
 * Reconciliation rules (check_charge_orders, reference §3.13, §5.3), pure: which day an order
 * belongs to, how a day's orders become requests, how two order lists compare, and what a
 * partner's answer means. The outbound job (shared/services/reconcile.ts, we are the CPO: it builds
 * the requests and assesses the answers) and the inbound interface (roaming: a partner reconciles
 * with us, shared/domain/inbound-check.ts: it compares the lists) use the same functions.
 *
 * THE DAY RULE: an order belongs to the China-time (UTC+8) calendar day of its EndTime. A session
 * that starts at 23:50 and ends at 00:20 belongs to the day that begins at that midnight; the
 * request of a day covers [D 00:00:00, D+1 00:00:00) China time, i.e. [D-1 16:00Z, D 16:00Z).
 *
 * Amounts are compared as integers (energy in 0.01 kWh, money in fen): 2-dp wire values.
 */
import type { RequestData, ResponseData } from '../tcec/interfaces.ts';
import { fenToYuan, round, toScaledInt, yuanToFen } from '../tcec/money.ts';
import { formatDate, formatDateTime, parseDate } from '../tcec/time.ts';

/** One order as a reconciliation list carries it (the canonical wire figures: kWh and yuan, 2 dp). */
export interface ReconOrder {
  StartChargeSeq: string;
  TotalPower: number;
  TotalMoney: number;
}

export type CheckRequest = RequestData<'check_charge_orders'>;
export type CheckAnswer = ResponseData<'check_charge_orders'>;

/** 1 not found, 2 amount wrong, 3 energy wrong, 4–99 custom (§3.13). */
export const DisputeReason = { NotFound: 1, Money: 2, Energy: 3 } as const;

/** A disputed order with both sides' figures. */
export interface Dispute {
  StartChargeSeq: string;
  reason: number;
  /** our figures (absent when we have no such order) */
  ours?: { TotalPower: number; TotalMoney: number };
  /** the other side's figures (absent when they have no such order) */
  theirs?: { TotalPower: number; TotalMoney: number };
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` a real calendar date? */
export const isDay = (day: string): boolean => parseDate(day) !== undefined;

/** The China-time day window of `day` (`YYYY-MM-DD`): [from, to) as instants and as the request's StartTime/EndTime. */
export const dayWindow = (day: string): { from: Date; to: Date; StartTime: string; EndTime: string } => {
  const from = parseDate(day);
  if (!from) throw new RangeError(`not a day: ${JSON.stringify(day)} (YYYY-MM-DD)`);
  const to = new Date(from.getTime() + DAY_MS);
  return { from, to, StartTime: formatDateTime(from), EndTime: formatDateTime(new Date(to.getTime() - 1000)) };
};

/** The China-time day an order belongs to: the day of its EndTime (an instant). */
export const dayOfEnd = (endedAt: Date): string => formatDate(endedAt);

/** The China-time day before the one `now` falls in: what a nightly run reconciles. */
export const previousDay = (now: Date): string => formatDate(new Date(now.getTime() - DAY_MS));

/** Minutes since China-time midnight of `now`. */
export const chinaMinuteOfDay = (now: Date): number => Math.floor(((now.getTime() + 8 * 3_600_000) % DAY_MS) / 60_000);

/** `HH:mm` → minutes since midnight; the nightly window is 00:00–03:00 China time (municipal platforms require it). */
export const parseRunAt = (hhmm: string): number => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day: ${JSON.stringify(hhmm)} (HH:mm)`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 180) throw new RangeError(`reconciliation time ${hhmm} is outside 00:00–03:00 China time`);
  return minutes;
};

/** Is a partner whose run time is `runAtMinute` due at `now` (its minute has come, still within the night)? */
export const isDue = (runAtMinute: number, now: Date): boolean => {
  const m = chinaMinuteOfDay(now);
  return m >= runAtMinute && m < 240;
};

const power = (kwh: number) => toScaledInt(kwh, 2);
const money = (yuan: number) => yuanToFen(yuan);

/**
 * A day's orders as requests of at most `maxPerRequest` orders each, sorted by StartChargeSeq; each
 * request's totals describe that request. `seqOf(i)` gives the i-th request's CheckOrderSeq. A day
 * without orders is still one request (OrderCount 0: "nothing from us that day").
 */
export const buildRequests = (
  day: string,
  orders: readonly ReconOrder[],
  maxPerRequest: number,
  seqOf: (index: number) => string,
): CheckRequest[] => {
  if (!Number.isInteger(maxPerRequest) || maxPerRequest < 1) throw new RangeError('maxPerRequest must be a positive integer');
  const { StartTime, EndTime } = dayWindow(day);
  const sorted = [...orders].sort((a, b) => (a.StartChargeSeq < b.StartChargeSeq ? -1 : a.StartChargeSeq > b.StartChargeSeq ? 1 : 0));
  const chunks: ReconOrder[][] = [];
  for (let i = 0; i < sorted.length; i += maxPerRequest) chunks.push(sorted.slice(i, i + maxPerRequest));
  if (!chunks.length) chunks.push([]);
  return chunks.map((chunk, i) => {
    let p = 0;
    let m = 0;
    for (const o of chunk) {
      p += power(o.TotalPower);
      m += money(o.TotalMoney);
    }
    return {
      CheckOrderSeq: seqOf(i),
      StartTime,
      EndTime,
      OrderCount: chunk.length,
      TotalOrderPower: round(p / 100, 2),
      TotalOrderMoney: fenToYuan(m),
      ChargeOrders: chunk.map((o) => ({ StartChargeSeq: o.StartChargeSeq, TotalPower: o.TotalPower, TotalMoney: o.TotalMoney })),
    };
  });
};

/**
 * The receiver's comparison, THE one both sides' lists go through: every order of THEIR list
 * against OUR records of the same period. Not in ours → 1; energy differs → 3; money differs → 2
 * (energy first: a wrong energy explains a wrong amount; one reason per order). A line listed twice
 * is one order. Orders we have that their list lacks are not disputes of this list (§3.13: the
 * answer lists disputed orders of the request); `missing` names them for the caller.
 *
 * `tolerance` (in 0.01 kWh and fen, default 0: the 2-dp wire values must be equal) is how far apart
 * the figures may be and still agree. It depends on where OUR figures come from: the roaming side
 * (shared/domain/inbound-check.ts) holds figures it re-priced from the partner's bill, which
 * verifyPartnerBill already accepts within a rounding fen, so it compares with tolerance 1.
 */
export const compareOrderLists = (
  theirs: readonly ReconOrder[],
  ours: readonly ReconOrder[],
  { tolerance = 0 }: { tolerance?: number } = {},
): { disputes: Dispute[]; missing: string[] } => {
  const mine = new Map(ours.map((o) => [o.StartChargeSeq, o]));
  const seen = new Set<string>();
  const disputes: Dispute[] = [];
  const differ = (a: number, b: number) => Math.abs(a - b) > tolerance;
  for (const t of theirs) {
    if (seen.has(t.StartChargeSeq)) continue;
    seen.add(t.StartChargeSeq);
    const theirFigures = { TotalPower: t.TotalPower, TotalMoney: t.TotalMoney };
    const o = mine.get(t.StartChargeSeq);
    if (!o) {
      disputes.push({ StartChargeSeq: t.StartChargeSeq, reason: DisputeReason.NotFound, theirs: theirFigures });
      continue;
    }
    const ourFigures = { TotalPower: o.TotalPower, TotalMoney: o.TotalMoney };
    if (differ(power(o.TotalPower), power(t.TotalPower)))
      disputes.push({ StartChargeSeq: t.StartChargeSeq, reason: DisputeReason.Energy, ours: ourFigures, theirs: theirFigures });
    else if (differ(money(o.TotalMoney), money(t.TotalMoney)))
      disputes.push({ StartChargeSeq: t.StartChargeSeq, reason: DisputeReason.Money, ours: ourFigures, theirs: theirFigures });
  }
  return { disputes, missing: ours.filter((o) => !seen.has(o.StartChargeSeq)).map((o) => o.StartChargeSeq) };
};

/** What a verified, schema-valid answer to one of our requests means. */
export interface AnswerAssessment {
  /** disputes of orders we sent, with our figures (from the request) and theirs (from the answer) */
  disputes: Dispute[];
  /** why the answer cannot be trusted (wrong CheckOrderSeq, disputes of orders we never sent, totals that disagree) */
  problems: string[];
}

/** The sender's reading of an answer: each DisputeOrder against the request it answers. */
export const assessAnswer = (sent: CheckRequest, answer: CheckAnswer): AnswerAssessment => {
  const problems: string[] = [];
  if (answer.CheckOrderSeq !== sent.CheckOrderSeq)
    problems.push(`CheckOrderSeq ${answer.CheckOrderSeq} does not echo ours (${sent.CheckOrderSeq})`);
  const byseq = new Map(sent.ChargeOrders.map((o) => [o.StartChargeSeq, o]));
  const disputes: Dispute[] = [];
  const unknown: string[] = [];
  const twice = new Set<string>();
  for (const d of answer.DisputeOrders) {
    const o = byseq.get(d.StartChargeSeq);
    if (!o) {
      unknown.push(d.StartChargeSeq);
      continue;
    }
    if (twice.has(d.StartChargeSeq)) continue;
    twice.add(d.StartChargeSeq);
    disputes.push({
      StartChargeSeq: d.StartChargeSeq,
      reason: d.DisputeReason,
      ours: { TotalPower: o.TotalPower, TotalMoney: o.TotalMoney },
      theirs: { TotalPower: d.TotalPower, TotalMoney: d.TotalMoney },
    });
  }
  if (unknown.length)
    problems.push(`disputes of ${unknown.length} order(s) we never sent in this request: ${unknown.slice(0, 5).join(', ')}`);
  if (answer.TotalDisputeOrder !== answer.DisputeOrders.length)
    problems.push(`TotalDisputeOrder ${answer.TotalDisputeOrder} but ${answer.DisputeOrders.length} DisputeOrders listed`);
  return { disputes, problems };
};

export type RunStatus = 'queued' | 'agreed' | 'disputed' | 'suspicious' | 'failed';

/** A run's status from its requests' outcomes: failed beats suspicious beats disputed beats agreed. */
export const runStatusOf = (outcomes: readonly { failed?: string; problems: readonly string[]; disputes: number }[]): RunStatus => {
  if (outcomes.some((o) => o.failed !== undefined)) return 'failed';
  if (outcomes.some((o) => o.problems.length > 0)) return 'suspicious';
  if (outcomes.some((o) => o.disputes > 0)) return 'disputed';
  return 'agreed';
};
