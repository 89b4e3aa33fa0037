/**
 * The admin API (functions/ops/admin-api.ts) on the console's own origin, with the signed-in staff
 * member's access token (AWS, console/src/session.ts) or the operator's admin key (local).
 */
import { accessToken } from './session.ts';

const KEY = 'evcs-admin-key';

/** a `#key=…` fragment (the link `npm start` prints) is taken once into the session, then removed from the address bar */
export const adoptKeyFromUrl = (): void => {
  const m = /^#key=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', `${location.pathname}${location.search}#/stations`);
  }
};

export const getKey = (): string => sessionStorage.getItem(KEY) ?? '';
export const setKey = (k: string): void => sessionStorage.setItem(KEY, k);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`/admin/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken() ?? getKey()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new ApiError(res.status, json.message ?? `HTTP ${res.status}`);
  return json as T;
};

export const getView = <T>(view: string): Promise<T> => call<T>('GET', view);
export const replay = (messageId: string): Promise<{ replayed: number }> => call('POST', 'dlq/replay', { messageId });
