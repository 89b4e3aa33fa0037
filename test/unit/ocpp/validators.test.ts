/**
 * The OCPP 1.6J validators compiled ahead of time (shared/ocpp/validators.generated.js) against
 * ocpp-rpc's own validator (ajv compiling the same schemas at run time): the same error code (in
 * 1.6J's names: its FormatViolation is PropertyConstraintViolation) and the same message for every payload — a table of bad payloads, then payloads generated from each
 * schema (valid ones and near misses). And the generated file is what its generator writes today.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import schemas from 'ocpp-rpc/lib/schemas/ocpp1_6.json' with { type: 'json' };
import { createValidator } from 'ocpp-rpc/lib/validator.js';
import { describe, expect, it } from 'vitest';
import { renderValidators, VALIDATED_SCHEMAS, VALIDATORS_FILE } from '../../../shared/ocpp/generate-validators.ts';
import { checkPayload } from '../../../shared/ocpp/schemas.ts';

const ocppRpc = createValidator('ocpp1.6', schemas);

/** ocpp-rpc's answer, in checkPayload's shape */
const theirs = (action: string, kind: 'req' | 'conf', payload: unknown) => {
  try {
    ocppRpc.validate(`urn:${action}.${kind}`, payload);
    return undefined;
  } catch (err) {
    const code = (err as { rpcErrorCode?: string }).rpcErrorCode;
    // ocpp-rpc's FormatViolation is OCPP 2.0's code: ours is 1.6J's PropertyConstraintViolation
    return { code: code === 'FormatViolation' ? 'PropertyConstraintViolation' : code, message: (err as Error).message };
  }
};

const agree = (action: string, kind: 'req' | 'conf', payload: unknown) => {
  const ours = checkPayload(action, kind, payload);
  expect(ours, `${action}.${kind} ${JSON.stringify(payload)}`).toEqual(theirs(action, kind, payload));
  return ours;
};

const boot = { chargePointVendor: 'V', chargePointModel: 'M' };
const start = { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: '2026-11-30T10:00:00Z' };
const profile = (limit: number) => ({
  connectorId: 1,
  idTag: 'TAG',
  chargingProfile: {
    chargingProfileId: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
  },
});

