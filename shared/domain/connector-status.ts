/**
 * Connector status versioning — the pure rules of the status pipeline (shared/services/
 * connector-status.ts applies them with the stations store and the bus):
 *   - every pile report has a version; a report whose version is not newer than the stored one
 *     changes nothing (late, duplicate or reordered deliveries);
 *   - a newer report is a CHANGE only when something a partner would see differs;
 *   - a change stored but not yet announced belongs, for PENDING_GRACE_MS, to the delivery that
 *     stored it; after that a retry of the same report announces it — unless that delivery left a
 *     receipt saying it published (the mark names the delivery, `pendingBy`: one receipt per
 *     delivery replaces clearing every connector's mark, issue 9 §5).
 *
 * Ground locks (issue 15): a connector whose parking space has a lock gets its LockStatus from the
 * lock (LockReport, versioned by the lock's own revision — the car park is another clock than the
 * pile's), not from the pile: once a lock report is stored, pile reports keep the lock's status.
 * A lock change is a change like any other, announced with an event version one above the
 * connector's last one (its pile version or its last lock change), so the pushes' per-connector
 * ordering holds across both sources. (A pile report observed in the same millisecond as the pile's
 * previous one, with the next sequence number, after a lock change, can get a version not above the
 * lock change's: stored, but its push is ordered before that lock change's and skipped. Piles
 * report at human pace; documented, not prevented.)
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
  /** the newest pile report's version (0: only the lock has reported) */
  version: number;
  /** the lock's revision last stored: from then on the lock owns lockStatus */
  lockVersion?: number;
  /** the event version of the last lock change */
  lockEvent?: number;
  /** the lock revision whose change is stored but not yet published */
  lockPending?: number;
  /** epoch ms of the write that left the lock change pending */
  lockPendingSince?: number;
  /** the delivery that left the lock change pending (its receipt says it published) */
  lockPendingBy?: string;
  /** the version whose change is stored but not yet published */
  pendingAnnounce?: number;
  /** the status before that change (-1: none) */
  announcePrevious?: number;
  /** epoch ms of the write that left the change pending */
  pendingSince?: number;
  /** the delivery that left the change pending (its receipt says it published); absent: a mark without one, cleared when published */
  pendingBy?: string;
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

/** One lock report: the lock's status and its revision (increasing with every state the lock records). */
export interface LockReport {
  lockStatus: ParkLockCode;
  lockVersion: number;
}

const isLock = (r: VersionedStatus | LockReport): r is LockReport => 'lockVersion' in r;

/** A stale lock report: should THIS delivery announce it? As shouldReannounce, for the lock's pending change. */
const shouldReannounceLock = (stored: StoredStatus | undefined, lockVersion: number, now: number): boolean =>
  !!stored &&
  (stored.lockVersion ?? -1) >= lockVersion &&
  stored.lockPending === lockVersion &&
  (stored.lockPendingSince ?? 0) < now - PENDING_GRACE_MS;

/**
 * The deliveries whose receipts decide what these reports amount to: a stale report of exactly a
 * pending change, past its grace, re-announces it only if the delivery that left it pending never
 * published (no receipt). Empty in the common case (nothing stale owes an announcement): no read.
 */
export const receiptsToCheck = (
  stored: StoredStatus | undefined,
  reports: readonly (VersionedStatus | LockReport)[],
  now: number,
): string[] => {
  if (!stored) return [];
  const out: string[] = [];
  if (stored.pendingBy !== undefined && reports.some((r) => !isLock(r) && shouldReannounce(stored, r.version, now)))
    out.push(stored.pendingBy);
  if (stored.lockPendingBy !== undefined && reports.some((r) => isLock(r) && shouldReannounceLock(stored, r.lockVersion, now)))
    out.push(stored.lockPendingBy);
  return out;
};

/** The stored status with the marks of deliveries that published (a receipt) taken as cleared. */
export const withoutPublishedMarks = (stored: StoredStatus, published: ReadonlySet<string>): StoredStatus => {
  const {
    pendingAnnounce: _pa,
    announcePrevious: _ap,
    pendingSince: _ps,
    pendingBy,
    lockPending: _lp,
    lockPendingSince: _lps,
    lockPendingBy,
    ...rest
  } = stored;
  const pileDone = pendingBy !== undefined && published.has(pendingBy);
  const lockDone = lockPendingBy !== undefined && published.has(lockPendingBy);
  if (!pileDone && !lockDone) return stored;
  const pile = pileDone ? {} : pick(stored, ['pendingAnnounce', 'announcePrevious', 'pendingSince', 'pendingBy']);
  const lock = lockDone ? {} : pick(stored, ['lockPending', 'lockPendingSince', 'lockPendingBy']);
  return { ...rest, ...pile, ...lock };
};

const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<Pick<T, K>>;

/**
 * A change to announce: the new status, its event version, the status it replaced (undefined:
 * none); `lockVersion` when a lock report made it.
 */
export interface StatusChange extends VersionedStatus {
  previousStatus?: number;
  lockVersion?: number;
}

