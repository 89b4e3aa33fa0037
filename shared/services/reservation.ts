/**
 * The reservation extension (预约充电, msp): query_reserve_connector and query_cancel_reservation.
 * Rules in shared/domain/reservation.ts, the fee in shared/domain/billing.ts, the records in
 * shared/store/reservations.ts. The pile is told through PileReservationRequested (the pile gateway
 * turns it into OCPP ReserveNow / CancelReservation, or the simulator's), and reports Status 4 /
 * back to 1 itself — so every partner sees the reservation through the one status pipeline.
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { PileReservationRequested } from '../../events/piles.ts';
import { publish } from '../bus/publish.ts';
import { noShowChargeFen, reservationEndChargeFen, reservationFeeFen } from '../domain/billing.ts';
import { isStationGranted } from '../domain/grants.ts';
import { CancelFail, checkReserveSeq, ReserveFail, ReserveStat, reserveDecision, reserveStatAt } from '../domain/reservation.ts';
import { getConnectorView } from '../store/connector-view.ts';
import type { Partner } from '../store/partners.ts';
import {
  cancelReservation as cancelStored,
  createReservation,
  expireReservation,
  getReservation,
  lapsedReservations,
  type Reservation,
  withdrawReservation,
} from '../store/reservations.ts';
import type { RequestData, ResponseInput } from '../tcec/interfaces.ts';
import { fenToYuan } from '../tcec/money.ts';
import { Ret, TcecError } from '../tcec/ret.ts';
import { formatDateTime } from '../tcec/time.ts';

type ReserveAnswer = ResponseInput<'query_reserve_connector'>;

const refused = (req: RequestData<'query_reserve_connector'>, failReason: number): ReserveAnswer => {
  metrics.addMetric('ReservationsRefused', MetricUnit.Count, 1);
  logger.info('reservation refused', { FailReason: failReason });
  return { ReserveSeq: req.ReserveSeq, ConnectorID: req.ConnectorID, SuccStat: 1, FailReason: failReason };
};

const granted = (r: Reservation): ReserveAnswer => ({
  ReserveSeq: r.ReserveSeq,
  ConnectorID: r.ConnectorID,
  SuccStat: 0,
  FailReason: ReserveFail.None,
  ExpireTime: formatDateTime(new Date(r.expiresAt)),
  ReserveFee: fenToYuan(r.feeFen),
  NoShowMoney: fenToYuan(noShowFenOf(r)),
});

/** what the reservation bills if it expires unused (older records, made before NoShowFee existed: its fee) */
const noShowFenOf = (r: Reservation): number => r.noShowFen ?? r.feeFen;

export const reserveConnector = async (
  partner: Partner,
  req: RequestData<'query_reserve_connector'>,
  now: Date,
): Promise<ReserveAnswer> => {
  const seqProblem = checkReserveSeq(req.ReserveSeq, partner.operatorId);
  if (seqProblem) throw new TcecError(Ret.BizError, seqProblem);

  // a repeat of a ReserveSeq: the same answer, never a second hold
  const before = await getReservation(req.ReserveSeq);
  if (before) return repeated(partner, before, req.ConnectorID, now);

  const view = await getConnectorView(req.ConnectorID);
  const c = view && isStationGranted(partner, view.StationID) ? view : undefined;
  const decision = reserveDecision({
    known: !!c,
    ...(c ? { status: c.status, policy: c.reservationPolicy } : {}),
    minutes: req.ReserveMinutes,
  });
  if (!c?.reservationPolicy || decision !== ReserveFail.None) return refused(req, decision);

  const r: Reservation = {
    ReserveSeq: req.ReserveSeq,
    ConnectorID: c.ConnectorID,
    StationID: c.StationID,
    OperatorID: partner.operatorId,
    minutes: req.ReserveMinutes,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + req.ReserveMinutes * 60_000).toISOString(),
    feeFen: reservationFeeFen(c.reservationPolicy, req.ReserveMinutes),
    noShowFen: noShowChargeFen(c.reservationPolicy, req.ReserveMinutes),
    stat: ReserveStat.Active,
  };
  const out = await createReservation(r, now);
  if (out.outcome === 'duplicate') return repeated(partner, out.reservation, req.ConnectorID, now);
  if (out.outcome === 'taken') return refused(req, out.by === 'order' ? ReserveFail.Busy : ReserveFail.AlreadyReserved);

  // the pile shows the hold to everyone (Status 4); if this publish fails the partner gets a 500 and
  // its retry of the same ReserveSeq finds the reservation and publishes again (`repeated`)
  await tellPile(r, 'reserve', now);
  metrics.addMetric('Reservations', MetricUnit.Count, 1);
  logger.info('connector reserved', { ReserveSeq: r.ReserveSeq, ConnectorID: r.ConnectorID, minutes: r.minutes, feeFen: r.feeFen });
  return granted(r);
};

