/** Test support for reconciliation: finished orders written with the order store, as the charging service writes them. */
import { createOrder, finishOrder } from '../../shared/store/orders.ts';
import { formatDateTime } from '../../shared/tcec/time.ts';

let n = 0;
/** a finished, charged order of `partner` from `start` to `end` (ISO), written as the charging service writes it */
export const finishedOrder = async (partner: string, start: string, end: string, kwh: number, yuan: number): Promise<string> => {
  n++;
  const seq = `${partner}${String(Date.now()).slice(-12)}${String(n).padStart(6, '0')}`;
  const connector = `FX0001E01C${String(n).padStart(4, '0')}`;
  const startedAt = new Date(start);
  const endedAt = new Date(end);
  const created = await createOrder(
    { StartChargeSeq: seq, ConnectorID: connector, StationID: 'FX0001', EquipmentID: 'FX0001E01', OperatorID: partner, tariff: [] },
    startedAt,
  );
  if (created.outcome !== 'created') throw new Error(`order ${seq} not created`);
  const elec = Math.round(yuan * 60) / 100;
  const bill = {
    StartTime: formatDateTime(startedAt),
    EndTime: formatDateTime(endedAt),
    TotalPower: kwh,
    TotalElecMoney: elec,
    TotalSeviceMoney: Math.round((yuan - elec) * 100) / 100,
    TotalMoney: yuan,
    SumPeriod: 1,
    ChargeDetails: [
      {
        DetailStartTime: formatDateTime(startedAt),
        DetailEndTime: formatDateTime(endedAt),
        ElecPrice: 0.8,
        SevicePrice: 0.4,
        DetailPower: kwh,
        DetailElecMoney: elec,
        DetailSeviceMoney: Math.round((yuan - elec) * 100) / 100,
      },
    ],
  };
  const ok = await finishOrder(created.order, {
    event: 'pile-stopped',
    endedAt,
    stopReason: 0,
    finishReason: 'stopped at the pile',
    charged: true,
    bill,
    energyWh: Math.round(kwh * 1000),
  });
  if (!ok) throw new Error(`order ${seq} not finished`);
  return seq;
};
