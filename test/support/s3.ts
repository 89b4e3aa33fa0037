/**
 * A real S3-compatible server (s3rver on loopback, infra/local/s3.ts) with the environment the
 * objects store reads (shared/store/objects.ts): what the S3 tests and the export bench share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalS3, startS3 } from '../../infra/local/s3.ts';
import { topology } from '../../infra/topology/index.ts';
import { resetConfig } from '../../shared/config.ts';
import { resetObjectsClient } from '../../shared/store/objects.ts';

export interface LocalS3Fixture {
  readonly s3: LocalS3;
  /** the server's data dir (its buckets under `s3/`) */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Start the server with the topology's buckets and point this process's S3 calls at it. */
export const startLocalS3 = async (name: string, env: Record<string, string> = {}): Promise<LocalS3Fixture> => {
  const dataDir = mkdtempSync(join(tmpdir(), `evcs-${name}-`));
  const s3 = await startS3({ buckets: topology.buckets ?? [], dataDir, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  Object.assign(process.env, {
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    BUCKET_EXPORTS: s3.buckets.exports,
    ...env,
  });
  resetConfig();
  resetObjectsClient();
  return {
    s3,
    dataDir,
    stop: async () => {
      resetObjectsClient();
      await s3.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
