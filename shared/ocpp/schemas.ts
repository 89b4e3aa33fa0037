/**
 * OCPP 1.6J payload validation against the official JSON schemas: the ones ocpp-rpc ships
 * (shared/ocpp/schemas.generated.ts, `npm run ocpp:schemas`), checked by a walk of the schema that
 * answers as ocpp-rpc's ajv does (shared/ocpp/json-schema.ts), so no function bundles ajv or
 * compiles a schema at init. Three entry points, one per table, so that a function holds only the
 * schemas it checks: a charge point's CALL (`checkCall`), its answer to ours (`checkAnswer`), our
 * own CALL before it is sent (`checkOurCall`). The error code is ocpp-rpc's: the keyword of the
 * first failing schema rule picks it (`required` → OccurenceConstraintViolation, `type` →
 * TypeConstraintViolation, …; bounds, lengths, enums and formats PropertyConstraintViolation), and
 * the message is ajv's `errorsText`. A schema the platform does not check is a ProtocolError, as
 * ocpp-rpc answers for a schema it lacks.
 * test/unit/ocpp/validators.test.ts holds both validators to the same answers.
 */

import type { OcppErrorCode } from '../domain/ocpp.ts';
import { firstError, type JsonSchema } from './json-schema.ts';
import { ANSWER_SCHEMAS, CALL_SCHEMAS, OUR_CALL_SCHEMAS } from './schemas.generated.ts';

/**
 * ocpp-rpc's errorCodeLUT (node_modules/ocpp-rpc/lib/validator.js), but in OCPP 1.6J's own codes:
 * where ocpp-rpc answers `FormatViolation` (an OCPP 2.0 code a 1.6 charge point does not know) for
 * bounds, lengths, enums, formats and any keyword it does not list, this answers
 * PropertyConstraintViolation, 1.6J §4.2.3's "a field contains an invalid value".
 */
const FORMAT_VIOLATION: OcppErrorCode = 'PropertyConstraintViolation';
const ERROR_CODE_OF_KEYWORD: Readonly<Record<string, OcppErrorCode>> = {
  maximum: FORMAT_VIOLATION,
  minimum: FORMAT_VIOLATION,
  maxLength: FORMAT_VIOLATION,
  minLength: FORMAT_VIOLATION,
  exclusiveMaximum: 'OccurenceConstraintViolation',
  exclusiveMinimum: 'OccurenceConstraintViolation',
  multipleOf: 'OccurenceConstraintViolation',
  maxItems: 'OccurenceConstraintViolation',
  minItems: 'OccurenceConstraintViolation',
  maxProperties: 'OccurenceConstraintViolation',
  minProperties: 'OccurenceConstraintViolation',
  additionalItems: 'OccurenceConstraintViolation',
  required: 'OccurenceConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  propertyNames: 'PropertyConstraintViolation',
  additionalProperties: 'PropertyConstraintViolation',
  type: 'TypeConstraintViolation',
};

export interface SchemaProblem {
  code: OcppErrorCode;
  message: string;
}

/** `payload` against the schema of `action` in `table`; a schema the table lacks is ocpp-rpc's ProtocolError */
const check = (
  table: Readonly<Record<string, JsonSchema>>,
  action: string,
  kind: 'req' | 'conf',
  payload: unknown,
): SchemaProblem | undefined => {
  const schema = Object.hasOwn(table, action) ? table[action] : undefined;
  if (!schema) return { code: 'ProtocolError', message: `Schema 'urn:${action}.${kind}' is missing from subprotocol schema 'ocpp1.6'` };
  const e = firstError(schema, payload);
  // the message is ajv's errorsText of its one error (dataVar `data`)
  return e && { code: ERROR_CODE_OF_KEYWORD[e.keyword] ?? FORMAT_VIOLATION, message: `data${e.instancePath} ${e.message}` };
};

/** A charge point's CALL (`urn:<action>.req`, INCOMING_ACTIONS). */
export const checkCall = (action: string, payload: unknown): SchemaProblem | undefined => check(CALL_SCHEMAS, action, 'req', payload);

/** Our CALL before it is sent (`urn:<action>.req`, OUTGOING_ACTIONS and ChangeConfiguration). */
export const checkOurCall = (action: string, payload: unknown): SchemaProblem | undefined =>
  check(OUR_CALL_SCHEMAS, action, 'req', payload);

/** A charge point's answer to our CALL (`urn:<action>.conf`). */
export const checkAnswer = (action: string, payload: unknown): SchemaProblem | undefined => check(ANSWER_SCHEMAS, action, 'conf', payload);
