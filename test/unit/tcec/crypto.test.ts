import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertSecretSet,
  decryptData,
  encryptData,
  hmacMd5Hex,
  sigEquals,
  sigMatches,
  signRequest,
  signResponse,
} from '../../../shared/tcec/crypto.ts';

const KEY = '4Rf8Yk2Lp9Wq6Zs1';
const IV = 'Iv7Xc3Nb5Mv8Hq2T';
const SIG = 'Sg9Kd4Jh6Fa1Pe3R';
const valid = { operatorSecret: 'Op5Ec7Rt9Yu1Io3P', dataSecret: KEY, dataSecretIV: IV, sigSecret: SIG };

describe('DataSecret / DataSecretIV must be exactly 16 UTF-8 bytes (reference §2.1)', () => {
  const bad: Array<[string, string]> = [
    ['15 bytes', '4Rf8Yk2Lp9Wq6Zs'],
    ['17 bytes', '4Rf8Yk2Lp9Wq6Zs12'],
    ['16 chars but 18 bytes (Chinese)', '密Rf8Yk2Lp9Wq6Zs1'.slice(0, 16)],
    ['empty', ''],
  ];

  it('the Chinese case really is 16 UTF-16 units but more than 16 bytes', () => {
    const s = bad[2]![1];
    expect(s.length).toBe(16);
    expect(Buffer.byteLength(s, 'utf8')).toBe(18);
  });

  it.each(bad)('encryptData/decryptData reject it as key and as IV (%s)', (_label, value) => {
    expect(() => encryptData('{}', value, IV)).toThrow(/DataSecret must be exactly 16 UTF-8 bytes/);
    expect(() => encryptData('{}', KEY, value)).toThrow(/DataSecretIV must be exactly 16 UTF-8 bytes/);
    expect(() => decryptData('dzpJZ/SLkxDFc5dSD4LrZQ==', value, IV)).toThrow(/DataSecret/);
    expect(() => decryptData('dzpJZ/SLkxDFc5dSD4LrZQ==', KEY, value)).toThrow(/DataSecretIV/);
  });

  it.each(bad)('assertSecretSet names the field, never the value (%s)', (_label, value) => {
    expect(() => assertSecretSet({ ...valid, dataSecret: value })).toThrow(/^DataSecret must/);
    expect(() => assertSecretSet({ ...valid, dataSecretIV: value })).toThrow(/^DataSecretIV must/);
    try {
      assertSecretSet({ ...valid, dataSecret: value });
    } catch (e) {
      if (value) expect((e as Error).message).not.toContain(value);
      expect(e).not.toHaveProperty('ret');
    }
  });

  it('a 16-byte key made of 5 Chinese characters + 1 ASCII is accepted (bytes, not chars, count)', () => {
    const k = '充电桩互联X';
    expect(Buffer.byteLength(k, 'utf8')).toBe(16);
    expect(decryptData(encryptData('{"a":1}', k, IV), k, IV)).toBe('{"a":1}');
  });

  it('assertSecretSet accepts a valid set and rejects an empty SigSecret', () => {
    expect(() => assertSecretSet(valid)).not.toThrow();
    expect(() => assertSecretSet({ ...valid, sigSecret: '' })).toThrow(/SigSecret/);
  });
});

