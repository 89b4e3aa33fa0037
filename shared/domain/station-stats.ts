/** Units of query_station_stats (§3.4). Pure. */

/** kWh with 0.1 precision (§3.4) from Wh. */
export const whToStatsKwh = (wh: number): number => Math.round(wh / 100) / 10;
