/**
 * A roaming order (OUR user on a PARTNER's pile) as the partner's notifications move it — pure
 * rules, no I/O. Notifications arrive at least once, in any order, possibly never (the app API
 * falls back to query_equip_charge_status): every rule here is idempotent and monotonic.
 *
 *   stat (StartChargeSeqStat: 1 starting, 2 charging, 3 stopping, 4 finished, 5 unknown) only
 *        moves forward; 5 never overwrites what we know;
 *   live (the §3.9 snapshot) is replaced only by a sample with a later EndTime;
 *   final (the §3.12 order and our verdict) is written once per distinct bill: the same bill
 *        again returns the stored verdict (no second dispute), a corrected bill is judged anew —
 *        the verdicts before it kept in `final.revisions` (oldest first), and an earlier bill
 *        delivered again after its correction (any order) never replaces the newer verdict.
 */
import type { StartOutcome } from './app-session.ts';
import type { BillFigures } from './partner-bill.ts';

export type SeqStat = 1 | 2 | 3 | 4 | 5;

export interface LiveSnapshot {
  ConnectorStatus: number;
  StartTime: string;
  /** time of this sample, 'yyyy-MM-dd HH:mm:ss' (so later = lexicographically greater) */
  EndTime: string;
  TotalPower: number;
  ElecMoney: number;
  SeviceMoney: number;
  TotalMoney: number;
  Soc: number;
}

export interface FinalOrder {
  /** the partner's §3.12 order as received (canonical spelling) */
  theirs: Record<string, unknown>;
  /** a digest of `theirs`: the same bill again is a duplicate */
  digest: string;
  /** our figures from our billing function (absent when it could not be priced) */
  ours?: BillFigures;
  theirFigures: BillFigures;
  confirmResult: 0 | 1;
  disputeReason?: number;
  disputeDetail?: string;
  receivedAt: string;
  /**
   * a disputed bill's OrderDisputed event: false until it is published (set with the verdict, cleared
   * only after a successful PutEvents), so a publish that failed is retried by the partner's
   * re-sent bill or the session sweep — never lost, never published twice in sequence
   */
  disputePublished?: boolean;
  /** the verdicts on the partner's earlier bills of this order, oldest first (at most MAX_REVISIONS) */
  revisions?: BillVerdict[];
}

/** One earlier bill's verdict, as a revision keeps it (the bill's figures, not the whole bill). */
export type BillVerdict = Omit<FinalOrder, 'theirs' | 'revisions'>;

/** the most earlier verdicts an order keeps (the item stays far under DynamoDB's 400 KB) */
export const MAX_REVISIONS = 20;

/** the verdict on `digest`: the current one, or an earlier bill's (a revision); undefined for a bill never seen */
export const verdictOn = (final: FinalOrder | undefined, digest: string): BillVerdict | undefined =>
  final?.digest === digest ? final : final?.revisions?.find((r) => r.digest === digest);

export interface RoamingOrderState {
  stat: SeqStat;
  /** the partner's StartTime of the session */
  startTime?: string;
  /** the partner's stop result (§3.11) */
  stop?: { SuccStat: number; FailReason: number };
  live?: LiveSnapshot;
  /** where `live` came from: the partner's push, or our poll of query_equip_charge_status */
  liveSource?: 'push' | 'poll';
  final?: FinalOrder;
  /** how the partner answered our query_start_charge (orders started through the app API) */
  start?: StartOutcome;
  /** the session sweep gave up waiting for the partner's final order (see abandonDue); kept if it comes after all */
  abandoned?: Abandonment;
}

/** A session the sweep stopped waiting for: no final order ROAMING_ABANDON_HOURS after its last sign of life. */
interface Abandonment {
  /** ISO time the sweep abandoned it */
  at: string;
  /** ISO time of the last sign of life it was measured from */
  lastSignOfLife: string;
  /**
   * its OrderDisputed event: false until published (set with the mark, cleared only after a successful
   * PutEvents), so a failed publish is retried by the next sweep — never lost, never published twice in sequence
   */
  published: boolean;
}

/** The later of two StartChargeSeqStat values; 5 (unknown) never replaces a known state. */
const laterStat = (a: SeqStat, b: SeqStat): SeqStat => {
  if (b === 5) return a;
  if (a === 5) return b;
  return b > a ? b : a;
};

export type Change<S> = { changed: true; state: S } | { changed: false; state: S };

const same = <S>(state: S): Change<S> => ({ changed: false, state });
const next = <S>(state: S): Change<S> => ({ changed: true, state });

export const onStartResult = (s: RoamingOrderState, d: { StartChargeSeqStat: SeqStat; StartTime: string }): Change<RoamingOrderState> => {
  const stat = laterStat(s.stat, d.StartChargeSeqStat);
  const startTime = s.startTime ?? d.StartTime;
  return stat === s.stat && startTime === s.startTime ? same(s) : next({ ...s, stat, startTime });
};

/**
 * A charge status's live facts (§3.9: the partner's notification_equip_charge_status or its answer
 * to our query_equip_charge_status carry the same fields), nothing else of it kept.
 */
export const chargeStatusSample = (d: LiveSnapshot & { StartChargeSeqStat: number }): LiveSnapshot & { StartChargeSeqStat: SeqStat } => ({
  StartChargeSeqStat: d.StartChargeSeqStat as SeqStat,
  ConnectorStatus: d.ConnectorStatus,
  StartTime: d.StartTime,
  EndTime: d.EndTime,
  TotalPower: d.TotalPower,
  ElecMoney: d.ElecMoney,
  SeviceMoney: d.SeviceMoney,
  TotalMoney: d.TotalMoney,
  Soc: d.Soc,
});

export const onChargeStatus = (s: RoamingOrderState, d: LiveSnapshot & { StartChargeSeqStat: SeqStat }): Change<RoamingOrderState> => {
  if (s.live && s.live.EndTime >= d.EndTime) return same(s); // an older or the same sample
  const { StartChargeSeqStat, ...live } = d;
  return next({ ...s, stat: laterStat(s.stat, StartChargeSeqStat), startTime: s.startTime ?? d.StartTime, live });
};

export const onStopResult = (
  s: RoamingOrderState,
  d: { StartChargeSeqStat: SeqStat; SuccStat: number; FailReason: number },
): Change<RoamingOrderState> => {
  const stat = d.SuccStat === 0 ? laterStat(s.stat, d.StartChargeSeqStat) : s.stat;
  if (s.stop && stat === s.stat) return same(s);
  return next({ ...s, stat, stop: { SuccStat: d.SuccStat, FailReason: d.FailReason } });
};

/**
 * The final order: finished, whatever we had heard before (a final order without a start result is
 * still the order). A bill already judged — the current one, or an earlier one arriving late — changes
 * nothing; a new one becomes the verdict, the one it replaces kept as a revision.
 */
export const onOrderInfo = (s: RoamingOrderState, final: FinalOrder, startTime: string): Change<RoamingOrderState> => {
  if (verdictOn(s.final, final.digest)) return same(s);
  const before = s.final;
  const revisions = before
    ? [...(before.revisions ?? []), (({ theirs: _t, revisions: _r, ...verdict }) => verdict)(before)].slice(-MAX_REVISIONS)
    : [];
  return next({ ...s, stat: 4, startTime: s.startTime ?? startTime, final: revisions.length ? { ...final, revisions } : final });
};
