/**
 * S3 for the local runtime: a real S3-compatible server (`s3rver`) on loopback, every bucket of the
 * topology created, objects stored as files under `<dataDir>/s3` (or a temporary directory removed
 * at stop). The handlers and the operator CLI reach it with the same `@aws-sdk/client-s3` calls as
 * in AWS (AWS_ENDPOINT_URL_S3, path-style addressing: S3_FORCE_PATH_STYLE).
 *
 * Not emulated: versioning and lifecycle rules (s3rver keeps the latest bytes of a key); the
 * exports never depend on them to be correct (a re-run writes identical bytes).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
