/**
 * Envelope Seq and business sequence numbers (StartChargeSeq, EquipAuthSeq, EquipBizSeq,
 * CheckOrderSeq) — reference §1.4 and §3 conventions.
 */
import { randomInt } from 'node:crypto';
import { chinaTimeStamp } from './time.ts';

/**
 * Returns a generator of (TimeStamp, Seq) pairs: Seq is 4 digits, starts at 0001 in each new
 * second, increments within the same second and wraps from 9999 back to 0001.
 */
export function createSeqGenerator(now: () => Date = () => new Date()): () => { timeStamp: string; seq: string } {
  let lastTs = '';
  let n = 0;
  return () => {
    const timeStamp = chinaTimeStamp(now());
    if (timeStamp !== lastTs) {
      lastTs = timeStamp;
      n = 1;
    } else {
      n = n >= 9999 ? 1 : n + 1;
    }
    return { timeStamp, seq: String(n).padStart(4, '0') };
  };
}

const OPERATOR_ID_RE = /^[A-Za-z0-9]{9}$/;
const SUFFIX_SPACE = 1_000_000;
// Random start per process (Lambda instance); then a counter, so one process never repeats a
// suffix within the same second unless it issues a million of them, and two processes collide
// with probability ~1e-6 per pair issued in the same second.
let counter = randomInt(SUFFIX_SPACE);

/**
 * 27 chars: 9-char OperatorID of the generating platform + yyMMddHHmmss (China time) + 6 digits.
 * All 18 trailing characters are digits, which every partner accepts.
 */
export function newBusinessSeq(operatorId: string, now: Date = new Date()): string {
  if (!OPERATOR_ID_RE.test(operatorId)) throw new Error('OperatorID must be 9 alphanumeric characters');
  counter = (counter + 1) % SUFFIX_SPACE;
  return operatorId + chinaTimeStamp(now).slice(2) + String(counter).padStart(6, '0');
}
