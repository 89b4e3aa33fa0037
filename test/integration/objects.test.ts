/**
 * The objects store (shared/store/objects.ts) against the local runtime's real S3-compatible server
 * (infra/local/s3.ts, s3rver on loopback) with the same @aws-sdk/client-s3 calls as in AWS.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteObject, getObject, headObject, listObjects, putObject } from '../../shared/store/objects.ts';
import { type LocalS3Fixture, startLocalS3 } from '../support/s3.ts';

let local: LocalS3Fixture;
let s3: LocalS3Fixture['s3'];
let dataDir: string;

beforeAll(async () => {
  local = await startLocalS3('objects');
  ({ s3, dataDir } = local);
});

afterAll(async () => local?.stop());

describe('objects store on the local S3 server', () => {
  it('puts with a SHA-256 and gets the same bytes back; head carries size and hash', async () => {
    const body = '{"a":1}\n{"a":2}\n';
    const stored = await putObject('exports', 'test/one.jsonl', body, { contentType: 'application/x-ndjson' });
    const expected = createHash('sha256').update(body).digest('hex');
    expect(stored).toMatchObject({ key: 'test/one.jsonl', bytes: Buffer.byteLength(body), sha256: expected });
    expect(Buffer.from((await getObject('exports', 'test/one.jsonl')) ?? []).toString('utf8')).toBe(body);
    const head = await headObject('exports', 'test/one.jsonl');
    expect(head).toMatchObject({ bytes: Buffer.byteLength(body), sha256: expected, contentType: 'application/x-ndjson' });
  });

  it('keeps the data under the data dir', async () => {
    await putObject('exports', 'test/persisted.txt', 'kept');
    expect(existsSync(join(dataDir, 's3'))).toBe(true);
    expect(readdirSync(join(dataDir, 's3'))).toContain(s3.buckets.exports);
  });

  it('lists by prefix in key order, across pages', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `list/${String(i).padStart(5, '0')}`);
    await Promise.all(keys.map((k) => putObject('exports', k, k)));
    await putObject('exports', 'other/x', 'x');
    const listed = await listObjects('exports', 'list/', 10);
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed[0]?.bytes).toBe(Buffer.byteLength(keys[0] as string));
  });

  it('a missing object is undefined; delete removes one and tolerates a missing one', async () => {
    expect(await getObject('exports', 'nope/none')).toBeUndefined();
    expect(await headObject('exports', 'nope/none')).toBeUndefined();
    await putObject('exports', 'del/me', 'bye');
    await deleteObject('exports', 'del/me');
    expect(await headObject('exports', 'del/me')).toBeUndefined();
    await expect(deleteObject('exports', 'del/me')).resolves.toBeUndefined();
  });

  it('a read during a put sees no object or the whole of one (as S3), never a cut one', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    const writes = [1, 2, 3].map((n) => Buffer.concat([big, Buffer.from(String(n))]));
    const seen: string[] = [];
    let writing = true;
    const reads = (async () => {
      while (writing) {
        const got = await getObject('exports', 'race/big.bin');
        seen.push(got === undefined ? 'none' : `${got.length}:${String.fromCharCode(got.at(-1) ?? 0)}`);
      }
    })();
    for (const w of writes) await putObject('exports', 'race/big.bin', w);
    writing = false;
    await reads;
    const whole = new Set(['1', '2', '3'].map((n) => `${big.length + 1}:${n}`));
    expect(seen.filter((s) => s !== 'none' && !whole.has(s))).toEqual([]);
    expect(Buffer.from((await getObject('exports', 'race/big.bin')) ?? []).at(-1)).toBe('3'.charCodeAt(0));
  });

  it('a bucket the environment does not grant is a configuration error, not a call', async () => {
    await expect(putObject('invoices', 'x', 'y')).rejects.toThrow(/BUCKET_INVOICES is not set/);
  });
});
