/**
 * Ground locks (地锁, DiDi 1.4.0 query_ground_locks / query_ground_lock_auth / query_drop_lock /
 * query_drop_lock_result; reference §5.1, §5.5) — the pure rules. shared/services/ground-locks.ts
 * applies them with the parking table and the car park's gateway.
 *
 *   - a station lists its parking spaces in the seed (`ParkingSpaces`: LockNum, WorkplaceName, the
 *     ConnectorID the space serves) and the gateway that drives their locks (`CarParkGatewayUrl`);
 *   - a lock is raised (LockStatus 50, the space is blocked) until a partner drops it for its driver
 *     (10, unlocked); the drop answers a ONE-TIME DropCode the partner quotes when it asks for the
 *     result; once the car has left (the connector is available again / its session stopped) the
 *     platform raises the lock and the code is spent: quoting it again is stale (Ret 4004);
 *   - a partner may drop a lock when its connector is idle, or reserved by / charging for that same
 *     partner; another partner's order or reservation on it refuses the drop (DropFail.Taken);
 *   - a faulted lock (the gateway answers that the device is faulted) answers LockStatus 0 (unknown);
 *     a drop is still tried at the gateway (DropFail.Faulted when it fails), and succeeds once the
 *     lock is healthy again;
 *   - the car park's system unreachable or timing out is no lock fault: a drop then fails with
 *     DropFail.Unreachable and NOTHING of the lock changes (no code issued, its state and revision
 *     as they were); only the caller's failed attempt is noted, which query_drop_lock_result reports
 *     (FailReason 5) until the lock records a new state. (A timed-out drop may have reached the lock:
 *     the partner's retry drops it again, idempotently at the gateway.) A raise after the car left
 *     that fails is retried with backoff, then parked in a DLQ for replay (shared/services/ground-locks.ts).
 */
import * as z from 'zod/mini';
import { ConnectorState } from './charging.ts';

/** One parking space with a lock (seed `stations[].ParkingSpaces[]`). */
const ParkingSpaceSchema = z.strictObject({
  /** the lock's number at the station (DiDi `LockNum`) */
  LockNum: z.string({ error: 'must be a string' }).check(z.regex(/^[0-9A-Za-z_-]{1,16}$/, '1 to 16 letters, digits, _ or -')),
  /** the space's name on the floor plan (DiDi `WorkplaceName`) */
  WorkplaceName: z
    .string({ error: 'must be a string' })
    .check(z.minLength(1, 'must not be empty'), z.maxLength(32, 'at most 32 characters')),
  /** the connector whose parking space it locks */
  ConnectorID: z.string({ error: 'must be a string' }).check(z.minLength(1, 'must not be empty'), z.maxLength(26, 'at most 26 characters')),
});
export type ParkingSpace = z.infer<typeof ParkingSpaceSchema>;

export const ParkingSpacesSchema = z
  .array(ParkingSpaceSchema)
  .check(z.minLength(1, 'must list at least one space'), z.maxLength(500, 'at most 500'));

