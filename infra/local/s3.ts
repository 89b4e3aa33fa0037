/**
 * S3 for the local runtime: a real S3-compatible server (`s3rver`) on loopback, every bucket of the
 * topology created, objects stored as files under `<dataDir>/s3` (or a temporary directory removed
 * at stop). The handlers and the operator CLI reach it with the same `@aws-sdk/client-s3` calls as
 * in AWS (AWS_ENDPOINT_URL_S3, path-style addressing: S3_FORCE_PATH_STYLE).
 *
 * Not emulated: versioning and lifecycle rules (s3rver keeps the latest bytes of a key); the
 * exports never depend on them to be correct (a re-run writes identical bytes).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';
import type { BucketDecl } from '../topology/types.ts';

/** the default physical bucket-name prefix */
const DEFAULT_BUCKET_PREFIX = 'evcs-';

/** physical bucket name of a logical one (S3 names: lower case, digits, hyphens) */
const localBucketName = (logical: string, prefix = DEFAULT_BUCKET_PREFIX): string =>
  `${prefix}${logical}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');

export interface LocalS3 {
  endpoint: string;
  /** physical bucket names by logical name */
  buckets: Record<string, string>;
  stop(): Promise<void>;
}

/** s3rver checks SigV4 signatures: the local runtime's fixed credentials are registered as one of its accounts */
const registerLocalCredentials = (accessKeyId: string, secretAccessKey: string): void => {
  const require = createRequire(import.meta.url);
  const AWSAccount = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
};

/** the part of s3rver's FilesystemStore an atomic put needs */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}
interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | NodeJS.ReadableStream;
  metadata: Record<string, string>;
}

/**
 * S3 never shows a partial object: a GET sees the old bytes or the new ones. s3rver writes the
 * object's file in place (and answers before its write stream has finished), so a read during a put
 * returned a cut object. Here a put writes a temporary file, waits for it to be flushed, stores the
 * metadata, then renames the file into place: a reader sees no object (NoSuchKey, for a new key),
 * or the whole of one.
 */
const atomicPuts = (store: FilesystemStore): void => {
  store.putObject = async (object) => {
    const target = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${randomUUID()}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    try {
      if (Buffer.isBuffer(object.content)) {
        md5.update(object.content);
        size = object.content.length;
        await writeFile(partial, object.content);
      } else {
        const count = new Transform({
          transform(chunk: Buffer, _enc, done) {
            md5.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(object.content, count, createWriteStream(partial));
      }
      const digest = md5.digest('hex');
      await store.putMetadata(object.bucket, object.key, object.metadata, digest);
      await rename(partial, target);
      return { size, md5: digest };
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  };
};

export const startS3 = async (opts: {
  buckets: readonly BucketDecl[];
  /** persist under <dataDir>/s3; undefined = a temporary directory, removed at stop */
  dataDir?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<LocalS3> => {
  const directory = opts.dataDir ? resolve(join(opts.dataDir, 's3')) : mkdtempSync(join(tmpdir(), 'evcs-s3-'));
  mkdirSync(directory, { recursive: true });
  registerLocalCredentials(opts.credentials.accessKeyId, opts.credentials.secretAccessKey);
  const buckets = Object.fromEntries(opts.buckets.map((b) => [b.name, localBucketName(b.name)]));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: Object.values(buckets).map((name) => ({ name })),
  });
  atomicPuts((server as unknown as { store: FilesystemStore }).store);
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    buckets,
    stop: async () => {
      await server.close();
      if (!opts.dataDir) rmSync(directory, { recursive: true, force: true });
    },
  };
};
