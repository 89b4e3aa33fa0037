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
 * the version whose change is still pending (newer unchanged reports may have been stored since),
 * once the delivery that stored it had its grace period to publish (a duplicate delivered
 * concurrently must not announce twice).
 */
export const shouldReannounce = (stored: StoredStatus | undefined, version: number, now: number): boolean =>
  !!stored && stored.version >= version && stored.pendingAnnounce === version && (stored.pendingSince ?? 0) < now - PENDING_GRACE_MS;

/** One pile report, versioned. */
export interface VersionedStatus extends LiveStatus {
  version: number;
}

/** A change to announce: the new status, its version, the status it replaced (undefined: none). */
export interface StatusChange extends VersionedStatus {
  previousStatus?: number;
}

export type ReportOutcome = 'changed' | 'unchanged' | 'stale' | 're-announced';

export interface StatusPlan {
  /** the newest report, when it is newer than the stored status: the one write to make */
  write?: VersionedStatus;
  /** the real changes the reports make, oldest first (each against the one before it) */
  changes: StatusChange[];
  /** a pending change of an earlier delivery that this retry must announce */
  reannounce?: StatusChange;
  /** what each report (in the given order) amounts to */
  outcomes: ReportOutcome[];
}

/**
 * The reports of ONE connector that arrived together (a batch), against its stored status: the
 * versioning rules applied as if they had been delivered one by one in version order — each report
 * newer than the one before it is stored (only the newest needs writing) and is a change when it
 * differs; a report not newer is stale; a stale retry of a pending change re-announces it (once).
 */
export const planStatusReports = (stored: StoredStatus | undefined, reports: readonly VersionedStatus[], now: number): StatusPlan => {
  const order = reports.map((r, i) => ({ r, i })).sort((a, b) => a.r.version - b.r.version);
  const outcomes: ReportOutcome[] = reports.map(() => 'stale');
  const changes: StatusChange[] = [];
  let cur: VersionedStatus | undefined = stored;
  let write: VersionedStatus | undefined;
  let reannounce: StatusChange | undefined;
  for (const { r, i } of order) {
    if (cur && cur.version >= r.version) {
      if (!reannounce && shouldReannounce(stored, r.version, now)) {
        const prev = stored?.announcePrevious;
        reannounce = { ...liveOf(r), version: r.version, ...(prev !== undefined && prev >= 0 ? { previousStatus: prev } : {}) };
        outcomes[i] = 're-announced';
      }
      continue;
    }
    if (statusDiffers(cur, r)) {
      changes.push({ ...liveOf(r), version: r.version, ...(cur ? { previousStatus: cur.status } : {}) });
      outcomes[i] = 'changed';
    } else outcomes[i] = 'unchanged';
    cur = write = { ...liveOf(r), version: r.version };
  }
  return { ...(write ? { write } : {}), changes, ...(reannounce ? { reannounce } : {}), outcomes };
};

const liveOf = (s: LiveStatus): LiveStatus => ({ status: s.status, parkStatus: s.parkStatus, lockStatus: s.lockStatus });
