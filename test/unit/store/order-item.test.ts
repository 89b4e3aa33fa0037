/**
 * The order item's stored tariff (shared/store/orders.ts, issue 9 §2): one [startTime, elecPrice,
 * servicePrice] per period instead of an object each, so a sample's rewrite of the charging order
 * stays within 1 KB (1 WCU) with a longer tariff, a coupon, a car; an item written before (objects)
 * reads the same. Sizes by DynamoDB's rules (bench/cost/meter.ts itemBytes, unit-tested there).
 */
import { describe, expect, it } from 'vitest';
import { itemBytes } from '../../../bench/cost/meter.ts';
import { foldSample, startRunningBill, type TariffPeriod } from '../../../shared/domain/billing.ts';
import { orderOfItem, storedTariff, tariffOf } from '../../../shared/store/orders.ts';

/** the demo seed's 7 periods (Beijing peak / flat / valley) */
const SEVEN: TariffPeriod[] = [
  ['000000', 0.3483],
  ['080000', 0.7523],
  ['100000', 1.1893],
  ['150000', 0.7523],
  ['180000', 1.1893],
  ['210000', 0.7523],
  ['230000', 0.3483],
].map(([startTime, elecPrice]) => ({ startTime: String(startTime), elecPrice: Number(elecPrice), servicePrice: 0.4 }));

/** 12 periods (a province with deep valley and two peaks), prices to 4 dp */
const TWELVE: TariffPeriod[] = Array.from({ length: 12 }, (_, i) => ({
  startTime: `${String(i * 2).padStart(2, '0')}0000`,
  elecPrice: Math.round((0.3 + i * 0.0731) * 10_000) / 10_000,
  servicePrice: 0.6523,
}));

/** a charging order's item as the sample write leaves it after 30 minutes (keys, index keys, running bill, live values) */
const chargingItem = (tariff: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const seq = 'MA01H3BQ21764550000123400001';
  const t0 = Date.parse('2026-12-01T01:55:00.000Z');
  let meter = startRunningBill({ at: new Date(t0), energyWh: 0 }, SEVEN);
  for (let i = 1; i <= 37; i++) meter = foldSample(meter, { at: new Date(t0 + i * 50_000), energyWh: i * 833.37 }, SEVEN);
  return {
    pk: `ORDER#${seq}`,
    StartChargeSeq: seq,
    ConnectorID: 'SH0040D011',
    StationID: 'SH0040',
    EquipmentID: 'SH0040D01',
    OperatorID: 'MA01H3BQ2',
    tariff,
    status: 2,
    createdAt: '2026-12-01T01:54:57.123Z',
    startedAt: '2026-12-01T01:55:00.000Z',
    meter,
    gsi3pk: 'CHARGING',
    gsi3sk: '2026-12-01T01:55:00.000Z',
    live: { at: '2026-12-01T02:25:50.000Z', currentA: 123.4, voltageA: 487.2, soc: 57, powerKw: 60.12 },
    lastProgressAt: t0 + 37 * 50_000,
    ...extra,
  };
};

const EXTRAS = {
  coupon: { couponId: 'CP202612010001', kind: 'percent', percent: 15, capFen: 2000 },
  car: { Vin: 'LSVAU2180N2183201', PlateNum: '京AD12345' },
  payAfter: true,
  reservation: { ReserveSeq: 'MA01H3BQ21764549000123400007', feeFen: 200, reservedAt: '2026-12-01T01:41:02.000Z' },
};

describe('order item: the stored tariff', () => {
  it('reads back as the periods it was given, and an item written before (objects) reads the same', () => {
    for (const t of [SEVEN, TWELVE]) {
      expect(tariffOf(storedTariff(t))).toEqual(t);
      expect(tariffOf(t)).toEqual(t);
      expect(orderOfItem(chargingItem(storedTariff(t)))).toEqual(orderOfItem(chargingItem(t)));
    }
    const o = orderOfItem(chargingItem(storedTariff(SEVEN)));
    expect(o.tariff).toEqual(SEVEN);
    expect(o).not.toHaveProperty('pk');
    expect(o).not.toHaveProperty('gsi3pk');
    // an index row (no tariff projected) stays without one
    expect(orderOfItem({ pk: 'ORDER#x', StartChargeSeq: 'x', gsi1pk: 'PARTNER#y' })).toEqual({ StartChargeSeq: 'x' });
  });

  it('keeps a charging order within 1 KB, so each sample write is 1 WCU', () => {
    const asObjects = (t: TariffPeriod[], extra = {}) => itemBytes(chargingItem(t, extra));
    const asTuples = (t: TariffPeriod[], extra = {}) => itemBytes(chargingItem(storedTariff(t), extra));
    // the demo seed's order: 829 B → ~620 B
    expect(asObjects(SEVEN)).toBeGreaterThan(800);
    expect(asTuples(SEVEN)).toBeLessThan(asObjects(SEVEN) - 200);
    // a 12-period tariff, or a coupon, a car and a reservation: over 1 KB before (2 WCU a sample), within it now
    for (const [t, extra] of [
      [TWELVE, {}],
      [SEVEN, EXTRAS],
    ] as const) {
      expect(asObjects(t, extra)).toBeGreaterThan(1024);
      expect(asTuples(t, extra)).toBeLessThanOrEqual(1024);
    }
  });
});
