/**
 * OCPP 1.6J payload validation against the official JSON schemas, with ocpp-rpc's validator (ajv;
 * the schema keyword that failed picks the OCPP error code: `required` → OccurenceConstraintViolation,
 * `type` → TypeConstraintViolation, …). Only the 1.6 schemas are loaded (cold start).
 */

import schemas from 'ocpp-rpc/lib/schemas/ocpp1_6.json' with { type: 'json' };
import { createValidator } from 'ocpp-rpc/lib/validator.js';
import type { OcppErrorCode } from '../domain/ocpp.ts';

const validator = createValidator('ocpp1.6', schemas);

export interface SchemaProblem {
  code: OcppErrorCode;
  message: string;
}

/** Checks `payload` against `urn:<action>.req` (a charge point's CALL) or `.conf` (its answer to ours). */
export const checkPayload = (action: string, kind: 'req' | 'conf', payload: unknown): SchemaProblem | undefined => {
  try {
    validator.validate(`urn:${action}.${kind}`, payload);
    return undefined;
  } catch (err) {
    const code = (err as { rpcErrorCode?: OcppErrorCode }).rpcErrorCode ?? 'FormationViolation';
    return { code, message: err instanceof Error ? err.message : String(err) };
  }
};
