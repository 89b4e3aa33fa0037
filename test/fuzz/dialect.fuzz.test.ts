/**
 * Property tests of the dialect layer (reference §3.9, §5.1, pitfalls §6.2, §6.11):
 *  - for any canonical query_equip_charge_status snapshot, fromWire(toWire(x, d)) = x rounded to
 *    the wire precisions, in both dialects;
 *  - toWire is idempotent on its own output's parse;
 *  - fromWire never throws, whatever JSON a partner sends, for every interface and direction.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIALECTS, fieldDp, fromWire, toWire } from '../../shared/tcec/dialect.ts';
import { INTERFACE_NAMES } from '../../shared/tcec/interfaces.ts';
import { round } from '../../shared/tcec/money.ts';
import type { EquipChargeStatus } from '../../shared/tcec/schemas.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateTimeArb = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map(
    (d) =>
      `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  );
const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const money = dbl(0, 1_000_000);

const chargeDetailArb = fc.record({
  DetailStartTime: dateTimeArb,
  DetailEndTime: dateTimeArb,
  ElecPrice: dbl(0, 1000),
  SevicePrice: dbl(0, 1000),
  DetailPower: dbl(0, 100_000),
  DetailElecMoney: money,
  DetailSeviceMoney: money,
});

const chargeStatusArb: fc.Arbitrary<EquipChargeStatus> = fc.record(
  {
    StartChargeSeq: fc.stringMatching(/^[A-Za-z0-9]{1,64}$/),
    StartChargeSeqStat: fc.constantFrom(1, 2, 3, 4, 5),
    ConnectorID: fc.stringMatching(/^[A-Za-z0-9-]{1,26}$/),
    ConnectorStatus: fc.constantFrom(0, 1, 2, 3, 4, 255),
    CurrentA: dbl(-1000, 1000),
    CurrentB: dbl(-1000, 1000),
    CurrentC: dbl(-1000, 1000),
    VoltageA: dbl(-1000, 1000),
    VoltageB: dbl(-1000, 1000),
    VoltageC: dbl(-1000, 1000),
    Soc: dbl(0, 100),
    StartTime: dateTimeArb,
    EndTime: dateTimeArb,
    TotalPower: dbl(0, 100_000),
    ElecMoney: money,
    SeviceMoney: money,
    TotalMoney: money,
    SumPeriod: fc.integer({ min: 0, max: 32 }),
    ChargeDetails: fc.array(chargeDetailArb, { maxLength: 32 }),
  },
  {
    requiredKeys: [
      'StartChargeSeq',
      'StartChargeSeqStat',
      'ConnectorID',
      'ConnectorStatus',
      'CurrentA',
      'VoltageA',
      'Soc',
      'StartTime',
      'EndTime',
      'TotalPower',
      'ElecMoney',
      'SeviceMoney',
      'TotalMoney',
      'SumPeriod',
    ],
  },
) as fc.Arbitrary<EquipChargeStatus>;

/** Reference rounding: every field with a wire precision, at any depth. */
const roundedCanonical = (v: unknown, key = ''): unknown => {
  if (Array.isArray(v)) return v.map((x) => roundedCanonical(x, key));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundedCanonical(x, k)]));
  }
  const dp = fieldDp(key);
  return typeof v === 'number' && dp !== undefined ? round(v, dp) : v;
};

describe('dialect round trip — query_equip_charge_status', () => {
  for (const dialect of DIALECTS) {
    it(`${dialect}: fromWire(toWire(x)) equals x rounded to the field precisions`, () => {
      fc.assert(
        fc.property(chargeStatusArb, (x) => {
          // through real JSON, as on the wire
          const wire: unknown = JSON.parse(JSON.stringify(toWire('query_equip_charge_status', 'response', x, dialect)));
          const back = fromWire('query_equip_charge_status', 'response', wire);
          if (!back.ok) throw new Error(back.msg);
          expect(back.value).toEqual(roundedCanonical(x));
        }),
        { numRuns: 1000 },
      );
    });

    it(`${dialect}: the wire uses only this dialect's spellings, and toWire is idempotent`, () => {
      fc.assert(
        fc.property(chargeStatusArb, (x) => {
          const wire = toWire('query_equip_charge_status', 'response', x, dialect);
          const text = JSON.stringify(wire);
          if (dialect === 'xiaoju') {
            expect(text).not.toMatch(/"(Sevice\w*|DetailSeviceMoney|ElecMoney)"/);
            expect(Object.keys(wire)).toContain('ElectMoney');
          } else {
            expect(text).not.toMatch(/"(Service\w*|DetailServiceMoney|ElectMoney)"/);
            expect(Object.keys(wire)).toContain('ElecMoney');
          }
          const back = fromWire('query_equip_charge_status', 'response', JSON.parse(text));
          if (!back.ok) throw new Error(back.msg);
          expect(JSON.stringify(toWire('query_equip_charge_status', 'response', back.value, dialect))).toBe(text);
        }),
        { numRuns: 500 },
      );
    });
  }
});

describe('fromWire is total', () => {
  it('never throws on arbitrary JSON for any interface and direction; failures carry a message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INTERFACE_NAMES),
        fc.constantFrom('request' as const, 'response' as const),
        fc.jsonValue(),
        (iface, dir, data) => {
          const r = fromWire(iface, dir, data);
          if (!r.ok) expect(r.msg).toMatch(/^[\w.[\]]+: .+/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on objects whose keys look like protocol keys with arbitrary values', () => {
    const keys = fc.constantFrom(
      'StartChargeSeq',
      'ConnectorID',
      'StationIDs',
      'PageSize',
      'LastQueryTime',
      'ChargeDetails',
      'PolicyInfos',
      'ServicePrice',
      'ElectMoney',
      'sumperiod',
      'ConnectorStatusInfo',
      '__proto__',
      'constructor',
    );
    fc.assert(
      fc.property(fc.constantFrom(...INTERFACE_NAMES), fc.dictionary(keys, fc.jsonValue()), (iface, data) => {
        const r = fromWire(iface, 'request', data);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
