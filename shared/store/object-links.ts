/**
 * A time-limited download link of an object in a topology bucket: a SigV4 presigned GET (query
 * authentication, UNSIGNED-PAYLOAD, `X-Amz-Expires`) with the function's credentials, as the
 * function's SDK clients resolve them (the default chain: the environment, in Lambda). In AWS the
 * URL is the bucket's regional virtual-hosted endpoint; locally (AWS_ENDPOINT_URL_S3, path-style)
 * the local S3-compatible server's URL, which checks the same signature. No network call: signing
 * is local. A link to an object in Glacier (the exports bucket moves objects there after 90 days)
 * answers 403 InvalidObjectState until it is restored.
 *
 * The signature is the SDK's own signer (@smithy/signature-v4, which every SDK client bundles
 * already) with S3's settings (the path signed as it is sent, not encoded again; the
 * `x-amz-content-sha256` header hoisted into the query; only `host` signed), not the S3 client
 * around it: query_invoice_info does not bundle the whole S3 client (~140 KB with the parts of the
 * SDK core only it uses) to borrow its signer. test/unit/store/object-links.test.ts checks every
 * URL byte for byte against the S3 client's own signer (keys with spaces, unicode, reserved
 * characters; with and without a session token; the local path-style endpoint).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
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

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): Buffer =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** SHA-256, or HMAC-SHA-256 with a secret, for the signer (what the SDK's @smithy/hash-node does) */
class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(d: SourceData): void {
    this.h.update(bytes(d));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

/**
 * `url` (path already percent-encoded, no query) presigned for a GET by `id` at `now`, valid
 * `expiresInSeconds`: the same URL the S3 client's signer gives.
 */
export const presignGet = async (url: URL, id: SigningIdentity, now: Date, expiresInSeconds: number): Promise<string> => {
  if (expiresInSeconds > MAX_EXPIRES_SECONDS) throw new Error('a presigned URL must expire within a week');
  const signer = new SignatureV4({
    service: 's3',
    region: id.region,
    credentials: {
      accessKeyId: id.accessKeyId,
      secretAccessKey: id.secretAccessKey,
      ...(id.sessionToken ? { sessionToken: id.sessionToken } : {}),
    },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: expiresInSeconds, signingDate: now },
  );
  const out = new URL(url);
  for (const [k, v] of Object.entries(signed.query ?? {})) if (typeof v === 'string') out.searchParams.set(k, v);
  return out.toString();
};

/** the credentials and region of the function's clients (the DynamoDB client's resolved default chain) */
const identity = async (): Promise<SigningIdentity> => {
  const cfg = dynamo().client.config;
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
