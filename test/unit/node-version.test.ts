/**
 * One Node version story (issue 8 §4): `.nvmrc`, package.json `engines`, the esbuild targets of
 * the Lambda bundles and the OCPP validators, `@types/node` (declared and installed) and the
 * Lambda runtime agree — the bundles target the oldest Node the project runs on, the types are
 * that Node's, and the Lambda runtime is one the engines range allows. Read from the files as
 * text, so this lane stays free of CDK.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };

const nvmrc = Number(read('.nvmrc').trim().replace(/^v/, '').split('.')[0]);
/** `>=20.19 <25` → lower [20, 19], upper major 25 (exclusive) */
const engines = (() => {
  const m = /^>=(\d+)\.(\d+)(?:\.\d+)? <(\d+)$/.exec(pkg.engines.node);
  if (!m) throw new Error(`engines.node '${pkg.engines.node}' is not of the form '>=A.B <C'`);
  return { major: Number(m[1]), minor: Number(m[2]), below: Number(m[3]) };
})();
const majorOf = (v: string): number => Number(/(\d+)/.exec(v)?.[1]);
const esbuildTargets = (path: string): number[] => [...read(path).matchAll(/target: '(node\d+)'/g)].map((m) => majorOf(m[1] ?? ''));

describe('one Node version', () => {
  it('.nvmrc names a major version', () => {
    expect(Number.isInteger(nvmrc)).toBe(true);
  });

  it('engines starts at the .nvmrc major', () => {
    expect(engines.major).toBe(nvmrc);
    expect(engines.below).toBeGreaterThan(nvmrc);
  });

  it('the Node running the tests is inside engines', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major >= engines.major && major < engines.below).toBe(true);
    if (major === engines.major) expect(minor).toBeGreaterThanOrEqual(engines.minor);
  });

  it('the esbuild target of the Lambda bundles is the .nvmrc major', () => {
    const targets = esbuildTargets('infra/constructs/evcs-function.ts');
    expect(targets.length).toBeGreaterThanOrEqual(1);
    expect(new Set(targets)).toEqual(new Set([nvmrc]));
  });

  it('@types/node is the .nvmrc major, declared and installed', () => {
    expect(majorOf(pkg.devDependencies['@types/node'] ?? '')).toBe(nvmrc);
    expect(majorOf(lock.packages['node_modules/@types/node']?.version ?? '')).toBe(nvmrc);
  });

  it('the Lambda runtime runs the bundles (not older than their target) and is inside engines', () => {
    const runtimes = [...read('infra/constructs/evcs-function.ts').matchAll(/Runtime\.NODEJS_(\d+)_X/g)].map((m) => Number(m[1]));
    expect(runtimes.length).toBeGreaterThanOrEqual(1);
    for (const r of runtimes) {
      expect(r).toBeGreaterThanOrEqual(nvmrc);
      expect(r).toBeLessThan(engines.below);
    }
  });
});
