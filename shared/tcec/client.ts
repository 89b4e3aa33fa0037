/**
 * T/CEC client: we call a partner platform (reference §1.2–1.7, §2.6, checklist §8).
 *
 * - query_token without Authorization; every other call with `Authorization: Bearer <token>`.
 * - Token cache with early refresh; concurrent callers share one in-flight token request.
 * - Ret 4002 (or HTTP 401/403) → fresh token and one retry, except for query_start_charge and
 *   query_stop_charge, whose 4002 result is returned to the caller (they must query status
 *   instead of blindly re-sending a start/stop).
 * - Network errors, timeouts and non-2xx without an envelope → TcecTransportError.
 * - Data of a response whose Sig did not verify is never returned.
 *
 * Nothing here logs; tokens and secrets never appear in error messages.
 */
import * as z from 'zod/mini';
import type { SecretSet } from './crypto.ts';
import { decodeResponse, encodeRequest } from './envelope.ts';
import { Ret, TcecTransportError } from './ret.ts';
import { createSeqGenerator } from './seq.ts';

export { TcecTransportError } from './ret.ts';

export interface PartnerEndpoint {
  baseUrl: string;
  ourOperatorId: string;
  secrets: SecretSet;
  /** Per-interface path override: an absolute http(s) URL, or a path joined to baseUrl with a single '/'. */
  paths?: Partial<Record<string, string>>;
  /** Per-request timeout (default 10 000 ms). */
  timeoutMs?: number;
  /** who the partner is, in the token cache key (two partners may share a base URL) */
  partnerId?: string;
}

export interface TokenCache {
  get(key: string): Promise<{ token: string; expiresAt: number } | undefined>;
  set(key: string, v: { token: string; expiresAt: number }): Promise<void>;
  /** forget a token the partner refused (a shared cache then looks for a newer one) */
  invalidate?(key: string, token: string): Promise<void>;
}

export interface TcecCallResult<T> {
  ret: number;
  msg: string;
  data: T | undefined;
  sigVerified: boolean;
}

export interface TcecClientOptions {
  fetch?: typeof fetch;
  now?: () => Date;
  tokenCache?: TokenCache;
  /** Refresh a cached token this many seconds before it expires (default 60). */
  refreshSkewSeconds?: number;
}

/** query_token failed at the business level (Ret ≠ 0, SuccStat 1, unverified or malformed reply). */
export class TcecTokenError extends Error {
  override readonly name = 'TcecTokenError';

  constructor(
    message: string,
    readonly ret: number,
    readonly failReason?: number,
  ) {
    super(message);
  }
}

/** Process-local token cache (the default). */
class InMemoryTokenCache implements TokenCache {
  private readonly entries = new Map<string, { token: string; expiresAt: number }>();

  async get(key: string): Promise<{ token: string; expiresAt: number } | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, v: { token: string; expiresAt: number }): Promise<void> {
    this.entries.set(key, { ...v });
  }
}

/** Interfaces that must never be re-sent automatically (a second start/stop is a real action). */
const NO_AUTO_RETRY: ReadonlySet<string> = new Set(['query_start_charge', 'query_stop_charge']);

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TOKEN_SECONDS = 7 * 24 * 3600;
const FALLBACK_TOKEN_SECONDS = 300;

const intLike = z.union([z.number(), z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.transform(Number))]);
const TokenReplySchema = z.object({
  SuccStat: intLike,
  AccessToken: z.optional(z.string()),
  TokenAvailableTime: z.optional(intLike),
  FailReason: z.optional(intLike),
});

/** Join with exactly one '/' between base and path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** TokenAvailableTime in seconds, clamped: > 7 days, ≤ 0 or not a number → 300 s. */
export function clampTokenSeconds(v: number | undefined): number {
  if (v === undefined || !Number.isFinite(v) || v <= 0 || v > MAX_TOKEN_SECONDS) return FALLBACK_TOKEN_SECONDS;
  return v;
}

