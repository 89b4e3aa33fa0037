/**
 * T/CEC 102.4 request/response envelopes (reference §1.4, §1.5, §2.4, §2.5).
 *
 * Server side is strict about the envelope (every key present, a non-empty string of the right
 * shape) and lenient only in Data content; client side (decodeResponse) is lenient about what
 * partners really send (Ret as a string, missing Sig on errors) but never hands out Data whose
 * Sig did not verify.
 */
import * as z from 'zod/mini';
import { atImport } from '../domain/once.ts';
import { decryptData, encryptData, type SecretSet, sigMatches, signRequest, signResponse } from './crypto.ts';
import { Ret, TcecError, TcecTransportError } from './ret.ts';

export { TcecTransportError } from './ret.ts';

export interface RequestEnvelope {
  OperatorID: string;
  Data: string;
  TimeStamp: string;
  Seq: string;
  Sig: string;
}

export interface ResponseEnvelope {
  Ret: number;
  Msg: string;
  Data: string;
  Sig: string;
}

/**
 * The request envelope's keys in the order they are checked, each with the shape its value must
 * have (Data: any non-empty string; its content is checked when it is decrypted). Checked by hand,
 * not by a schema library: this runs on every request and the first failure names its key.
 */
const REQUEST_KEYS: ReadonlyArray<readonly [keyof RequestEnvelope, RegExp | undefined, string]> = [
  ['OperatorID', /^[A-Za-z0-9]{9}$/, '9 alphanumeric characters'],
  ['Data', undefined, ''],
  ['TimeStamp', /^\d{14}$/, '14 digits (yyyyMMddHHmmss)'],
  ['Seq', /^\d{4}$/, '4 digits'],
  ['Sig', /^[0-9A-Fa-f]{32}$/, '32 hex characters'],
];

