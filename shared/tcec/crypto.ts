/**
 * T/CEC 102.4 cryptography (reference §2.3–2.5), exact to the byte.
 *
 * - Data: AES-128-CBC, PKCS#7 padding computed on the UTF-8 bytes, key = DataSecret, IV =
 *   DataSecretIV (both raw UTF-8 bytes, exactly 16), output single-line standard Base64.
 * - Sig: upper-case hex HMAC-MD5 keyed with SigSecret's UTF-8 bytes.
 *
 * Nothing here logs, and no error message contains a secret or plaintext.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export interface SecretSet {
  operatorSecret: string;
  dataSecret: string;
  dataSecretIV: string;
  sigSecret: string;
}

const AES_BLOCK = 16;
/** Canonical standard Base64: alphabet A–Z a–z 0–9 + /, '=' padding, no whitespace. */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX32_RE = /^[0-9A-Fa-f]{32}$/;
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function key16(value: string, field: 'DataSecret' | 'DataSecretIV'): Buffer {
  const buf = Buffer.from(value, 'utf8');
  if (buf.length !== AES_BLOCK) {
    throw new Error(`${field} must be exactly 16 UTF-8 bytes (got ${buf.length})`);
  }
  return buf;
}

/** Throws a plain Error naming the offending field (never its value). */
export function assertSecretSet(s: SecretSet): void {
  if (typeof s.dataSecret !== 'string') throw new Error('DataSecret is missing');
  if (typeof s.dataSecretIV !== 'string') throw new Error('DataSecretIV is missing');
  key16(s.dataSecret, 'DataSecret');
  key16(s.dataSecretIV, 'DataSecretIV');
  if (typeof s.sigSecret !== 'string' || s.sigSecret.length === 0) throw new Error('SigSecret must not be empty');
}

export function encryptData(plaintext: string, dataSecret: string, dataSecretIV: string): string {
  const cipher = createCipheriv('aes-128-cbc', key16(dataSecret, 'DataSecret'), key16(dataSecretIV, 'DataSecretIV'));
  // Node's default auto-padding is PKCS#7 over the bytes it is given (the UTF-8 encoding here).
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/**
 * Strict inverse of {@link encryptData}. Throws on non-canonical Base64 (characters outside the
 * alphabet, whitespace, line breaks, bad length or padding), ciphertext that is not a whole number
 * of blocks, bad PKCS#7 padding and plaintext that is not valid UTF-8.
 */
export function decryptData(base64: string, dataSecret: string, dataSecretIV: string): string {
  const key = key16(dataSecret, 'DataSecret');
  const iv = key16(dataSecretIV, 'DataSecretIV');
  if (typeof base64 !== 'string' || base64.length === 0) throw new Error('Data is empty');
  if (!BASE64_RE.test(base64)) throw new Error('Data is not canonical single-line Base64');
  const bytes = Buffer.from(base64, 'base64');
  // Rejects non-zero trailing bits (e.g. "QR==" vs "QQ=="): only the canonical encoding passes.
  if (bytes.toString('base64') !== base64) throw new Error('Data is not canonical Base64');
  if (bytes.length === 0 || bytes.length % AES_BLOCK !== 0) {
    throw new Error('Data ciphertext length is not a multiple of 16 bytes');
  }
  const decipher = createDecipheriv('aes-128-cbc', key, iv);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
  } catch (cause) {
    throw new Error('Data could not be decrypted (bad key, IV or padding)', { cause });
  }
  try {
    return utf8Fatal.decode(plain);
  } catch (cause) {
    throw new Error('Data plaintext is not valid UTF-8', { cause });
  }
}

/** Upper-case hex HMAC-MD5 of the UTF-8 bytes of `message`, keyed with the UTF-8 bytes of `sigSecret`. */
export function hmacMd5Hex(message: string, sigSecret: string): string {
  return createHmac('md5', Buffer.from(sigSecret, 'utf8')).update(message, 'utf8').digest('hex').toUpperCase();
}

/** Request Sig: HMAC-MD5(SigSecret, OperatorID + Data + TimeStamp + Seq) (reference §2.4). */
export function signRequest(operatorId: string, data: string, timeStamp: string, seq: string, sigSecret: string): string {
  return hmacMd5Hex(operatorId + data + timeStamp + seq, sigSecret);
}

/** Response Sig: HMAC-MD5(SigSecret, String(Ret) + Msg + Data) (reference §2.5). */
export function signResponse(ret: number, msg: string, data: string, sigSecret: string): string {
  return hmacMd5Hex(String(ret) + msg + data, sigSecret);
}

/**
 * Constant-time comparison of two 32-hex-digit signatures, case-insensitive.
 * False when either is not exactly 32 hex digits.
 */
export function sigEquals(expected: string, given: string): boolean {
  if (typeof expected !== 'string' || typeof given !== 'string') return false;
  if (!HEX32_RE.test(expected) || !HEX32_RE.test(given)) return false;
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
