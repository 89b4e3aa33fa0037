/**
 * Plug-and-charge rules (shared/domain/vin.ts): the ISO 3779 VIN, the VinReport DataTransfer's data,
 * the masked VIN of the logs, the StartChargeSeq allocated under the binding partner; and the
 * oem-example profile's order push carrying the car from the push's facts (shared/push/plan.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkStartChargeSeq } from '../../../shared/domain/charging.ts';
import { isVin, maskVin, parseVinReport, plugChargeSeq } from '../../../shared/domain/vin.ts';
import { carFacts } from '../../../shared/push/plan.ts';
import { loadProfiles, profileToWire } from '../../../shared/tcec/profiles.ts';

const VIN = 'LSVAU2180N2183294';

describe('VIN (ISO 3779)', () => {
  it('17 characters, digits and capitals without I, O, Q', () => {
    expect(isVin(VIN)).toBe(true);
    expect(isVin('WVWZZZ1JZXW000001')).toBe(true);
    for (const bad of [
      'LSVAU2180N218329',
      'LSVAU2180N21832944',
      'LSVAU2180N21832I4',
      'LSVAU2180N21832O4',
      'LSVAU2180N21832Q4',
      'lsvau2180n2183294',
      'LSVAU2180N2183-94',
    ])
      expect(isVin(bad), bad).toBe(false);
  });

  it('logs show the last 6 characters only', () => {
    expect(maskVin(VIN)).toBe('***********183294');
    expect(maskVin(VIN)).not.toContain('LSVAU');
  });
});

describe('DataTransfer EVCS/VinReport data', () => {
  it('a JSON string {connectorId, vin}', () => {
    expect(parseVinReport(JSON.stringify({ connectorId: 2, vin: VIN }))).toEqual({ ok: true, value: { connectorId: 2, vin: VIN } });
  });

  it('not the documented JSON → FormationViolation; a VIN not ISO 3779 → PropertyConstraintViolation', () => {
    for (const garbage of [
      undefined,
      42,
      '',
      'not json',
      'null',
      '[]',
      '{"connectorId":1}',
      '{"vin":"LSVAU2180N2183294"}',
      '{"connectorId":0,"vin":"LSVAU2180N2183294"}',
      '{"connectorId":1.5,"vin":"LSVAU2180N2183294"}',
      '{"connectorId":1,"vin":"LSVAU2180N2183294","extra":1}',
    ])
      expect(parseVinReport(garbage), String(garbage)).toMatchObject({ ok: false, problem: { code: 'FormationViolation' } });
    expect(parseVinReport('{"connectorId":1,"vin":"LSVAU2180N21832O4"}')).toMatchObject({
      ok: false,
      problem: { code: 'PropertyConstraintViolation' },
    });
  });
});

describe('the StartChargeSeq of a plug-and-charge start', () => {
  const at = new Date('2026-11-23T01:30:45.123Z');
  it("27 characters under the partner's OperatorID, the plug-in time in China time", () => {
    const seq = plugChargeSeq('MA01H3BQ2', 'FX0001E01C1', VIN, at);
    expect(seq).toHaveLength(27);
    expect(seq.startsWith('MA01H3BQ220261123093045')).toBe(true);
    expect(checkStartChargeSeq(seq, 'MA01H3BQ2')).toBeUndefined();
  });

  it('the same report gives the same sequence; another connector, car or second another', () => {
    const seq = plugChargeSeq('MA01H3BQ2', 'FX0001E01C1', VIN, at);
    expect(plugChargeSeq('MA01H3BQ2', 'FX0001E01C1', VIN, new Date(at))).toBe(seq);
    expect(plugChargeSeq('MA01H3BQ2', 'FX0001E01C1', VIN, new Date(at.getTime() + 1000))).not.toBe(seq);
    const others = [plugChargeSeq('MA01H3BQ2', 'FX0001E01C2', VIN, at), plugChargeSeq('MA01H3BQ2', 'FX0001E01C1', 'WVWZZZ1JZXW000001', at)];
    // 4 digits from a hash: distinct here (a collision would need the same second anyway)
    expect(others.every((o) => o !== seq)).toBe(true);
  });
});

describe('the car in the oem-example order push', () => {
  const oem = loadProfiles({}).get('oem-example')!;
  const order = {
    StartChargeSeq: 'MA01H3BQ2202611230930450001',
    ConnectorID: 'FX0001E01C1',
    StartTime: '2026-11-23 09:30:47',
    EndTime: '2026-11-23 10:30:47',
    TotalPower: 10,
    TotalElecMoney: 8,
    TotalSeviceMoney: 4,
    TotalMoney: 12,
    StopReason: 0,
    SumPeriod: 1,
    ChargeDetails: [
      {
        DetailStartTime: '2026-11-23 09:30:47',
        DetailEndTime: '2026-11-23 10:30:47',
        ElecPrice: 0.8,
        SevicePrice: 0.4,
        DetailPower: 10,
        DetailElecMoney: 8,
        DetailSeviceMoney: 4,
      },
    ],
  };
  const ctx = { ourOperatorId: 'MA5GS8X01', partnerOperatorId: 'MA01H3BQ2' };

  it('Vin and PlateNum from the order (the push facts), beside the renamed money field', () => {
    const { facts } = carFacts({ Vin: VIN, PlateNum: '京AD12345' });
    const wire = profileToWire(oem, 'notification_charge_order_info', 'request', order, { ...ctx, facts }) as Record<string, unknown>;
    expect(wire).toMatchObject({ Vin: VIN, PlateNum: '京AD12345', OrderMoney: 12, Oem: 'oem-example' });
  });

  it('an order without a car: neither field (never a made-up value)', () => {
    expect(carFacts({})).toEqual({});
    const wire = profileToWire(oem, 'notification_charge_order_info', 'request', order, ctx) as Record<string, unknown>;
    expect(wire).not.toHaveProperty('Vin');
    expect(wire).not.toHaveProperty('PlateNum');
    expect(carFacts({ Vin: VIN })).toEqual({ facts: { Vin: VIN } });
  });
});
