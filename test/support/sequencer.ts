/**
 * The order `npm test` hands its files to the workers: longest first, across all four lanes.
 *
 * vitest's default sequencer groups the files by project name (conformance, infra, integration,
 * unit) before it looks at durations, and the pool takes them first in, first out: the longest
 * integration files (crash-restart, the two-way roaming pair, the console in Chromium) started
 * only after every conformance and infra file, so they alone set the wall time. Here every file
 * is ranked by what it is expected to take, whatever its lane, and the workers take the longest
 * first (longest-processing-time scheduling): the short ones fill in around them at the end.
 *
 * Expected duration: the file's last duration in vitest's results cache (written by every run);
 * a file the cache does not know (a clean clone, as CI has) gets the figure measured on this
 * project's machine below, else its lane's typical figure, larger files first.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds, measured on the 2-core development machine with the suite running (issue 8 §3): the
 * files that set the wall time. A rough ranking is all it needs to be; the cache takes over after
 * the first run.
 */
const MEASURED_SECONDS: Record<string, number> = {
  'integration:test/integration/crash-restart.test.ts': 180,
  'integration:test/integration/roaming-two-way.test.ts': 120,
  'integration:test/integration/push-delivery.test.ts': 90,
  'conformance:test/conformance/query-parking-free-info.test.ts': 90,
  'integration:test/integration/console.test.ts': 80,
  'integration:test/integration/console-signin.test.ts': 70,
  'integration:test/integration/stranded-sessions.test.ts': 60,
  'integration:test/integration/roaming-catalog.test.ts': 60,
  'integration:test/integration/roaming-notifications.test.ts': 60,
  'integration:test/integration/charging-concurrency.test.ts': 50,
  'integration:test/integration/partner-outage.test.ts': 50,
  'integration:test/integration/app-api.test.ts': 50,
  'integration:test/integration/http-fuzz-process.test.ts': 55,
};

/** a file of the lane nobody measured yet: platform lanes start a platform, unit files are pure */
const LANE_SECONDS: Record<string, number> = { integration: 20, conformance: 15, infra: 8, unit: 0.5 };

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const key = (f: TestSpecification) => `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
    const expected = new Map<TestSpecification, number>();
    const size = new Map<TestSpecification, number>();
    for (const f of files) {
      const k = key(f);
      const cached = cache.getFileTestResults(k)?.duration;
      expected.set(f, cached !== undefined ? cached / 1000 : (MEASURED_SECONDS[k] ?? LANE_SECONDS[f.project.name] ?? 1));
      size.set(f, cache.getFileStats(k)?.size ?? 0);
    }
    return [...files].sort((a, b) => (expected.get(b) ?? 0) - (expected.get(a) ?? 0) || (size.get(b) ?? 0) - (size.get(a) ?? 0));
  }
}
