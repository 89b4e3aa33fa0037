/**
 * query_token (T/CEC 102 §3.0) — the rules, without AWS.
 * FailReason: 0 none, 1 no such operator (the Data names another OperatorID than the envelope),
 * 2 wrong OperatorSecret. The secret is compared in constant time; a rotated-out inbound set is
 * accepted during its grace period (acceptedInboundSets). Request and response types are the catalog's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretSet } from '../tcec/crypto.ts';
import type { RequestData, ResponseData } from '../tcec/interfaces.ts';

/**
 * The rotation grace rule: the current inbound set is accepted, and a rotated-out previous one until
 * its validUntil (epoch ms, exclusive). The gateway's Sig check and query_token's secret check both
 * use it, so the two can never disagree.
 */
export interface RotatingInbound {
  inbound: SecretSet;
  previousInbound?: { set: SecretSet; validUntil: number } | undefined;
}

export const acceptedInboundSets = (s: RotatingInbound, now: Date): SecretSet[] =>
  s.previousInbound && s.previousInbound.validUntil > now.getTime() ? [s.inbound, s.previousInbound.set] : [s.inbound];

export type TokenDecision = { ok: true } | { ok: false; failReason: 1 | 2 };

const sameSecret = (a: string, b: string): boolean => {
  // hash first so lengths are equal and timingSafeEqual cannot leak the length
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
};

export const decideToken = (
  envelopeOperatorId: string,
  req: RequestData<'query_token'>,
  acceptedSecrets: readonly string[],
): TokenDecision => {
  if (req.OperatorID !== envelopeOperatorId) return { ok: false, failReason: 1 };
  // evaluate every candidate (no early exit) so timing does not tell which one matched
  let match = false;
  for (const s of acceptedSecrets) match = sameSecret(req.OperatorSecret, s) || match;
  return match ? { ok: true } : { ok: false, failReason: 2 };
};

export const tokenRefused = (operatorId: string, failReason: 1 | 2): ResponseData<'query_token'> => ({
  OperatorID: operatorId,
  SuccStat: 1,
  AccessToken: '',
  TokenAvailableTime: 0,
  FailReason: failReason,
});
