/**
 * Energy delivered by finished orders, per connector, for query_station_stats (T/CEC §3.4):
 * the orders of the station that finished in [fromMs, toMs) (GSI byStation of the orders table).
 * Orders that never charged (refused, timed out) count zero.
 */
import { finishedOrdersOfStation } from './orders.ts';

/** Wh per ConnectorID delivered by finished orders of `stationId` that ended in [fromMs, toMs). */
export const finishedOrderEnergyWh = async (stationId: string, fromMs: number, toMs: number): Promise<ReadonlyMap<string, number>> => {
  const out = new Map<string, number>();
  for (const o of await finishedOrdersOfStation(stationId, new Date(fromMs), new Date(toMs))) {
    if (!o.charged || !o.ConnectorID) continue;
    out.set(o.ConnectorID, (out.get(o.ConnectorID) ?? 0) + Math.max(0, o.energyWh ?? 0));
  }
  return out;
};
