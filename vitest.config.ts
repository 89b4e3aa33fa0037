/**
 * Test lanes (vitest projects), all run by `npm test`, one by one with `npm run test:<lane>`:
 * - unit:        test/unit, test/fuzz, type tests — pure, no Java, no network beyond loopback test servers
 * - conformance: test/conformance — the T/CEC interfaces over HTTP against the local platform
 * - integration: test/integration — the local runtime end to end (queues, bus, pile simulator, CLI)
 * - infra:       test/infra — CDK template assertions and bundling
 * conformance and integration each start ONE DynamoDB Local (globalSetup) shared by their files.
 */
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/sequencer.ts';

const HANDLER_ENV = {
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  // Powertools writes through the global console in dev mode, so vitest can hold back the handler logs of passing tests
  POWERTOOLS_DEV: 'true',
  // the SDK's "node >=22 from 2027" notice, once per worker: noise in CI output
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
// the globalSetup (DynamoDB Local) runs in this process, not in a worker
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const PLATFORM_SETUP = ['test/support/dynamo-global-setup.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    passWithNoTests: false,
    // the lanes share one pool: on 2 cores, 3 workers keep the CPU busy while platform tests wait on I/O
    maxWorkers: 3,
    // the longest files first, whatever their lane (test/support/sequencer.ts): they set the wall time
    sequence: { sequencer: LongestFirst },
    // CI output shows failures, not handler logs: console output of passing tests is dropped
    silent: 'passed-only',
    reporters: ['default'],
    // handler logs: warnings and errors only (a test that expects an error log still shows it)
    env: HANDLER_ENV,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts', 'test/types/**/*.test.ts'],
          // pure modules: threads, one module graph per worker (no re-import per file)
          pool: 'threads',
          isolate: false,
          // a safety net against a hung test, not a speed assertion: generous, so a fully loaded machine still passes
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          // one platform per file, and the platform sets process.env: each file in its own process
          pool: 'forks',
          globalSetup: PLATFORM_SETUP,
          // THE hang guard of a test and of a platform start: files set no smaller budget of their own
          // (a loaded 2-core machine takes minutes to start a platform); eventually() waits up to 240 s
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          pool: 'forks',
          globalSetup: PLATFORM_SETUP,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          pool: 'forks',
          // one module graph per worker: aws-cdk-lib is imported, and the production stack synthesised
          // (test/infra/template.ts), once per worker, not once per file
          isolate: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