describe('decryptData is strict about the Base64 it accepts', () => {
  const good = encryptData('{"StationIDs":["ST00000000001"]}', KEY, IV);

  it('round-trips', () => {
    expect(decryptData(good, KEY, IV)).toBe('{"StationIDs":["ST00000000001"]}');
  });

  it.each([
    ['a line break', `${good.slice(0, 20)}\n${good.slice(20)}`],
    ['CRLF', `${good.slice(0, 20)}\r\n${good.slice(20)}`],
    ['a space', `${good.slice(0, 20)} ${good.slice(20)}`],
    ['a trailing newline', `${good}\n`],
    ['URL-safe alphabet', good.replace(/\+/g, '-').replace(/\//g, '_')],
    ['a character outside the alphabet', `${good.slice(0, 10)}*${good.slice(11)}`],
    ['missing padding', 'dzpJZ/SLkxDFc5dSD4LrZQ'],
    ['a truncated length', good.slice(0, -5)],
    ['non-zero trailing bits', 'dzpJZ/SLkxDFc5dSD4LrZR=='],
    ['an empty string', ''],
    ['one block less than the padding needs', Buffer.from(good, 'base64').subarray(0, 15).toString('base64')],
  ])('rejects %s', (_label, input) => {
    expect(() => decryptData(input, KEY, IV)).toThrow();
  });

  it('rejects bad PKCS#7 padding (wrong key) without revealing anything', () => {
    let message = '';
    try {
      decryptData(good, 'AAAAAAAAAAAAAAAA', IV);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/could not be decrypted/);
    expect(message).not.toContain('StationIDs');
  });

  it('rejects plaintext that is not valid UTF-8 (TextDecoder fatal)', () => {
    const c = createCipheriv('aes-128-cbc', Buffer.from(KEY), Buffer.from(IV));
    const b64 = Buffer.concat([c.update(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), c.final()]).toString('base64');
    expect(() => decryptData(b64, KEY, IV)).toThrow(/UTF-8/);
  });

  /** Base64 of the raw AES-128-CBC encryption of `plain` (whole blocks, no padding added). */
  const rawBlocks = (plain: number[]): string => {
    const c = createCipheriv('aes-128-cbc', Buffer.from(KEY), Buffer.from(IV)).setAutoPadding(false);
    return Buffer.concat([c.update(Buffer.from(plain)), c.final()]).toString('base64');
  };

  it.each([
    ['a zero pad byte', [...Array(15).fill(0x41), 0x00]],
    ['a pad byte above 16', [...Array(15).fill(0x41), 0x11]],
    ['pad bytes that disagree', [...Array(13).fill(0x41), 0x03, 0x02, 0x03]],
    ['a pad byte of 16 over a block that is not all 16s', [0x41, ...Array(15).fill(0x10)]],
  ])('rejects PKCS#7 padding with %s, as OpenSSL would', (_label, plain) => {
    expect(() => decryptData(rawBlocks(plain), KEY, IV)).toThrow(/could not be decrypted/);
  });

  it('accepts every valid PKCS#7 pad length, 1 to 16, and strips exactly the padding', () => {
    for (let n = 1; n <= 16; n++) {
      const text = 'A'.repeat(32 - n);
      expect(decryptData(rawBlocks([...Buffer.from(text), ...Array(n).fill(n)]), KEY, IV)).toBe(text);
    }
  });

  it('keys are per secret: another DataSecret or IV after the first use still gives its own ciphertext', () => {
    const other = 'Zz9Yy8Xx7Ww6Vv5U';
    const a = encryptData('{"a":1}', KEY, IV);
    expect(encryptData('{"a":1}', other, IV)).not.toBe(a);
    expect(encryptData('{"a":1}', KEY, other)).not.toBe(a);
    expect(encryptData('{"a":1}', KEY, IV)).toBe(a);
    expect(() => decryptData(a, other, IV)).toThrow();
  });

  it('stays correct after more distinct secrets than the key cache holds', () => {
    const first = encryptData('{}', KEY, IV);
    for (let i = 0; i < 300; i++) {
      const k = `k${String(i).padStart(15, '0')}`;
      expect(decryptData(encryptData('{"i":1}', k, IV), k, IV)).toBe('{"i":1}');
    }
    expect(encryptData('{}', KEY, IV)).toBe(first);
  });

  it('keeps a leading BOM instead of silently stripping it', () => {
    expect(decryptData(encryptData('\uFEFF{}', KEY, IV), KEY, IV)).toBe('\uFEFF{}');
  });
});

describe('HMAC-MD5 signatures (reference §2.4–2.5)', () => {
  it('hmacMd5Hex is upper-case hex of the RFC 2104 HMAC-MD5 (RFC 2202 test case 2)', () => {
    expect(hmacMd5Hex('what do ya want for nothing?', 'Jefe')).toBe('750C783E6AB0B503EAA86E310A5DB738');
  });

  it('signRequest is plain concatenation OperatorID+Data+TimeStamp+Seq', () => {
    expect(signRequest('A', 'B', 'C', 'D', SIG)).toBe(hmacMd5Hex('ABCD', SIG));
    expect(signRequest('AB', '', 'C', 'D', SIG)).toBe(signRequest('A', 'B', 'C', 'D', SIG));
  });

  it('signResponse writes Ret as decimal text, including negative', () => {
    expect(signResponse(-1, '系统繁忙', '', SIG)).toBe(hmacMd5Hex('-1系统繁忙', SIG));
    expect(signResponse(0, '', 'x', SIG)).toBe(hmacMd5Hex('0x', SIG));
  });
});

describe('sigEquals', () => {
  const s = signRequest('MA59J8YL8', 'QQ==', '20240315093045', '0001', SIG);

  it('accepts equal Sigs regardless of case on either side', () => {
    expect(sigEquals(s, s)).toBe(true);
    expect(sigEquals(s, s.toLowerCase())).toBe(true);
    expect(sigEquals(s.toLowerCase(), s)).toBe(true);
  });

  it.each([
    ['a different Sig', hmacMd5Hex('other', SIG)],
    ['a 31-digit prefix', s.slice(0, 31)],
    ['33 digits', `${s}0`],
    ['non-hex characters of the right length', `${s.slice(0, 31)}G`],
    ['whitespace', ` ${s.slice(1)}`],
    ['empty', ''],
  ])('rejects %s', (_label, given) => {
    expect(sigEquals(s, given)).toBe(false);
  });

  it('is false when the expected value itself is malformed', () => {
    expect(sigEquals('xyz', 'xyz')).toBe(false);
  });
});

describe('sigMatches (the verifying side: HMAC of the message against a given Sig)', () => {
  const message = 'MA59J8YL8QQ==202403150930450001';
  const s = hmacMd5Hex(message, SIG);

  it('accepts the Sig in either case', () => {
    expect(sigMatches(message, s, SIG)).toBe(true);
    expect(sigMatches(message, s.toLowerCase(), SIG)).toBe(true);
  });

  it.each([
    ['one digit changed', `${s.slice(0, 31)}${s[31] === '0' ? '1' : '0'}`],
    ['the first digit changed', `${s[0] === '0' ? '1' : '0'}${s.slice(1)}`],
    ['a Sig of another message', hmacMd5Hex(`${message}x`, SIG)],
    ['31 digits', s.slice(0, 31)],
    ['33 digits', `${s}0`],
    ['non-hex characters', `${s.slice(0, 31)}G`],
    ['empty', ''],
  ])('rejects %s', (_label, given) => {
    expect(sigMatches(message, given, SIG)).toBe(false);
  });

  it('rejects a Sig made with another SigSecret, and never verifies with an empty SigSecret', () => {
    expect(sigMatches(message, hmacMd5Hex(message, 'other'), SIG)).toBe(false);
    expect(sigMatches(message, hmacMd5Hex(message, ''), '')).toBe(false);
  });
});
