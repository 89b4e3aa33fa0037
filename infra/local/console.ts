/**
 * The operator console on the local platform: built with Vite when its build is missing or older
 * than its sources (a second or two, no network), served as static files at /console/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtraRoute } from './http.ts';

const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
/** where `npm start` builds it (git-ignored) */
const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

const newestSource = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    if (e.name === 'dist' || e.name === 'node_modules') return t;
    const p = join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }, 0);

const builtAt = (outDir: string): number => {
  try {
    return statSync(join(outDir, 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
};

/** Builds the console into `outDir` unless a build newer than every source is there; true when it built. */
export const ensureConsoleBuild = async (outDir = CONSOLE_DIST): Promise<boolean> => {
  if (builtAt(outDir) > newestSource(CONSOLE_ROOT)) return false;
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), build: { outDir: resolve(outDir), emptyOutDir: true } });
  return true;
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** GET /console/ and its files from `dir` (a missing build: 404 naming the fix) */
export const consoleRoutes = (dir = CONSOLE_DIST): ExtraRoute[] => {
  const serve =
    (file: string): ExtraRoute['handle'] =>
    (_req, res) => {
      const path = resolve(dir, file);
      let body: Buffer;
      try {
        if (!path.startsWith(resolve(dir))) throw new Error('outside');
        body = readFileSync(path);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(file === 'index.html' ? 'console not built: npm start builds it (console/)\n' : 'Not Found\n');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    };
  return [
    {
      method: 'GET',
      path: '/console',
      handle: (_req, res) => {
        res.writeHead(302, { location: '/console/' });
        res.end();
      },
    },
    { method: 'GET', path: '/console/', handle: serve('index.html') },
    // the sign-in settings of a deployment (AWS: the console stack writes it); npm start has none: the admin key
    { method: 'GET', path: '/console/config.json', handle: serve('config.json') },
    {
      method: 'GET',
      path: '/console/assets/{file}',
      handle: (req, res, ctx) => serve(join('assets', ctx.params.file ?? ''))(req, res, ctx),
    },
  ];
};
