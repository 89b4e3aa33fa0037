/**
 * The OCPP 1.6J checks (ocpp-rpc's schemas in shared/ocpp/schemas.generated.ts, walked by
 * shared/ocpp/json-schema.ts) against ocpp-rpc's own validator (ajv compiling the same schemas at
 * run time): the same error code (in 1.6J's names: its FormatViolation is
 * PropertyConstraintViolation) and the same message for every payload — a table of bad payloads,
 * then payloads generated from each schema (valid ones and near misses). And the generated file is
 * what its generator writes today, each table holding the schemas of its own direction only.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import schemas from 'ocpp-rpc/lib/schemas/ocpp1_6.json' with { type: 'json' };
import { createValidator } from 'ocpp-rpc/lib/validator.js';
import { describe, expect, it } from 'vitest';
import { CONFIGURE_ACTION, INCOMING_ACTIONS, isIncomingAction, OUTGOING_ACTIONS } from '../../../shared/domain/ocpp.ts';
import { renderSchemas, SCHEMAS_FILE, VALIDATED_SCHEMAS } from '../../../shared/ocpp/generate-schemas.ts';
import { firstError } from '../../../shared/ocpp/json-schema.ts';
import { ANSWER_SCHEMAS, CALL_SCHEMAS, OUR_CALL_SCHEMAS } from '../../../shared/ocpp/schemas.generated.ts';
import { checkAnswer, checkCall, checkOurCall } from '../../../shared/ocpp/schemas.ts';
import { remoteStartWithProfile } from '../../support/ocpp-payloads.ts';

/** the check the platform runs for a schema id: a charge point's CALL, our CALL, or an answer to ours */
const checkPayload = (action: string, kind: 'req' | 'conf', payload: unknown) =>
  kind === 'conf' ? checkAnswer(action, payload) : isIncomingAction(action) ? checkCall(action, payload) : checkOurCall(action, payload);

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

