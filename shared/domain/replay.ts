/**
 * What identifies an accepted T/CEC envelope for replay protection (issue 17; pure): the same
 * OperatorID, TimeStamp, Seq and Sig — the Sig case-insensitively, as it is verified — is the same
 * envelope, whichever interface it is posted to.
 */
import { createHash } from 'node:crypto';

/** The key family of the durable marks in the tokens table (shared/store/replay.ts); IAM scopes the put to it. */
export const REPLAY_KEY_PREFIX = 'REPLAY#';

export interface EnvelopeIdentity {
  readonly OperatorID: string;
  readonly TimeStamp: string;
  readonly Seq: string;
  readonly Sig: string;
}

/** The in-process cache key of an envelope. */
export const envelopeKey = (env: EnvelopeIdentity): string => `${env.OperatorID}|${env.TimeStamp}|${env.Seq}|${env.Sig.toUpperCase()}`;

/** The partition key of its durable mark: fixed length, nothing of the Sig readable. */
export const replayMarkKey = (env: EnvelopeIdentity): string =>
  `${REPLAY_KEY_PREFIX}${createHash('sha256').update(envelopeKey(env), 'utf8').digest('hex')}`;