describe('OCPP validators compiled ahead of time', () => {
  it('shared/ocpp/validators.generated.js is up to date (run `npm run ocpp:validators` after changing its generator)', () => {
    if (readFileSync(VALIDATORS_FILE, 'utf8') !== renderValidators())
      expect.fail('validators.generated.js is stale: run `npm run ocpp:validators` and commit the result');
  });

  it.each([
    ['missing required field', 'BootNotification', 'req', { chargePointVendor: 'V' }, 'OccurenceConstraintViolation'],
    ['missing nested required field', 'RemoteStartTransaction', 'req', { idTag: 'T', chargingProfile: {} }, 'OccurenceConstraintViolation'],
    ['wrong type (string for integer)', 'MeterValues', 'req', { connectorId: 'one', meterValue: [] }, 'TypeConstraintViolation'],
    ['wrong type (fraction for integer)', 'StartTransaction', 'req', { ...start, meterStart: 1.5 }, 'TypeConstraintViolation'],
    ['wrong type (payload an array)', 'Heartbeat', 'req', [], 'TypeConstraintViolation'],
    ['wrong type (payload null)', 'Authorize', 'req', null, 'TypeConstraintViolation'],
    [
      'wrong type deep in an array',
      'MeterValues',
      'req',
      { connectorId: 1, meterValue: [{ timestamp: '2026-11-30T10:00:00Z', sampledValue: [{ value: 5 }] }] },
      'TypeConstraintViolation',
    ],
    ['unknown property', 'Heartbeat', 'req', { extra: 1 }, 'PropertyConstraintViolation'],
    [
      'unknown nested property',
      'StopTransaction',
      'req',
      {
        meterStop: 1,
        timestamp: '2026-11-30T10:00:00Z',
        transactionId: 1,
        transactionData: [{ timestamp: '2026-11-30T10:00:00Z', sampledValue: [{ value: '1', x: 1 }] }],
      },
      'PropertyConstraintViolation',
    ],
    ['string too long', 'BootNotification', 'req', { ...boot, chargePointVendor: 'V'.repeat(21) }, 'PropertyConstraintViolation'],
    ['idTag too long', 'Authorize', 'req', { idTag: 'x'.repeat(21) }, 'PropertyConstraintViolation'],
    ['bad enum', 'StatusNotification', 'req', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }, 'PropertyConstraintViolation'],
    ['bad enum in an answer', 'RemoteStartTransaction', 'conf', { status: 'Maybe' }, 'PropertyConstraintViolation'],
    ['bad date-time', 'StartTransaction', 'req', { ...start, timestamp: '30/11/2026 10:00' }, 'PropertyConstraintViolation'],
    ['impossible date', 'StartTransaction', 'req', { ...start, timestamp: '2026-02-30T10:00:00Z' }, 'PropertyConstraintViolation'],
    ['limit not a multiple of 0.1', 'RemoteStartTransaction', 'req', profile(10.05), 'OccurenceConstraintViolation'],
  ] as const)('%s → the code and message ocpp-rpc gives', (_case, action, kind, payload, code) => {
    expect(agree(action, kind, payload)?.code).toBe(code);
  });

  it.each([
    ['valid BootNotification', 'BootNotification', 'req', boot],
    ['20 astral characters are 20 characters (ucs2 length), not 40', 'Authorize', 'req', { idTag: '😀'.repeat(20) }],
    ['a limit of 0.3 is a multiple of 0.1 (tolerance 1e-6)', 'RemoteStartTransaction', 'req', profile(0.3)],
    ['date-time without zone (ajv-formats 2 accepts it)', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30T10:00:00' }],
    ['date-time with offset and fraction', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30T10:00:00.123+08:00' }],
    ['an accepted answer', 'ReserveNow', 'conf', { status: 'Accepted' }],
  ] as const)('%s passes both', (_case, action, kind, payload) => {
    expect(agree(action, kind, payload)).toBeUndefined();
  });

  it('a schema the platform does not check is a ProtocolError, as ocpp-rpc answers for a schema it lacks', () => {
    expect(checkPayload('Frobnicate', 'req', {})).toEqual(theirs('Frobnicate', 'req', {}));
    expect(checkPayload('__proto__', 'req', {})?.code).toBe('ProtocolError');
    expect(checkPayload('GetDiagnostics', 'req', { location: 'ftp://x' })?.code).toBe('ProtocolError');
  });

  describe('payloads generated from each schema: both validators always agree', () => {
    interface Schema {
      type?: string;
      enum?: string[];
      format?: string;
      maxLength?: number;
      multipleOf?: number;
      properties?: Record<string, Schema>;
      required?: string[];
      items?: Schema;
    }
    const byId = new Map((schemas as Array<Schema & { $id: string }>).map((s) => [s.$id, s]));
    const wrong = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string(), fc.constant([]), fc.constant({}));
    const mostly = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>) =>
      fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: bad });
    const dateTime = mostly(
      fc.date({ min: new Date('1970-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2026-11-30T10:00:00+08:00', '2026-11-30 10:00:00Z', '2026-11-30T25:00:00Z', '2026-11-30', 'now', ''),
    );
    const near = (s: Schema, depth: number): fc.Arbitrary<unknown> => {
      let right: fc.Arbitrary<unknown>;
      if (s.enum) right = mostly(fc.constantFrom(...s.enum), fc.string({ maxLength: 8 }));
      else if (s.format === 'date-time') right = dateTime;
      else if (s.type === 'string')
        right = fc.string({ maxLength: (s.maxLength ?? 30) + 3, unit: fc.constantFrom('a', 'Z', '1', ' ', '😀', 'é') });
      else if (s.type === 'integer') right = mostly(fc.integer(), fc.double({ noNaN: true }));
      else if (s.type === 'number')
        right = mostly(
          fc.integer({ min: -1000, max: 1000 }).map((i) => i / 10),
          fc.double({ noNaN: true }),
        );
      else if (s.type === 'boolean') right = fc.boolean();
      else if (s.type === 'array' && s.items) right = depth > 3 ? fc.constant([]) : fc.array(near(s.items, depth + 1), { maxLength: 3 });
      else if (s.type === 'object' && s.properties) {
        const props = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, near(v, depth + 1)]));
        right = fc
          .tuple(
            mostly(fc.record(props, { requiredKeys: s.required ?? [] }), fc.record(props, { requiredKeys: [] })),
            fc.option(fc.constantFrom('extra', 'unknownKey'), { freq: 6 }),
          )
          .map(([o, extra]) => (extra ? { ...(o as object), [extra]: 1 } : o));
      } else right = fc.jsonValue();
      return depth === 0 ? right : fc.oneof({ weight: 20, arbitrary: right }, { weight: 1, arbitrary: wrong });
    };
    const cases = (['req', 'conf'] as const).flatMap((kind) => VALIDATED_SCHEMAS[kind].map((action) => [action, kind] as const));
    it.each(cases)('%s.%s', (action, kind) => {
      const schema = byId.get(`urn:${action}.${kind}`);
      if (!schema) throw new Error(`no schema urn:${action}.${kind}`);
      let valid = 0;
      let invalid = 0;
      fc.assert(
        fc.property(near(schema, 0), (payload) => {
          if (agree(action, kind, payload) === undefined) valid++;
          else invalid++;
        }),
        { seed: 9_4, numRuns: 200 },
      );
      // the generator reaches both sides of the schema (a few only-valid or only-invalid would prove little)
      expect(valid).toBeGreaterThan(0);
      expect(invalid).toBeGreaterThan(0);
    });
  });
});
