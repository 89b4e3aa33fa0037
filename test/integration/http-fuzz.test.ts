/**
 * HTTP fuzz over the socket (issue 17): 10,000 malformed or hostile requests against the running
 * local platform — arbitrary and hostile bodies (Unicode, invalid UTF-8, nested JSON, huge numbers,
 * prototype-pollution keys, envelopes of known partners around hostile encrypted Data), odd methods,
 * paths and headers, oversized bodies, raw garbage request lines, slow bodies and aborted uploads.
 *
 * Asserted: no HTTP 5xx; every T/CEC answer (HTTP 200) to a body naming an active partner's
 * OperatorID is signed with that partner's inbound SigSecret (except a body over the size limit,
 * refused before it is read); the platform still serves a correct call afterwards; the heap after
 * GC is back near its baseline (tolerance below: the replay cache legitimately keeps up to one
 * entry per accepted envelope for the TimeStamp window, ~150 bytes each).
 *
 * The corpus comes from fast-check with a fixed seed, so a failure names a reproducible request.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { fuzzCorpus, runFuzz } from '../support/http-fuzz.ts';
import { callAs, DEMO_SEED, startTestPlatform, tokenFor } from '../support/platform.ts';

const TOTAL = 10_000;
const RAW_SOCKET = 300; // of TOTAL: garbage request lines and headers over a bare socket
const SLOW = 20; // of TOTAL: bodies trickled in small chunks, or aborted half way
const CONCURRENCY = 16;
const MAX_BODY_BYTES = 4096;
/** heap growth after GC that counts as "back to baseline" (the replay cache may hold ~1.5 MB) */
const HEAP_TOLERANCE_BYTES = 24 * 1024 * 1024;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
};

let platform: Platform;
let port: number;
beforeAll(async () => {
  // the first partner may send as much as the fuzz does; the second keeps the default budget (so -1 is fuzzed too)
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as { partners: Record<string, unknown>[] };
  seed.partners[0] = { ...seed.partners[0], rateLimit: { rps: 100_000, burst: 100_000 } };
  const seedFile = join(mkdtempSync(join(tmpdir(), 'evcs-fuzz-')), 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  platform = await startTestPlatform({ seedFile, env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  port = Number(new URL(platform.apiUrl).port);
});
afterAll(async () => platform?.stop());

describe('HTTP fuzz over the socket (issue 17)', () => {
  it(`${TOTAL} hostile requests: no 5xx, every answer to a known partner signed, the platform serves on, heap back to baseline`, async () => {
    const partners = platform.seed.partners;
    const token = await tokenFor(platform.apiUrl, partners[0]!);
    const target = { port, partners, token, maxBodyBytes: MAX_BODY_BYTES };
    const corpus = fuzzCorpus(target, { total: TOTAL, raw: RAW_SOCKET, slow: SLOW });
    expect(corpus).toHaveLength(TOTAL);

    // warm up (caches, JIT, sockets), then the baseline
    await runFuzz(target, corpus.slice(0, 200), CONCURRENCY);
    const baseline = await heapAfterGc();

    const { failures, statuses } = await runFuzz(target, corpus, CONCURRENCY);

    expect(failures.slice(0, 20)).toEqual([]);
    // the fuzz reached the pipeline: many T/CEC answers, and some requests were refused by the HTTP layer
    expect(statuses.get(200) ?? 0).toBeGreaterThan(TOTAL / 2);

    // the platform is still up and correct
    const after = await callAs(platform.apiUrl, partners[0]!, 'query_stations_info', { PageNo: 1, PageSize: 10 }, token);
    expect(after.ret).toBe(0);

    const heap = await heapAfterGc();
    console.log(
      `http fuzz: ${TOTAL} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, heap after GC ${(baseline / 1e6).toFixed(1)} → ${(heap / 1e6).toFixed(1)} MB`,
    );
    expect(heap - baseline).toBeLessThan(HEAP_TOLERANCE_BYTES);
  });
});
