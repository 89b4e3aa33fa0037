/**
 * The push service's table (`push-state`, pk only, TTL on `expiresAt`). One module per idea
 * stored in it:
 *
 *   TOKEN#<partner endpoint>        push-token-cache.ts        the partner's access token, shared by every push function
 *   BREAKER#<OperatorID>            push-breaker.ts            per-partner circuit breaker (consecutive failures, openUntil, probe lease)
 *   GATE#<OperatorID>#<key>         push-gate.ts               ordering: last delivered version + a short lease while one push is in flight
 *   SLOT#<OperatorID>#<i>           push-slots.ts              per-partner concurrency: one lease per push in flight (i < PUSH_PARTNER_CONCURRENCY)
 */
import { config } from '../config.ts';

export const pushTable = () => config().tableName('push-state');
/** a DynamoDB TTL value (epoch seconds) */
export const epochSeconds = (ms: number) => Math.floor(ms / 1000);
export const DAY_MS = 24 * 3600 * 1000;
