/**
 * Sessions through the app API (`/app/v1/sessions`, issue 12 §4): OUR users charging on a partner's
 * pile or on one of ours.
 *
 * A PARTNER's connector (the customer side of T/CEC 102):
 *   query_equip_auth (refused → 409, nothing stored) → the partner's tariff (cached, for checking
 *   its bill later) → the roaming order stored (stat 1) → ONE query_start_charge with a
 *   StartChargeSeq under our OperatorID. Never retried automatically: when its answer is lost
 *   (timeout, network, Ret 4002 — the client does not re-send a start after a 4002 —, a Sig that
 *   does not verify) the order is `unresolved` and the next thing that happens to it, on every
 *   path, is a query_equip_charge_status (which refreshes the token once on a 4002): the partner
 *   knows the order → its state; Ret 4004 → the start never arrived (failed); no answer → still
 *   unknown, resolved again on the next read.
 *   Reads take the partner's pushes (notification_*), or, when the newest push is older than
 *   POLL_AFTER_MS, a poll of query_equip_charge_status — folded by the same rules as a push.
 *   Stop: query_stop_charge, once per request; the partner's answer moves the order forward.
 *
 * One of OUR connectors: the charging service partners use (startCharge / chargeStatus /
 * stopCharge in ./charging.ts) with our own app as the caller — one code path for a session on
 * our piles.
 */
import { logger } from '#powertools';
import { config } from '../config.ts';
import { AppError, isOpenState, ownSessionState, POLL_AFTER_MS, roamingSessionState, type SessionState } from '../domain/app-session.ts';
import { type Partner, PartnerSchema, roamingOf } from '../domain/partners.ts';
import {
  type Change,
  chargeStatusSample,
  onChargeStatus,
  onStopResult,
  type RoamingOrderState,
  type SeqStat,
} from '../domain/roaming-order.ts';
import { getConnectorView } from '../store/connector-view.ts';
import { getOrder } from '../store/orders.ts';
import { partnerOfConnector } from '../store/partner-catalog.ts';
import { getPartner } from '../store/partners.ts';
import {
  createRoamingOrder,
  getAppSessionOwner,
  getRoamingOrder,
  putAppSessionOwner,
  type RoamingOrder,
  saveRoamingOrder,
} from '../store/roaming.ts';
import { parseResponseData } from '../tcec/interfaces.ts';
import { Ret } from '../tcec/ret.ts';
import { parseDateTime } from '../tcec/time.ts';
import { chargeStatus, startCharge, stopCharge } from './charging.ts';
import { bizSeq, callPartner, clientFor, partnerPolicy } from './roaming-catalog.ts';

/** What the app sees of a session. Money in yuan, energy in kWh (the partner's figures on its piles). */
export interface SessionView {
  id: string;
  connectorId: string;
  /** the OperatorID of the pile's owner (ours for our own piles) */
  operatorId: string;
  own: boolean;
  state: SessionState;
  energyKwh: number;
  cost: { elecMoney: number; serviceMoney: number; totalMoney: number };
  startTime?: string;
  /** the time of the newest figures (the partner's clock for its piles) */
  updatedAt?: string;
  /** where the figures came from */
  source: 'push' | 'poll' | 'final' | 'platform' | 'none';
  /** the partner's FailReason of a refused start or stop */
  failReason?: number;
  /** the partner's final order and our verdict on it (ConfirmResult 0 agreed, 1 disputed) */
  bill?: { confirmResult: 0 | 1; totalMoney: number; ourTotalMoney?: number };
}

/** Our own app as the caller of the charging service: every one of our stations, orders under our OperatorID. */
const ownApp = (): Partner =>
  PartnerSchema.parse({ operatorId: config().OPERATOR_ID, name: 'our app', stations: '*', status: 'active', features: {} });

// ------------------------------------------------------------------ start

export interface StartInput {
  connectorId: string;
  /** the pile owner's OperatorID; absent = ours if we have the connector, else the partner whose catalog lists it */
  operatorId?: string | undefined;
  userId: string;
}

export const startSession = async (input: StartInput, now: Date): Promise<SessionView> => {
  const ours = config().OPERATOR_ID;
  if (input.operatorId === undefined || input.operatorId === ours) {
    const c = await getConnectorView(input.connectorId);
    if (c) return startOwnSession(input, now);
    if (input.operatorId === ours) throw new AppError(404, 'connector_not_found', `no connector ${input.connectorId}`);
  }
  const operatorId = input.operatorId ?? (await partnerOfConnector(input.connectorId));
  if (!operatorId) throw new AppError(404, 'connector_not_found', `no connector ${input.connectorId} here or in a partner's catalog`);
  const partner = await getPartner(operatorId);
  if (partner?.status !== 'active' || !roamingOf(partner).out) {
    throw new AppError(404, 'connector_not_found', `no roaming partner ${operatorId} for connector ${input.connectorId}`);
  }
  return startPartnerSession(partner, input, now);
};

