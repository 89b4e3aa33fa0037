/**
 * Staff sign-in in AWS: OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) against the
 * staff pool's managed login (Cognito), as a public client — no client secret, no implicit grant.
 * Endpoints are Cognito's: `<domain>/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`, `/logout`.
 *
 *   beginSignIn     a fresh verifier and state, kept in the tab's session store; the authorize URL
 *                   with the verifier's S256 challenge
 *   completeSignIn  back at the redirect URI with `?code&state`: the state must be the one we sent
 *                   (and is used once), the code is exchanged with the verifier
 *   refreshTokens   a new access/ID token with the refresh token, `refreshDelay` before expiry
 *   signOut         revoke the refresh token, then the managed login's logout (ends its session)
 *
 * No DOM here (storage, fetch, clock and randomness are passed in): unit-tested in Node
 * (test/unit/console/auth.test.ts). The browser wiring is console/src/session.ts.
 */
import * as z from 'zod/mini';

/** config.json's `auth` (infra/console-stack.ts writes it at deploy) */
export const AuthConfigSchema = z.object({
  domain: z.string().check(z.regex(/^https?:\/\/[^/?#]+$/)),
  clientId: z.string().check(z.minLength(1), z.maxLength(128)),
  redirectUri: z.string().check(z.regex(/^https?:\/\//)),
  scopes: z.array(z.string().check(z.minLength(1))),
});
export type AuthConfig = z.infer<typeof AuthConfigSchema>;

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  /** when the access token expires (ms since the epoch) */
  expiresAt: number;
}

/** sessionStorage, or a Map-backed stand-in in tests */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type Fetch = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string }) => Promise<Response>;

export class AuthError extends Error {}

/** where the pending sign-in (state, verifier) waits for the redirect back */
const PENDING = 'evcs-signin-pending';

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

/** a code verifier: 32 random bytes, base64url (43 characters of [A-Za-z0-9_-], RFC 7636 §4.1) */
export const newVerifier = (random: (n: number) => Uint8Array = randomBytes): string => base64url(random(32));

/** the S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2) */
export const challengeOf = async (verifier: string): Promise<string> =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));

export const authorizeUrl = (config: AuthConfig, p: { state: string; challenge: string }): string =>
  `${config.domain}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
  })}`;

/** Starts a sign-in: remembers a fresh state and verifier, returns where to send the browser. */
export const beginSignIn = async (config: AuthConfig, store: KeyValueStore, random?: (n: number) => Uint8Array): Promise<string> => {
  const state = newVerifier(random);
  const verifier = newVerifier(random);
  store.setItem(PENDING, JSON.stringify({ state, verifier }));
  return authorizeUrl(config, { state, challenge: await challengeOf(verifier) });
};

const PendingSchema = z.object({ state: z.string(), verifier: z.string() });

const TokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  id_token: z.string().check(z.minLength(1)),
  refresh_token: z.optional(z.string()),
  expires_in: z.number().check(z.gte(1)),
  token_type: z.string(),
});

const postForm = async (fetchFn: Fetch, url: string, form: Record<string, string>): Promise<unknown> => {
  const res = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const json: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = z.safeParse(z.object({ error: z.string() }), json);
    throw new AuthError(`sign-in refused: ${error.success ? error.data.error : `HTTP ${res.status}`}`);
  }
  return json;
};

const tokensOf = (json: unknown, now: number, previousRefresh?: string): Tokens => {
  const r = z.safeParse(TokenResponseSchema, json);
  if (!r.success) throw new AuthError('sign-in refused: the token endpoint answered without tokens');
  const refreshToken = r.data.refresh_token ?? previousRefresh;
  return {
    accessToken: r.data.access_token,
    idToken: r.data.id_token,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: now + r.data.expires_in * 1000,
  };
};

/** Is this page load the redirect back from the managed login (`?code` or `?error` with `state`)? */
export const isCallback = (search: string): boolean => {
  const q = new URLSearchParams(search);
  return q.has('state') && (q.has('code') || q.has('error'));
};

/**
 * Completes a sign-in at the redirect URI: the state must be the pending one (used once, whatever
 * the outcome), then the code is exchanged for tokens with the verifier.
 */
export const completeSignIn = async (
  config: AuthConfig,
  search: string,
  store: KeyValueStore,
  fetchFn: Fetch,
  now: number,
): Promise<Tokens> => {
  const q = new URLSearchParams(search);
  const raw = store.getItem(PENDING);
  store.removeItem(PENDING);
  let pending: z.infer<typeof PendingSchema> | undefined;
  try {
    const parsed = z.safeParse(PendingSchema, JSON.parse(raw ?? 'null'));
    pending = parsed.success ? parsed.data : undefined;
  } catch {
    pending = undefined;
  }
  if (!pending || q.get('state') !== pending.state)
    throw new AuthError('sign-in refused: the answer does not belong to a sign-in started here (state)');
  const error = q.get('error');
  if (error) throw new AuthError(`sign-in refused: ${error}`);
  const code = q.get('code');
  if (!code) throw new AuthError('sign-in refused: no code');
  const json = await postForm(fetchFn, `${config.domain}/oauth2/token`, {
    grant_type: 'authorization_code',
    client_id: config.clientId,
    code,
    redirect_uri: config.redirectUri,
    code_verifier: pending.verifier,
  });
  return tokensOf(json, now);
};

/** New access and ID tokens for a refresh token (Cognito keeps the refresh token unless it rotates it). */
export const refreshTokens = async (config: AuthConfig, refreshToken: string, fetchFn: Fetch, now: number): Promise<Tokens> =>
  tokensOf(
    await postForm(fetchFn, `${config.domain}/oauth2/token`, {
      grant_type: 'refresh_token',
      client_id: config.clientId,
      refresh_token: refreshToken,
    }),
    now,
    refreshToken,
  );

/** how long to wait before refreshing: `margin` before the access token expires (now, if that has passed) */
export const refreshDelay = (tokens: Pick<Tokens, 'expiresAt'>, now: number, marginMs = 5 * 60_000): number =>
  Math.max(0, tokens.expiresAt - marginMs - now);

/** Revokes the refresh token (its access tokens stop working at the API), then returns the managed login's logout URL. */
export const signOut = async (config: AuthConfig, tokens: Tokens | undefined, fetchFn: Fetch): Promise<string> => {
  if (tokens?.refreshToken) {
    // best effort: signing out locally and at the managed login happens whatever revoke answers
    await postForm(fetchFn, `${config.domain}/oauth2/revoke`, { token: tokens.refreshToken, client_id: config.clientId }).catch(
      () => undefined,
    );
  }
  return `${config.domain}/logout?${new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri })}`;
};

/** the signed-in person's e-mail (or name) from the ID token's payload; the API checks the signature, not us */
export const whoOf = (idToken: string): string | undefined => {
  try {
    const payload = idToken.split('.')[1] ?? '';
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const claims = z.safeParse(z.object({ email: z.optional(z.string()), 'cognito:username': z.optional(z.string()) }), json);
    return claims.success ? (claims.data.email ?? claims.data['cognito:username']) : undefined;
  } catch {
    return undefined;
  }
};
