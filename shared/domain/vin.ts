/**
 * Plug-and-charge (即插即充, ours; no public contract — reference §5.5): the rules of a VIN binding
 * and of a charger's VIN report. No I/O.
 *
 *   - a VIN is ISO 3779: 17 characters, digits and capital letters without I, O and Q;
 *   - a VIN is bound to at most ONE partner (its user's car); binding it again by the same partner is
 *     idempotent (the plate is updated), by another partner is refused (VinBindFail.OtherPartner);
 *   - a VIN is personal data: logs carry it masked (`maskVin`: the last 6 characters);
 *   - the charger reports the VIN at plug-in through OCPP 1.6J DataTransfer (vendorId `EVCS`,
 *     messageId `VinReport`, data `{"connectorId":1,"vin":"…"}`; README "Plug-and-charge");
 *   - the platform starts under the binding partner with a StartChargeSeq it allocates under that
 *     partner's OperatorID (27 characters, T/CEC rule): derived from the report, so a redelivered
 *     report is the same start (the start path answers a repeat without a second command).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { VIN_RE } from '../tcec/schemas.ts';

export const isVin = (v: string): boolean => VIN_RE.test(v);

/** The VIN as a log may show it: its last 6 characters (the serial), the rest starred. */
export const maskVin = (vin: string): string => `${'*'.repeat(Math.max(0, vin.length - 6))}${vin.slice(-6)}`;

/** query_vin_bind FailReason (ours) */
export const VinBindFail = { None: 0, OtherPartner: 1, BadPlate: 2 } as const;
/** query_vin_unbind FailReason (ours): unknown and another partner's binding look the same */
export const VinUnbindFail = { None: 0, NotBound: 1 } as const;

/** The DataTransfer a charger sends at plug-in (the carrier chosen: README "Plug-and-charge"). */
export const VIN_REPORT = { vendorId: 'EVCS', messageId: 'VinReport' } as const;

/** DataTransfer.req `data` of a VinReport, once parsed from its JSON string. */
const VinReportDataSchema = z.strictObject({
  connectorId: z.int().check(z.gte(1), z.lte(99)),
  vin: z.string().check(z.minLength(1), z.maxLength(32)),
});
export type VinReportData = z.infer<typeof VinReportDataSchema>;

export type VinReportProblem = { code: 'FormationViolation' | 'PropertyConstraintViolation'; message: string };

/**
 * A VinReport's `data` → the report, or the OCPP error it gets (a CALLERROR): not a JSON object of
 * the documented shape → FormationViolation; a VIN that is not ISO 3779 → PropertyConstraintViolation.
 */
export const parseVinReport = (data: unknown): { ok: true; value: VinReportData } | { ok: false; problem: VinReportProblem } => {
  let json: unknown;
  try {
    json = typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    json = undefined;
  }
  const r = z.safeParse(VinReportDataSchema, json);
  if (!r.success)
    return {
      ok: false,
      problem: {
        code: 'FormationViolation',
        message: 'VinReport data must be a JSON string {"connectorId": <int ≥ 1>, "vin": "<17 chars>"}',
      },
    };
  if (!isVin(r.data.vin))
    return {
      ok: false,
      problem: { code: 'PropertyConstraintViolation', message: 'vin: 17 characters, 0-9 and A-Z without I, O, Q (ISO 3779)' },
    };
  return { ok: true, value: r.data };
};

/**
 * The StartChargeSeq of a plug-and-charge start: the partner's OperatorID (9) + the plug-in time
 * yyyyMMddHHmmss in China time (14) + 4 digits from the connector and the VIN (27 in all). The same
 * report (a redelivery) gives the same sequence; a second plug-in a second later another.
 */
export const plugChargeSeq = (operatorId: string, connectorId: string, vin: string, reportedAt: Date): string => {
  const china = new Date(reportedAt.getTime() + 8 * 3_600_000).toISOString();
  const stamp = china.slice(0, 19).replace(/\D/g, '');
  const n = createHash('sha256').update(`${connectorId}|${vin}`).digest().readUInt32BE(0) % 10_000;
  return `${operatorId}${stamp}${String(n).padStart(4, '0')}`;
};
