/**
 * A time-limited download link of an object in a topology bucket: a SigV4 presigned GET (query
 * authentication, UNSIGNED-PAYLOAD, `X-Amz-Expires`) with the function's credentials, as the
 * function's SDK clients resolve them (the default chain: the environment, in Lambda). In AWS the
 * URL is the bucket's regional virtual-hosted endpoint; locally (AWS_ENDPOINT_URL_S3, path-style)
 * the local S3-compatible server's URL, which checks the same signature. No network call: signing
 * is local. A link to an object in Glacier (the exports bucket moves objects there after 90 days)
 * answers 403 InvalidObjectState until it is restored.
 *
 * The signature is SigV4's query form as the S3 client's signer writes it (@smithy/signature-v4
 * `presign` with S3's settings: the path signed as it is sent, not encoded again; the
 * `x-amz-content-sha256` header hoisted into the query; only `host` signed), written here with
 * node:crypto so that query_invoice_info does not bundle the whole S3 client (~140 KB with the
 * parts of the SDK core only it uses) to borrow its signer. test/unit/store/object-links.test.ts
 * checks every URL byte for byte against the S3 client's own signer (keys with spaces, unicode,
 * reserved characters; with and without a session token; the local path-style endpoint).
 */
import { createHash, createHmac } from 'node:crypto';
import { config } from '../config.ts';
import { dynamo } from './dynamo.ts';

/** What signing needs: the credentials and region the function's SDK clients use. */
export interface SigningIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly region: string;
}

/** the longest a SigV4 presigned URL may live */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

/** RFC 3986 encoding, as SigV4 canonicalises query keys and values */
const escapeUri = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * `url` (path already percent-encoded, no query) presigned for a GET by `id` at `now`, valid
 * `expiresInSeconds`: the same URL the S3 client's signer gives.
 */
export const presignGet = (url: URL, id: SigningIdentity, now: Date, expiresInSeconds: number): string => {
  if (expiresInSeconds > MAX_EXPIRES_SECONDS) throw new Error('a presigned URL must expire within a week');
  const longDate = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${id.region}/s3/aws4_request`;
  const query: Record<string, string> = {
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    ...(id.sessionToken ? { 'X-Amz-Security-Token': id.sessionToken } : {}),
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${id.accessKeyId}/${scope}`,
    'X-Amz-Date': longDate,
    'X-Amz-Expires': String(expiresInSeconds),
    'X-Amz-SignedHeaders': 'host',
  };
  const canonicalQuery = Object.keys(query)
    .map((k) => [escapeUri(k), escapeUri(query[k] ?? '')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', url.pathname, canonicalQuery, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', longDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join(
    '\n',
  );
  const key = hmac(hmac(hmac(hmac(`AWS4${id.secretAccessKey}`, shortDate), id.region), 's3'), 'aws4_request');
  const signed = new URL(url);
  for (const [k, v] of Object.entries(query)) signed.searchParams.set(k, v);
  signed.searchParams.set('X-Amz-Signature', createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex'));
  return signed.toString();
};

/** the credentials and region of the function's clients (the DynamoDB client's resolved default chain) */
const identity = async (): Promise<SigningIdentity> => {
  const cfg = dynamo().config;
  const [creds, region] = await Promise.all([cfg.credentials(), cfg.region()]);
  return { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, region };
};

/** The unsigned URL of `key` in bucket `logical`: the local endpoint path-style, else the regional virtual-hosted one. */
export const objectUrl = (bucket: string, key: string, region: string, endpoint = process.env.AWS_ENDPOINT_URL_S3): URL => {
  const pathKey = key.split('/').map(encodeURIComponent).join('/');
  if (endpoint) return new URL(`${endpoint.replace(/\/$/, '')}/${bucket}/${pathKey}`);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${bucket}.s3.${region}.${suffix}/${pathKey}`);
};

/** A presigned GET of `key` in bucket `logical`, valid `expiresInSeconds` (≤ 7 days). */
export const presignedGetUrl = async (logical: string, key: string, expiresInSeconds: number): Promise<string> => {
  const id = await identity();
  return presignGet(objectUrl(config().bucketName(logical), key, id.region), id, new Date(), expiresInSeconds);
};
