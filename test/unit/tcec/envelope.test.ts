import { describe, expect, it } from 'vitest';
import { encryptData, signResponse } from '../../../shared/tcec/crypto.ts';
import {
  decodeRequestData,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  parseRequestEnvelope,
  type RequestEnvelope,
  TcecTransportError,
  verifyRequestSig,
} from '../../../shared/tcec/envelope.ts';
import { TcecError } from '../../../shared/tcec/ret.ts';

const secrets = {
  operatorSecret: 'Op5Ec7Rt9Yu1Io3P',
  dataSecret: '4Rf8Yk2Lp9Wq6Zs1',
  dataSecretIV: 'Iv7Xc3Nb5Mv8Hq2T',
  sigSecret: 'Sg9Kd4Jh6Fa1Pe3R',
};
const valid: RequestEnvelope = encodeRequest({
  operatorId: 'MA59J8YL8',
  data: { StationIDs: ['ST0001'] },
  secrets,
  timeStamp: '20240315093045',
  seq: '0001',
});

function tcecErrorOf(fn: () => unknown): TcecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TcecError) return e;
    throw e;
  }
  throw new Error('expected a TcecError');
}

describe('parseRequestEnvelope (reference §1.4: missing key → 4003)', () => {
  it('accepts a valid envelope and returns exactly the five keys', () => {
    const env = parseRequestEnvelope(JSON.stringify({ ...valid, Extra: 'ignored' }));
    expect(env).toEqual(valid);
    expect(Object.keys(env).sort()).toEqual(['Data', 'OperatorID', 'Seq', 'Sig', 'TimeStamp']);
  });

  it.each(['OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig'] as const)('missing %s → 4003 naming the key', (key) => {
    const body: Record<string, unknown> = { ...valid };
    delete body[key];
    const err = tcecErrorOf(() => parseRequestEnvelope(JSON.stringify(body)));
    expect(err.ret).toBe(4003);
    expect(err.msg).toContain(`${key} is missing`);
  });

  it.each(['OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig'] as const)('empty %s → 4003 naming the key', (key) => {
    const err = tcecErrorOf(() => parseRequestEnvelope(JSON.stringify({ ...valid, [key]: '' })));
    expect(err.ret).toBe(4003);
    expect(err.msg).toContain(`${key} must not be empty`);
  });

  it.each([
    ['TimeStamp', 20240315093045],
    ['Seq', 1],
    ['OperatorID', null],
    ['Data', { a: 1 }],
    ['Sig', ['x']],
  ] as const)('%s that is not a string → 4003 naming the key', (key, value) => {
    const err = tcecErrorOf(() => parseRequestEnvelope(JSON.stringify({ ...valid, [key]: value })));
    expect(err.ret).toBe(4003);
    expect(err.msg).toContain(`${key} must be a string`);
  });

  it.each([
    ['OperatorID', 'MA59J8YL', 'OperatorID must be 9 alphanumeric'],
    ['OperatorID', 'MA59J8-L8', 'OperatorID must be 9 alphanumeric'],
    ['TimeStamp', '202403150930', 'TimeStamp must be 14 digits'],
    ['Seq', '1', 'Seq must be 4 digits'],
    ['Seq', '00001', 'Seq must be 4 digits'],
    ['Sig', 'ABC', 'Sig must be 32 hex'],
    ['Sig', 'Z'.repeat(32), 'Sig must be 32 hex'],
  ])('%s = %j → 4003 (%s)', (key, value, msg) => {
    const err = tcecErrorOf(() => parseRequestEnvelope(JSON.stringify({ ...valid, [key]: value })));
    expect(err.ret).toBe(4003);
    expect(err.msg).toContain(msg);
  });

  it.each([
    ['not JSON', '{"OperatorID":', 'not valid JSON'],
    ['an array', '[]', 'JSON object'],
    ['null', 'null', 'JSON object'],
    ['a string', '"x"', 'JSON object'],
  ])('body that is %s → 4003', (_label, body, msg) => {
    const err = tcecErrorOf(() => parseRequestEnvelope(body));
    expect(err.ret).toBe(4003);
    expect(err.msg).toContain(msg);
  });

  it('with several keys wrong, names the first in envelope order (OperatorID, Data, TimeStamp, Seq, Sig)', () => {
    const body = { ...valid, Sig: 'x', Seq: 1, TimeStamp: '' } as Record<string, unknown>;
    delete body.Data;
    expect(tcecErrorOf(() => parseRequestEnvelope(JSON.stringify(body))).msg).toBe('POST参数不合法: Data is missing');
    expect(tcecErrorOf(() => parseRequestEnvelope(JSON.stringify({ ...body, Data: 'QQ==' }))).msg).toBe(
      'POST参数不合法: TimeStamp must not be empty',
    );
  });

  it('accepts a lower-case Sig, and it verifies', () => {
    const env = parseRequestEnvelope(JSON.stringify({ ...valid, Sig: valid.Sig.toLowerCase() }));
    expect(verifyRequestSig(env, secrets.sigSecret)).toBe(true);
  });
});

describe('verifyRequestSig', () => {
  it('is false for a wrong or empty SigSecret and for a tampered field', () => {
    expect(verifyRequestSig(valid, secrets.sigSecret)).toBe(true);
    expect(verifyRequestSig(valid, 'other')).toBe(false);
    expect(verifyRequestSig(valid, '')).toBe(false);
    expect(verifyRequestSig({ ...valid, Seq: '0002' }, secrets.sigSecret)).toBe(false);
    expect(verifyRequestSig({ ...valid, OperatorID: 'MA59J8YL9' }, secrets.sigSecret)).toBe(false);
  });
});

