/**
 * Connector status versioning — the pure rules of the status pipeline (shared/services/
 * connector-status.ts applies them with the stations store and the bus):
 *   - every pile report has a version; a report whose version is not newer than the stored one
 *     changes nothing (late, duplicate or reordered deliveries);
 *   - a newer report is a CHANGE only when something a partner would see differs;
 *   - a change stored but not yet announced belongs, for PENDING_GRACE_MS, to the delivery that
 *     stored it; after that a retry of the same report announces it.
 */

/** how long a stored-but-unannounced change belongs to the delivery that stored it */
export const PENDING_GRACE_MS = 10_000;

/**
 * The version of a pile status report (documented on ConnectorStatusChanged): observedAt in epoch
 * ms × 1000 + (seq mod 1000). Later observations win; within one millisecond the pile's sequence
 * number orders them. Stays below 2^53 until the year 2255.
 */
export const statusVersion = (observedAt: string | Date, seq: number): number => new Date(observedAt).getTime() * 1000 + (seq % 1000);

/** ConnectorStatusInfo.Status (§3.2): 0 offline, 1 idle, 2 occupied, 3 charging, 4 reserved, 255 fault */
export const CONNECTOR_STATUSES = [0, 1, 2, 3, 4, 255] as const;
type ConnectorStatusCode = (typeof CONNECTOR_STATUSES)[number];
/** ParkStatus / LockStatus (§3.2): 0 unknown, 10 free/unlocked, 50 occupied/locked */
export const PARK_LOCK_STATUSES = [0, 10, 50] as const;
type ParkLockCode = (typeof PARK_LOCK_STATUSES)[number];

export interface LiveStatus {
  status: ConnectorStatusCode;
  parkStatus: ParkLockCode;
  lockStatus: ParkLockCode;
}

const oneOf = <T extends number>(codes: readonly T[], v: unknown, fallback: T): T =>
  (codes as readonly unknown[]).includes(v) ? (v as T) : fallback;

/**
 * A stored (untyped) status as protocol codes: a connector never heard from, or a value that is no
 * protocol code, reads as 0 (offline; park/lock unknown).
 */
export const toLiveStatus = (raw: { status?: unknown; parkStatus?: unknown; lockStatus?: unknown }): LiveStatus => ({
  status: oneOf(CONNECTOR_STATUSES, raw.status, 0),
  parkStatus: oneOf(PARK_LOCK_STATUSES, raw.parkStatus, 0),
  lockStatus: oneOf(PARK_LOCK_STATUSES, raw.lockStatus, 0),
});

/** A real change: something a partner would see differs. */
export const statusDiffers = (a: LiveStatus | undefined, b: LiveStatus): boolean =>
  !a || a.status !== b.status || a.parkStatus !== b.parkStatus || a.lockStatus !== b.lockStatus;

/** What the store holds about a connector's last status write and its announcement. */
export interface StoredStatus extends LiveStatus {
  version: number;
  /** the version whose change is stored but not yet published */
  pendingAnnounce?: number;
  /** the status before that change (-1: none) */
  announcePrevious?: number;
  /** epoch ms of the write that left the change pending */
  pendingSince?: number;
}

/**
 * A report found already stored (stale): should THIS delivery announce it? Only a retry of exactly
 * the stored version whose change is still pending, once the delivery that stored it had its grace
 * period to publish (a duplicate delivered concurrently must not announce twice).
 */
export const shouldReannounce = (stored: StoredStatus | undefined, version: number, now: number): boolean =>
  !!stored && stored.version === version && stored.pendingAnnounce === version && (stored.pendingSince ?? 0) < now - PENDING_GRACE_MS;
