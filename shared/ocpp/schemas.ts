/**
 * OCPP 1.6J payload validation against the official JSON schemas, compiled ahead of time
 * (shared/ocpp/validators.generated.js, `npm run ocpp:validators`: ajv's standalone code of the
 * schemas ocpp-rpc ships, set up as ocpp-rpc's `createValidator` does), so no function bundles ajv
 * or compiles a schema at init. The error code is ocpp-rpc's: the keyword of the first failing
 * schema rule picks it (`required` → OccurenceConstraintViolation, `type` → TypeConstraintViolation,
 * …; bounds, lengths, enums and formats PropertyConstraintViolation), and the message is ajv's `errorsText`. A
 * schema the platform does not check is a ProtocolError, as ocpp-rpc answers for a schema it lacks.
 * test/unit/ocpp/validators.test.ts holds both validators to the same answers.
 */

import type { OcppErrorCode } from '../domain/ocpp.ts';
import { type ValidationError, validators } from './validators.generated.js';

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

/** ajv's `errorsText(errors)` with its defaults (dataVar `data`, separator `, `) */
const errorsText = (errors: readonly ValidationError[]): string => errors.map((e) => `data${e.instancePath} ${e.message}`).join(', ');

export interface SchemaProblem {
  code: OcppErrorCode;
  message: string;
}

/** Checks `payload` against `urn:<action>.req` (a charge point's CALL) or `.conf` (its answer to ours). */
export const checkPayload = (action: string, kind: 'req' | 'conf', payload: unknown): SchemaProblem | undefined => {
  const id = `urn:${action}.${kind}`;
  const validate = Object.hasOwn(validators, id) ? validators[id] : undefined;
  if (!validate) return { code: 'ProtocolError', message: `Schema '${id}' is missing from subprotocol schema 'ocpp1.6'` };
  if (validate(payload)) return undefined;
  const errors = validate.errors ?? [];
  const first = errors[0];
  // ocpp-rpc throws only when ajv names an error; a bare `false` passes there too
  if (!first) return undefined;
  return { code: ERROR_CODE_OF_KEYWORD[first.keyword] ?? FORMAT_VIOLATION, message: errorsText(errors) };
};
