/**
 * Property tests of the T/CEC codec (fast-check). A few thousand runs in total; the file runs in
 * a few seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptData, encryptData, sigEquals } from '../../shared/tcec/crypto.ts';
import {
  decodeRequestData,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  parseRequestEnvelope,
  type RequestEnvelope,
  TcecTransportError,
  verifyRequestSig,
} from '../../shared/tcec/envelope.ts';
import { TcecError } from '../../shared/tcec/ret.ts';
import { chinaTimeStamp } from '../../shared/tcec/time.ts';

const secrets = {
  operatorSecret: 'Op5Ec7Rt9Yu1Io3P',
  dataSecret: '4Rf8Yk2Lp9Wq6Zs1',
  dataSecretIV: 'Iv7Xc3Nb5Mv8Hq2T',
  sigSecret: 'Sg9Kd4Jh6Fa1Pe3R',
};

const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
const operatorId = fc.array(fc.constantFrom(...ALNUM), { minLength: 9, maxLength: 9 }).map((a) => a.join(''));
const timeStamp = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }).map((t) => chinaTimeStamp(new Date(t)));
const seq = fc.integer({ min: 1, max: 9999 }).map((n) => String(n).padStart(4, '0'));
/**
 * JSON values normalised the way JSON itself normalises them (-0 → 0). Top-level strings are
 * excluded on purpose: encodeRequest/encodeResponse take a string as the already-serialized
 * plaintext (so vectors reproduce byte for byte), and T/CEC Data is always an object anyway.
 */
const jsonValue = fc
  .jsonValue()
  .filter((v) => typeof v !== 'string')
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const envelopeArb = fc
  .record({ operatorId, timeStamp, seq, data: jsonValue })
  .map((a): RequestEnvelope => encodeRequest({ ...a, secrets }));

