/**
 * Inbound check_charge_orders (T/CEC 102 §3.13, customer side): a roam-out partner lists the orders
 * of OUR users on ITS piles for a period; we answer the disputed ones (shared/domain/inbound-check.ts),
 * store the run, and publish one OrderDisputed per disputed order — once per CheckOrderSeq: the run
 * keeps the set of disputes already announced, so a re-run (the partner's retry) adds no event.
 */
import { logger } from '#powertools';
import { OrderDisputed } from '../../events/disputes.ts';
import { publish } from '../bus/publish.ts';
import { CHECK_LOOKBACK_MS, compareInboundCheck, endsInPeriod, type HeldOrder } from '../domain/inbound-check.ts';
import { roamingOf } from '../domain/partners.ts';
import type { Partner } from '../store/partners.ts';
import {
  getCheckRun,
  getRoamingOrder,
  getRoamingOrders,
  listRoamingOrderSeqs,
  markCheckDisputesPublished,
  putCheckRun,
  type RoamingOrder,
} from '../store/roaming.ts';
import type { RequestData, ResponseInput } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';
import { parseDateTime } from '../tcec/time.ts';

/**
 * Our figures of a roaming order: the partner's bill when we confirmed it (ConfirmResult 0: the bill
 * check accepts any split of the energy across a tariff boundary that the readings allow, so our
 * own pricing, one such split, may differ from an accepted bill by a few fen — the nightly check
 * must not dispute what the order's confirmation agreed to); for a disputed bill our own pricing of
 * it, else its bill; else the last live values.
 */
const heldFigures = (o: RoamingOrder): HeldOrder | undefined => {
  if (o.final) {
    const f = o.final.confirmResult === 0 ? o.final.theirFigures : (o.final.ours ?? o.final.theirFigures);
    return { powerCentiKwh: f.powerCentiKwh, totalFen: f.totalFen };
  }
  if (o.live) return { powerCentiKwh: Math.round(o.live.TotalPower * 100), totalFen: Math.round(o.live.TotalMoney * 100) };
  return undefined;
};

const disputeKey = (x: { StartChargeSeq: string; DisputeReason: number }) => `${x.StartChargeSeq}#${x.DisputeReason}`;

export const onPartnerCheckOrders = async (
  partner: Partner,
  d: RequestData<'check_charge_orders'>,
  now: Date,
): Promise<ResponseInput<'check_charge_orders'>> => {
  if (!roamingOf(partner).out) throw new TcecError(Ret.BizError, `OperatorID ${partner.operatorId} does not roam out with us`);
  const from = parseDateTime(d.StartTime);
  const to = parseDateTime(d.EndTime);
  if (!from || !to || to < from) throw new TcecError(Ret.BizError, 'EndTime: before StartTime');

  const held = new Map<string, HeldOrder>();
  for (const item of d.ChargeOrders) {
    const o = await getRoamingOrder(item.StartChargeSeq);
    const f = o && o.OperatorID === partner.operatorId ? heldFigures(o) : undefined;
    if (f) held.set(item.StartChargeSeq, f);
  }
  // the orders we hold for the period by THE DAY RULE (their end in it): found by creation time, the
  // index's key, from CHECK_LOOKBACK_MS before the period, kept by their end
  const candidates = await listRoamingOrderSeqs(
    partner.operatorId,
    new Date(from.getTime() - CHECK_LOOKBACK_MS).toISOString(),
    new Date(to.getTime() + 999).toISOString(),
  );
  const inPeriod = (await getRoamingOrders(candidates)).filter((o) => endsInPeriod(o, from, to)).map((o) => o.StartChargeSeq);
  const r = compareInboundCheck(d.ChargeOrders, held, inPeriod);
  // a re-run of the same CheckOrderSeq (the partner retries after a lost answer or our error)
  // announces only the disputes not announced yet: one OrderDisputed per dispute, whatever the retries
  const announced = new Set(((await getCheckRun(partner.operatorId, d.CheckOrderSeq))?.published as string[] | undefined) ?? []);
  await putCheckRun(partner.operatorId, d.CheckOrderSeq, {
    direction: 'in',
    OperatorID: partner.operatorId,
    CheckOrderSeq: d.CheckOrderSeq,
    StartTime: d.StartTime,
    EndTime: d.EndTime,
    listed: d.ChargeOrders.length,
    OrderCount: d.OrderCount,
    disputes: r.disputes,
    unlisted: r.unlisted,
    at: now.toISOString(),
  });
  logger.info('inbound check_charge_orders', {
    CheckOrderSeq: d.CheckOrderSeq,
    listed: d.ChargeOrders.length,
    disputes: r.TotalDisputeOrder,
    unlisted: r.unlisted.length,
  });
  const fresh = r.disputes.filter((x) => !announced.has(disputeKey(x)));
  if (fresh.length) {
    const theirs = new Map(d.ChargeOrders.map((i) => [i.StartChargeSeq, i]));
    // published first, marked after: a failed PutEvents throws, the mark stays unset, the retry publishes
    await publish(
      OrderDisputed,
      fresh.map((x) => {
        const t = theirs.get(x.StartChargeSeq);
        const ours = held.get(x.StartChargeSeq);
        return {
          direction: 'in' as const,
          OperatorID: partner.operatorId,
          StartChargeSeq: x.StartChargeSeq,
          via: 'check_charge_orders' as const,
          reason: x.DisputeReason,
          ...(ours ? { ours: { TotalPower: ours.powerCentiKwh / 100, TotalMoney: ours.totalFen / 100 } } : {}),
          ...(t ? { theirs: { TotalPower: t.TotalPower, TotalMoney: t.TotalMoney } } : {}),
          CheckOrderSeq: d.CheckOrderSeq,
          detail: `check ${d.CheckOrderSeq}: DisputeReason ${x.DisputeReason}`,
          at: now.toISOString(),
        };
      }),
    );
    await markCheckDisputesPublished(partner.operatorId, d.CheckOrderSeq, fresh.map(disputeKey));
  }
  return {
    CheckOrderSeq: d.CheckOrderSeq,
    StartTime: d.StartTime,
    EndTime: d.EndTime,
    TotalDisputeOrder: r.TotalDisputeOrder,
    TotalDisputePower: r.TotalDisputePower,
    TotalDisputeMoney: r.TotalDisputeMoney,
    DisputeOrders: r.disputes,
  };
};
