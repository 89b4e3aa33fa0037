/**
 * The audited exports' test fixture: an in-memory source (the export's input contract, with known
 * data, so every count and hash is checked against it), order and sample lines, and a target on the
 * local S3-compatible server's exports bucket (start it with test/support/s3.ts).
 */
import { createHash } from 'node:crypto';
import type { OrderLine, SampleLine } from '../../shared/domain/dxp-export.ts';
import { inRegion } from '../../shared/domain/grants.ts';
import type { ExportSource, ExportTarget } from '../../shared/services/dxp-export.ts';
import { getObject, putObject, putObjectStream } from '../../shared/store/objects.ts';

/** the stations of the fixture and their AreaCodes: two in Shanghai (31), one in Beijing (11) */
export const STATIONS = new Map([
  ['ST-SH-1', '310115'],
  ['ST-SH-2', '310104'],
  ['ST-BJ-1', '110105'],
]);

/** an in-memory source: orders and samples as the DynamoDB source returns them */
export const memorySource = () => {
  const orders: (OrderLine & { endedAt: number })[] = [];
  const samples: SampleLine[] = [];
  /** periods whose samples cannot be read (a part that fails) */
  const failing = new Set<string>();
  const source: ExportSource = {
    stationsInArea: async (codes) => new Set([...STATIONS].filter(([, area]) => inRegion(codes, area)).map(([id]) => id)),
    orders: async (stations, p) =>
      orders
        .filter((o) => stations.has(o.StationID) && o.endedAt >= p.from.getTime() && o.endedAt < p.to.getTime())
        .map(({ endedAt: _, ...o }) => o),
    samples: async (stations, p) => {
      if (failing.has(p.id)) throw new Error(`DynamoDB throttled reading ${p.id}`);
      return samples.filter((s) => stations.has(s.StationID) && s.Time >= p.from.getTime() && s.Time < p.to.getTime());
    },
  };
  return { orders, samples, failing, source };
};

const epochMs = (t: Date | string): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());

let n = 0;
/** an order of `station` (a fresh StartChargeSeq each) that ended at `endedAt` */
export const order = (station: string, endedAt: Date | string): OrderLine & { endedAt: number } => ({
  StartChargeSeq: `MA01H3BQ2${String(++n).padStart(18, '0')}`,
  OperatorID: 'MA01H3BQ2',
  StationID: station,
  EquipmentID: `${station}-E1`,
  ConnectorID: `${station}-E1-1`,
  TotalPower: 12.5,
  TotalMoney: 15.3,
  endedAt: epochMs(endedAt),
});

/** one charging-process sample of `o` at `t`, meter at `wh` */
export const sample = (o: OrderLine, t: Date | string, wh: number): SampleLine => ({
  StartChargeSeq: o.StartChargeSeq,
  ConnectorID: o.ConnectorID,
  StationID: o.StationID,
  Time: epochMs(t),
  Voltage: 400,
  Current: 100,
  Power: 40,
  Soc: 50,
  MeterWh: wh,
});

/** the exports bucket of the local S3-compatible server, as the export writes to it */
export const target: ExportTarget = {
  put: (key, body, contentType) => putObject('exports', key, body, { contentType }),
  putStream: (staging, chunks, keyOf, contentType) => putObjectStream('exports', staging, chunks, keyOf, { contentType }),
  get: (key) => getObject('exports', key),
};
/** an object of the exports bucket as text ('' when absent) */
export const text = async (key: string) => Buffer.from((await getObject('exports', key)) ?? []).toString('utf8');
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');
