/**
 * The operator console's views (the admin API, functions/ops/admin-api.ts): what the operator's
 * staff watch, read through the stores and services that own the data — no second way to read it.
 *
 *   stations       stations (index + documents) with every connector's live status   shared/store/stations.ts
 *   sessions       open orders and finished ones of the last days with their bills, a page
 *                  at a time, each list a Query of byPartner (open: its OPEN partition;
 *                  finished: partner by partner, newest first), never a scan          shared/store/orders.ts
 *   partners       push health per partner: breaker, parked pushes and their last error,
 *                  the push queue's depth                                              shared/store/push-breaker.ts, shared/push/dlq.ts
 *   dlq            the parked pushes; replay one (or all) back with a fresh budget    shared/push/dlq.ts
 *   disputes       reconciliation disputes of the last days, and orders a partner
 *                  disputed with ConfirmResult ≠ 0                                     shared/store/reconcile.ts
 *   slas           supervision SLAs: per day, platform and interface, the timed pushes
 *                  delivered, how many late, mean and last latency against the deadline  shared/store/push-sla.ts
 *   charge-points  the OCPP registry with live connections and boots                  shared/store/ocpp.ts
 *
 * Every view is a plain JSON object; the handler only validates input and serialises.
 */
import * as z from 'zod/mini';
import { config } from '../config.ts';
import { dayOfEnd, previousDay } from '../domain/reconcile.ts';
import { listDlq, queueDepth, replayDlq } from '../push/dlq.ts';
import { listChargePoints } from '../store/ocpp.ts';
import { finishedOrdersOfPartner, finishedOrdersOfPartnerPage, type Order, openOrdersPage } from '../store/orders.ts';
import { listPartners } from '../store/partners.ts';
import { readBreaker } from '../store/push-breaker.ts';
import { slaCounters } from '../store/push-sla.ts';
import { listDay } from '../store/reconcile.ts';
import { getStationConnectors, getStationInfos, listStationIndex } from '../store/stations.ts';

/** the queue whose DLQ holds parked pushes */
const PUSH_QUEUE = 'push-deliveries';
const DAY_MS = 86_400_000;

export const stationsView = async () => {
  const index = await listStationIndex();
  const infos = await getStationInfos(index.map((s) => s.stationId).sort());
  const stations = await Promise.all(
    infos.map(async (s) => {
      const live = new Map((await getStationConnectors(s.StationID)).map((c) => [c.connectorId, c]));
      const equipment = Array.isArray(s.EquipmentInfos) ? s.EquipmentInfos : [];
      return {
        StationID: s.StationID,
        StationName: s.StationName,
        Address: s.Address,
        StationLng: s.StationLng,
        StationLat: s.StationLat,
        connectors: equipment.flatMap((e) =>
          (e.ConnectorInfos ?? []).map((c) => {
            const l = live.get(c.ConnectorID);
            return {
              ConnectorID: c.ConnectorID,
              EquipmentID: e.EquipmentID,
              status: l?.status ?? 0,
              parkStatus: l?.parkStatus ?? 0,
              lockStatus: l?.lockStatus ?? 0,
            };
          }),
        ),
      };
    }),
  );
  return { stations };
};

const sessionOf = (o: Partial<Order> & Pick<Order, 'StartChargeSeq'>) => ({
  StartChargeSeq: o.StartChargeSeq,
  OperatorID: o.OperatorID,
  ConnectorID: o.ConnectorID,
  status: o.status,
  createdAt: o.createdAt,
  startedAt: o.startedAt,
  endedAt: o.endedAt,
  ...(o.live ? { live: { powerKw: o.live.powerKw, soc: o.live.soc, at: o.live.at } } : {}),
  ...(o.bill
    ? {
        bill: {
          TotalPower: o.bill.TotalPower,
          TotalElecMoney: o.bill.TotalElecMoney,
          TotalSeviceMoney: o.bill.TotalSeviceMoney,
          TotalMoney: o.bill.TotalMoney,
        },
      }
    : {}),
  confirmResult: o.confirmResult,
});

/** A paging cursor the caller cannot read or forge into anything but a page start: 400, not a crash. */
export class BadCursorError extends Error {}

