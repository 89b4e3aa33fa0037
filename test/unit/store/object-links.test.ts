/**
 * The download link's SigV4 presign (shared/store/object-links.ts) is the S3 client's own, byte for
 * byte: the same URL its signer gives for the same object, credentials, region, time and expiry —
 * what the link was before it stopped borrowing the S3 client (issue 9 §4). The conformance test of
 * query_invoice_apply fetches a link from the local S3-compatible server, which checks the signature.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { objectUrl, presignGet, type SigningIdentity } from '../../../shared/store/object-links.ts';

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
    options: { expiresIn: number; signingDate: Date },
  ): Promise<{ query: Record<string, string | string[] | null> }>;
}

/** the link as it was made before: the S3 client's signer, the same request */
const sdkLink = async (url: URL, id: SigningIdentity, now: Date, expiresIn: number): Promise<string> => {
  const s3 = new S3Client({
    region: id.region,
    credentials: {
      accessKeyId: id.accessKeyId,
      secretAccessKey: id.secretAccessKey,
      ...(id.sessionToken ? { sessionToken: id.sessionToken } : {}),
    },
  });
  const signer = (await (s3.config.signer as unknown as () => Promise<Presigner>)()) as Presigner;
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
    { expiresIn, signingDate: now },
  );
  const out = new URL(url);
  for (const [k, v] of Object.entries(signed.query)) if (typeof v === 'string') out.searchParams.set(k, v);
  return out.toString();
};

const keys = [
  'invoices/MA5GS8X01/INV20261201000001-1764547200000-a1b2c3.pdf',
  'exports/2026/12/01/part 0001+x.json.gz',
  'a/é 中文/ファイル.pdf',
  "odd/!'()*~;:@&=$,/x.pdf",
  'pct/a%2Fb/?#[].pdf',
];
const identities: SigningIdentity[] = [
  { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1' },
  {
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 's3cr3t/+=',
    sessionToken: 'IQoJb3JpZ2luX2VjEO//////////+token/with+chars=',
    region: 'cn-north-1',
  },
];
const times = [new Date('2026-12-01T06:50:00.123Z'), new Date('2027-02-28T23:59:59.999Z')];
const endpoints = [undefined, 'http://127.0.0.1:4569/', 'http://localhost:9000'];

describe('presigned download link', () => {
  it('is the S3 client signer’s URL, byte for byte', async () => {
    let n = 0;
    for (const key of keys)
      for (const id of identities)
        for (const now of times)
          for (const endpoint of endpoints)
            for (const expires of [3600, 604_800]) {
              const url = objectUrl('evcs-exports', key, id.region, endpoint);
              expect(await presignGet(url, id, now, expires), `${key} ${id.region} ${endpoint} ${now.toISOString()} ${expires}`).toBe(
                await sdkLink(url, id, now, expires),
              );
              n++;
            }
    expect(n).toBe(keys.length * identities.length * times.length * endpoints.length * 2);
  });

  it('names the regional endpoint (China partition included) unless a local one is set', () => {
    expect(objectUrl('b', 'k/x y.pdf', 'eu-west-1', undefined).toString()).toBe('https://b.s3.eu-west-1.amazonaws.com/k/x%20y.pdf');
    expect(objectUrl('b', 'k.pdf', 'cn-north-1', undefined).host).toBe('b.s3.cn-north-1.amazonaws.com.cn');
    expect(objectUrl('b', 'k.pdf', 'us-east-1', 'http://127.0.0.1:4569/').toString()).toBe('http://127.0.0.1:4569/b/k.pdf');
  });

  it('refuses an expiry beyond a week, as SigV4 does', async () => {
    const id = identities[0] as SigningIdentity;
    await expect(presignGet(objectUrl('b', 'k', 'us-east-1', undefined), id, times[0] as Date, 604_801)).rejects.toThrow(/week/);
  });
});