describe('OCPP 1.6J schema checks', () => {
  it('shared/ocpp/schemas.generated.ts is up to date (run `npm run ocpp:schemas` after changing its generator)', () => {
    if (readFileSync(SCHEMAS_FILE, 'utf8') !== renderSchemas())
      expect.fail('schemas.generated.ts is stale: run `npm run ocpp:schemas` and commit the result');
  });

  it('each table holds its own direction only: a function checking our calls carries no schema of theirs', () => {
    expect(Object.keys(CALL_SCHEMAS)).toEqual([...INCOMING_ACTIONS]);
    expect(Object.keys(OUR_CALL_SCHEMAS)).toEqual([...OUTGOING_ACTIONS, CONFIGURE_ACTION]);
    expect(Object.keys(ANSWER_SCHEMAS)).toEqual([...OUTGOING_ACTIONS, CONFIGURE_ACTION]);
    // a charge point's action is not ours to send, and the reverse: each is ProtocolError at the other entry point
    expect(checkOurCall('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })?.code).toBe('ProtocolError');
    expect(checkCall('RemoteStopTransaction', { transactionId: 1 })?.code).toBe('ProtocolError');
    expect(checkAnswer('BootNotification', {})?.code).toBe('ProtocolError');
    expect(checkOurCall('RemoteStopTransaction', { transactionId: 1 })).toBeUndefined();
  });

  it("the walk reports the first broken rule in ajv's order: type, enum, then required, unknown keys, each property in schema order", () => {
    const schema = {
      type: 'object',
      required: ['a', 'b'],
      additionalProperties: false,
      properties: { a: { type: 'string', enum: ['x', 'yy'], maxLength: 1 }, b: { type: 'array', items: { type: 'integer' } } },
    } as const;
    expect(firstError(schema, [])).toEqual({ keyword: 'type', instancePath: '', message: 'must be object' });
    expect(firstError(schema, { a: 'zz', extra: 1 })?.keyword).toBe('required');
    expect(firstError(schema, { a: 'zz', b: [], extra: 1 })?.keyword).toBe('additionalProperties');
    expect(firstError(schema, { a: 'zz', b: ['1'] })).toEqual({
      keyword: 'enum',
      instancePath: '/a',
      message: 'must be equal to one of the allowed values',
    });
    expect(firstError(schema, { a: 'yy', b: [] })?.keyword).toBe('maxLength');
    expect(firstError(schema, { a: 'x', b: [1, 2.5] })).toEqual({ keyword: 'type', instancePath: '/b/1', message: 'must be integer' });
    expect(firstError(schema, { b: [1], a: 'x' })).toBeUndefined();
    expect(firstError({ type: 'object', properties: { 'a/b~c': { type: 'string' } } }, { 'a/b~c': 1 })?.instancePath).toBe('/a~1b~0c');
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
    [
      '29 February of 2100 (not a leap year)',
      'StartTransaction',
      'req',
      { ...start, timestamp: '2100-02-29T10:00:00Z' },
      'PropertyConstraintViolation',
    ],
    ['month 13', 'StartTransaction', 'req', { ...start, timestamp: '2026-13-01T10:00:00Z' }, 'PropertyConstraintViolation'],
    [
      'a leap second not at 23:59',
      'StartTransaction',
      'req',
      { ...start, timestamp: '2016-12-31T22:59:60Z' },
      'PropertyConstraintViolation',
    ],
    ['two separators', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30T10:00:00T' }, 'PropertyConstraintViolation'],
    ['a date without time', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30' }, 'PropertyConstraintViolation'],
    ['date-time not a string', 'StartTransaction', 'req', { ...start, timestamp: 20261130 }, 'TypeConstraintViolation'],
    ['number a string', 'RemoteStartTransaction', 'req', remoteStartWithProfile('10' as unknown as number), 'TypeConstraintViolation'],
    ['unknown property in an answer', 'ChangeConfiguration', 'conf', { status: 'Accepted', x: 1 }, 'PropertyConstraintViolation'],
    ['bad enum in our own call', 'ChangeAvailability', 'req', { connectorId: 0, type: 'Sometimes' }, 'PropertyConstraintViolation'],
    ['limit not a multiple of 0.1', 'RemoteStartTransaction', 'req', remoteStartWithProfile(10.05), 'OccurenceConstraintViolation'],
    [
      'limit off a multiple of 0.1 by 1e-5 (beyond the 1e-6 tolerance)',
      'RemoteStartTransaction',
      'req',
      remoteStartWithProfile(10.00001),
      'OccurenceConstraintViolation',
    ],
  ] as const)('%s → the code and message ocpp-rpc gives', (_case, action, kind, payload, code) => {
    expect(agree(action, kind, payload)?.code).toBe(code);
  });

  it.each([
    ['valid BootNotification', 'BootNotification', 'req', boot],
    ['20 astral characters are 20 characters (ucs2 length), not 40', 'Authorize', 'req', { idTag: '😀'.repeat(20) }],
    ['a limit of 0.3 is a multiple of 0.1 (tolerance 1e-6)', 'RemoteStartTransaction', 'req', remoteStartWithProfile(0.3)],
    ['date-time without zone (ajv-formats 2 accepts it)', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30T10:00:00' }],
    ['date-time with offset and fraction', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30T10:00:00.123+08:00' }],
    ['29 February of a leap year', 'StartTransaction', 'req', { ...start, timestamp: '2024-02-29T10:00:00Z' }],
    ['29 February of 2000 (divisible by 400)', 'StartTransaction', 'req', { ...start, timestamp: '2000-02-29T10:00:00Z' }],
    ['a leap second at 23:59:60', 'StartTransaction', 'req', { ...start, timestamp: '2016-12-31T23:59:60Z' }],
    ['lower-case t and z, a space as separator', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30t10:00:00z' }],
    ['a space as separator, offset without colon', 'StartTransaction', 'req', { ...start, timestamp: '2026-11-30 10:00:00+0800' }],
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