describe('round trips', () => {
  it('decryptData(encryptData(s)) = s for grapheme strings (Chinese, emoji, combining marks)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(decryptData(encryptData(s, secrets.dataSecret, secrets.dataSecretIV), secrets.dataSecret, secrets.dataSecretIV)).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('decryptData(encryptData(s)) = s for any code points (astral planes included)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        const data = encryptData(s, secrets.dataSecret, secrets.dataSecretIV);
        expect(data).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
        expect(Buffer.from(data, 'base64').length % 16).toBe(0);
        expect(decryptData(data, secrets.dataSecret, secrets.dataSecretIV)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('request: parse(JSON(encodeRequest(x))) verifies and decodes back to x for any JSON value', () => {
    fc.assert(
      fc.property(fc.record({ operatorId, timeStamp, seq, data: jsonValue }), (a) => {
        const env = parseRequestEnvelope(JSON.stringify(encodeRequest({ ...a, secrets })));
        expect(verifyRequestSig(env, secrets.sigSecret)).toBe(true);
        expect(decodeRequestData(env, secrets)).toEqual(a.data);
      }),
      { numRuns: 500 },
    );
  });

  it('response: decodeResponse(JSON(encodeResponse(x))) gives x back, verified (Msg any Unicode)', () => {
    fc.assert(
      fc.property(jsonValue, fc.string({ unit: 'grapheme', maxLength: 30 }), (data, msg) => {
        const r = decodeResponse(JSON.stringify(encodeResponse({ ret: 0, msg, data, secrets })), secrets);
        expect(r).toEqual({ ret: 0, msg, data, sigVerified: true });
      }),
      { numRuns: 500 },
    );
  });
});

type Field = 'OperatorID' | 'Data' | 'TimeStamp' | 'Seq' | 'Sig';
const PRINTABLE = [...'ABCDEFabcdef0123456789+/=xyzXYZ-_ 测'];

describe('tampering → 4001 (or 4003)', () => {
  it('changing any single character of OperatorID, Data, TimeStamp, Seq or Sig never verifies', () => {
    fc.assert(
      fc.property(
        envelopeArb,
        fc.constantFrom<Field>('OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig'),
        fc.nat(),
        fc.constantFrom(...PRINTABLE),
        (env, field, pos, replacement) => {
          const original = env[field];
          const i = pos % original.length;
          const before = original[i] ?? '';
          // A Sig is compared case-insensitively, so a case flip is not a change of the Sig.
          const same = field === 'Sig' ? replacement.toUpperCase() === before.toUpperCase() : replacement === before;
          fc.pre(!same);
          const tampered = { ...env, [field]: original.slice(0, i) + replacement + original.slice(i + 1) };
          let verdict: 'rejected-4003' | 'sig-false' | 'accepted';
          try {
            const parsed = parseRequestEnvelope(JSON.stringify(tampered));
            verdict = verifyRequestSig(parsed, secrets.sigSecret) ? 'accepted' : 'sig-false';
          } catch (e) {
            expect(e).toBeInstanceOf(TcecError);
            expect((e as TcecError).ret).toBe(4003);
            verdict = 'rejected-4003';
          }
          expect(verdict).not.toBe('accepted');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a response with one changed Data/Msg/Ret character never yields data', () => {
    fc.assert(
      fc.property(jsonValue, fc.constantFrom('Data', 'Msg'), fc.nat(), fc.constantFrom(...PRINTABLE), (data, field, pos, replacement) => {
        const env = encodeResponse({ ret: 0, msg: 'ok', data, secrets });
        const original = env[field as 'Data' | 'Msg'];
        const i = pos % original.length;
        fc.pre(original[i] !== replacement);
        const tampered = { ...env, [field]: original.slice(0, i) + replacement + original.slice(i + 1) };
        const r = decodeResponse(JSON.stringify(tampered), secrets);
        expect(r.sigVerified).toBe(false);
        expect(r.data).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('robustness on arbitrary input', () => {
  it('parseRequestEnvelope either returns the five strings or throws TcecError(4003)', () => {
    const bodies = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.json(),
      fc
        .record(
          {
            OperatorID: fc.oneof(operatorId, fc.jsonValue()),
            Data: fc.oneof(fc.base64String(), fc.jsonValue()),
            TimeStamp: fc.oneof(timeStamp, fc.jsonValue()),
            Seq: fc.oneof(seq, fc.jsonValue()),
            Sig: fc.oneof(fc.stringMatching(/^[0-9A-F]{32}$/), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        try {
          const env = parseRequestEnvelope(body);
          expect(Object.values(env).every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(TcecError);
          expect((e as TcecError).ret).toBe(4003);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decryptData of arbitrary Base64-ish text only ever throws an Error (never crashes)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.base64String({ maxLength: 64 }), fc.string({ maxLength: 64 })), (s) => {
        try {
          expect(typeof decryptData(s, secrets.dataSecret, secrets.dataSecretIV)).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decodeResponse on arbitrary JSON either decodes or throws TcecTransportError, and never returns unverified data', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc
            .record(
              {
                Ret: fc.oneof(fc.integer(), fc.string()),
                Msg: fc.jsonValue(),
                Data: fc.oneof(fc.base64String(), fc.jsonValue()),
                Sig: fc.jsonValue(),
              },
              { requiredKeys: [] },
            )
            .map((o) => JSON.stringify(o)),
        ),
        (body) => {
          try {
            const r = decodeResponse(body, secrets);
            if (!r.sigVerified) expect(r.data).toBeUndefined();
          } catch (e) {
            expect(e).toBeInstanceOf(TcecTransportError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('sigEquals(a, b) ⇔ same 32 hex digits ignoring case', () => {
    const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/);
    fc.assert(
      fc.property(hex32, fc.oneof(hex32, fc.string({ maxLength: 40 })), fc.boolean(), (a, b, reuse) => {
        const given = reuse ? a.toLowerCase() : b;
        expect(sigEquals(a, given)).toBe(/^[0-9a-fA-F]{32}$/.test(given) && a.toUpperCase() === given.toUpperCase());
      }),
      { numRuns: 1000 },
    );
  });
});