const tellPile = (r: Reservation, command: 'reserve' | 'cancel', now: Date) =>
  publish(PileReservationRequested, {
    command,
    ReserveSeq: r.ReserveSeq,
    ConnectorID: r.ConnectorID,
    ...(command === 'reserve' ? { expiresAt: r.expiresAt } : {}),
    requestedAt: now.toISOString(),
  });

const repeated = async (partner: Partner, r: Reservation, connectorId: string, now: Date): Promise<ReserveAnswer> => {
  if (r.OperatorID !== partner.operatorId || r.ConnectorID !== connectorId)
    throw new TcecError(Ret.BizError, 'ReserveSeq: already used for another ConnectorID');
  // the charger refused it (or never answered) and it was withdrawn: the repeat says so, nothing is held
  if (r.stat === ReserveStat.Refused)
    return { ReserveSeq: r.ReserveSeq, ConnectorID: r.ConnectorID, SuccStat: 1, FailReason: ReserveFail.ChargerRefused };
  // a retry after a lost answer (or a failed publish): the pile hears it again, idempotently
  if (reserveStatAt(r, now) === ReserveStat.Active) await tellPile(r, 'reserve', now);
  return granted(r);
};

/** how a charger did not take a reservation: its ReserveNow.conf status, a CALLERROR, or no answer within the call timeout */
export type ReservationRefusal = 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable' | 'error' | 'timeout';

/**
 * The charger did not take the reservation (the OCPP gateway, shared/services/ocpp.ts: ReserveNow answered Faulted,
 * Occupied, Rejected, Unavailable or a CALLERROR, or not at all): the reservation is withdrawn
 * (ReserveStat 5) and its hold on the connector dropped in one conditional transaction, so anyone
 * may start there again and no fee is ever billed for it. The partner sees it on its next
 * query_reserve_connector / query_cancel_reservation of the ReserveSeq (FailReason 7 / ReserveStat 5);
 * the connector's status is the pile's (a charger that refused never showed Status 4). A ReserveNow
 * that timed out may still have reached the charger: it is told CancelReservation, so it does not
 * hold the connector for a reservation we no longer have. A reservation already used by its start,
 * or cancelled, is left as it is. Idempotent: a retry finds it withdrawn.
 */
export const withdrawRefusedReservation = async (
  e: { ReserveSeq: string; ConnectorID: string; reason: ReservationRefusal },
  now: Date,
): Promise<boolean> => {
  const log = { ReserveSeq: e.ReserveSeq, ConnectorID: e.ConnectorID, reason: e.reason };
  const r = await getReservation(e.ReserveSeq);
  if (!r || r.ConnectorID !== e.ConnectorID) {
    logger.warn('charger refused a reservation we do not have', log);
    return false;
  }
  if (r.stat === ReserveStat.Refused) {
    // a redelivery: the charger is told again (idempotent), in case the first telling failed
    if (e.reason === 'timeout') await tellPile(r, 'cancel', now);
    return false;
  }
  if (r.stat !== ReserveStat.Active || !(await withdrawReservation(r, e.reason, now))) {
    const after = (await getReservation(e.ReserveSeq)) ?? r;
    logger.info('charger refused a reservation that is no longer active: kept', { ...log, ReserveStat: after.stat });
    return false;
  }
  if (e.reason === 'timeout') await tellPile(r, 'cancel', now);
  metrics.addMetric('ReservationsWithdrawn', MetricUnit.Count, 1);
  logger.warn('reservation withdrawn: the charger did not take it', { ...log, OperatorID: r.OperatorID });
  return true;
};