/** The one write a plan makes: the pile fields when a pile report is newer, the lock fields when a lock report is. */
interface StatusWritePlan extends VersionedStatus {
  /** a pile report is newer than the stored one: status, parkStatus, version (and lockStatus when no lock owns it) */
  pile: boolean;
  /** a lock report is newer than the stored one: lockStatus, lockVersion, lockEvent */
  lock?: { lockVersion: number; lockEvent: number };
}

export type ReportOutcome = 'changed' | 'unchanged' | 'stale' | 're-announced';

export interface StatusPlan {
  /** the newest reports, when newer than the stored status: the one write to make */
  write?: StatusWritePlan;
  /** the real changes the reports make, oldest first (each against the one before it) */
  changes: StatusChange[];
  /** a pending change of an earlier delivery that this retry must announce */
  reannounce?: StatusChange;
  /** a pending lock change of an earlier delivery that this retry must announce */
  reannounceLock?: StatusChange;
  /** what each report (in the given order) amounts to */
  outcomes: ReportOutcome[];
}

/**
 * The reports of ONE connector that arrived together (a batch), against its stored status: the
 * versioning rules applied as if they had been delivered one by one in version order — each report
 * newer than the one before it is stored (only the newest needs writing) and is a change when it
 * differs; a report not newer is stale; a stale retry of a pending change re-announces it (once).
 * Pile reports are applied first (by version), then lock reports (by lock revision): the two are
 * independent sources, each versioned on its own.
 */
export const planStatusReports = (
  stored: StoredStatus | undefined,
  reports: readonly (VersionedStatus | LockReport)[],
  now: number,
): StatusPlan => {
  const indexed = reports.map((r, i) => ({ r, i }));
  const piles = indexed.flatMap(({ r, i }) => (isLock(r) ? [] : [{ r, i }])).sort((a, b) => a.r.version - b.r.version);
  const locks = indexed.flatMap(({ r, i }) => (isLock(r) ? [{ r, i }] : [])).sort((a, b) => a.r.lockVersion - b.r.lockVersion);
  const outcomes: ReportOutcome[] = reports.map(() => 'stale');
  const changes: StatusChange[] = [];
  /** a connector only the lock has reported has no pile status yet (version 0) */
  const pileKnown = (s: StoredStatus | VersionedStatus | undefined) => !!s && s.version > 0;
  let cur: VersionedStatus | undefined = stored;
  let write: StatusWritePlan | undefined;
  let reannounce: StatusChange | undefined;
  let reannounceLock: StatusChange | undefined;
  const lockOwned = stored?.lockVersion !== undefined;
  for (const { r, i } of piles) {
    if (cur && cur.version >= r.version) {
      if (!reannounce && shouldReannounce(stored, r.version, now)) {
        const prev = stored?.announcePrevious;
        const live = { ...liveOf(r), ...(lockOwned && stored ? { lockStatus: stored.lockStatus } : {}) };
        reannounce = { ...live, version: r.version, ...(prev !== undefined && prev >= 0 ? { previousStatus: prev } : {}) };
        outcomes[i] = 're-announced';
      }
      continue;
    }
    const next = { ...liveOf(r), ...(lockOwned && cur ? { lockStatus: cur.lockStatus } : {}), version: r.version };
    if (!pileKnown(cur) || statusDiffers(cur, next)) {
      changes.push({ ...next, ...(pileKnown(cur) && cur ? { previousStatus: cur.status } : {}) });
      outcomes[i] = 'changed';
    } else outcomes[i] = 'unchanged';
    cur = next;
    write = { ...next, pile: true };
  }
  // revision 0: a lock's initial state, never recorded (raised); it too takes the connector's LockStatus over
  let lockVersion = stored?.lockVersion ?? -1;
  let lockEvent = stored?.lockEvent ?? 0;
  for (const { r, i } of locks) {
    if (lockVersion >= r.lockVersion) {
      if (!reannounceLock && stored && shouldReannounceLock(stored, r.lockVersion, now)) {
        reannounceLock = {
          ...liveOf(stored),
          version: lockEvent,
          lockVersion: r.lockVersion,
          ...(pileKnown(stored) ? { previousStatus: stored.status } : {}),
        };
        outcomes[i] = 're-announced';
      }
      continue;
    }
    const base: LiveStatus = cur ?? { status: 0, parkStatus: 0, lockStatus: 0 };
    const next = { ...liveOf(base), lockStatus: r.lockStatus };
    lockVersion = r.lockVersion;
    const changed = base.lockStatus !== r.lockStatus || !cur;
    if (changed) {
      lockEvent = Math.max(cur?.version ?? 0, lockEvent) + 1;
      changes.push({
        ...next,
        version: lockEvent,
        lockVersion: r.lockVersion,
        ...(pileKnown(cur) && cur ? { previousStatus: cur.status } : {}),
      });
      outcomes[i] = 'changed';
    } else outcomes[i] = 'unchanged';
    cur = { ...next, version: cur?.version ?? 0 };
    write = { ...cur, pile: write?.pile ?? false, lock: { lockVersion, lockEvent } };
  }
  return {
    ...(write ? { write } : {}),
    changes,
    ...(reannounce ? { reannounce } : {}),
    ...(reannounceLock ? { reannounceLock } : {}),
    outcomes,
  };
};

const liveOf = (s: LiveStatus): LiveStatus => ({ status: s.status, parkStatus: s.parkStatus, lockStatus: s.lockStatus });
