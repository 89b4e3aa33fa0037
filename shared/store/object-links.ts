/**
 * A time-limited download link of an object in a topology bucket: a SigV4 presigned GET (query
 * authentication, UNSIGNED-PAYLOAD, `X-Amz-Expires`), signed by the S3 client's own signer with the
 * function's credentials — what @aws-sdk/s3-request-presigner does (that package is not installed;
 * the signer is the SDK's, so nothing of the signature is hand-written). In AWS the URL is the
 * bucket's regional virtual-hosted endpoint; locally (AWS_ENDPOINT_URL_S3, path-style) the local
 * S3-compatible server's URL, which checks the same signature. No network call: signing is local.
 * A link to an object in Glacier (the exports bucket moves objects there after 90 days) answers 403
 * InvalidObjectState until it is restored.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { config } from '../config.ts';

interface Presigner {
  presign(
    request: {
      method: string;
      protocol: string;
      hostname: string;
      port?: number;
      path: string;
      query: Record<string, string>;
      headers: Record<string, string>;
    },
    options: { expiresIn: number },
  ): Promise<{ query: Record<string, string | string[] | null> }>;
}

let client: S3Client | undefined;
/** the client only lends its signer (credentials, region); it never sends */
const s3 = (): S3Client => (client ??= new S3Client({}));

/** A presigned GET of `key` in bucket `logical`, valid `expiresInSeconds` (≤ 7 days). */
export const presignedGetUrl = async (logical: string, key: string, expiresInSeconds: number): Promise<string> => {
  const bucket = config().bucketName(logical);
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  const pathKey = key.split('/').map(encodeURIComponent).join('/');
  let url: URL;
  if (endpoint) url = new URL(`${endpoint.replace(/\/$/, '')}/${bucket}/${pathKey}`);
  else {
    const region = await s3().config.region();
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    url = new URL(`https://${bucket}.s3.${region}.${suffix}/${pathKey}`);
  }
  const host = url.host;
  const signer = (await (s3().config.signer as unknown as () => Promise<Presigner>)()) as Presigner;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: expiresInSeconds },
  );
  for (const [k, v] of Object.entries(signed.query)) if (typeof v === 'string') url.searchParams.set(k, v);
  return url.toString();
};
