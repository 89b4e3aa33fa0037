/**
 * Pay after charging (充电后支付, ours): the settlement of a pay-after order (query_order_settlement)
 * and the partner's payment of it (query_order_pay), with the rules of shared/domain/pay-after.ts.
 * An order is pay-after when its partner's profile enabled `query_order_settlement` at its start
 * (shared/services/charging.ts); its final bill then carries PayableMoney and the push planner sends
 * notification_order_settlement (payable); a recorded payment publishes OrderPaid (→ the push, paid).
 */
import { logger, MetricUnit, metrics } from '#powertools';
import { OrderPaid } from '../../events/orders.ts';
import { publish } from '../bus/publish.ts';
import { billedOrderFacts } from '../domain/charging.ts';
import { PayFail, payDecision, SettleStatus, settlementOf } from '../domain/pay-after.ts';
import { yuanToFen } from '../domain/prepay.ts';
import { getOrder, markPaid, type Order } from '../store/orders.ts';
import type { Partner } from '../store/partners.ts';
import type { RequestData, ResponseData } from '../tcec/interfaces.ts';
import { Ret, TcecError } from '../tcec/ret.ts';

/** The partner's own pay-after order; another partner's looks like none. */
const payAfterOrder = async (partner: Partner, seq: string): Promise<Order | undefined> => {
  const o = await getOrder(seq);
  return o && o.OperatorID === partner.operatorId && o.payAfter ? o : undefined;
};

/** query_order_settlement. */
export const orderSettlement = async (partner: Partner, seq: string): Promise<ResponseData<'query_order_settlement'>> => {
  const o = await payAfterOrder(partner, seq);
  if (!o) throw new TcecError(Ret.BizError, 'StartChargeSeq: no such pay-after order');
  return settlementOf(billedOrderFacts(o));
};

const PAY_ATTEMPTS = 3;

/** query_order_pay: record the payment (one conditional write), publish OrderPaid, answer the settlement. */
export const payOrder = async (
  partner: Partner,
  req: RequestData<'query_order_pay'>,
  now: Date,
): Promise<ResponseData<'query_order_pay'>> => {
  const payFen = yuanToFen(req.PayMoney);
  for (let attempt = 1; attempt <= PAY_ATTEMPTS; attempt++) {
    const o = await payAfterOrder(partner, req.StartChargeSeq);
    const facts = o && billedOrderFacts(o);
    const fail = payDecision(facts, req.PaySeq, payFen);
    if (!o || !facts || fail !== PayFail.None) {
      logger.info('payment refused', { FailReason: fail, PaySeq: req.PaySeq });
      return {
        ...(facts
          ? settlementOf(facts)
          : { StartChargeSeq: req.StartChargeSeq, ConnectorID: '-', SettleStatus: SettleStatus.NotBilled, PayableMoney: 0 }),
        SuccStat: 1,
        FailReason: fail,
      };
    }
    const paid = facts.paid ?? { paySeq: req.PaySeq, paidFen: payFen, paidAt: now.toISOString() };
    if (!facts.paid && !(await markPaid(o.StartChargeSeq, paid))) continue; // a concurrent payment won: answer from it
    const settlement = settlementOf({ ...facts, paid });
    // also on a repeat: the push of a payment whose first publication failed is not lost
    await publish(OrderPaid, {
      StartChargeSeq: o.StartChargeSeq,
      ConnectorID: o.ConnectorID,
      StationID: o.StationID,
      OperatorID: o.OperatorID,
      SettleStatus: SettleStatus.Paid,
      PayableMoney: settlement.PayableMoney,
      PaidMoney: payFen / 100,
      PaySeq: paid.paySeq,
      PaidTime: settlement.PaidTime as string,
    });
    if (!facts.paid) metrics.singleMetric().addMetric('PayAfterOrdersPaid', MetricUnit.Count, 1);
    return { ...settlement, SuccStat: 0, FailReason: PayFail.None };
  }
  throw new Error(`${req.StartChargeSeq}: payment lost ${PAY_ATTEMPTS} concurrent writes`);
};
