/**
 * query_token (T/CEC 102 §3.0) — the rules, without AWS.
 * FailReason: 0 none, 1 no such operator (the Data names another OperatorID than the envelope),
 * 2 wrong OperatorSecret. The secret is compared in constant time; a rotated-out inbound set is
 * accepted during its grace period.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface TokenRequest {
  OperatorID: string;
  OperatorSecret: string;
}

export interface TokenResponse {
  OperatorID: string;
  SuccStat: 0 | 1;
  AccessToken: string;
  TokenAvailableTime: number;
  FailReason: 0 | 1 | 2;
}

export type TokenDecision = { ok: true } | { ok: false; failReason: 1 | 2 };

const sameSecret = (a: string, b: string): boolean => {
  // hash first so lengths are equal and timingSafeEqual cannot leak the length
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
};

export const decideToken = (envelopeOperatorId: string, req: TokenRequest, acceptedSecrets: readonly string[]): TokenDecision => {
  if (req.OperatorID !== envelopeOperatorId) return { ok: false, failReason: 1 };
  // evaluate every candidate (no early exit) so timing does not tell which one matched
  let match = false;
  for (const s of acceptedSecrets) match = sameSecret(req.OperatorSecret, s) || match;
  return match ? { ok: true } : { ok: false, failReason: 2 };
};

export const tokenRefused = (operatorId: string, failReason: 1 | 2): TokenResponse => ({
  OperatorID: operatorId,
  SuccStat: 1,
  AccessToken: '',
  TokenAvailableTime: 0,
  FailReason: failReason,
});