const KeySchema = z.record(z.string(), z.string());
/** finished: the partner being read and where in its orders (absent: from its newest) */
const FinishedCursor = z.object({ p: z.string().check(z.minLength(1)), k: z.optional(KeySchema) });

const encode = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const decode = <T>(schema: z.ZodMiniType<T>, cursor: string): T => {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw new BadCursorError('bad cursor');
  }
  const r = z.safeParse(schema, json);
  if (!r.success) throw new BadCursorError('bad cursor');
  return r.data;
};

export interface SessionsPaging {
  /** how many sessions per list (live, finished) at most */
  limit: number;
  /** the `next.live` of the previous answer: the next page of live sessions (finished: not read) */
  live?: string;
  /** the `next.finished` of the previous answer: the next page of finished ones (live: not read) */
  finished?: string;
}

/** A page of live sessions, newest first (one Query of byPartner's OPEN partition, one BatchGet). */
const livePage = async (limit: number, cursor?: string) => {
  const page = await openOrdersPage(limit, cursor ? decode(KeySchema, cursor) : undefined);
  return { sessions: page.items.map(sessionOf), ...(page.next ? { next: encode(page.next) } : {}) };
};

/**
 * A page of finished sessions in [now − days, now]: partner by partner (OperatorID order), each
 * partner's newest first — one byPartner Query per partner read, as many as fill the page.
 */
const finishedPage = async (days: number, now: Date, limit: number, cursor?: string) => {
  const from = new Date(now.getTime() - days * DAY_MS);
  const to = new Date(now.getTime() + 1);
  const partners = (await listPartners()).map((p) => p.operatorId).sort();
  let at = cursor ? decode(FinishedCursor, cursor) : partners[0] ? { p: partners[0] } : undefined;
  const sessions: Array<ReturnType<typeof sessionOf>> = [];
  while (at && sessions.length < limit) {
    const page = await finishedOrdersOfPartnerPage(at.p, from, to, limit - sessions.length, at.k);
    sessions.push(...page.items.map((o) => sessionOf(o as Order)));
    const current = at.p;
    const following = partners.find((p) => p > current);
    at = page.next ? { p: at.p, k: page.next } : following ? { p: following } : undefined;
  }
  return { sessions, ...(at ? { next: encode(at) } : {}) };
};

/**
 * Live and finished sessions, a page of each (`limit`); with a cursor, the next page of that list
 * only. `next.live` / `next.finished` are where the following pages start (absent: no more).
 */
export const sessionsView = async (days: number, paging: SessionsPaging = { limit: 100 }, now = new Date()) => {
  const wantLive = paging.finished === undefined;
  const wantFinished = paging.live === undefined;
  const [live, finished] = await Promise.all([
    wantLive ? livePage(paging.limit, paging.live) : undefined,
    wantFinished ? finishedPage(days, now, paging.limit, paging.finished) : undefined,
  ]);
  return {
    ...(live ? { live: live.sessions } : {}),
    ...(finished ? { finished: finished.sessions } : {}),
    next: { ...(live?.next ? { live: live.next } : {}), ...(finished?.next ? { finished: finished.next } : {}) },
  };
};

export const dlqView = async () => {
  const msgs = await listDlq(config().queueUrl(PUSH_QUEUE), 500, 5, { release: true });
  return {
    messages: msgs.map((m) => ({
      messageId: m.messageId,
      sentAt: m.sentAt,
      receiveCount: m.receiveCount,
      ...(m.delivery
        ? {
            partner: m.delivery.partner,
            iface: m.delivery.iface,
            pushId: m.delivery.id,
            attempts: m.delivery.attempt,
            reason: m.delivery.parked?.reason ?? m.delivery.lastError?.msg,
            lastError: m.delivery.lastError,
          }
        : { partner: undefined, iface: undefined, reason: undefined, body: m.body.slice(0, 512) }),
    })),
  };
};

