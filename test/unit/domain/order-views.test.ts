/**
 * The one builder of an order's protocol views (shared/domain/order-views.ts), reference §3.9,
 * §3.12, §3.14 and the connector status codes of §3.2. The query handlers and the push planner both
 * use it, so these values are what a partner sees either way.
 */
import { describe, expect, it } from 'vitest';
import { OrderFinished } from '../../../events/orders.ts';
import { OrderStatus } from '../../../shared/domain/charging.ts';
import { chargeInfoOf, chargeOrderOf, chargeStatusOf, connectorStatusOf, type OrderFacts } from '../../../shared/domain/order-views.ts';
import { finishPushes } from '../../../shared/push/plan.ts';
import { toWire } from '../../../shared/tcec/dialect.ts';

const bill = OrderFinished.sample.bill;
const running: OrderFacts = {
  StartChargeSeq: 'MA01H3BQ2202611230930450001',
  ConnectorID: '1010000000000000000000001',
  status: OrderStatus.Charging,
  // 10:15:00 China time, later than the bill's last sample would be for a finished order
  live: { at: '2026-11-23T02:15:00.000Z', currentA: 125.5, voltageA: 380.2 },
  soc: 56.3,
  bill,
};
const finished = (stopReason: number): OrderFacts & { stopReason: number } => ({
  ...running,
  status: OrderStatus.Finished,
  stopReason,
});

describe('§3.9 ConnectorStatus (codes of §3.2) from the order', () => {
  it('charging and stopping: 3 charging', () => {
    expect(connectorStatusOf(OrderStatus.Charging)).toBe(3);
    expect(connectorStatusOf(OrderStatus.Stopping)).toBe(3);
  });
  it('starting: 2 occupied, not charging (a start needs a plugged-in car)', () => {
    expect(connectorStatusOf(OrderStatus.Starting)).toBe(2);
  });
  it('finished with §3.12 StopReason 4 (connector disconnected): 1 idle', () => {
    expect(connectorStatusOf(OrderStatus.Finished, 4)).toBe(1);
  });
  it.each([0, 1, 2, 3, 5, 6])('finished with StopReason %i: the car is still plugged in, 2 occupied', (reason) => {
    expect(connectorStatusOf(OrderStatus.Finished, reason)).toBe(2);
  });
});

describe('§3.9 query_equip_charge_status / notification_equip_charge_status', () => {
  it('a running order: live values, EndTime = this sample’s time (§3.9 本次采样时间), the running bill', () => {
    const v = chargeStatusOf(running);
    expect(v).toMatchObject({
      StartChargeSeqStat: 2,
      ConnectorStatus: 3,
      CurrentA: 125.5,
      VoltageA: 380.2,
      Soc: 56.3,
      StartTime: bill.StartTime,
      EndTime: '2026-11-23 10:15:00',
      TotalPower: bill.TotalPower,
      ElecMoney: bill.TotalElecMoney,
      SeviceMoney: bill.TotalSeviceMoney,
      TotalMoney: bill.TotalMoney,
      SumPeriod: bill.SumPeriod,
    });
  });

  it('a running order with no sample yet: zero currents, EndTime = the bill’s end', () => {
    const v = chargeStatusOf({ ...running, live: undefined, soc: undefined });
    expect(v).toMatchObject({ CurrentA: 0, VoltageA: 0, Soc: 0, EndTime: bill.EndTime });
  });

  it('a finished order: nothing flows, EndTime is the final reading (the bill’s end, as in §3.12), Soc kept', () => {
    const v = chargeStatusOf(finished(1));
    expect(v).toMatchObject({ StartChargeSeqStat: 4, ConnectorStatus: 2, CurrentA: 0, VoltageA: 0, Soc: 56.3 });
    expect(v.EndTime).toBe(bill.EndTime);
    expect(v.EndTime).toBe(chargeOrderOf(finished(1)).EndTime);
    expect(v.StartTime).toBe(chargeOrderOf(finished(1)).StartTime);
  });

  it('the view is a valid §3.9 Data in both directions and dialects', () => {
    for (const f of [running, finished(4)]) {
      for (const d of ['cec2016', 'xiaoju'] as const) {
        expect(() => toWire('query_equip_charge_status', 'response', chargeStatusOf(f), d)).not.toThrow();
        expect(() => toWire('notification_equip_charge_status', 'request', chargeStatusOf(f), d)).not.toThrow();
      }
    }
  });
});

describe('§3.12 notification_charge_order_info and §3.14 query_charge_info', () => {
  it('the final order carries the bill and the StopReason', () => {
    expect(chargeOrderOf(finished(2))).toEqual({
      StartChargeSeq: running.StartChargeSeq,
      ConnectorID: running.ConnectorID,
      StartTime: bill.StartTime,
      EndTime: bill.EndTime,
      TotalPower: bill.TotalPower,
      TotalElecMoney: bill.TotalElecMoney,
      TotalSeviceMoney: bill.TotalSeviceMoney,
      TotalMoney: bill.TotalMoney,
      StopReason: 2,
      SumPeriod: bill.SumPeriod,
      ChargeDetails: bill.ChargeDetails,
    });
    expect(() => toWire('notification_charge_order_info', 'request', chargeOrderOf(finished(2)), 'cec2016')).not.toThrow();
  });

  it('query_charge_info: the §3.12 fields plus StartChargeSeqStat; no StopReason while the order runs', () => {
    const open = chargeInfoOf(running);
    expect(open.StartChargeSeqStat).toBe(2);
    expect(open).not.toHaveProperty('StopReason');
    const done = chargeInfoOf(finished(4));
    const { StopReason, ...rest } = chargeOrderOf(finished(4));
    expect(done).toEqual({ ...rest, StopReason, StartChargeSeqStat: 4 });
    expect(() => toWire('query_charge_info', 'response', open, 'xiaoju')).not.toThrow();
  });
});

describe('the push planner uses the same builder', () => {
  it.each([
    [4, 1],
    [1, 2],
  ])(
    'OrderFinished with StopReason %i: the final §3.9 push says ConnectorStatus %i, like a query of the finished order',
    (reason, status) => {
      const e = { ...OrderFinished.sample, StopReason: reason, charged: true, stoppedByPartner: false, finalSoc: 80 };
      const pushes = finishPushes(e, 0);
      const final = pushes.find((p) => p.iface === 'notification_equip_charge_status');
      const order = pushes.find((p) => p.iface === 'notification_charge_order_info');
      const facts: OrderFacts = { ...running, status: OrderStatus.Finished, stopReason: reason, soc: 80, bill: e.bill };
      expect(final?.data).toEqual(chargeStatusOf(facts));
      expect(final?.data.ConnectorStatus).toBe(status);
      expect(order?.data).toEqual(chargeOrderOf({ ...facts, stopReason: reason }));
    },
  );
});
