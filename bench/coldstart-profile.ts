/**
 * Where a bundle's init goes: `npm run bench -- coldstart --only=<id,…> --profile`. The bundle is
 * loaded as the bench loads it, under `node --cpu-prof` (100 µs samples); the samples taken between
 * the start and the end of the `require` are attributed to:
 *
 * - **compile**: node's `wrapSafe` (V8 parses the whole file eagerly once; functions are compiled
 *   lazily when first called, and that time lands on the code that calls them);
 * - **node built-ins**: loading the built-in modules the bundle requires (`https`, `crypto`, …) —
 *   node's own code, which a Lambda runtime may already have loaded;
 * - **require machinery**: node's CommonJS loader around them;
 * - **GC**, and **(program)** (V8 with no JavaScript on the stack);
 * - **bundle code by package**: every other sample, by the source-mapped position of the bundle
 *   code running (a node API called by bundle code counts for the package calling it).
 *
 * Positions are per line in a V8 profile and a minified bundle has a few very long lines, so the
 * profiled bundle is the same build with esbuild's `lineLimit` (identical code, more line breaks);
 * its size is printed next to the asset's. The node bootstrap before the runner (not part of the
 * import, and the same for every function) is printed apart, from the runner's own `cpuUsage`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, buildSync } from 'esbuild';
import { SDK_ALIASES } from '../infra/constructs/evcs-function.ts';
import { fmt, pct } from './support.ts';

/** the repository root: SDK_ALIASES are relative to it */
const REPO_ROOT = resolve(import.meta.dirname, '..');

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** what the runner prints: the import window on the monotonic clock (µs) and the bootstrap before it */
interface Window {
  t0us: number;
  t1us: number;
  cpuMs: number;
  bootCpuMs: number;
  bootWallMs: number;
}

/** `node_modules/@scope/name/…` → `@scope/name`; own code (a path under `repo`) → `(own) <top folder>` */
const packageOf = (source: string, repo: string): string => {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (m?.[1]) return m[1];
  if (!source.startsWith('/')) return source;
  const own = relative(repo, source).split('/');
  return `(own) ${own[0] === 'shared' && own[1] ? `shared/${own[1]}` : (own[0] ?? source)}`;
};

/** the esbuild options of the build the construct asks for (`evcsBundling`), run from the repository root */
export const stackBuildOptions = (b: BundlingOptions): BuildOptions => ({
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: b.target,
  mainFields: b.mainFields,
  minify: b.minify,
  ...(b.banner ? { banner: { js: b.banner } } : {}),
  external: [...(b.externalModules ?? [])],
  ...(b.define ? { define: b.define } : {}),
  alias: SDK_ALIASES,
  absWorkingDir: REPO_ROOT,
  logLevel: 'warning',
});

/** the same esbuild build the construct asks for, with short lines so V8's per-line ticks resolve */
export function buildForProfile(entry: string, outfile: string, b: BundlingOptions): void {
  buildSync({ ...stackBuildOptions(b), entryPoints: [entry], outfile, sourcemap: true, sourcesContent: false, lineLimit: 120 });
}

const COMPILE = 'compile (parse of the file)';
const BUILTINS = 'node built-ins (loading)';
const LOADER = 'require machinery';
const GC = 'GC';
const PROGRAM = '(program)';

