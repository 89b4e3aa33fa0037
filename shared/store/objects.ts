/**
 * Objects in a topology bucket (S3): put with a SHA-256, get, head, list, delete. Generic: the audited
 * exports (shared/services/dxp-export.ts) and any other service that keeps documents use it through
 * a `{ bucket, access }` grant (BUCKET_<NAME>, shared/config.ts).
 *
 * The endpoint comes from the SDK's own AWS_ENDPOINT_URL_S3 (the local runtime's S3-compatible
 * server); path-style addressing from config (S3_FORCE_PATH_STYLE). Every put sends the body's
 * SHA-256 (ChecksumSHA256: S3 verifies it and refuses a corrupted upload) and keeps the hex digest
 * in the object's metadata (`sha256`), so a reader verifies what it got without the manifest.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { config } from '../config.ts';

let client: S3Client | undefined;

const s3 = (): S3Client =>
  (client ??= new S3Client({
    forcePathStyle: config().S3_FORCE_PATH_STYLE === 'true',
    // SHA-256 is sent explicitly on put; no CRC32 on top of it (the local server does not check it)
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }));

/** A platform restarted in this process listens on a new port: the next call builds a new client. */
export const resetObjectsClient = (): void => {
  client?.destroy();
  client = undefined;
};

export interface StoredObject {
  key: string;
  bytes: number;
  /** hex SHA-256 of the body */
  sha256: string;
  /** S3's version id (absent where the bucket is not versioned, e.g. the local server) */
  versionId?: string;
}

export interface PutOptions {
  contentType?: string;
  /** extra user metadata (lower-case keys, ASCII values) */
  metadata?: Readonly<Record<string, string>>;
}

/** Store `body` under `key` in the bucket `logical`; returns its size and SHA-256. */
export const putObject = async (logical: string, key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<StoredObject> => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const digest = createHash('sha256').update(bytes).digest();
  const sha256 = digest.toString('hex');
  const res = await s3().send(
    new PutObjectCommand({
      Bucket: config().bucketName(logical),
      Key: key,
      Body: bytes,
      ContentLength: bytes.byteLength,
      ContentType: opts.contentType ?? 'application/octet-stream',
      ChecksumSHA256: digest.toString('base64'),
      Metadata: { ...opts.metadata, sha256 },
    }),
  );
  return { key, bytes: bytes.byteLength, sha256, ...(res.VersionId ? { versionId: res.VersionId } : {}) };
};

export interface ObjectHead {
  key: string;
  bytes: number;
  /** the `sha256` metadata the put stored (absent for an object written otherwise) */
  sha256?: string;
  contentType?: string;
  metadata: Record<string, string>;
}

