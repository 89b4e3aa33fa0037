/**
 * The layering rule (architecture.md "Layout"), enforced:
 *   - shared/domain is pure: no store, bus, services, config, logger/metrics/tracer, AWS SDK,
 *     file system or network — neither imported directly nor reached through another module;
 *   - shared/tcec (the protocol) does not reach into store, bus or services;
 *   - handlers (functions/**) are thin: no AWS SDK client of their own (AWS calls live in
 *     shared/store and shared/bus).
 * Imports are read with TypeScript's own pre-processor: static, type-only, `export … from`,
 * dynamic `import()` and `require`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every .ts file under `dir` (repo-relative, forward slashes). */
const tsFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();

/** The module specifiers a source text imports. */
const importsOf = (text: string): string[] => ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);

/** A relative specifier as a repo-relative path; package specifiers unchanged. */
const target = (from: string, spec: string): string =>
  spec.startsWith('.')
    ? relative(ROOT, resolve(ROOT, dirname(from), spec))
        .split(sep)
        .join('/')
    : spec;

interface Rule {
  /** what the rule forbids, in words */
  why: string;
  test: (target: string) => boolean;
}

const under =
  (...dirs: string[]) =>
  (t: string) =>
    dirs.some((d) => t === d || t.startsWith(`${d}/`));
const pkg =
  (...prefixes: string[]) =>
  (t: string) =>
    prefixes.some((p) => t === p || t.startsWith(`${p}/`));

/** I/O a pure module must not reach, even through another module. */
const IO_PACKAGES: Rule[] = [
  { why: 'the AWS SDK', test: pkg('@aws-sdk') },
  { why: 'the logger/metrics/tracer', test: pkg('#powertools') },
  {
    why: 'Powertools I/O utilities',
    test: pkg(
      '@aws-lambda-powertools/logger',
      '@aws-lambda-powertools/metrics',
      '@aws-lambda-powertools/tracer',
      '@aws-lambda-powertools/parameters',
      '@aws-lambda-powertools/idempotency',
      '@aws-lambda-powertools/batch',
    ),
  },
  { why: 'the file system', test: pkg('fs', 'node:fs', 'fs/promises', 'node:fs/promises') },
  {
    why: 'the network or processes',
    test: pkg(
      'http',
      'https',
      'net',
      'node:http',
      'node:https',
      'node:net',
      'node:http2',
      'node:dgram',
      'node:dns',
      'node:tls',
      'node:child_process',
    ),
  },
];

const DOMAIN_RULES: Rule[] = [
  ...IO_PACKAGES,
  { why: 'a store (DynamoDB I/O)', test: under('shared/store') },
  { why: 'the bus', test: under('shared/bus') },
  { why: 'a service (orchestration)', test: under('shared/services') },
  { why: 'the environment config', test: (t) => t === 'shared/config.ts' },
  { why: 'observability', test: under('shared/observability') },
  { why: 'middleware, push I/O, handlers or infra', test: under('shared/middleware', 'shared/push', 'functions', 'infra') },
];

const TCEC_RULES: Rule[] = [
  { why: 'a store', test: under('shared/store') },
  { why: 'the bus', test: under('shared/bus') },
  { why: 'a service', test: under('shared/services') },
];

const HANDLER_RULES: Rule[] = [{ why: 'the AWS SDK (handlers call shared/store or shared/bus)', test: pkg('@aws-sdk') }];

/** `file imports spec (…): why` for each import of each file that breaks a rule. */
const violations = (files: ReadonlyMap<string, string>, rules: readonly Rule[]): string[] => {
  const out: string[] = [];
  for (const [file, text] of files) {
    for (const spec of importsOf(text)) {
      const t = target(file, spec);
      for (const r of rules) if (r.test(t)) out.push(`${file} imports '${spec}' (${t}): ${r.why}`);
    }
  }
  return out;
};

/**
 * I/O packages reached from `entry` through relative imports (the import chain is named), so a
 * pure module cannot launder I/O through a helper.
 */
const reachedIo = (entry: string): string[] => {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      return; // a non-.ts target (JSON) or a path the type-check reports
    }
    for (const spec of importsOf(text)) {
      const t = target(file, spec);
      if (spec.startsWith('.')) {
        if (t.endsWith('.ts')) walk(t, [...chain, t]);
        continue;
      }
      for (const r of IO_PACKAGES) if (r.test(t)) out.push(`${[...chain].join(' → ')} imports '${spec}': ${r.why}`);
    }
  };
  walk(entry, [entry]);
  return out;
};

const read = (files: readonly string[]) => new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const));

describe('the scanner', () => {
  it('sees static, type-only, re-exported, dynamic and required imports', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../store/orders.ts';",
      "export * from '../bus/publish.ts';",
      "const m = await import('@aws-sdk/client-sqs');",
      "const fs = require('node:fs');",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.ts', '../store/orders.ts', '../bus/publish.ts', '@aws-sdk/client-sqs', 'node:fs']);
  });

  it('names the file and the import that break a rule', () => {
    const bad = new Map([
      ['shared/domain/bad.ts', "import type { Order } from '../store/orders.ts';\nconst l = await import('#powertools');\n"],
      ['shared/domain/good.ts', "import { z } from 'zod';\nimport { formatDate } from '../tcec/time.ts';\n"],
    ]);
    expect(violations(bad, DOMAIN_RULES)).toEqual([
      "shared/domain/bad.ts imports '../store/orders.ts' (shared/store/orders.ts): a store (DynamoDB I/O)",
      "shared/domain/bad.ts imports '#powertools' (#powertools): the logger/metrics/tracer",
    ]);
  });
});

describe('layering', () => {
  const domain = tsFiles('shared/domain');

  it('finds the domain modules', () => {
    expect(domain).toContain('shared/domain/charging.ts');
    expect(domain).toContain('shared/domain/grants.ts');
  });

  it('shared/domain imports no store, bus, service, config, logger, AWS SDK, file system or network', () => {
    expect(violations(read(domain), DOMAIN_RULES)).toEqual([]);
  });

  it('shared/domain reaches no I/O package through the modules it imports', () => {
    expect(domain.flatMap(reachedIo)).toEqual([]);
  });

  it('the push planner and the push policy are pure too', () => {
    const pure = ['shared/push/plan.ts', 'shared/push/policy.ts'];
    expect(
      violations(
        read(pure),
        DOMAIN_RULES.filter((r) => r.why !== 'middleware, push I/O, handlers or infra'),
      ),
    ).toEqual([]);
    expect(pure.flatMap(reachedIo)).toEqual([]);
  });

  it('shared/tcec does not import store, bus or services', () => {
    expect(violations(read(tsFiles('shared/tcec')), TCEC_RULES)).toEqual([]);
  });

  it('handlers (functions/**) do not import the AWS SDK', () => {
    const handlers = tsFiles('functions');
    expect(handlers.length).toBeGreaterThan(10);
    expect(violations(read(handlers), HANDLER_RULES)).toEqual([]);
  });
});