/** milliseconds of samples per bucket, from one profile, inside the import window */
function attribute(profile: CpuProfile, win: Window, bundle: string, map: SourceMap, lines: string[], repo: string): Map<string, number> {
  const bundleUrl = pathToFileURL(bundle).href;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // samples per node inside the window: counted, not weighed by their wall-time gaps, which on a
  // busy machine include the time the process waited for a core (charged to whatever frame was on top)
  const self = new Map<number, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < win.t0us || t > win.t1us) continue;
    const id = profile.samples[i] ?? -1;
    self.set(id, (self.get(id) ?? 0) + 1);
    total++;
  }
  // the import's measured CPU, shared out in proportion to the samples
  const usPerSample = total > 0 ? (win.cpuMs * 1000) / total : 0;
  for (const [id, n] of self) self.set(id, n * usPerSample);
  const sourceAt = (line: number, col: number): string => {
    const e = map.findEntry(line, col) as { originalSource?: string };
    return e.originalSource ? resolve(dirname(bundle), e.originalSource) : '(unmapped)';
  };
  const pkgAt = (line: number, col: number): string => packageOf(sourceAt(line, col), repo);
  const pkgOfLine = (line1: number): string => {
    const text = lines[line1 - 1] ?? '';
    return pkgAt(line1 - 1, Math.floor(text.length / 2));
  };
  const out = new Map<string, number>();
  const add = (k: string, us: number) => out.set(k, (out.get(k) ?? 0) + us / 1000);
  const chain = (id: number): ProfileNode[] => {
    const c: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) c.push(n);
    }
    return c;
  };
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const f = node.callFrame;
    if (f.functionName === '(garbage collector)') add(GC, us);
    else if (f.functionName === '(program)' || f.functionName === '(idle)') add(PROGRAM, us);
    else {
      const c = chain(id);
      // the nearest frame of the bundle, or of node's loader, or a built-in module being loaded
      const inBundle = c.find((n) => n.callFrame.url === bundleUrl);
      const loadingBuiltin = c.findIndex((n) => /compileForInternalLoader|requireBuiltin/.test(n.callFrame.functionName));
      const bundleIdx = inBundle ? c.indexOf(inBundle) : -1;
      if (f.url === bundleUrl) {
        const ticks = node.positionTicks ?? [];
        const total = ticks.reduce((s, p) => s + p.ticks, 0);
        if (total === 0) add(pkgAt(f.lineNumber, f.columnNumber), us);
        else for (const p of ticks) add(pkgOfLine(p.line), (us * p.ticks) / total);
      } else if (loadingBuiltin >= 0 && (bundleIdx < 0 || loadingBuiltin < bundleIdx)) add(BUILTINS, us);
      else if (inBundle) add(pkgAt(inBundle.callFrame.lineNumber, inBundle.callFrame.columnNumber), us);
      else if (c.some((n) => n.callFrame.functionName === 'wrapSafe')) add(COMPILE, us);
      else add(LOADER, us);
    }
  }
  return out;
}

/**
 * Profiles `runs` fresh loads of the twin bundle at `bundle` (built by buildForProfile) and prints
 * the attribution: median ms of CPU per bucket (the import's CPU shared out in proportion to the samples).
 */
export function profileInit(
  id: string,
  bundle: string,
  assetKb: number,
  runner: string,
  env: Record<string, string>,
  runs: number,
  repo: string,
): void {
  const dir = `${bundle}.profiles`;
  mkdirSync(dir, { recursive: true });
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const lines = readFileSync(bundle, 'utf8').split('\n');
  const perRun: Array<Map<string, number>> = [];
  const wins: Window[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, runner, bundle, ''], {
      env,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`profile of ${id} failed: ${r.stderr}`);
    const win = JSON.parse(r.stdout) as Window;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written for ${id}`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    perRun.push(attribute(profile, win, bundle, map, lines, repo));
    wins.push(win);
  }
  rmSync(dir, { recursive: true, force: true });
  const keys = new Set(perRun.flatMap((m) => [...m.keys()]));
  const med = [...keys]
    .map(
      (k) =>
        [
          k,
          pct(
            perRun.map((m) => m.get(k) ?? 0),
            50,
          ),
        ] as const,
    )
    .sort((a, b) => b[1] - a[1]);
  const sampled = pct(
    perRun.map((m) => [...m.values()].reduce((s, v) => s + v, 0)),
    50,
  );
  const cpu = pct(
    wins.map((w) => w.cpuMs),
    50,
  );
  const boot = pct(
    wins.map((w) => w.bootCpuMs),
    50,
  );
  const kb = statSync(bundle).size / 1024;
  console.log(
    `\n${id}: import ${fmt(cpu)} ms CPU under the profiler (p50 of ${runs}; shared out by sample counts); node bootstrap before it ${fmt(boot)} ms CPU; profiled twin ${fmt(kb, 0)} KB (asset ${fmt(assetKb, 0)} KB)`,
  );
  const fixed = new Set([COMPILE, BUILTINS, LOADER, GC, PROGRAM]);
  const group = (pred: (k: string) => boolean) => med.filter(([k]) => pred(k));
  const show = (rows: ReadonlyArray<readonly [string, number]>) =>
    rows
      .filter(([, v]) => v >= 0.05)
      .map(([k, v]) => `${k} ${fmt(v)} (${fmt((100 * v) / sampled, 0)} %)`)
      .join(', ');
  console.log(`  node and V8: ${show(group((k) => fixed.has(k)))}`);
  console.log(`  bundle code: ${show(group((k) => !fixed.has(k)))}`);
}
