/**
 * HTTP fuzz against a spawned `npm start` (issue 17 item 4): the same hostile corpus as
 * http-fuzz.test.ts (test/support/http-fuzz.ts), but over real HTTP to the whole local platform in
 * its own process — `tsx infra/local/main.ts` with a temp data dir, its own DynamoDB Local, the
 * gateway's production body limit (256 KB) — so a crash would kill the process, not a test worker.
 *
 * Asserted: no HTTP 5xx; every T/CEC answer to a body naming a known partner signed with that
 * partner's key; the process alive afterwards (no exit, /health 200, a correct call answered); its
 * resident memory (VmRSS of /proc/<pid>/status, the node process running main.ts) back near the
 * baseline taken after a warm-up.
 *
 * 1,000 requests keep it within CI time on a loaded machine; the 10,000-request run against a
 * spawned `npm start` is a bench (`npm run bench -- fuzz`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { fuzzCorpus, runFuzz } from '../support/http-fuzz.ts';
import { callAs, tokenFor } from '../support/platform.ts';
import { type PlatformProcess, platformProcess } from '../support/platform-process.ts';

const TOTAL = 1_000;
/** the gateway's default MAX_BODY_BYTES (shared/config.ts): `npm start` runs with it */
const MAX_BODY_BYTES = 256 * 1024;
/**
 * RSS growth over the warm-up baseline that still counts as "back to baseline": V8 keeps the pages of
 * a grown heap for a while after GC, and the replay cache keeps one entry per accepted envelope for
 * the TimeStamp window. A leak of what the fuzz sends (~40 MB of bodies, oversized ones included)
 * would exceed it.
 */
const RSS_TOLERANCE_MB = 80;

let run: PlatformProcess;
beforeAll(async () => {
  // the first partner may send as much as the fuzz does; the second keeps the default budget (so -1 is fuzzed too)
  run = await platformProcess(
    {},
    {
      editSeed: (seed) => {
        seed.partners[0] = { ...seed.partners[0], rateLimit: { rps: 100_000, burst: 100_000 } };
      },
      args: ['--no-sim'],
    },
  );
  await run.start(true);
});
afterAll(async () => run?.dispose());

describe('HTTP fuzz against a spawned npm start (issue 17)', () => {
  it(`${TOTAL} hostile requests: no 5xx, every answer to a known partner signed, the process alive, RSS back near baseline`, async () => {
    const partners = run.partners;
    const token = await tokenFor(run.apiUrl, partners[0]!);
    const target = { port: Number(new URL(run.apiUrl).port), partners, token, maxBodyBytes: MAX_BODY_BYTES };
    const corpus = fuzzCorpus(target, { total: TOTAL, raw: 30, slow: 4 });

    // warm up (caches, JIT, sockets), then the baseline
    await runFuzz(target, corpus.slice(0, 200));
    const pid = run.pid();
    expect(pid).toBeGreaterThan(1);
    const baseline = run.rssMb().platform;
    expect(baseline).toBeGreaterThan(0);

    const { failures, statuses } = await runFuzz(target, corpus);
    const peak = run.rssMb().platform;

    expect(failures.slice(0, 20)).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(TOTAL / 2);

    // alive: the same process (not restarted), still answering correctly
    expect(run.pid()).toBe(pid);
    expect((await fetch(`${run.apiUrl}/health`)).status).toBe(200);
    const after = await callAs(run.apiUrl, partners[0]!, 'query_stations_info', { PageNo: 1, PageSize: 10 }, token);
    expect(after.ret).toBe(0);

    // memory: back within the tolerance (V8 returns pages lazily: wait for it, do not sleep a fixed time)
    const settled = await eventually(async () => run.rssMb().platform, {
      until: (mb) => mb > 0 && mb - baseline < RSS_TOLERANCE_MB,
      timeoutMs: 120_000,
      intervalMs: 1_000,
      what: `the platform's RSS within ${RSS_TOLERANCE_MB} MB of its ${baseline.toFixed(0)} MB baseline`,
    });
    console.log(
      `http fuzz vs npm start: ${TOTAL} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} → ${settled.toFixed(0)} MB`,
    );
  });
});