const startOwnSession = async (input: StartInput, now: Date): Promise<SessionView> => {
  const seq = bizSeq();
  // who may read and stop it: written before the start, so a session never exists without its owner
  await putAppSessionOwner(seq, input.userId, now.toISOString());
  const a = await startCharge(ownApp(), { StartChargeSeq: seq, ConnectorID: input.connectorId }, now);
  logger.info('app session on our pile', { StartChargeSeq: seq, ConnectorID: input.connectorId, SuccStat: a.SuccStat });
  if (a.SuccStat !== 0) throw new AppError(409, 'start_refused', `the connector cannot start now (FailReason ${a.FailReason})`);
  return getSession(seq, input.userId, now);
};

/** A roaming order moved by `rule`, written on its version; a lost race re-reads and re-applies. */
const update = async (seq: string, rule: (o: RoamingOrder) => Change<RoamingOrderState>): Promise<RoamingOrder> => {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const o = await getRoamingOrder(seq);
    if (!o) throw new AppError(404, 'session_not_found', `no session ${seq}`);
    const r = rule(o);
    if (!r.changed) return o;
    if (await saveRoamingOrder({ ...o, ...r.state }, o.version)) return { ...o, ...r.state, version: o.version + 1 };
  }
  throw new Error(`roaming order ${seq}: too many concurrent updates`);
};

const laterStat = (a: SeqStat, b: SeqStat): SeqStat => (b === 5 ? a : a === 5 ? b : b > a ? b : a);

const startPartnerSession = async (partner: Partner, input: StartInput, now: Date): Promise<SessionView> => {
  const log = { OperatorID: partner.operatorId, ConnectorID: input.connectorId };
  let auth: Awaited<ReturnType<typeof callPartner<'query_equip_auth'>>>;
  try {
    auth = await callPartner(partner, 'query_equip_auth', { EquipAuthSeq: bizSeq(), ConnectorID: input.connectorId });
  } catch (err) {
    logger.warn('partner unavailable for query_equip_auth', { ...log, error: err as Error });
    throw new AppError(502, 'partner_unavailable', `partner ${partner.operatorId} did not answer; nothing was started`);
  }
  if (auth.SuccStat !== 0) {
    throw new AppError(
      409,
      'connector_not_ready',
      `partner ${partner.operatorId} says the connector is not ready (FailReason ${auth.FailReason})`,
    );
  }
  const tariff = await partnerPolicy(partner, input.connectorId, now).catch((err: unknown) => {
    logger.warn('partner tariff not available: its bill cannot be recomputed', { ...log, error: err as Error });
    return undefined;
  });

  const seq = bizSeq();
  const created = await createRoamingOrder({
    StartChargeSeq: seq,
    OperatorID: partner.operatorId,
    ConnectorID: input.connectorId,
    userId: input.userId,
    ...(tariff ? { tariff } : {}),
    stat: 1,
    start: { outcome: 'unresolved', reason: 'query_start_charge sent' },
    createdAt: now.toISOString(),
  });
  if (!created) throw new Error(`StartChargeSeq ${seq} already exists`);

  // the one start: whatever happens below, it is never sent again
  const client = await clientFor(partner);
  let outcome: RoamingOrder['start'];
  let stat: SeqStat = 1;
  try {
    const res = await client.call('query_start_charge', { StartChargeSeq: seq, ConnectorID: input.connectorId, QRCode: '' });
    const parsed = res.ret === Ret.Ok && res.sigVerified ? parseResponseData('query_start_charge', res.data) : undefined;
    if (parsed?.ok) {
      outcome = parsed.value.SuccStat === 0 ? { outcome: 'accepted' } : { outcome: 'refused', FailReason: parsed.value.FailReason };
      stat = parsed.value.SuccStat === 0 ? (parsed.value.StartChargeSeqStat as SeqStat) : 4;
    } else {
      outcome = { outcome: 'unresolved', reason: `answer unusable: Ret ${res.ret}${res.sigVerified ? '' : ', Sig not verified'}` };
    }
  } catch (err) {
    outcome = { outcome: 'unresolved', reason: (err as Error).message };
  }
  logger.info('partner start answered', { ...log, StartChargeSeq: seq, start: outcome });
  const order = await update(seq, (o) =>
    o.start?.outcome !== 'unresolved' || o.final
      ? { changed: false, state: o }
      : { changed: true, state: { ...o, start: outcome, stat: outcome?.outcome === 'refused' ? 4 : laterStat(o.stat, stat) } },
  );
  return viewOf(await resolveAndRefresh(partner, order, now));
};