export class TcecClient {
  private readonly fetchFn: typeof fetch;
  private readonly now: () => Date;
  private readonly cache: TokenCache;
  private readonly skewMs: number;
  private readonly nextSeq: () => { timeStamp: string; seq: string };
  private readonly cacheKey: string;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly endpoint: PartnerEndpoint,
    opts: TcecClientOptions = {},
  ) {
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = opts.now ?? (() => new Date());
    this.cache = opts.tokenCache ?? new InMemoryTokenCache();
    this.skewMs = (opts.refreshSkewSeconds ?? 60) * 1000;
    this.nextSeq = createSeqGenerator(this.now);
    this.cacheKey = [endpoint.partnerId ?? '', endpoint.baseUrl, endpoint.ourOperatorId].join('|');
  }

  /** URL of one interface at this partner. */
  urlFor(iface: string): string {
    const override = this.endpoint.paths?.[iface];
    if (override !== undefined) {
      return /^https?:\/\//i.test(override) ? override : joinUrl(this.endpoint.baseUrl, override);
    }
    return joinUrl(this.endpoint.baseUrl, iface);
  }

  /**
   * A valid access token: the cached one unless it expires within refreshSkewSeconds (or force),
   * else a fresh one from query_token. Concurrent callers share one in-flight request.
   */
  async getToken(force = false): Promise<string> {
    if (!force) {
      const cached = await this.cache.get(this.cacheKey);
      if (cached && cached.expiresAt - this.skewMs > this.now().getTime()) return cached.token;
    }
    return this.fetchTokenOnce();
  }

  async call<T = unknown>(iface: string, data: unknown): Promise<TcecCallResult<T>> {
    if (iface === 'query_token') return this.post<T>(iface, data, undefined);
    const token = await this.getToken();
    const first = await this.post<T>(iface, data, token);
    if (first.ret !== Ret.TokenError || NO_AUTO_RETRY.has(iface)) return first;
    const fresh = await this.tokenAfterRejection(token);
    return this.post<T>(iface, data, fresh);
  }

  /** After `rejected` was refused: reuse a newer cached token if another caller already refreshed, else force. */
  private async tokenAfterRejection(rejected: string): Promise<string> {
    if (this.inflight) return this.inflight;
    await this.cache.invalidate?.(this.cacheKey, rejected);
    const cached = await this.cache.get(this.cacheKey);
    if (cached && cached.token !== rejected && cached.expiresAt - this.skewMs > this.now().getTime()) return cached.token;
    return this.getToken(true);
  }

  private fetchTokenOnce(): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.requestToken().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async requestToken(): Promise<string> {
    const { ourOperatorId, secrets } = this.endpoint;
    const res = await this.post<unknown>('query_token', { OperatorID: ourOperatorId, OperatorSecret: secrets.operatorSecret }, undefined);
    if (!res.sigVerified) throw new TcecTokenError(`query_token response rejected: Ret ${res.ret}, Sig not verified`, res.ret);
    if (res.ret !== Ret.Ok) throw new TcecTokenError(`query_token failed: Ret ${res.ret} ${res.msg}`, res.ret);
    const reply = TokenReplySchema.safeParse(res.data);
    if (!reply.success) throw new TcecTokenError('query_token reply Data is malformed', res.ret);
    const { SuccStat, AccessToken, TokenAvailableTime, FailReason } = reply.data;
    if (SuccStat !== 0) {
      throw new TcecTokenError(`query_token refused: SuccStat ${SuccStat}, FailReason ${FailReason ?? 'absent'}`, res.ret, FailReason);
    }
    if (!AccessToken) throw new TcecTokenError('query_token reply has no AccessToken', res.ret);
    const expiresAt = this.now().getTime() + clampTokenSeconds(TokenAvailableTime) * 1000;
    await this.cache.set(this.cacheKey, { token: AccessToken, expiresAt });
    return AccessToken;
  }

  private async post<T>(iface: string, data: unknown, token: string | undefined): Promise<TcecCallResult<T>> {
    const { ourOperatorId, secrets } = this.endpoint;
    const timeoutMs = this.endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { timeStamp, seq } = this.nextSeq();
    const env = encodeRequest({ operatorId: ourOperatorId, data, secrets, timeStamp, seq });
    const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=utf-8' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;

    let status: number;
    let text: string;
    try {
      const res = await this.fetchFn(this.urlFor(iface), {
        method: 'POST',
        headers,
        body: JSON.stringify(env),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new TcecTransportError(timedOut ? `${iface}: no response within ${timeoutMs} ms` : `${iface}: network error`, { cause });
    }

    const ok = status >= 200 && status < 300;
    try {
      const decoded = decodeResponse(text, secrets);
      // 401/403 carrying an envelope with another Ret still means "token refused".
      if (!ok && (status === 401 || status === 403)) {
        return { ret: Ret.TokenError, msg: decoded.msg || `HTTP ${status}`, data: undefined, sigVerified: decoded.sigVerified };
      }
      return { ret: decoded.ret, msg: decoded.msg, data: decoded.data as T | undefined, sigVerified: decoded.sigVerified };
    } catch (err) {
      if (!(err instanceof TcecTransportError)) throw err;
      if (status === 401 || status === 403) {
        return { ret: Ret.TokenError, msg: `HTTP ${status}`, data: undefined, sigVerified: false };
      }
      throw new TcecTransportError(ok ? `${iface}: ${err.message}` : `${iface}: HTTP ${status} without a T/CEC envelope`, {
        status,
        cause: err,
      });
    }
  }
}