const isMissing = (err: unknown): boolean =>
  err instanceof NoSuchKey || err instanceof NotFound || (err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound'));

/** The object's size and metadata, or undefined when there is none. */
export const headObject = async (logical: string, key: string): Promise<ObjectHead | undefined> => {
  try {
    const res = await s3().send(new HeadObjectCommand({ Bucket: config().bucketName(logical), Key: key }));
    const metadata = res.Metadata ?? {};
    return {
      key,
      bytes: res.ContentLength ?? 0,
      ...(metadata.sha256 ? { sha256: metadata.sha256 } : {}),
      ...(res.ContentType ? { contentType: res.ContentType } : {}),
      metadata,
    };
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
};

/** The object's bytes, or undefined when there is none. */
export const getObject = async (logical: string, key: string): Promise<Uint8Array | undefined> => {
  try {
    const res = await s3().send(new GetObjectCommand({ Bucket: config().bucketName(logical), Key: key }));
    return res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
};

export interface ListedObject {
  key: string;
  bytes: number;
}

/**
 * Every object whose key starts with `prefix`, in key order, `pageSize` (≤ 1000) keys per call.
 * ListObjects (v1) paged by Marker = the last key seen, not the SDK's ListObjectsV2 paginator: the
 * local S3-compatible server encrypts V2 continuation tokens with DES, which Node 22's OpenSSL 3 no
 * longer has (every second page answers 500). Both are the same price in AWS.
 */
export const listObjects = async (logical: string, prefix: string, pageSize = 1000): Promise<ListedObject[]> => {
  const out: ListedObject[] = [];
  const Bucket = config().bucketName(logical);
  for (let marker: string | undefined, truncated = true; truncated; ) {
    const page = await s3().send(
      new ListObjectsCommand({ Bucket, Prefix: prefix, MaxKeys: pageSize, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, bytes: o.Size ?? 0 });
    marker = out.at(-1)?.key;
    truncated = page.IsTruncated === true && marker !== undefined;
  }
  return out;
};

/** Delete the object (its current version: a versioned bucket keeps the previous ones). No error when absent. */
export const deleteObject = async (logical: string, key: string): Promise<void> => {
  await s3().send(new DeleteObjectCommand({ Bucket: config().bucketName(logical), Key: key }));
};

/** a streamed body smaller than this is sent as one PutObject (its key known before it is written) */
const SINGLE_PUT_BYTES = 8 * 1024 * 1024;
/** multipart part size: the upload holds at most UPLOAD_QUEUE × this in memory */
const PART_BYTES = 8 * 1024 * 1024;
const UPLOAD_QUEUE = 2;

/**
 * Stream a body of any size into the bucket, hashing it (SHA-256) on the way, under a key that
 * depends on that hash (`keyOf(sha256)`: content-addressed objects). Memory stays bounded by the
 * parts in flight (2 × 8 MiB), whatever the body's size (a day's JSON Lines exceed V8's string limit).
 *
 *   ≤ 8 MiB  one PutObject with its ChecksumSHA256, as putObject
 *   larger   a multipart Upload (@aws-sdk/lib-storage) to `stagingKey`, then CopyObject to the
 *            content key (server-side; skipped when the content key already holds that hash) with the
 *            `sha256` metadata, then the staging object is deleted
 *
 * A failure half-way aborts the multipart upload (no object appears; in AWS the parts are freed) and
 * deletes what it staged: nothing is left under the content key unless it is whole. CopyObject copies
 * at most 5 GB: a larger body fails here (UploadPartCopy would be needed).
 */
export const putObjectStream = async (
  logical: string,
  stagingKey: string,
  chunks: AsyncIterable<string | Uint8Array>,
  keyOf: (sha256: string) => string,
  opts: PutOptions = {},
): Promise<StoredObject> => {
  const Bucket = config().bucketName(logical);
  const ContentType = opts.contentType ?? 'application/octet-stream';
  const hash = createHash('sha256');
  let bytes = 0;
  const head: Buffer[] = [];
  const it = chunks[Symbol.asyncIterator]();
  // the head: small bodies never leave memory as more than one put
  for (;;) {
    const n = await it.next();
    if (n.done) {
      const body = Buffer.concat(head);
      return putObject(logical, keyOf(createHash('sha256').update(body).digest('hex')), body, opts);
    }
    const b = typeof n.value === 'string' ? Buffer.from(n.value, 'utf8') : Buffer.from(n.value);
    head.push(b);
    bytes += b.byteLength;
    if (bytes > SINGLE_PUT_BYTES) break;
  }
  const pass = new PassThrough({ highWaterMark: PART_BYTES });
  const upload = new Upload({
    client: s3(),
    params: { Bucket, Key: stagingKey, Body: pass, ContentType, Metadata: { ...opts.metadata, staging: 'true' } },
    queueSize: UPLOAD_QUEUE,
    partSize: PART_BYTES,
    leavePartsOnError: false,
  });
  const done = upload.done();
  // keep a rejection observed while the producer is still writing
  done.catch(() => undefined);
  const write = async (b: Buffer) => {
    hash.update(b);
    if (!pass.write(b)) await Promise.race([once(pass, 'drain'), done]);
  };
  try {
    for (const b of head.splice(0)) await write(b);
    for (let n = await it.next(); !n.done; n = await it.next()) {
      const b = typeof n.value === 'string' ? Buffer.from(n.value, 'utf8') : Buffer.from(n.value);
      bytes += b.byteLength;
      await write(b);
    }
    pass.end();
    await done;
  } catch (err) {
    pass.destroy();
    await upload.abort().catch(() => undefined);
    await s3()
      .send(new DeleteObjectCommand({ Bucket, Key: stagingKey }))
      .catch(() => undefined);
    throw err;
  }
  const sha256 = hash.digest('hex');
  const key = keyOf(sha256);
  try {
    const existing = await headObject(logical, key);
    if (existing?.sha256 !== sha256) {
      await s3().send(
        new CopyObjectCommand({
          Bucket,
          Key: key,
          CopySource: `${Bucket}/${stagingKey.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          ContentType,
          Metadata: { ...opts.metadata, sha256 },
        }),
      );
    }
  } finally {
    await s3().send(new DeleteObjectCommand({ Bucket, Key: stagingKey }));
  }
  return { key, bytes, sha256 };
};