// ------------------------------------------------------------------ read

/** The poll of query_equip_charge_status, folded like a push; Ret 4004 → the partner never had the order. */
const pollStatus = async (partner: Partner, order: RoamingOrder): Promise<RoamingOrder> => {
  const seq = order.StartChargeSeq;
  let res: Awaited<ReturnType<Awaited<ReturnType<typeof clientFor>>['call']>>;
  try {
    res = await (await clientFor(partner)).call('query_equip_charge_status', { StartChargeSeq: seq });
  } catch (err) {
    logger.warn('partner status poll failed', { StartChargeSeq: seq, OperatorID: partner.operatorId, error: err as Error });
    return order;
  }
  if (res.ret === Ret.BizError && res.sigVerified && order.start?.outcome === 'unresolved') {
    logger.warn('partner never received our start', { StartChargeSeq: seq, OperatorID: partner.operatorId, Msg: res.msg });
    return update(seq, (o) =>
      o.start?.outcome === 'unresolved' && o.stat === 1 && !o.final
        ? { changed: true, state: { ...o, start: { outcome: 'not-received' }, stat: 4 } }
        : { changed: false, state: o },
    );
  }
  const parsed = res.ret === Ret.Ok && res.sigVerified ? parseResponseData('query_equip_charge_status', res.data) : undefined;
  if (!parsed?.ok) {
    logger.warn('partner status poll unusable', { StartChargeSeq: seq, OperatorID: partner.operatorId, Ret: res.ret });
    return order;
  }
  const d = parsed.value;
  return update(seq, (o) => {
    const r = onChargeStatus(o, chargeStatusSample(d));
    const resolved = o.start?.outcome === 'unresolved' && d.StartChargeSeqStat !== 5;
    if (!r.changed && !resolved) return { changed: false, state: o };
    return {
      changed: true,
      state: {
        ...o,
        ...r.state,
        ...(resolved ? { start: { outcome: 'accepted' as const } } : {}),
        liveSource: r.changed ? 'poll' : o.liveSource,
      },
    };
  });
};

/** An unresolved start is resolved first; an open session whose newest push is stale is polled. */
const resolveAndRefresh = async (partner: Partner, order: RoamingOrder, now: Date): Promise<RoamingOrder> => {
  if (order.start?.outcome === 'unresolved' && !order.final) return pollStatus(partner, order);
  if (!isOpenState(roamingSessionState(order))) return order;
  const sampledAt = order.live ? parseDateTime(order.live.EndTime)?.getTime() : undefined;
  if (sampledAt !== undefined && now.getTime() - sampledAt < POLL_AFTER_MS) return order;
  return pollStatus(partner, order);
};

/**
 * What the app sees AND the session sweep does to an open session (./roaming-sweep.ts): an
 * unresolved start is resolved first, an open session whose newest figures are stale is polled.
 */
export const refreshRoamingSession = async (order: RoamingOrder, now: Date): Promise<RoamingOrder> =>
  resolveAndRefresh(await roamingPartner(order), order, now);

const roamingPartner = async (o: RoamingOrder): Promise<Partner> => {
  const p = await getPartner(o.OperatorID);
  if (!p) throw new AppError(404, 'session_not_found', `session ${o.StartChargeSeq}: partner ${o.OperatorID} is no longer registered`);
  return p;
};

const yuan = (fen: number) => fen / 100;

