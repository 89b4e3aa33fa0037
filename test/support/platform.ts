/**
 * Test support: start the real local platform (loopback AWS emulator, handlers) once per test
 * file, on the lane's shared DynamoDB Local (its own table prefix), and talk to it over HTTP
 * exactly as a partner does.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { type Platform, type PlatformOptions, startPlatform } from '../../infra/local/platform.ts';
import type { SeedPartner } from '../../shared/seed.ts';
import type { SecretSet } from '../../shared/tcec/crypto.ts';
import { decodeResponse, encodeRequest, type RequestEnvelope } from '../../shared/tcec/envelope.ts';
import { parseRequestData, parseResponseData, resolveInterfaceName } from '../../shared/tcec/interfaces.ts';
import { chinaTimeStamp } from '../../shared/tcec/time.ts';

export const DEMO_SEED = fileURLToPath(new URL('../../infra/local/seed/demo-partners.json', import.meta.url));

/** the lane's DynamoDB Local (test/support/dynamo-global-setup.ts); undefined outside the platform lanes */
export const laneDynamoEndpoint = (): string | undefined => inject('dynamoEndpoint');

/** a table prefix no other platform on the lane's DynamoDB Local uses */
export const uniqueTablePrefix = (): string => `t${randomUUID().slice(0, 12)}-`;

/**
 * The local platform for a test file: on the lane's DynamoDB Local with fresh tables of its own
 * (outside the platform lanes it starts its own DynamoDB Local). With `dataDir` the queues,
 * secrets and the runtime file persist there; the tables stay on the lane's DynamoDB Local.
 */
export const startTestPlatform = (opts: Partial<PlatformOptions> = {}): Promise<Platform> => {
  const shared = laneDynamoEndpoint();
  return startPlatform({
    port: 0,
    seedFile: DEMO_SEED,
    logLevel: 'ERROR',
    // test files run in parallel on the seed's demo ports: each gets its own demo partners
    demoPartners: 'any-port',
    // the wall clock never fires a job mid-test (reconciliation at China-time night, catch-up): a
    // test that needs a schedule runs it itself, at the time it chooses
    schedules: false,
    ...(shared ? { dynamoEndpoint: shared, tablePrefix: uniqueTablePrefix() } : {}),
    ...opts,
  });
};

/** Set a simulated connector's state through the simulator's admin route (POST /local/sim/connectors/<id>), as a developer would. */
export const simAdmin = async (apiUrl: string, connectorId: string, state: string): Promise<void> => {
  const res = await fetch(`${apiUrl}/local/sim/connectors/${connectorId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state }),
  });
  if (res.status !== 200) throw new Error(`simulator admin ${connectorId} → ${state}: HTTP ${res.status} ${await res.text()}`);
};

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

let seqCounter = 0;
/** a fresh envelope Seq per call: the gateway refuses an envelope it already accepted (replay) */
const nextSeq = (): string => String((seqCounter++ % 9999) + 1).padStart(4, '0');

export const envelopeFor = (
  p: Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet },
  data: unknown,
  at = new Date(),
  seq = nextSeq(),
): RequestEnvelope => encodeRequest({ operatorId: p.operatorId, data, secrets: p.inbound, timeStamp: chinaTimeStamp(at), seq });

/**
 * Our answer must conform to the catalog: a Ret 0 response's Data is parsed with the interface's
 * response schema (lenient: it accepts both dialects' spellings); a field that does not conform
 * fails the test, named. Interfaces outside the catalog (tests of unknown routes) are not checked.
 */
export const assertConformingResponse = (iface: string, ret: number, data: unknown): void => {
  const name = resolveInterfaceName(iface);
  if (ret !== 0 || !name) return;
  const r = parseResponseData(name, data);
  if (!r.ok) throw new Error(`${name}: our response does not conform to the catalog's response schema: ${r.msg}`);
};

/** The same for a push we sent: its Data must conform to the push interface's request schema. */
export const assertConformingPush = (iface: string, data: unknown): void => {
  const name = resolveInterfaceName(iface);
  if (!name) throw new Error(`push of an interface outside the catalog: ${iface}`);
  const r = parseRequestData(name, data);
  if (!r.ok) throw new Error(`${name}: our push does not conform to the catalog's request schema: ${r.msg}`);
};

/**
 * A full, correct call as the partner: envelope + token; returns the decoded, verified response,
 * after checking it against the catalog's response schema (assertConformingResponse).
 */
export const callAs = async (
  apiUrl: string,
  p: Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet },
  iface: string,
  data: unknown,
  token?: string,
) => {
  const env = envelopeFor(p, data);
  const raw = await postRaw(apiUrl, iface, JSON.stringify(env), token ? { authorization: `Bearer ${token}` } : {});
  const decoded = decodeResponse(raw.body, p.inbound);
  assertConformingResponse(iface, decoded.ret, decoded.data);
  return { raw, ...decoded };
};

export const tokenFor = async (apiUrl: string, p: Pick<SeedPartner, 'operatorId'> & { inbound: SecretSet }): Promise<string> => {
  const r = await callAs(apiUrl, p, 'query_token', { OperatorID: p.operatorId, OperatorSecret: p.inbound.operatorSecret });
  const d = r.data as { AccessToken?: string; SuccStat?: number } | undefined;
  if (r.ret !== 0 || !r.sigVerified || d?.SuccStat !== 0 || !d.AccessToken) throw new Error(`query_token failed: Ret ${r.ret} ${r.msg}`);
  return d.AccessToken;
};
