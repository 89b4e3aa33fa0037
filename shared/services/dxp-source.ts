/**
 * The exports' data from DynamoDB (shared/services/dxp-export.ts ExportSource):
 *   - stations of a region: one byArea index Query per AreaCode prefix (shared/store/stations.ts);
 *   - orders: per station one byStation query over the period's end times (StartChargeSeqs), then
 *     BatchGetItem of the whole orders (100 per call);
 *   - samples: the process-samples items of each hour of the period (8 shard queries per hour);
 *   - station / status changes: the change records of each hour (one query per hour and kind).
 */
import { hoursOf, type OrderLine, type SampleLine } from '../domain/dxp-export.ts';
import { changesOfHour } from '../store/dxp-changes.ts';
import { finishedSeqsOfStation, getOrders, type Order } from '../store/orders.ts';
import { samplesOfHour } from '../store/process-samples.ts';
import { listRegionIndex } from '../store/stations.ts';
import type { ExportSource } from './dxp-export.ts';

/** stations queried at once */
const CONCURRENCY = 8;

const orderLine = (o: Order): OrderLine => ({
  StartChargeSeq: o.StartChargeSeq,
  OperatorID: o.OperatorID,
  StationID: o.StationID,
  EquipmentID: o.EquipmentID,
  ConnectorID: o.ConnectorID,
  ...(o.bill
    ? {
        StartTime: o.bill.StartTime,
        EndTime: o.bill.EndTime,
        TotalPower: o.bill.TotalPower,
        TotalElecMoney: o.bill.TotalElecMoney,
        TotalSeviceMoney: o.bill.TotalSeviceMoney,
        TotalMoney: o.bill.TotalMoney,
        SumPeriod: o.bill.SumPeriod,
        ChargeDetails: o.bill.ChargeDetails,
      }
    : {}),
  ...(o.energyWh !== undefined ? { EnergyWh: o.energyWh } : {}),
  ...(o.stopReason !== undefined ? { StopReason: o.stopReason } : {}),
});

export const dynamoExportSource: ExportSource = {
  async stationsInArea(areaCodes) {
    return new Set((await listRegionIndex(areaCodes)).map((s) => s.stationId));
  },
  async orders(stations, p) {
    const list = [...stations];
    const seqs: string[] = [];
    for (let i = 0; i < list.length; i += CONCURRENCY) {
      const found = await Promise.all(list.slice(i, i + CONCURRENCY).map((id) => finishedSeqsOfStation(id, p.from, p.to)));
      seqs.push(...found.flat());
    }
    return (await getOrders(seqs)).map(orderLine);
  },
  /** one batch per hour of the period (a day of tens of millions of samples never sits in memory whole) */
  async *samples(stations, p) {
    const from = p.from.getTime();
    const to = p.to.getTime();
    for (const hour of hoursOf(p)) {
      const out: SampleLine[] = [];
      for (const b of await samplesOfHour(hour)) {
        if (!stations.has(b.StationID)) continue;
        for (const [t, v, a, kw, soc, wh] of b.samples) {
          if (t < from || t >= to) continue;
          out.push({
            StartChargeSeq: b.StartChargeSeq,
            ConnectorID: b.ConnectorID,
            StationID: b.StationID,
            Time: t,
            Voltage: v,
            Current: a,
            Power: kw,
            Soc: soc,
            MeterWh: wh,
          });
        }
      }
      yield out;
    }
  },
  async changes(kind, stations, p) {
    const out = [];
    for (const hour of hoursOf(p))
      for (const l of await changesOfHour(kind, hour))
        if (stations.has(l.StationID) && l.Time >= p.from.getTime() && l.Time < p.to.getTime()) out.push(l);
    return out;
  },
};
