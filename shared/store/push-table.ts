/**
 * The push service's table (`push-state`, pk only, TTL on `expiresAt`). One module per idea
 * stored in it:
 *
 *   TOKEN#<partner endpoint>        push-token-cache.ts        the partner's access token, shared by every push function
 *   BREAKER#<OperatorID>            push-breaker.ts            per-partner circuit breaker (consecutive failures, openUntil, probe lease)
 *   GATE#<OperatorID>#<key>         push-gate.ts               ordering: newest version attempted/delivered + a lease while one push is in flight
 *                                                              (per-partner concurrency is in process: shared/push/partner-limit.ts)
 *   TRY#<OperatorID>#<id>#<createdAt> push-attempts.ts       failed attempts of a push held in its FIFO group (its DLQ move after the real attempts)
 *   SLA#<day>#<OperatorID>          push-sla.ts                supervision SLA counters per day and platform (per interface: pushes, late, latency)
 */
import { config } from '../config.ts';

export const pushTable = () => config().tableName('push-state');
/** a DynamoDB TTL value (epoch seconds) */
export const epochSeconds = (ms: number) => Math.floor(ms / 1000);
export const DAY_MS = 24 * 3600 * 1000;
