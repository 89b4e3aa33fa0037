/** Issue 12 §6: a partner's bill is recomputed with OUR billing function and confirmed only within 0.01 yuan per detail. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bill, toOrderTotals } from '../../../shared/domain/billing.ts';
import { verifyPartnerBill } from '../../../shared/domain/partner-bill.ts';
import { PEAK_VALLEY, SEVEN } from '../../fixtures/tariffs.ts';

// 07:10 → 09:40 China time (23:10 → 01:40 UTC): crosses the 08:00 boundary of PEAK_VALLEY
const start = new Date('2026-11-22T23:10:00Z');
const partnerOrder = (tariff = PEAK_VALLEY, kwh = 42.37, minutes = 150) =>
  toOrderTotals(
    bill(
      [
        { at: start, energyWh: 0 },
        { at: new Date(start.getTime() + (minutes / 2) * 60_000), energyWh: Math.round(kwh * 400) },
        { at: new Date(start.getTime() + minutes * 60_000), energyWh: Math.round(kwh * 1000) },
      ],
      tariff,
    ),
  );

describe('verifyPartnerBill', () => {
  it('a bill priced with the same tariff is confirmed (ConfirmResult 0) — across a period boundary', () => {
    const o = partnerOrder();
    expect(o.SumPeriod).toBe(2);
    const v = verifyPartnerBill(o, PEAK_VALLEY);
    expect(v.confirm).toBe(0);
    expect(v.ours?.totalFen).toBe(Math.round(o.TotalMoney * 100));
  });

  it('any session billed by a conforming partner is confirmed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 1, max: 24 * 60 }), (wh, minutes) => {
        expect(verifyPartnerBill(partnerOrder(SEVEN, wh / 1000, minutes), SEVEN).confirm).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a detail 0.05 yuan off → 1, reason 2 (money), with both figures', () => {
    const o = partnerOrder();
    const d0 = o.ChargeDetails[0]!;
    const bad = { ...o, ChargeDetails: [{ ...d0, DetailSeviceMoney: d0.DetailSeviceMoney + 0.05 }, ...o.ChargeDetails.slice(1)] };
    bad.TotalSeviceMoney += 0.05;
    bad.TotalMoney += 0.05;
    const v = verifyPartnerBill(bad, PEAK_VALLEY);
    expect(v).toMatchObject({ confirm: 1, reason: 2 });
    expect(v.confirm === 1 && v.detail).toMatch(/^ChargeDetails\[0\]: theirs [\d.]+ yuan, ours [\d.]+ yuan/);
    expect(v.theirs.totalFen - v.ours!.totalFen).toBe(5);
  });

  it('a detail 0.01 yuan off is still agreement (the tolerance)', () => {
    const o = partnerOrder();
    const d0 = o.ChargeDetails[0]!;
    const off = { ...o, ChargeDetails: [{ ...d0, DetailElecMoney: d0.DetailElecMoney + 0.01 }, ...o.ChargeDetails.slice(1)] };
    off.TotalElecMoney += 0.01;
    off.TotalMoney += 0.01;
    expect(verifyPartnerBill(off, PEAK_VALLEY).confirm).toBe(0);
  });

  it('a partner that priced with another tariff than the one it gave us at start → disputed', () => {
    expect(verifyPartnerBill(partnerOrder(SEVEN), PEAK_VALLEY)).toMatchObject({ confirm: 1, reason: 2 });
  });

  it('TotalPower that is not the sum of the details → 1, reason 3 (energy)', () => {
    const o = partnerOrder();
    expect(verifyPartnerBill({ ...o, TotalPower: o.TotalPower + 1 }, PEAK_VALLEY)).toMatchObject({ confirm: 1, reason: 3 });
  });

  it('totals that are not the sums of the details → disputed', () => {
    const o = partnerOrder();
    expect(verifyPartnerBill({ ...o, TotalMoney: o.TotalMoney + 5 }, PEAK_VALLEY)).toMatchObject({ confirm: 1, reason: 2 });
  });

  it('no ChargeDetails: checked as one span over StartTime–EndTime', () => {
    const o = partnerOrder();
    const { ChargeDetails: _, ...bare } = o;
    // the even spread differs from the real curve, but pricing the whole span our way must agree with itself
    const ours = verifyPartnerBill(bare, PEAK_VALLEY);
    expect(ours.ours?.powerCentiKwh).toBe(Math.round(o.TotalPower * 100));
  });

  it('no tariff pulled at start → cannot confirm', () => {
    expect(verifyPartnerBill(partnerOrder(), undefined)).toMatchObject({ confirm: 1, reason: 2, ours: undefined });
  });
});