/** The first thing wrong with the envelope's keys, or undefined when all five are well formed. */
function envelopeProblem(obj: Record<string, unknown>): string | undefined {
  for (const [key, re, shape] of REQUEST_KEYS) {
    const v = obj[key];
    if (v === undefined) return `${key} is missing`;
    if (typeof v !== 'string') return `${key} must be a string`;
    if (v.length === 0) return `${key} must not be empty`;
    if (re && !re.test(v)) return `${key} must be ${shape}`;
  }
  return undefined;
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    // Deliberately no cause: V8's SyntaxError message quotes part of the input.
    return { ok: false };
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a request body; throws TcecError(4003) whose Msg names the offending key. */
export function parseRequestEnvelope(body: string): RequestEnvelope {
  const json = parseJson(body);
  if (!json.ok) throw new TcecError(Ret.ParamError, 'POST参数不合法: body is not valid JSON');
  if (!isPlainObject(json.value)) throw new TcecError(Ret.ParamError, 'POST参数不合法: body must be a JSON object');
  const problem = envelopeProblem(json.value);
  if (problem) throw new TcecError(Ret.ParamError, `POST参数不合法: ${problem}`);
  const { OperatorID, Data, TimeStamp, Seq, Sig } = json.value as Record<keyof RequestEnvelope, string>;
  return { OperatorID, Data, TimeStamp, Seq, Sig };
}

/** Constant-time, case-insensitive check of the request Sig. An empty SigSecret never verifies. */
export function verifyRequestSig(env: RequestEnvelope, sigSecret: string): boolean {
  return sigMatches(env.OperatorID + env.Data + env.TimeStamp + env.Seq, env.Sig, sigSecret);
}

/** Decrypts and JSON-parses Data; failure → TcecError(4003) with no decrypted content in Msg. */
export function decodeRequestData(env: RequestEnvelope, secrets: Pick<SecretSet, 'dataSecret' | 'dataSecretIV'>): unknown {
  let plain: string;
  try {
    plain = decryptData(env.Data, secrets.dataSecret, secrets.dataSecretIV);
  } catch (cause) {
    throw new TcecError(Ret.ParamError, 'Data 解密失败', { cause });
  }
  try {
    return JSON.parse(plain) as unknown;
  } catch {
    // Deliberately no cause: V8's SyntaxError message quotes part of the plaintext.
    throw new TcecError(Ret.ParamError, 'Data 解密后不是合法的 JSON');
  }
}

function serializeData(data: unknown): string {
  if (typeof data === 'string') return data;
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError('Data is not JSON-serializable');
  return text;
}

/**
 * Builds a signed request envelope. `data` is JSON.stringify'd (compact, Chinese unescaped) unless
 * it already is a string, which is then encrypted as is (so published vectors reproduce exactly).
 */
export function encodeRequest(args: {
  operatorId: string;
  data: unknown;
  secrets: SecretSet;
  timeStamp: string;
  seq: string;
}): RequestEnvelope {
  const { operatorId, secrets, timeStamp, seq } = args;
  const Data = encryptData(serializeData(args.data), secrets.dataSecret, secrets.dataSecretIV);
  return {
    OperatorID: operatorId,
    Data,
    TimeStamp: timeStamp,
    Seq: seq,
    Sig: signRequest(operatorId, Data, timeStamp, seq, secrets.sigSecret),
  };
}

/**
 * Builds a signed response envelope. Errors (ret ≠ 0) and responses without data carry Data ""
 * and are signed over Ret + Msg + "".
 */
export function encodeResponse(args: { ret: number; msg?: string; data?: unknown; secrets: SecretSet }): ResponseEnvelope {
  const { ret, secrets } = args;
  const msg = args.msg ?? '';
  const Data =
    ret !== Ret.Ok || args.data === undefined ? '' : encryptData(serializeData(args.data), secrets.dataSecret, secrets.dataSecretIV);
  return { Ret: ret, Msg: msg, Data, Sig: signResponse(ret, msg, Data, secrets.sigSecret) };
}

// a partner's answer: read by the client only (atImport: not in a bundle that never calls a partner)
const ResponseEnvelopeSchema = /* @__PURE__ */ atImport(() =>
  z.object({
    Ret: z.union([z.int(), z.string().check(z.regex(/^-?\d+$/))]),
    Msg: z.nullish(z.string()),
    Data: z.optional(z.unknown()),
    Sig: z.optional(z.unknown()),
  }),
);

export interface DecodedResponse {
  ret: number;
  msg: string;
  /** Only ever set when sigVerified is true. */
  data: unknown | undefined;
  sigVerified: boolean;
}

/**
 * Client-side decoding of a partner's response.
 * - Ret may be a number or a decimal string; Msg/Data may be absent or null (treated as "").
 * - sigVerified is true only when a Sig is present and matches Ret(text) + Msg + Data.
 * - data is the decrypted JSON only when the Sig verified and Data is non-empty.
 * - A body that is not a JSON envelope at all → TcecTransportError. A verified Ret 0 response
 *   whose Data cannot be decrypted/parsed → TcecTransportError (wrong DataSecret/IV); on Ret ≠ 0
 *   such Data is ignored (data undefined).
 */
export function decodeResponse(body: string, secrets: SecretSet): DecodedResponse {
  const json = parseJson(body);
  if (!json.ok) throw new TcecTransportError('response body is not valid JSON');
  if (!isPlainObject(json.value)) throw new TcecTransportError('response body is not a JSON object');
  const r = ResponseEnvelopeSchema.safeParse(json.value);
  if (!r.success) throw new TcecTransportError('response body is not a T/CEC envelope (no valid Ret)');
  const env = r.data;
  const retText = typeof env.Ret === 'string' ? env.Ret : String(env.Ret);
  const ret = Number(retText);
  const msg = env.Msg ?? '';
  const dataText = env.Data === undefined || env.Data === null ? '' : typeof env.Data === 'string' ? env.Data : undefined;

  // Signed over Ret exactly as the partner wrote it ("0" whether it arrived as 0 or "0").
  const sigVerified =
    typeof env.Sig === 'string' && dataText !== undefined && sigMatches(retText + msg + dataText, env.Sig, secrets.sigSecret);

  if (!sigVerified || !dataText) return { ret, msg, data: undefined, sigVerified };
  let data: unknown;
  try {
    const plain = decryptData(dataText, secrets.dataSecret, secrets.dataSecretIV);
    const parsed = parseJson(plain);
    if (!parsed.ok) throw new Error('response Data is not valid JSON');
    data = parsed.value;
  } catch (cause) {
    if (ret === Ret.Ok) throw new TcecTransportError('response Data could not be decrypted or parsed', { cause });
    data = undefined;
  }
  return { ret, msg, data, sigVerified };
}