const viewOf = (o: RoamingOrder): SessionView => {
  const state = roamingSessionState(o);
  const f = o.final;
  const theirs = f?.theirs as {
    TotalPower?: number;
    TotalElecMoney?: number;
    TotalSeviceMoney?: number;
    TotalMoney?: number;
    EndTime?: string;
  };
  const failReason = o.start?.outcome === 'refused' ? o.start.FailReason : o.stop && o.stop.SuccStat !== 0 ? o.stop.FailReason : undefined;
  return {
    id: o.StartChargeSeq,
    connectorId: o.ConnectorID,
    operatorId: o.OperatorID,
    own: false,
    state,
    energyKwh: f ? (theirs.TotalPower ?? 0) : (o.live?.TotalPower ?? 0),
    cost: f
      ? { elecMoney: theirs.TotalElecMoney ?? 0, serviceMoney: theirs.TotalSeviceMoney ?? 0, totalMoney: theirs.TotalMoney ?? 0 }
      : { elecMoney: o.live?.ElecMoney ?? 0, serviceMoney: o.live?.SeviceMoney ?? 0, totalMoney: o.live?.TotalMoney ?? 0 },
    ...(o.startTime ? { startTime: o.startTime } : {}),
    ...(f?.theirs && theirs.EndTime ? { updatedAt: theirs.EndTime } : o.live ? { updatedAt: o.live.EndTime } : {}),
    source: f ? 'final' : o.live ? (o.liveSource ?? 'push') : 'none',
    ...(failReason !== undefined ? { failReason } : {}),
    ...(f
      ? {
          bill: {
            confirmResult: f.confirmResult,
            totalMoney: yuan(f.theirFigures.totalFen),
            ...(f.ours ? { ourTotalMoney: yuan(f.ours.totalFen) } : {}),
          },
        }
      : {}),
  };
};

const ownView = async (seq: string): Promise<SessionView | undefined> => {
  const o = await getOrder(seq);
  if (!o || o.OperatorID !== config().OPERATOR_ID) return undefined;
  const s = await chargeStatus(ownApp(), seq);
  return {
    id: seq,
    connectorId: o.ConnectorID,
    operatorId: o.OperatorID,
    own: true,
    state: o.stopRequested && o.status === 1 ? 'stopping' : ownSessionState(o.status, o.charged),
    energyKwh: s.TotalPower,
    cost: { elecMoney: s.ElecMoney, serviceMoney: s.SeviceMoney, totalMoney: s.TotalMoney },
    startTime: s.StartTime,
    updatedAt: s.EndTime,
    source: 'platform',
  };
};

/** another user's session is not found: its existence is not revealed */
const notFound = (id: string) => new AppError(404, 'session_not_found', `no session ${id}`);

/** A session on one of our piles, only for the user who started it through the app API. */
const ownOrderOf = async (id: string, userId: string) => {
  const o = await getOrder(id);
  if (!o || o.OperatorID !== config().OPERATOR_ID || (await getAppSessionOwner(id)) !== userId) return undefined;
  return o;
};

export const getSession = async (id: string, userId: string, now: Date): Promise<SessionView> => {
  const order = await getRoamingOrder(id);
  if (order) {
    if (order.userId !== userId) throw notFound(id);
    return viewOf(await resolveAndRefresh(await roamingPartner(order), order, now));
  }
  if (await ownOrderOf(id, userId)) {
    const own = await ownView(id);
    if (own) return own;
  }
  throw notFound(id);
};

// ------------------------------------------------------------------ stop

export const stopSession = async (id: string, userId: string, now: Date): Promise<SessionView> => {
  const order = await getRoamingOrder(id);
  if (order && order.userId !== userId) throw notFound(id);
  if (!order) {
    const o = await ownOrderOf(id, userId);
    if (!o) throw notFound(id);
    const a = await stopCharge(ownApp(), { StartChargeSeq: id, ConnectorID: o.ConnectorID }, now);
    if (a.SuccStat !== 0 && a.FailReason !== 3)
      throw new AppError(409, 'stop_refused', `the session cannot be stopped now (FailReason ${a.FailReason})`);
    return (await ownView(id)) as SessionView;
  }
  const partner = await roamingPartner(order);
  // an unresolved start is resolved before anything else happens to the order
  const current = await resolveAndRefresh(partner, order, now);
  const state = roamingSessionState(current);
  if (state === 'finished' || state === 'failed') throw new AppError(409, 'session_ended', `session ${id} is ${state}`);
  if (state === 'unknown')
    throw new AppError(409, 'session_unresolved', `partner ${partner.operatorId} has not confirmed session ${id} yet; try again`);
  let stopped: Awaited<ReturnType<typeof callPartner<'query_stop_charge'>>>;
  try {
    stopped = await callPartner(partner, 'query_stop_charge', { StartChargeSeq: id, ConnectorID: current.ConnectorID });
  } catch (err) {
    logger.warn('partner stop not answered', { StartChargeSeq: id, OperatorID: partner.operatorId, error: err as Error });
    throw new AppError(502, 'partner_unavailable', `partner ${partner.operatorId} did not answer the stop; the session is still ${state}`);
  }
  const after = await update(id, (o) =>
    onStopResult(o, {
      StartChargeSeqStat: stopped.StartChargeSeqStat as SeqStat,
      SuccStat: stopped.SuccStat,
      FailReason: stopped.FailReason,
    }),
  );
  return viewOf(after);
};
