/**
 * The console's sign-in (console/src/auth.ts): PKCE per RFC 7636 (its appendix B test vector),
 * the state check of the redirect back, the token exchange and refresh as the token endpoint sees
 * them, the refresh timing on an injected clock, sign-out.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuthConfig,
  AuthError,
  authorizeUrl,
  beginSignIn,
  challengeOf,
  completeSignIn,
  type Fetch,
  isCallback,
  type KeyValueStore,
  newVerifier,
  refreshDelay,
  refreshTokens,
  signOut,
  whoOf,
} from '../../../console/src/auth.ts';

const CONFIG: AuthConfig = {
  domain: 'https://evcs-ops.auth.us-east-1.amazoncognito.com',
  clientId: 'client123',
  redirectUri: 'https://d111.cloudfront.net/',
  scopes: ['openid', 'email', 'profile'],
};

const memoryStore = (): KeyValueStore & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
};

/** a token endpoint that records every form it is sent */
const tokenEndpoint = (answer: (form: URLSearchParams) => { status: number; body: unknown }) => {
  const calls: Array<{ url: string; form: URLSearchParams }> = [];
  const fetchFn: Fetch = async (url, init) => {
    const form = new URLSearchParams(init.body);
    calls.push({ url, form });
    expect(init.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const a = answer(form);
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetchFn };
};

const TOKENS = { access_token: 'at-1', id_token: 'h.e30.s', refresh_token: 'rt-1', expires_in: 3600, token_type: 'Bearer' };

describe('PKCE (RFC 7636)', () => {
  // RFC 7636 appendix B, verbatim (a copy of it with a garbled verifier and challenge circulates: that pair does not hash)
  it('derives the S256 challenge of appendix B', async () => {
    await expect(challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('encodes 32 random octets as the 43-character verifier of appendix B', () => {
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
      132, 141, 121,
    ];
    expect(newVerifier(() => new Uint8Array(octets))).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  });

  it('makes a fresh verifier every time, 43 characters of the unreserved set', () => {
    const a = newVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newVerifier()).not.toBe(a);
  });
});

describe('sign-in', () => {
  it('sends the browser to the authorize endpoint: code flow, S256 challenge of the kept verifier, a fresh state', async () => {
    const store = memoryStore();
    const url = new URL(await beginSignIn(CONFIG, store));
    expect(`${url.origin}${url.pathname}`).toBe(`${CONFIG.domain}/oauth2/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('client123');
    expect(q.get('redirect_uri')).toBe(CONFIG.redirectUri);
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    const pending = JSON.parse([...store.map.values()][0]!) as { state: string; verifier: string };
    expect(q.get('state')).toBe(pending.state);
    expect(q.get('code_challenge')).toBe(await challengeOf(pending.verifier));
    expect(pending.verifier).not.toBe(pending.state);
  });

  it('exchanges the code with the verifier when the state matches, and the state works once only', async () => {
    const store = memoryStore();
    const state = new URL(await beginSignIn(CONFIG, store)).searchParams.get('state')!;
    const { verifier } = JSON.parse([...store.map.values()][0]!) as { verifier: string };
    const t = tokenEndpoint(() => ({ status: 200, body: TOKENS }));
    const tokens = await completeSignIn(CONFIG, `?code=c0de&state=${state}`, store, t.fetchFn, 1_000_000);
    expect(tokens).toEqual({ accessToken: 'at-1', idToken: 'h.e30.s', refreshToken: 'rt-1', expiresAt: 1_000_000 + 3_600_000 });
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.url).toBe(`${CONFIG.domain}/oauth2/token`);
    expect(Object.fromEntries(t.calls[0]!.form)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'c0de',
      redirect_uri: CONFIG.redirectUri,
      code_verifier: verifier,
    });
    // a replay of the same redirect: the pending sign-in is gone
    await expect(completeSignIn(CONFIG, `?code=c0de&state=${state}`, store, t.fetchFn, 0)).rejects.toThrow(/state/);
    expect(t.calls).toHaveLength(1);
  });

  it('refuses an answer with another state or none started, without calling the token endpoint', async () => {
    const store = memoryStore();
    await beginSignIn(CONFIG, store);
    const t = tokenEndpoint(() => ({ status: 200, body: TOKENS }));
    await expect(completeSignIn(CONFIG, '?code=c0de&state=forged', store, t.fetchFn, 0)).rejects.toBeInstanceOf(AuthError);
    await expect(completeSignIn(CONFIG, '?code=c0de&state=forged', memoryStore(), t.fetchFn, 0)).rejects.toThrow(/state/);
    expect(t.calls).toHaveLength(0);
  });

  it('reports the managed login’s error and the token endpoint’s refusal, never half signed in', async () => {
    const store = memoryStore();
    let state = new URL(await beginSignIn(CONFIG, store)).searchParams.get('state')!;
    const ok = tokenEndpoint(() => ({ status: 200, body: TOKENS }));
    await expect(completeSignIn(CONFIG, `?error=access_denied&state=${state}`, store, ok.fetchFn, 0)).rejects.toThrow('access_denied');
    state = new URL(await beginSignIn(CONFIG, store)).searchParams.get('state')!;
    const bad = tokenEndpoint(() => ({ status: 400, body: { error: 'invalid_grant' } }));
    await expect(completeSignIn(CONFIG, `?code=x&state=${state}`, store, bad.fetchFn, 0)).rejects.toThrow('invalid_grant');
    state = new URL(await beginSignIn(CONFIG, store)).searchParams.get('state')!;
    const empty = tokenEndpoint(() => ({ status: 200, body: { token_type: 'Bearer' } }));
    await expect(completeSignIn(CONFIG, `?code=x&state=${state}`, store, empty.fetchFn, 0)).rejects.toThrow(/without tokens/);
  });

  it('recognises the redirect back', () => {
    expect(isCallback('?code=a&state=b')).toBe(true);
    expect(isCallback('?error=access_denied&state=b')).toBe(true);
    expect(isCallback('')).toBe(false);
    expect(isCallback('?code=a')).toBe(false);
  });

  it('builds the authorize URL from the config alone', () => {
    expect(authorizeUrl(CONFIG, { state: 's', challenge: 'c' })).toContain('code_challenge=c');
  });
});

describe('refresh and sign-out', () => {
  it('refreshes five minutes before the access token expires, at once when that has passed (injected clock)', () => {
    const tokens = { expiresAt: 10_000_000 };
    expect(refreshDelay(tokens, 10_000_000 - 3_600_000)).toBe(3_600_000 - 300_000);
    expect(refreshDelay(tokens, 10_000_000 - 300_000)).toBe(0);
    expect(refreshDelay(tokens, 10_000_000 + 1)).toBe(0);
    expect(refreshDelay(tokens, 0, 60_000)).toBe(10_000_000 - 60_000);
  });

  it('refreshes with the refresh token and keeps it when the endpoint sends no new one', async () => {
    const t = tokenEndpoint(() => ({ status: 200, body: { ...TOKENS, access_token: 'at-2', refresh_token: undefined } }));
    const tokens = await refreshTokens(CONFIG, 'rt-1', t.fetchFn, 5_000);
    expect(tokens).toEqual({ accessToken: 'at-2', idToken: 'h.e30.s', refreshToken: 'rt-1', expiresAt: 5_000 + 3_600_000 });
    expect(Object.fromEntries(t.calls[0]!.form)).toEqual({ grant_type: 'refresh_token', client_id: 'client123', refresh_token: 'rt-1' });
    const refused = tokenEndpoint(() => ({ status: 400, body: { error: 'invalid_grant' } }));
    await expect(refreshTokens(CONFIG, 'rt-revoked', refused.fetchFn, 0)).rejects.toThrow('invalid_grant');
  });

  it('signs out: revokes the refresh token, then the managed login’s logout back to the console (even when revoke fails)', async () => {
    for (const status of [200, 503]) {
      const t = tokenEndpoint(() => ({ status, body: {} }));
      const url = new URL(await signOut(CONFIG, { accessToken: 'a', idToken: 'i', refreshToken: 'rt-1', expiresAt: 0 }, t.fetchFn));
      expect(t.calls.map((c) => [c.url, Object.fromEntries(c.form)])).toEqual([
        [`${CONFIG.domain}/oauth2/revoke`, { token: 'rt-1', client_id: 'client123' }],
      ]);
      expect(`${url.origin}${url.pathname}`).toBe(`${CONFIG.domain}/logout`);
      expect(url.searchParams.get('client_id')).toBe('client123');
      expect(url.searchParams.get('logout_uri')).toBe(CONFIG.redirectUri);
    }
  });

  it('names who signed in from the ID token, and nobody from a malformed one', () => {
    const payload = Buffer.from(JSON.stringify({ email: 'ops@example.com' })).toString('base64url');
    expect(whoOf(`h.${payload}.s`)).toBe('ops@example.com');
    expect(whoOf('nonsense')).toBeUndefined();
  });
});