/** The car park's gateway (locks and barrier), an http(s) URL (seed `stations[].CarParkGatewayUrl`). */
export const CarParkGatewayUrlSchema = z
  .string({ error: 'must be a string' })
  .check(z.maxLength(512, 'at most 512 characters'), z.regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'));

/** Problems of a station's parking spaces against its connectors (duplicate LockNum, unknown connector…). */
export const parkingSpacesProblems = (spaces: readonly ParkingSpace[], connectorIds: ReadonlySet<string>): { i: number; msg: string }[] => {
  const out: { i: number; msg: string }[] = [];
  const locks = new Set<string>();
  const connectors = new Set<string>();
  spaces.forEach((s, i) => {
    if (locks.has(s.LockNum)) out.push({ i, msg: `LockNum: duplicate ${s.LockNum}` });
    locks.add(s.LockNum);
    if (!connectorIds.has(s.ConnectorID)) out.push({ i, msg: `ConnectorID: ${s.ConnectorID} is not a connector of this station` });
    else if (connectors.has(s.ConnectorID)) out.push({ i, msg: `ConnectorID: ${s.ConnectorID} already has a lock` });
    connectors.add(s.ConnectorID);
  });
  return out;
};

/** T/CEC LockStatus (§3.2): 0 unknown (faulted), 10 unlocked (dropped), 50 locked (raised). */
export const LockStatus = { Unknown: 0, Dropped: 10, Raised: 50 } as const;
export type LockStatus = (typeof LockStatus)[keyof typeof LockStatus];

/** Why a drop is refused (query_drop_lock `FailReason`, ours: DiDi answers only `result`). */
export const DropFail = { None: 0, UnknownLock: 1, Taken: 2, Faulted: 3, Unavailable: 4, Unreachable: 5 } as const;

/** A lock's stored state (shared/store/ground-locks.ts). */
export interface LockState {
  lockStatus: LockStatus;
  /** the drop in force: its one-time code and partner */
  drop?:
    | {
        code: number;
        OperatorID: string;
        at: string;
        /**
         * the connector's live status version when the lock dropped (-1: it had not reported): only a
         * later departure is this drop's car leaving; absent on a drop recorded before it was kept
         */
        afterVersion?: number | undefined;
      }
    | undefined;
  /** the last gateway fault, in words */
  fault?: string | undefined;
  /** the lock's revision (+1 with every state recorded; absent: never moved) */
  rev?: number | undefined;
  /** the last drop that failed because the car park's system was unreachable (cleared by the next state recorded) */
  dropFailure?: { OperatorID: string; at: string; issue: string } | undefined;
}

/** Who holds the lock's connector right now (an order or a reservation), if anyone. */
export interface ConnectorHolder {
  OperatorID: string;
}

/**
 * May `operatorId` drop the lock? `status` is the connector's live status, `holder` whoever holds it.
 * A lock already dropped by the same partner is answered again (its code), not dropped twice.
 */
export const dropDecision = (f: { lock: LockState; status: number; holder: ConnectorHolder | undefined; operatorId: string }): number => {
  if (f.holder && f.holder.OperatorID !== f.operatorId) return DropFail.Taken;
  if (f.lock.drop && f.lock.drop.OperatorID !== f.operatorId) return DropFail.Taken;
  if (f.holder) return DropFail.None;
  return f.status === ConnectorState.Idle || f.status === ConnectorState.Plugged ? DropFail.None : DropFail.Unavailable;
};

/** A fresh one-time DropCode from a random 32-bit value: six digits, never 0. */
export const dropCodeFrom = (random: number): number => 100_000 + (Math.abs(Math.trunc(random)) % 900_000);

/**
 * Has the car left (the lock of a dropped space should rise again)? The connector became available
 * (a change whose status stays the same — e.g. the lock's own drop — is no departure).
 */
export const carLeft = (status: number, previousStatus?: number): boolean =>
  status === ConnectorState.Idle && previousStatus !== ConnectorState.Idle;

/** DropInfo in words for the result query. */
export const dropInfo = (lock: LockState): string =>
  lock.fault ? `lock fault: ${lock.fault}` : lock.lockStatus === LockStatus.Dropped ? 'dropped' : 'raised';

/**
 * The caller's own last drop, when it failed because the car park's system was unreachable and no
 * state has been recorded since: what query_drop_lock_result reports (FailReason, DropInfo).
 */
export const failedDropOf = (lock: LockState, operatorId: string): { FailReason: number; DropInfo: string } | undefined =>
  lock.dropFailure?.OperatorID === operatorId && !lock.drop
    ? { FailReason: DropFail.Unreachable, DropInfo: `drop failed: car park unreachable (${lock.dropFailure.issue})`.slice(0, 64) }
    : undefined;