describe('decodeRequestData', () => {
  it('decrypts and parses JSON', () => {
    expect(decodeRequestData(valid, secrets)).toEqual({ StationIDs: ['ST0001'] });
  });

  it('undecryptable Data → 4003 "Data 解密失败"', () => {
    const err = tcecErrorOf(() => decodeRequestData(valid, { dataSecret: 'AAAAAAAAAAAAAAAA', dataSecretIV: secrets.dataSecretIV }));
    expect(err.ret).toBe(4003);
    expect(err.msg).toBe('Data 解密失败');
  });

  it('decrypted text that is not JSON → 4003 without quoting the plaintext', () => {
    const env = { ...valid, Data: encryptData('{"secret-ish":1,}', secrets.dataSecret, secrets.dataSecretIV) };
    const err = tcecErrorOf(() => decodeRequestData(env, secrets));
    expect(err.ret).toBe(4003);
    expect(err.msg).not.toContain('secret-ish');
    expect(err.cause).toBeUndefined();
  });
});

describe('encodeRequest / encodeResponse', () => {
  it('serializes objects as compact JSON with Chinese unescaped', () => {
    const env = encodeRequest({
      operatorId: 'MA59J8YL8',
      data: { StationName: '测试站' },
      secrets,
      timeStamp: '20240315093045',
      seq: '0001',
    });
    expect(env.Data).toBe(encryptData('{"StationName":"测试站"}', secrets.dataSecret, secrets.dataSecretIV));
  });

  it('rejects data that JSON cannot represent', () => {
    expect(() => encodeRequest({ operatorId: 'MA59J8YL8', data: undefined, secrets, timeStamp: '20240315093045', seq: '0001' })).toThrow();
  });

  it('success with data: encrypted Data signed over Ret+Msg+Data; key order Ret, Msg, Data, Sig', () => {
    const r = encodeResponse({ ret: 0, data: { Total: 0 }, secrets });
    expect(Object.keys(r)).toEqual(['Ret', 'Msg', 'Data', 'Sig']);
    expect(r.Msg).toBe('');
    expect(r.Data).toBe(encryptData('{"Total":0}', secrets.dataSecret, secrets.dataSecretIV));
    expect(r.Sig).toBe(signResponse(0, '', r.Data, secrets.sigSecret));
  });

  it('success without data → Data ""', () => {
    expect(encodeResponse({ ret: 0, secrets }).Data).toBe('');
  });
});

describe('decodeResponse (client side, lenient but never trusting unsigned Data)', () => {
  const ok = encodeResponse({ ret: 0, data: { Total: 1 }, secrets });

  it('accepts Ret as a decimal string', () => {
    const body = JSON.stringify({ ...ok, Ret: '0' });
    expect(decodeResponse(body, secrets)).toEqual({ ret: 0, msg: '', data: { Total: 1 }, sigVerified: true });
  });

  it('accepts a lower-case Sig and extra keys (OperatorID)', () => {
    const body = JSON.stringify({ ...ok, Sig: ok.Sig.toLowerCase(), OperatorID: 'MA59J8YL8' });
    expect(decodeResponse(body, secrets).sigVerified).toBe(true);
  });

  it('error without Sig and Data → sigVerified false, data undefined', () => {
    expect(decodeResponse(JSON.stringify({ Ret: 4003, Msg: 'POST参数不合法' }), secrets)).toEqual({
      ret: 4003,
      msg: 'POST参数不合法',
      data: undefined,
      sigVerified: false,
    });
  });

  it('null Msg/Data are treated as ""', () => {
    const sig = signResponse(4004, '', '', secrets.sigSecret);
    expect(decodeResponse(JSON.stringify({ Ret: 4004, Msg: null, Data: null, Sig: sig }), secrets)).toMatchObject({
      ret: 4004,
      msg: '',
      sigVerified: true,
    });
  });

  it('a valid-looking Data under a wrong Sig is never decrypted', () => {
    const body = JSON.stringify({ ...ok, Sig: '0'.repeat(32) });
    expect(decodeResponse(body, secrets)).toEqual({ ret: 0, msg: '', data: undefined, sigVerified: false });
  });

  it('a Sig made with another SigSecret does not verify', () => {
    const other = encodeResponse({ ret: 0, data: { Total: 1 }, secrets: { ...secrets, sigSecret: 'another' } });
    expect(decodeResponse(JSON.stringify(other), secrets).sigVerified).toBe(false);
  });

  it('Data "" on success → data undefined', () => {
    const r = encodeResponse({ ret: 0, secrets });
    expect(decodeResponse(JSON.stringify(r), secrets)).toEqual({ ret: 0, msg: '', data: undefined, sigVerified: true });
  });

  it('a verified Ret 0 with undecryptable Data → TcecTransportError (wrong DataSecret)', () => {
    expect(() => decodeResponse(JSON.stringify(ok), { ...secrets, dataSecret: 'AAAAAAAAAAAAAAAA' })).toThrow(TcecTransportError);
  });

  it.each([
    ['not JSON', '<html>502</html>'],
    ['an array', '[1]'],
    ['an object without Ret', '{"Msg":"x"}'],
    ['a non-numeric Ret', '{"Ret":"ok"}'],
    ['a fractional Ret', '{"Ret":0.5}'],
  ])('body that is %s → TcecTransportError', (_label, body) => {
    expect(() => decodeResponse(body, secrets)).toThrow(TcecTransportError);
  });
});
