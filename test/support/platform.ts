/**
 * Test support: start the real local platform (DynamoDB Local, loopback AWS emulator, handlers)
 * once per test file, and talk to it over HTTP exactly as a partner does.
 */
import { fileURLToPath } from 'node:url';
import { type Platform, type PlatformOptions, startPlatform } from '../../infra/local/platform.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { decodeResponse, encodeRequest, type RequestEnvelope } from '../../shared/tcec/envelope.ts';
import { chinaTimeStamp } from '../../shared/tcec/time.ts';

export const DEMO_SEED = fileURLToPath(new URL('../../infra/local/seed/demo-partners.json', import.meta.url));

export const startTestPlatform = (opts: Partial<PlatformOptions> = {}): Promise<Platform> =>
  startPlatform({ port: 0, seedFile: DEMO_SEED, logLevel: 'ERROR', ...opts });

export interface RawCall {
  status: number;
  body: string;
  json: { Ret: number; Msg: string; Data: string; Sig: string };
}

/** POST a raw body (string) to an interface. */
export const postRaw = async (apiUrl: string, iface: string, body: string, headers: Record<string, string> = {}): Promise<RawCall> => {
  const res = await fetch(`${apiUrl}/evcs/v1/${iface}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8', ...headers },
    body,
  });
  const text = await res.text();
  let json: RawCall['json'];
  try {
    json = JSON.parse(text) as RawCall['json'];
  } catch {
    json = { Ret: Number.NaN, Msg: text, Data: '', Sig: '' };
  }
  return { status: res.status, body: text, json };
};

export const envelopeFor = (
  p: Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet },
  data: unknown,
  at = new Date(),
  seq = '0001',
): RequestEnvelope => encodeRequest({ operatorId: p.operatorId, data, secrets: p.inbound, timeStamp: chinaTimeStamp(at), seq });

/** A full, correct call as the partner: envelope + token; returns the decoded, verified response. */
export const callAs = async (
  apiUrl: string,
  p: Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet },
  iface: string,
  data: unknown,
  token?: string,
) => {
  const env = envelopeFor(p, data);
  const raw = await postRaw(apiUrl, iface, JSON.stringify(env), token ? { authorization: `Bearer ${token}` } : {});
  return { raw, ...decodeResponse(raw.body, p.inbound) };
};

export const tokenFor = async (apiUrl: string, p: Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet }): Promise<string> => {
  const r = await callAs(apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
  const d = r.data as { AccessToken?: string; SuccStat?: number } | undefined;
  if (r.ret !== 0 || !r.sigVerified || d?.SuccStat !== 0 || !d.AccessToken) throw new Error(`query_token failed: Ret ${r.ret} ${r.msg}`);
  return d.AccessToken;
};
