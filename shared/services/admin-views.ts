/**
 * The operator console's views (the admin API, functions/ops/admin-api.ts): what the operator's
 * staff watch, read through the stores and services that own the data — no second way to read it.
 *
 *   stations       stations (index + documents) with every connector's live status   shared/store/stations.ts
 *   sessions       open orders (LOCK# scan) and finished ones of the last days, with bills
 *                  (byPartner, as reconciliation reads them)                           shared/store/orders.ts
 *   partners       push health per partner: breaker, parked pushes and their last error,
 *                  the push queue's depth                                              shared/store/push-breaker.ts, shared/push/dlq.ts
 *   dlq            the parked pushes; replay one (or all) back with a fresh budget    shared/push/dlq.ts
 *   disputes       reconciliation disputes of the last days, and orders a partner
 *                  disputed with ConfirmResult ≠ 0                                     shared/store/reconcile.ts
 *   slas           supervision SLAs (none are reported yet: the list is empty)
 *   charge-points  the OCPP registry with live connections and boots                  shared/store/ocpp.ts
 *
 * Every view is a plain JSON object; the handler only validates input and serialises.
 */
import { config } from '../config.ts';
import { previousDay } from '../domain/reconcile.ts';
import { listDlq, queueDepth, replayDlq } from '../push/dlq.ts';
import { listChargePoints } from '../store/ocpp.ts';
import { finishedOrdersOfPartner, listOpenOrders, type Order } from '../store/orders.ts';
import { listPartners } from '../store/partners.ts';
import { readBreaker } from '../store/push-breaker.ts';
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

/** the finished orders of every partner in [now − days, now], newest first */
const finishedOrders = async (days: number, now: Date) => {
  const out: Array<ReturnType<typeof sessionOf>> = [];
  for (const p of await listPartners())
    for await (const page of finishedOrdersOfPartner(p.operatorId, new Date(now.getTime() - days * DAY_MS), new Date(now.getTime() + 1)))
      out.push(...page.map((o) => sessionOf(o as Order)));
  return out.sort((a, b) => String(b.endedAt).localeCompare(String(a.endedAt)));
};

export const sessionsView = async (days: number, now = new Date()) => {
  const [live, finished] = await Promise.all([listOpenOrders(), finishedOrders(days, now)]);
  return { live: live.map(sessionOf).sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt))), finished };
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

export const disputesView = async (days: number, now = new Date()) => {
  // the China-time days from today back: previousDay of tomorrow is today
  const dayList = Array.from({ length: days }, (_, i) => previousDay(new Date(now.getTime() - (i - 1) * DAY_MS)));
  const reconciled = (await Promise.all(dayList.map((d) => listDay(d)))).flatMap((r) => r.disputes);
  const confirmations = (await finishedOrders(days, now)).filter((o) => o.confirmResult !== undefined && o.confirmResult !== 0);
  return { reconciled, confirmations };
};

/** Supervision SLAs: none are reported by the platform yet; the shape the console shows. */
export const slasView = async () => ({
  slas: [] as Array<{ name: string; target: string; measured?: string; breached: boolean }>,
});

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
