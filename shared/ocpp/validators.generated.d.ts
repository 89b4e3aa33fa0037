/** Types of the generated OCPP 1.6J validators (shared/ocpp/generate-validators.ts writes the module; this file is hand-written). */

/** One ajv error object, trimmed to what the platform reads (the generator drops `schemaPath` and `params`). */
export interface ValidationError {
  keyword: string;
  instancePath: string;
  message?: string;
}

/** An ajv standalone validate function: `true`, or `false` with `errors` set (first error only: ajv's allErrors is off). */
export interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

/** schema id (`urn:BootNotification.req`) → its validator; only the schemas the platform checks */
export declare const validators: Readonly<Record<string, GeneratedValidator>>;
