/**
 * The reservation fee on the order that used the reservation (issue 15 §1): billed by the one billing
 * function (shared/domain/billing.ts addReservationFee) as its own line of service money, exact to
 * the fen, never discounted by a coupon, and within the 32-line cap.
 */
import { describe, expect, it } from 'vitest';
import {
  addReservationFee,
  bill,
  discountService,
  noShowChargeFen,
  reservationEndChargeFen,
  reservationFeeFen,
  roomForReservationFee,
  type TariffPeriod,
  toOrderTotals,
} from '../../../shared/domain/billing.ts';
import { couponDiscountFen } from '../../../shared/domain/coupons.ts';
import { ReserveStat } from '../../../shared/domain/reservation.ts';
import { PEAK_VALLEY } from '../../fixtures/tariffs.ts';

const cst = (s: string): Date => new Date(`${s.replace(' ', 'T')}+08:00`);
/** 09:00 → 10:00 China time, 10 kWh in the peak period: elec 0.8123 × 10 = 8.123 → 812 fen, service 0.4 × 10 = 400 fen */
const session = () =>
  bill(
    [
      { at: cst('2026-11-23 09:00:00'), energyWh: 0 },
      { at: cst('2026-11-23 10:00:00'), energyWh: 10_000 },
    ],
    PEAK_VALLEY,
  );
/** Fee 1.00 + 0.05 × 20 min = 2.00 yuan */
const fee = { feeFen: reservationFeeFen({ Fee: 1, FeePerMinute: 0.05 }, 20), reservedAt: cst('2026-11-23 08:40:00') };

describe('addReservationFee (billing)', () => {
  it('adds one first line of service money over the reserved span; the totals include it and still sum', () => {
    expect(fee.feeFen).toBe(200);
    const t = toOrderTotals(addReservationFee(session(), fee));
    expect(t).toMatchObject({
      StartTime: '2026-11-23 09:00:00',
      EndTime: '2026-11-23 10:00:00',
      TotalPower: 10,
      TotalElecMoney: 8.12,
      TotalSeviceMoney: 6,
      TotalMoney: 14.12,
      SumPeriod: 2,
    });
    expect(t.ChargeDetails[0]).toEqual({
      DetailStartTime: '2026-11-23 08:40:00',
      DetailEndTime: '2026-11-23 09:00:00',
      ElecPrice: 0,
      SevicePrice: 0,
      DetailPower: 0,
      DetailElecMoney: 0,
      DetailSeviceMoney: 2,
    });
    expect(t.ChargeDetails[1]).toMatchObject({ DetailPower: 10, DetailElecMoney: 8.12, DetailSeviceMoney: 4 });
  });

  it('a coupon discounts the metered service fee only, never the reservation fee', () => {
    const half = couponDiscountFen({ kind: 'percent', percent: 50 }, session().serviceFen);
    expect(half).toBe(200);
    // the order of the charging service: room, discount, fee
    const b = addReservationFee(discountService(roomForReservationFee(session()), 200), fee);
    expect(b).toMatchObject({ elecFen: 812, serviceFen: 400, totalFen: 1212 });
    expect(b.details.map((d) => d.serviceFen)).toEqual([200, 200]);
  });

  it('a zero fee changes nothing; a negative or fractional one is refused', () => {
    const b = session();
    expect(addReservationFee(b, { feeFen: 0, reservedAt: fee.reservedAt })).toBe(b);
    expect(() => addReservationFee(b, { feeFen: -1, reservedAt: fee.reservedAt })).toThrow(RangeError);
    expect(() => addReservationFee(b, { feeFen: 1.5, reservedAt: fee.reservedAt })).toThrow(RangeError);
  });

  it('keeps the bill within 32 lines: a long session is merged to 31 metered lines plus the fee', () => {
    const tariff: TariffPeriod[] = [
      { startTime: '000000', elecPrice: 0.1, servicePrice: 0.2 },
      { startTime: '080000', elecPrice: 0.2, servicePrice: 0.2 },
      { startTime: '160000', elecPrice: 0.3, servicePrice: 0.2 },
    ];
    const start = cst('2024-03-01 00:00:00');
    const samples = [0, 24 * 11].map((h) => ({ at: new Date(start.getTime() + h * 3_600_000), energyWh: h * 1000 }));
    const b = bill(samples, tariff);
    expect(b.details).toHaveLength(32);
    const withFee = addReservationFee(b, { feeFen: 300, reservedAt: new Date(start.getTime() - 600_000) });
    expect(withFee.details).toHaveLength(32);
    expect(withFee.energyWh).toBe(b.energyWh);
    expect(withFee.serviceFen).toBe(withFee.details.reduce((s, d) => s + d.serviceFen, 0));
    expect(withFee.totalFen).toBe(withFee.elecFen + withFee.serviceFen);
    expect(withFee.details[0]).toMatchObject({ serviceFen: 300, energyWh: 0, elecPriceUnits: 0, servicePriceUnits: 0 });
  });
});

describe('what a reservation bills on itself once ended (billing: one rule)', () => {
  it('a no-show bills the reservation fee plus NoShowFee; nothing else is billed on the reservation', () => {
    // 1.00 + 0.05 × 20 min + 3.00
    const noShowFen = noShowChargeFen({ Fee: 1, FeePerMinute: 0.05, NoShowFee: 3 }, 20);
    expect(noShowFen).toBe(500);
    // no NoShowFee: the reservation fee alone; no fee at all: 0
    expect(noShowChargeFen({ Fee: 1, FeePerMinute: 0.05 }, 20)).toBe(200);
    expect(noShowChargeFen({}, 20)).toBe(0);
    expect(reservationEndChargeFen(ReserveStat.Expired, { noShowFen })).toBe(500);
    // used (its fee is a line of the order), cancelled, refused by the charger, still active: 0 here
    for (const stat of [ReserveStat.Used, ReserveStat.Cancelled, ReserveStat.Refused, ReserveStat.Active])
      expect(reservationEndChargeFen(stat, { noShowFen })).toBe(0);
  });
});
