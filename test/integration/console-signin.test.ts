/**
 * The console's sign-in in AWS, end to end in headless Chromium against a small local OAuth 2.0
 * server shaped like Cognito's managed login (`/oauth2/authorize`, `/oauth2/token`,
 * `/oauth2/revoke`, `/logout`): the console, given a config.json as the console stack deploys it,
 * sends staff to authorize with an S256 challenge, takes the code back, exchanges it with the
 * verifier, calls the admin API with the access token (the local platform accepts it: the test
 * server issues the platform's admin key as access token), refreshes it before it expires (the
 * page's clock is Playwright's, moved forward: no waiting) and signs out (revoke + logout).
 * Screenshots in test-results/console/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuild } from '../../infra/local/console.ts';
import type { Platform } from '../../infra/local/platform.ts';
import { eventually } from '../support/eventually.ts';
import { startStationsPlatform } from '../support/stations.ts';

const SHOTS = join(import.meta.dirname, '../../test-results/console');
const KEY = 'console-signin-test-key';
const CLIENT_ID = 'console-client-id';

interface Seen {
  path: string;
  params: Record<string, string>;
}

/** Cognito's managed login, as far as a public client with PKCE sees it */
const oauthServer = (redirectUri: () => string) => {
  const seen: Seen[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const refreshTokens = new Set<string>();
  const pendingLogins = new Map<string, { state: string; challenge: string }>();
  const idToken = () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${part({ alg: 'none' })}.${part({ email: 'ops@example.com', aud: CLIENT_ID })}.sig`;
  };
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c: Buffer) => {
        s += c.toString();
      });
      req.on('end', () => resolve(s));
    });
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params = Object.fromEntries(req.method === 'POST' ? new URLSearchParams(await body(req)) : url.searchParams);
    seen.push({ path: url.pathname, params });
    const json = (status: number, o: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify(o));
    };
    if (url.pathname === '/oauth2/authorize') {
      const ok =
        params.response_type === 'code' &&
        params.client_id === CLIENT_ID &&
        params.redirect_uri === redirectUri() &&
        params.code_challenge_method === 'S256' &&
        /^[A-Za-z0-9_-]{43}$/.test(params.code_challenge ?? '') &&
        params.state;
      if (!ok) return json(400, { error: 'invalid_request' });
      const login = randomBytes(8).toString('hex');
      pendingLogins.set(login, { state: params.state!, challenge: params.code_challenge! });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(
        `<!doctype html><title>Managed login</title><h1>Staff sign-in (test)</h1><form method="post" action="/login"><input type="hidden" name="login" value="${login}"><button>Sign in as ops@example.com</button></form>`,
      );
    }
    if (url.pathname === '/login') {
      const login = pendingLogins.get(params.login ?? '');
      if (!login) return json(400, { error: 'no such login' });
      const code = randomBytes(12).toString('hex');
      codes.set(code, { challenge: login.challenge, redirectUri: redirectUri() });
      res.writeHead(302, { location: `${redirectUri()}?${new URLSearchParams({ code, state: login.state })}` });
      return res.end();
    }
    if (url.pathname === '/oauth2/token') {
      const access = { access_token: KEY, id_token: idToken(), expires_in: 3600, token_type: 'Bearer' };
      if (params.client_id !== CLIENT_ID) return json(400, { error: 'invalid_client' });
      if (params.grant_type === 'authorization_code') {
        const c = codes.get(params.code ?? '');
        codes.delete(params.code ?? '');
        const challenge = createHash('sha256')
          .update(params.code_verifier ?? '')
          .digest('base64url');
        if (!c || c.redirectUri !== params.redirect_uri || c.challenge !== challenge) return json(400, { error: 'invalid_grant' });
        const refresh = `rt-${randomBytes(8).toString('hex')}`;
        refreshTokens.add(refresh);
        return json(200, { ...access, refresh_token: refresh });
      }
      // as Cognito (without rotation): new access and ID tokens, the same refresh token
      if (params.grant_type === 'refresh_token' && refreshTokens.has(params.refresh_token ?? '')) return json(200, access);
      return json(400, { error: 'invalid_grant' });
    }
    if (url.pathname === '/oauth2/revoke') {
      refreshTokens.delete(params.token ?? '');
      return json(200, {});
    }
    if (url.pathname === '/logout' && params.client_id === CLIENT_ID && params.logout_uri === redirectUri()) {
      res.writeHead(302, { location: params.logout_uri });
      return res.end();
    }
    return json(404, { error: 'not found' });
  });
  return { server, seen, refreshTokens };
};

let platform: Platform;
let browser: Browser;
let page: Page;
let buildDir: string;
let oauth: ReturnType<typeof oauthServer>;
const adminAuth: string[] = [];

const redirectUri = () => `${platform.apiUrl}/console/`;
const seenAt = (path: string) => oauth.seen.filter((s) => s.path === path);

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'evcs-console-signin-'));
  mkdirSync(SHOTS, { recursive: true });
  oauth = oauthServer(redirectUri);
  await new Promise<void>((r) => oauth.server.listen(0, '127.0.0.1', r));
  const [p, b] = await Promise.all([
    ensureConsoleBuild(buildDir).then(() => startStationsPlatform({ adminApiKey: KEY, consoleDir: buildDir })),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }),
  ]);
  platform = p;
  browser = b;
  // what the console stack deploys beside index.html (infra/console-stack.ts)
  const { port } = oauth.server.address() as AddressInfo;
  writeFileSync(
    join(buildDir, 'config.json'),
    JSON.stringify({
      auth: { domain: `http://127.0.0.1:${port}`, clientId: CLIENT_ID, redirectUri: redirectUri(), scopes: ['openid', 'email', 'profile'] },
    }),
  );
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // the page's timers and Date are Playwright's: the refresh is reached by moving the clock, not by waiting
  await page.clock.install();
  page.on('request', (r) => {
    if (r.url().includes('/admin/v1/')) adminAuth.push(r.headers().authorization ?? '');
  });
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await new Promise((r) => oauth?.server.close(r));
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

