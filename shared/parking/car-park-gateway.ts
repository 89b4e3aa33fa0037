/**
 * The car park's gateway (locks and barrier), called over HTTP with a hard timeout. Its contract is
 * ours (no public one exists; the local simulator infra/local/simulator/car-park.ts serves it):
 *
 *   POST <base>/waivers              { StartChargeSeq, StationID, CarNumber, FreeMinutes } → 200 { ok: true }
 *                                    (idempotent per StartChargeSeq: the barrier opens for the plate)
 *   POST <base>/locks/<LockNum>/drop  → 200 { LockStatus: 10 } | 409 { error }   (409: the lock is faulted)
 *   POST <base>/locks/<LockNum>/raise → 200 { LockStatus: 50 } | 409 { error }
 *
 * Any other answer, a timeout (CAR_PARK_TIMEOUT_MS) or a connection failure is a `GatewayError` (its message never carries
 * the body beyond a short excerpt).
 */
import * as z from 'zod/mini';
import { config } from '../config.ts';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    message: string,
    /** the gateway answered that the device is faulted (not a transport failure) */
    readonly faulted = false,
  ) {
    super(message);
  }
}

const LockAnswer = z.object({ LockStatus: z.union([z.literal(10), z.literal(50)]) });

const post = async (url: string, body: unknown): Promise<{ status: number; json: unknown }> => {
  const timeoutMs = config().CAR_PARK_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    throw new GatewayError(e.name === 'TimeoutError' ? `gateway timed out after ${timeoutMs} ms` : `gateway unreachable: ${e.message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
};

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path}`;

/** Apply a waiver at the barrier; resolves when the gateway took it. */
export const applyWaiverAtGate = async (
  base: string,
  w: { StartChargeSeq: string; StationID: string; CarNumber: string; FreeMinutes: number },
): Promise<void> => {
  const r = await post(join(base, 'waivers'), w);
  if (r.status !== 200) throw new GatewayError(`gate answered HTTP ${r.status}`);
};

/** Drop or raise a lock; its new LockStatus. */
export const moveLock = async (base: string, lockNum: string, move: 'drop' | 'raise', stationId: string): Promise<10 | 50> => {
  const r = await post(join(base, `locks/${encodeURIComponent(lockNum)}/${move}`), { StationID: stationId });
  if (r.status === 409) {
    const msg = (r.json as { error?: unknown } | undefined)?.error;
    throw new GatewayError(typeof msg === 'string' ? msg.slice(0, 100) : 'lock faulted', true);
  }
  const parsed = z.safeParse(LockAnswer, r.json);
  if (r.status !== 200 || !parsed.success) throw new GatewayError(`lock gateway answered HTTP ${r.status}`);
  return parsed.data.LockStatus;
};