export const cancelReservation = async (
  partner: Partner,
  req: RequestData<'query_cancel_reservation'>,
  now: Date,
): Promise<ResponseInput<'query_cancel_reservation'>> => {
  const r = await getReservation(req.ReserveSeq);
  // another partner's reservation looks exactly like none
  if (r?.OperatorID !== partner.operatorId) return { ReserveSeq: req.ReserveSeq, SuccStat: 1, FailReason: CancelFail.NotFound };
  const stat = reserveStatAt(r, now);
  if (stat === ReserveStat.Cancelled) {
    // a repeat (the answer was lost, or the pile did not hear it): the same answer, the pile told again
    await tellPile(r, 'cancel', now);
    return { ReserveSeq: req.ReserveSeq, SuccStat: 0, FailReason: CancelFail.None, ReserveStat: stat };
  }
  if (stat !== ReserveStat.Active || !(await cancelStored(r, now))) {
    const after = (await getReservation(req.ReserveSeq)) ?? r;
    const s = reserveStatAt(after, now);
    // a no-show: what it bills (written by the scheduled expiry; the same amount before it has run)
    const noShow =
      s === ReserveStat.Expired
        ? { NoShowMoney: fenToYuan(after.chargedFen ?? reservationEndChargeFen(s, { noShowFen: noShowFenOf(after) })) }
        : {};
    return { ReserveSeq: req.ReserveSeq, SuccStat: 1, FailReason: CancelFail.Ended, ReserveStat: s, ...noShow };
  }
  await tellPile(r, 'cancel', now);
  metrics.addMetric('ReservationsCancelled', MetricUnit.Count, 1);
  logger.info('reservation cancelled', { ReserveSeq: r.ReserveSeq, ConnectorID: r.ConnectorID });
  return { ReserveSeq: req.ReserveSeq, SuccStat: 0, FailReason: CancelFail.None, ReserveStat: ReserveStat.Cancelled };
};

/**
 * The scheduled expiry (run by the stranded-sweep schedule, every 5 minutes): every reservation still
 * active whose expiry has passed and that no start used is a no-show — settled ONCE (stat 1 → 4 with
 * `chargedFen`, shared/domain/billing.ts reservationEndChargeFen, in one conditional write), so a
 * second run, or two racing, bill it once. Its connector's hold lapsed at the expiry instant already
 * (every condition compares with `now`; the pile freed it on its own clock). The partner reads the
 * final state and the amount with query_cancel_reservation (ReserveStat 4, NoShowMoney).
 */
export const expireReservations = async (now: Date): Promise<{ checked: number; expired: number; chargedFen: number }> => {
  let checked = 0;
  let expired = 0;
  let chargedFen = 0;
  for await (const seqs of lapsedReservations(now)) {
    for (const seq of seqs) {
      const r = await getReservation(seq);
      if (!r || r.stat !== ReserveStat.Active || Date.parse(r.expiresAt) > now.getTime()) continue;
      checked++;
      const fen = reservationEndChargeFen(ReserveStat.Expired, { noShowFen: noShowFenOf(r) });
      if (!(await expireReservation(r, fen, now))) continue;
      expired++;
      chargedFen += fen;
      metrics.addMetric('ReservationsNoShow', MetricUnit.Count, 1);
      logger.info('reservation expired unused: no-show billed', {
        ReserveSeq: r.ReserveSeq,
        ConnectorID: r.ConnectorID,
        OperatorID: r.OperatorID,
        chargedFen: fen,
      });
    }
  }
  return { checked, expired, chargedFen };
};