describe('console sign-in (managed login: authorization code + PKCE)', () => {
  it('signed out, shows only the sign-in and calls no admin API', async () => {
    await page.goto(`${platform.apiUrl}/console/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(adminAuth).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'signin.png'), fullPage: true });
  });

  it('signs in: authorize with an S256 challenge, the code back, exchanged with its verifier; the admin API gets the access token', async () => {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign in as ops@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stations' }).waitFor();
    await page.getByRole('rowheader', { name: 'FX0001' }).waitFor();
    await page.getByText('Signed in as ops@example.com').waitFor();
    expect(page.url()).not.toMatch(/code=|state=/);

    const [authorize] = seenAt('/oauth2/authorize');
    const [exchange] = seenAt('/oauth2/token');
    expect(authorize!.params).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(exchange!.params).toMatchObject({ grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: redirectUri() });
    const verifier = exchange!.params.code_verifier!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(authorize!.params.code_challenge);
    expect(exchange!.params).not.toHaveProperty('client_secret');
    expect(adminAuth.length).toBeGreaterThan(0);
    expect(new Set(adminAuth)).toEqual(new Set([`Bearer ${KEY}`]));
    await page.screenshot({ path: join(SHOTS, 'signed-in.png'), fullPage: true });
  });

  it('refreshes the access token before it expires (the clock moved 56 minutes), keeping the refresh token', async () => {
    const issued = [...oauth.refreshTokens];
    expect(issued).toHaveLength(1);
    await page.clock.fastForward('56:00');
    const refresh = await eventually(async () => seenAt('/oauth2/token').find((s) => s.params.grant_type === 'refresh_token'), {
      timeoutMs: 30_000,
      what: 'the refresh grant',
    });
    expect(refresh!.params).toEqual({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: issued[0] });
    await page.getByText('Signed in as ops@example.com').waitFor();
  });

  it('signs out: revokes the refresh token, ends the managed login session, and is back at the sign-in', async () => {
    const [issued] = [...oauth.refreshTokens];
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(seenAt('/oauth2/revoke').map((s) => s.params)).toEqual([{ token: issued, client_id: CLIENT_ID }]);
    expect(seenAt('/logout').map((s) => s.params)).toEqual([{ client_id: CLIENT_ID, logout_uri: redirectUri() }]);
    expect(oauth.refreshTokens.size).toBe(0);
    expect(await page.evaluate("sessionStorage.getItem('evcs-tokens')")).toBeNull();
  });

  it('refuses a redirect that it did not start (forged state): no token request, the sign-in with the reason', async () => {
    const before = seenAt('/oauth2/token').length;
    await page.goto(`${platform.apiUrl}/console/?code=stolen&state=forged`);
    await page.getByRole('alert').filter({ hasText: 'state' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(seenAt('/oauth2/token')).toHaveLength(before);
    expect(page.url()).not.toContain('stolen');
  });
});