/** Replays the parked message `messageId` (or, without it, every one) back to the push queue; how many moved. */
export const replayParked = async (messageId?: string): Promise<{ replayed: number }> => ({
  replayed: await replayDlq(
    config().queueUrl(PUSH_QUEUE),
    messageId ? 1 : Number.POSITIVE_INFINITY,
    messageId ? (m) => m.messageId === messageId : undefined,
  ),
});

export const partnersView = async (now = new Date()) => {
  const [partners, depth, { messages }] = await Promise.all([listPartners(), queueDepth(config().queueUrl(PUSH_QUEUE)), dlqView()]);
  return {
    queue: { name: PUSH_QUEUE, ...depth },
    partners: await Promise.all(
      partners.map(async (p) => {
        const parked = messages.filter((m) => m.partner === p.operatorId);
        const last = parked.sort((a, b) => String(b.sentAt).localeCompare(String(a.sentAt)))[0];
        return {
          OperatorID: p.operatorId,
          name: p.name,
          status: p.status,
          pushes: p.outbound !== undefined,
          breaker: p.outbound ? await readBreaker(p.operatorId, now.getTime()) : undefined,
          parked: parked.length,
          lastError: last ? { at: last.sentAt, iface: last.iface, msg: last.reason } : undefined,
        };
      }),
    ),
  };
};

/** every partner's finished orders in [now − days, now] (the disputes view reads them whole) */
const finishedOrders = async (days: number, now: Date) => {
  const out: Array<ReturnType<typeof sessionOf>> = [];
  for (const p of await listPartners())
    for await (const page of finishedOrdersOfPartner(p.operatorId, new Date(now.getTime() - days * DAY_MS), new Date(now.getTime() + 1)))
      out.push(...page.map((o) => sessionOf(o as Order)));
  return out;
};

export const disputesView = async (days: number, now = new Date()) => {
  // the China-time days from today back: previousDay of tomorrow is today
  const dayList = Array.from({ length: days }, (_, i) => previousDay(new Date(now.getTime() - (i - 1) * DAY_MS)));
  const reconciled = (await Promise.all(dayList.map((d) => listDay(d)))).flatMap((r) => r.disputes);
  const confirmations = (await finishedOrders(days, now)).filter((o) => o.confirmResult !== undefined && o.confirmResult !== 0);
  return { reconciled, confirmations };
};

/**
 * Supervision SLAs of the last `days` China days (today included): one row per day, supervision
 * platform and timed interface — pushes delivered, how many after the profile's deadline, the mean
 * and last latency. Newest day first. One BatchGetItem per 100 (platform, day) pairs.
 */
export const slasView = async (days: number, now = new Date()) => {
  const platforms = (await listPartners()).filter((p) => p.kind === 'supervision');
  const names = new Map(platforms.map((p) => [p.operatorId, p.name]));
  const dayList = Array.from({ length: days }, (_, i) => dayOfEnd(new Date(now.getTime() - i * DAY_MS)));
  const counters = await slaCounters(
    platforms.map((p) => p.operatorId),
    dayList,
  );
  return {
    slas: counters
      .map((c) => ({
        day: c.day,
        OperatorID: c.OperatorID,
        name: names.get(c.OperatorID) ?? c.OperatorID,
        interface: c.interface,
        deadlineSeconds: c.deadlineSeconds,
        pushes: c.pushes,
        late: c.late,
        breached: c.late > 0,
        meanLatencyMs: c.pushes ? Math.round(c.latencySumMs / c.pushes) : 0,
        lastLatencyMs: c.lastLatencyMs,
        lastAt: new Date(c.lastAt).toISOString(),
        ...(c.lastLateAt !== undefined ? { lastLateAt: new Date(c.lastLateAt).toISOString(), lastLateByMs: c.lastLateByMs } : {}),
      }))
      .sort((a, b) => b.day.localeCompare(a.day) || a.OperatorID.localeCompare(b.OperatorID) || a.interface.localeCompare(b.interface)),
  };
};

export const chargePointsView = async () => ({
  chargePoints: (await listChargePoints()).map((c) => ({
    chargePointId: c.chargePointId,
    connectors: c.connectors,
    simulated: c.simulated,
    connected: c.connection !== undefined,
    connectedAt: c.connection?.connectedAt,
    bootedAt: c.bootedAt,
  })),
});
