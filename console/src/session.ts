/**
 * How this console authenticates, decided by the deployment: with a `config.json` beside
 * index.html (written by the console stack in AWS) staff sign in with the managed login
 * (console/src/auth.ts: code + PKCE) and the console sends the access token; without one
 * (`npm start`) it sends the local admin key. The tokens live in the tab's sessionStorage
 * (gone with the tab) and are refreshed before they expire.
 */
import * as z from 'zod/mini';
import {
  type AuthConfig,
  AuthConfigSchema,
  beginSignIn,
  completeSignIn,
  type Fetch,
  isCallback,
  refreshDelay,
  refreshTokens,
  signOut,
  type Tokens,
} from './auth.ts';

export type Mode = { kind: 'key' } | { kind: 'signin'; config: AuthConfig };

const ConfigSchema = z.object({ auth: AuthConfigSchema });
const TokensSchema = z.object({
  accessToken: z.string(),
  idToken: z.string(),
  refreshToken: z.optional(z.string()),
  expiresAt: z.number(),
});

const TOKENS = 'evcs-tokens';
const post: Fetch = (url, init) => fetch(url, init);

/** config.json next to index.html: absent → the local admin key; present but malformed → an error to show */
export const loadMode = async (): Promise<Mode> => {
  const res = await fetch('./config.json', { cache: 'no-store' }).catch(() => undefined);
  if (!res?.ok) return { kind: 'key' };
  const parsed = z.safeParse(ConfigSchema, await res.json().catch(() => undefined));
  if (!parsed.success) throw new Error('config.json is not the console’s sign-in configuration');
  return { kind: 'signin', config: parsed.data.auth };
};

export const storedTokens = (): Tokens | undefined => {
  try {
    const parsed = z.safeParse(TokensSchema, JSON.parse(sessionStorage.getItem(TOKENS) ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

const keep = (tokens: Tokens | undefined): void => {
  if (tokens) sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  else sessionStorage.removeItem(TOKENS);
};

/** the bearer token of the signed-in staff member, if any */
export const accessToken = (): string | undefined => storedTokens()?.accessToken;

/** Back from the managed login (`?code&state`): exchange the code, then clean the address bar. */
export const completeRedirect = async (config: AuthConfig): Promise<void> => {
  if (!isCallback(location.search)) return;
  try {
    keep(await completeSignIn(config, location.search, sessionStorage, post, Date.now()));
  } finally {
    history.replaceState(null, '', `${location.pathname}#/stations`);
  }
};

export const startSignIn = async (config: AuthConfig): Promise<void> => {
  location.assign(await beginSignIn(config, sessionStorage));
};

export const endSession = async (config: AuthConfig): Promise<void> => {
  const url = await signOut(config, storedTokens(), post);
  keep(undefined);
  location.assign(url);
};

/**
 * Refreshes the tokens before they expire, again and again; `onChange` after each refresh, and
 * when a refresh is refused (then signed out). Returns the cancel function.
 */
export const keepFresh = (config: AuthConfig, onChange: () => void): (() => void) => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    const tokens = storedTokens();
    if (!tokens?.refreshToken) return;
    const refreshToken = tokens.refreshToken;
    timer = setTimeout(
      async () => {
        try {
          keep(await refreshTokens(config, refreshToken, post, Date.now()));
          schedule();
        } catch {
          keep(undefined);
        }
        onChange();
      },
      refreshDelay(tokens, Date.now()),
    );
  };
  schedule();
  return () => clearTimeout(timer);
};
